"""Who may see a person in care: need-to-know through a legitimate relationship.

- Members of a team the person has an open episode with, or moved on from within the
  re-referral window (so the team can welcome them back with their history).
- Staff of an organisation the person has consented to share with, while the consent stands.
- Members of the front-door forum that takes the person's referral, while it waits for an offer
  (the front-door meeting decides what the person is offered).

Nobody else — administrators included — sees people in care through Roundtable. Episodes and
pathway events, zone changes, huddle notes and actions follow their person, and so do the shared
decisions about them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Exists, Q, QuerySet
from django.utils import timezone

from roundtable.care.models import (
    CareAction,
    ConsentToShare,
    Episode,
    HuddleNote,
    PathwayEvent,
    PersonInCare,
    Stage,
    ZoneChange,
)
from roundtable.core import access
from roundtable.decisions.models import Decision
from roundtable.directory.models import Membership, Team
from roundtable.forums.models import Forum, ForumKind

Rows = TypeVar("Rows")  # what a query of episodes gives: episodes, values …


def front_door_teams(forum: Forum) -> QuerySet[Team]:
    """The teams a front-door forum takes referrals for: its home team and the teams of its
    locality, or of its organisation when the home team serves no one locality."""
    home = forum.home_team
    if home is None:
        return Team.objects.none()
    if home.locality_id is not None:
        return Team.objects.filter(Q(pk=home.pk) | Q(locality_id=home.locality_id))
    return Team.objects.filter(Q(pk=home.pk) | Q(organisation_id=home.organisation_id))


def visible_people(user: Any) -> QuerySet[PersonInCare]:
    recent = timezone.now() - timedelta(days=settings.REREFERRAL_WINDOW_DAYS)
    my_teams = Membership.objects.filter(person=user).values("team_id")
    caring = Episode.objects.filter(team_id__in=my_teams).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=recent)
    )
    consented = ConsentToShare.objects.filter(
        withdrawn_at__isnull=True, organisation_id=user.organisation_id
    )
    front_doors = Forum.objects.filter(
        kind=ForumKind.FRONT_DOOR, is_archived=False, memberships__person=user
    )
    served = Team.objects.filter(
        Q(pk__in=front_doors.values("home_team_id"))
        | Q(
            locality_id__in=front_doors.filter(home_team__locality__isnull=False).values(
                "home_team__locality_id"
            )
        )
        | Q(
            organisation_id__in=front_doors.filter(home_team__locality__isnull=True).values(
                "home_team__organisation_id"
            )
        )
    )
    awaiting_offer = Episode.objects.filter(stage=Stage.REFERRED, team_id__in=served)
    return PersonInCare.objects.filter(
        Q(pk__in=caring.values("person_id"))
        | Q(pk__in=consented.values("person_id"))
        | Q(pk__in=awaiting_offer.values("person_id"))
    )


def team_caseload(user: Any, team: Team | int) -> QuerySet[Episode]:
    """The open episodes of a team, for a member of that team; none for anyone else.

    The first rule above, alone: a team's members may see everyone the team is caring for. The
    huddle board and what other apps add to it read through this instead of `scoped()`, which
    builds the whole of `visible_people` into each query for the same answer: on a board of
    hundreds of people that building was most of the page's time.
    """
    return team_caseload_of(user, team, Episode.objects.all())


def team_caseload_of(
    user: Any, team: Team | int, episodes: QuerySet[Episode, Rows]
) -> QuerySet[Episode, Rows]:
    """`team_caseload` of these episodes (a query built beforehand, say)."""
    if not user.is_authenticated or not user.is_active:
        return episodes.none()
    member = Membership.objects.filter(person=user, team=team)
    return episodes.filter(Exists(member), team=team, closed_at__isnull=True)


def _people(user: Any, queryset: QuerySet[PersonInCare]) -> QuerySet[PersonInCare]:
    return queryset.filter(pk__in=visible_people(user).values("pk"))


def _episodes(user: Any, queryset: QuerySet[Episode]) -> QuerySet[Episode]:
    return queryset.filter(person_id__in=visible_people(user).values("pk"))


def _by_episode(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(episode__person_id__in=visible_people(user).values("pk"))


access.register(PersonInCare, _people)
access.register(Episode, _episodes)
for model in (PathwayEvent, ZoneChange, HuddleNote, CareAction):
    access.register(model, _by_episode)


def _decisions(user: Any, queryset: QuerySet[Decision]) -> QuerySet[Decision]:
    """A decision about a person in care is for those who may see the person."""
    return queryset.filter(
        Q(care__isnull=True) | Q(care__episode__person_id__in=visible_people(user).values("pk"))
    )


access.narrow(Decision, _decisions)
