"""Who may see a person in care: need-to-know through a legitimate relationship.

An episode (someone's time with one team) is seen by:

- members of its team while it is open, or for the re-referral window after it closed (so the
  team can welcome the person back with their history);
- staff of an organisation the person has consented to share with, while the consent stands;
- members of a front-door team that an administrator made the front door for the episode's team
  (`Team.serves`), while the person waits for an offer.

The person's own record (details, consents, safety plan) is seen by whoever sees one of their
episodes, or by their consent. Pathway events, zone changes, huddle notes, actions and the shared
decisions about an episode follow the episode: a team that takes someone on sees its own work
with them, not another team's.

Nothing else grants sight — not forum membership, not being an administrator. Each of these
relationships is controlled by the organisation: team memberships and front-door set-up are
made by administrators and audited, and consent is recorded by the caring team.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Exists, Q, QuerySet
from django.utils import timezone

from roundtable.care.models import (
    CareAction,
    CareDecision,
    ConsentToShare,
    Episode,
    HuddleNote,
    PathwayEvent,
    PersonInCare,
    Stage,
    ZoneChange,
)
from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.decisions.models import (
    Decision,
    Notification,
)
from roundtable.directory.models import Membership, Person, Team
from roundtable.forums.models import Forum

Rows = TypeVar("Rows")  # what a query of episodes gives: episodes, values …


def front_door_teams(forum: Forum) -> QuerySet[Team]:
    """The teams a front-door forum decides offers for: its home team and the teams of its
    locality, or of its organisation when the home team serves no one locality.

    This says where the forum's decisions apply, not who sees the people: a forum's members see
    a referral only if they may see its episode (`visible_episodes`).
    """
    home = forum.home_team
    if home is None:
        return Team.objects.none()
    if home.locality_id is not None:
        return Team.objects.filter(Q(pk=home.pk) | Q(locality_id=home.locality_id))
    return Team.objects.filter(Q(pk=home.pk) | Q(organisation_id=home.organisation_id))


def _consented(user: Person) -> QuerySet[ConsentToShare, Any]:
    """The people who consented to share with the user's organisation, as `person_id`s."""
    return ConsentToShare.objects.filter(
        withdrawn_at__isnull=True, organisation=user.organisation_id
    ).values("person_id")


def _relationships(user: Person) -> tuple[Q, Q, Q]:
    """The three ways `user` may see an episode, as conditions on the episode: their team's (open,
    or closed within the re-referral window), by consent, and at a front door they work in."""
    recent = timezone.now() - timedelta(days=settings.REREFERRAL_WINDOW_DAYS)
    my_teams = Membership.objects.filter(person=user).values("team_id")
    served = Team.serves.through.objects.filter(from_team_id__in=my_teams).values("to_team_id")
    return (
        Q(team_id__in=my_teams) & (Q(closed_at__isnull=True) | Q(closed_at__gte=recent)),
        Q(person_id__in=_consented(user)),
        Q(stage=Stage.REFERRED, team_id__in=served),
    )


def visible_episodes(user: Person) -> QuerySet[Episode]:
    """The episodes `user` may see, by the three relationships above."""
    caring, consented, front_door = _relationships(user)
    return Episode.objects.filter(caring | consented | front_door)


def may_see_episode(episode: Episode, person_ids: set[int]) -> set[int]:
    """Of these members of staff, those who may see `episode`: `visible_episodes` turned round,
    for telling people about it (only those who may see the person hear of them)."""
    if not person_ids:
        return set()
    recent = timezone.now() - timedelta(days=settings.REREFERRAL_WINDOW_DAYS)
    consented = ConsentToShare.objects.filter(
        person_id=episode.person_id, withdrawn_at__isnull=True
    ).values("organisation_id")
    who = Q(organisation_id__in=consented)
    if episode.closed_at is None or episode.closed_at >= recent:
        who |= Q(pk__in=Membership.objects.filter(team_id=episode.team_id).values("person_id"))
    if episode.stage == Stage.REFERRED:
        front_doors = Team.serves.through.objects.filter(to_team_id=episode.team_id)
        who |= Q(
            pk__in=Membership.objects.filter(team_id__in=front_doors.values("from_team_id")).values(
                "person_id"
            )
        )
    return set(
        Person.objects.filter(who, pk__in=person_ids, is_active=True).values_list("pk", flat=True)
    )


def decision_audience(decision: Decision, person_ids: set[int]) -> set[int]:
    """A decision about a person in care is told only to those who may see its episode."""
    care = CareDecision.objects.filter(decision_id=decision.pk).select_related("episode").first()
    if care is None:
        return person_ids
    return may_see_episode(care.episode, person_ids)


def visible_people(user: Person) -> QuerySet[PersonInCare]:
    """The people in care `user` may see: those with an episode they see, and by consent.

    One narrow subquery for each relationship (each read from an index on episodes), rather than
    one over every episode with all three.
    """
    caring, _, front_door = _relationships(user)
    return PersonInCare.objects.filter(
        Q(pk__in=Episode.objects.filter(caring).values("person_id"))
        | Q(pk__in=_consented(user))
        | Q(pk__in=Episode.objects.filter(front_door).values("person_id"))
    )


def team_caseload(user: Reader, team: Team | int) -> QuerySet[Episode]:
    """The open episodes of a team, for a member of that team; none for anyone else.

    The first rule above, alone: a team's members may see everyone the team is caring for. The
    huddle board and what other apps add to it read through this instead of `scoped()`, which
    builds the whole of `visible_people` into each query for the same answer: on a board of
    hundreds of people that building was most of the page's time.
    """
    return team_caseload_of(user, team, Episode.objects.all())


def team_caseload_of(
    user: Reader, team: Team | int, episodes: QuerySet[Episode, Rows]
) -> QuerySet[Episode, Rows]:
    """`team_caseload` of these episodes (a query built beforehand, say)."""
    if not user.is_authenticated or not user.is_active:
        return episodes.none()
    member = Membership.objects.filter(person=user, team=team)
    return episodes.filter(Exists(member), team=team, closed_at__isnull=True)


def _people(user: Person, queryset: QuerySet[PersonInCare]) -> QuerySet[PersonInCare]:
    return queryset.filter(pk__in=visible_people(user).values("pk"))


def _episodes(user: Person, queryset: QuerySet[Episode]) -> QuerySet[Episode]:
    caring, consented, front_door = _relationships(user)
    return queryset.filter(caring | consented | front_door)


def _by_episode(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(episode_id__in=visible_episodes(user).values("pk"))


access.register(PersonInCare, _people)
access.register(Episode, _episodes)
for model in (PathwayEvent, ZoneChange, HuddleNote, CareAction):
    access.register(model, _by_episode)


def _decisions(user: Person, queryset: QuerySet[Decision]) -> QuerySet[Decision]:
    """A decision about a person in care is for those who may see the episode it is about."""
    return queryset.filter(
        Q(care__isnull=True) | Q(care__episode_id__in=visible_episodes(user).values("pk"))
    )


def _notifications(user: Person, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
    """A notice of a decision about a person in care is shown only while its reader may still
    see the person: it was written when they could, and their access may since have ended."""
    return queryset.filter(
        Q(decision__care__isnull=True)
        | Q(decision__care__episode_id__in=visible_episodes(user).values("pk"))
    )


access.narrow(Decision, _decisions)
access.narrow(Notification, _notifications)
# Positions, comments, holds and advice follow their decision (roundtable.decisions.access).
