"""Reads for voice, scoped to the person asking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.directory.models import (
    LeadershipTeam,
    Membership,
    Organisation,
    Person,
    Team,
)
from roundtable.voice.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Concern,
    ConcernEvent,
    ConcernLevel,
    ConcernNotice,
    ConcernReply,
)
from roundtable.voice.queries import hash_receipt, owner_for

# The fields of a concern that say nothing about who raised it.
BOARD_FIELDS = (
    "id",
    "title",
    "level",
    "status",
    "outcome",
    "action",
    "raised_on",
    "closed_on",
    "team__id",
    "team__name",
    "organisation__id",
    "organisation__name",
)


@dataclass(frozen=True)
class SendTo:
    """One place a person can raise a concern to, and who will receive it."""

    key: str  # "team:12", "organisation:3" or "system"
    label: str
    level: str
    team: Team | None
    organisation: Organisation | None
    owner: LeadershipTeam | None


def send_to_options(user: Person) -> list[SendTo]:
    """Each of the person's teams, their organisations, and the whole system."""
    teams = [
        m.team
        for m in Membership.objects.filter(person_id=user.pk)
        .select_related("team__organisation")
        .order_by("team__name")
    ]
    organisations: dict[int, Organisation] = {}
    if user.organisation is not None:
        organisations[user.organisation.pk] = user.organisation
    for team in teams:
        organisations.setdefault(team.organisation.pk, team.organisation)
    options = [
        SendTo(
            f"team:{team.pk}",
            f"{team.name} (your team)",
            ConcernLevel.TEAM,
            team,
            None,
            owner_for(ConcernLevel.TEAM, team=team),
        )
        for team in teams
    ]
    options += [
        SendTo(
            f"organisation:{org.pk}",
            f"{org.name} (your organisation)",
            ConcernLevel.ORGANISATION,
            None,
            org,
            owner_for(ConcernLevel.ORGANISATION, organisation=org),
        )
        for org in sorted(organisations.values(), key=lambda o: o.name)
    ]
    options.append(
        SendTo(
            "system",
            "The whole care system",
            ConcernLevel.SYSTEM,
            None,
            None,
            owner_for(ConcernLevel.SYSTEM),
        )
    )
    return options


def _with_parts(queryset: QuerySet[Concern]) -> QuerySet[Concern]:
    return queryset.select_related("owner", "team", "organisation", "raised_by")


def _open_first(queryset: QuerySet[Concern]) -> QuerySet[Concern]:
    return queryset.annotate(
        closed=Case(
            When(status__in=list(CLOSED_STATUSES), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("closed", "due_on", "-raised_on", "-pk")


def concerns_for_my_leadership(user: Person, *, status: str = "") -> QuerySet[Concern]:
    """Concerns owned now by a leadership team the person is in: open ones first, soonest due."""
    queryset = access.scoped(user, Concern).filter(owner__memberships__person_id=user.pk)
    if status == "open":
        queryset = queryset.filter(status__in=list(OPEN_STATUSES))
    elif status:
        queryset = queryset.filter(status=status)
    return _open_first(_with_parts(queryset))


def concerns_raised_by(user: Reader) -> QuerySet[Concern]:
    """The named concerns the person raised (anonymous ones are followed by receipt link)."""
    return _open_first(_with_parts(access.scoped(user, Concern).filter(raised_by_id=user.pk)))


def is_leader(user: Person) -> bool:
    return LeadershipTeam.objects.filter(memberships__person_id=user.pk).exists()


def waiting_count(user: Person) -> int:
    return (
        access.scoped(user, Concern)
        .filter(owner__memberships__person_id=user.pk, status__in=list(OPEN_STATUSES))
        .count()
    )


@dataclass
class ConcernPage:
    concern: Concern
    events: list[ConcernEvent]
    replies: list[ConcernReply]

    @property
    def timeline(self) -> list[ConcernEvent | ConcernReply]:
        """Events and replies in the order they happened (by day, then as recorded)."""
        items: list[ConcernEvent | ConcernReply] = [*self.events, *self.replies]
        return sorted(items, key=lambda item: (item.on, isinstance(item, ConcernReply), item.pk))


def _page(concern: Concern) -> ConcernPage:
    events = list(
        ConcernEvent.objects.filter(concern=concern)
        .select_related("actor", "owner")
        .order_by("on", "pk")
    )
    replies = list(
        ConcernReply.objects.filter(concern=concern).select_related("author").order_by("on", "pk")
    )
    return ConcernPage(concern, events, replies)


def concern_detail(user: Reader, concern_id: int) -> ConcernPage:
    """A concern the person may see (404 otherwise), with its history. Audited as a read."""
    concern = access.get_visible(user, Concern, _with_parts(Concern.objects.all()), pk=concern_id)
    return _page(concern)


def concern_get(user: Reader, concern_id: int) -> Concern:
    return access.get_visible(
        user, Concern, _with_parts(Concern.objects.all()), audit=False, pk=concern_id
    )


def concern_by_receipt(token: str) -> ConcernPage:
    """The concern a receipt link is for. The token is the only key: whoever holds it may follow
    the concern, and who opened it is not recorded (that would name an anonymous raiser)."""
    concern = (
        Concern.objects.select_related("owner", "team", "organisation")
        .filter(receipt_hash=hash_receipt(token))
        .first()
    )
    if concern is None:
        raise Http404("No concern found for this link. Check it was copied in full.")
    return _page(concern)


def board(*, team: Team | None = None, organisation: Organisation | None = None) -> QuerySet[Any]:
    """ "You said, we did": closed concerns shown on the board of a team or an organisation
    (an organisation's includes its teams'), newest first, without who raised them."""
    queryset = Concern.objects.filter(status__in=list(CLOSED_STATUSES), on_board=True)
    if team is not None:
        queryset = queryset.filter(team=team)
    elif organisation is not None:
        queryset = queryset.filter(
            Q(organisation=organisation) | Q(team__organisation=organisation)
        )
    else:
        queryset = queryset.filter(level=ConcernLevel.SYSTEM)
    rows: QuerySet[Any] = queryset.values(*BOARD_FIELDS).order_by("-closed_on", "-pk")
    return rows


def board_choices() -> tuple[list[Team], list[Organisation]]:
    """Teams and organisations with something on their board."""
    closed = Concern.objects.filter(status__in=list(CLOSED_STATUSES), on_board=True)
    teams = list(Team.objects.filter(concerns__in=closed).distinct().order_by("name"))
    organisations = list(
        Organisation.objects.filter(Q(concerns__in=closed) | Q(teams__concerns__in=closed))
        .distinct()
        .order_by("name")
    )
    return teams, organisations


def team_get(team_id: int) -> Team:
    team = Team.objects.select_related("organisation").filter(pk=team_id).first()
    if team is None:
        raise Http404("No team found.")
    return team


def organisation_get(organisation_id: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404("No organisation found.")
    return organisation


def unread_notices(user: Reader) -> list[ConcernNotice]:
    return list(
        access.scoped(user, ConcernNotice)
        .filter(read_at__isnull=True)
        .select_related("concern")
        .order_by("-created_at", "-pk")[:20]
    )
