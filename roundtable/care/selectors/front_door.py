"""The front door: its forums, their new referrals and today's meetings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404

from roundtable.care.access import front_door_teams
from roundtable.care.models import CareDecision, Episode, Stage
from roundtable.care.selectors.people import audit_people_shown
from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.decisions.models import DecisionStatus
from roundtable.directory.models import Person
from roundtable.forums.models import Forum, ForumKind, Meeting
from roundtable.forums.selectors import meetings_today


def front_door_forums(user: Person) -> list[Forum]:
    return list(
        Forum.objects.filter(kind=ForumKind.FRONT_DOOR, is_archived=False, memberships__person=user)
        .select_related("home_team")
        .order_by("name", "pk")
        .distinct()
    )


def front_door_forum_get(user: Person, forum_id: int) -> Forum:
    forum = (
        Forum.objects.filter(pk=forum_id, kind=ForumKind.FRONT_DOOR, memberships__person=user)
        .select_related("home_team")
        .first()
    )
    if forum is None:
        raise Http404("No front-door forum found.")
    return forum


@dataclass
class Referral:
    episode: Episode
    open_offer: CareDecision | None


def front_door_queue(user: Reader, forum: Forum) -> list[Referral]:
    """New referrals to the forum's teams that the user may see, oldest first, each with the
    offer decision open for it, if any."""
    episodes = list(
        access.scoped(user, Episode)
        .filter(team__in=front_door_teams(forum), stage=Stage.REFERRED)
        .select_related("person", "team")
        .order_by("referred_at", "pk")
    )
    offers = {
        c.episode_id: c
        for c in CareDecision.objects.filter(
            episode_id__in=[e.pk for e in episodes],
            offer__isnull=False,
            decision__status=DecisionStatus.OPEN,
        ).select_related("decision", "offer__organisation")
    }
    audit_people_shown(user, (e.person_id for e in episodes), f"Front door: {forum.name}")
    return [Referral(e, offers.get(e.pk)) for e in episodes]


def front_door_referral_get(user: Reader, forum: Forum, episode_id: int) -> Episode:
    """A new referral to one of the forum's teams that the user may see, or 404."""
    episode = (
        access.scoped(user, Episode)
        .filter(pk=episode_id, team__in=front_door_teams(forum))
        .select_related("person", "team")
        .first()
    )
    if episode is None:
        raise Http404("No referral found.")
    return episode


def forum_meetings_today(forum: Forum, *, now: datetime | None = None) -> list[Meeting]:
    """The forum's meetings today, not cancelled: where a decision may be taken now."""
    return list(meetings_today(now=now).filter(forum=forum))
