"""Reads of people in care and their episodes, always through the access chokepoint."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from roundtable.audit.services import audit_shown
from roundtable.care.access import Rows, front_door_teams, team_caseload_of
from roundtable.care.models import (
    CareAction,
    CareDecision,
    ConsentToShare,
    Episode,
    HuddleNote,
    Offer,
    PathwayEvent,
    PersonInCare,
    Stage,
    Zone,
    ZoneChange,
)
from roundtable.core import access, dates
from roundtable.decisions.models import Decision, DecisionKind, DecisionStatus, Hold, Position
from roundtable.directory.models import Membership, Organisation, OrganisationKind, Person, Team
from roundtable.forums.models import Attendance, AttendanceStatus, Forum, ForumKind, Meeting
from roundtable.forums.selectors import meetings_today


@dataclass
class PersonRecord:
    person: PersonInCare
    episodes: list[Episode]
    events: list[PathwayEvent]
    zone_changes: list[ZoneChange] = field(default_factory=list)
    notes: list[HuddleNote] = field(default_factory=list)
    actions: list[CareAction] = field(default_factory=list)
    decisions: Sequence[CareDecision] = field(default_factory=list)


def person_record(user: Any, person_id: int) -> PersonRecord:
    """A person in care with all their episodes and history. 404 unless the user may see them;
    the read is audited."""
    person = access.get_visible(
        user, PersonInCare, PersonInCare.objects.select_related("gp_practice"), pk=person_id
    )
    episodes = list(
        access.scoped(user, Episode)
        .filter(person=person)
        .select_related("team", "key_worker", "previous")
        .order_by("-referred_at", "-pk")
    )
    events = list(
        access.scoped(user, PathwayEvent)
        .filter(episode__person=person)
        .select_related("actor", "episode__team", "decision")
        .order_by("at", "pk")
    )
    zone_changes = list(
        access.scoped(user, ZoneChange)
        .filter(episode__person=person)
        .select_related("actor", "from_zone", "to_zone", "meeting__forum")
        .prefetch_related(Prefetch("present", queryset=Person.objects.order_by("full_name")))
        .order_by("-at", "-pk")
    )
    notes = list(
        access.scoped(user, HuddleNote)
        .filter(episode__person=person)
        .select_related("author", "meeting__forum")
        .order_by("-at", "-pk")
    )
    actions = list(
        access.scoped(user, CareAction)
        .filter(episode__person=person)
        .select_related("owner")
        .order_by("done_at", "due_on", "pk")
    )
    decisions = list(
        CareDecision.objects.filter(
            episode__person=person,
            decision__in=access.scoped(user, Decision),
        )
        .select_related("decision__forum", "offer__organisation")
        .annotate(hold_count=Count("decision__holds", distinct=True))
        .order_by("-decision__created_at")
    )
    return PersonRecord(person, episodes, events, zone_changes, notes, actions, decisions)


# -- Teams the user cares in ---------------------------------------------------------------------


def my_care_teams(user: Any) -> list[Team]:
    """The teams the user is a member of, by name: the teams whose boards they can open."""
    return list(
        Team.objects.filter(memberships__person=user)
        .select_related("organisation")
        .order_by("name", "pk")
        .distinct()
    )


def teams_to_refer_again(user: Any, person: PersonInCare) -> list[Team]:
    """The user's teams that `person` could be referred again to: those of them with no open
    episode of theirs (the user is in each, so may know whether it has one)."""
    teams = my_care_teams(user)
    open_with = set(
        Episode.objects.filter(
            person=person, team__in=[t.pk for t in teams], closed_at__isnull=True
        ).values_list("team_id", flat=True)
    )
    return [t for t in teams if t.pk not in open_with]


def care_team_get(user: Any, team_id: int) -> Team:
    """A team the user belongs to, or 404: a huddle board is for its own team."""
    team = (
        Team.objects.filter(pk=team_id, memberships__person=user)
        .select_related("organisation")
        .first()
    )
    if team is None:
        raise Http404("No team found.")
    return team


# -- The huddle board ----------------------------------------------------------------------------


# A board shows hundreds of people, each with a few values from several tables. They are read
# as plain values into the small records below rather than as models: building a model instance
# (and those it is joined to) cost more than the rest of the reading, about 60 µs a card.


@dataclass(slots=True)
class StaffRef:
    """A member of staff on a card, by name."""

    id: int
    full_name: str


@dataclass(slots=True)
class PersonRef:
    """The person a card is about."""

    id: int
    local_id: str
    name: str


@dataclass(slots=True)
class CardEpisode:
    """What a card shows of an episode."""

    id: int
    version: int
    stage: str
    zone_id: int | None
    zone_since: datetime | None
    person: PersonRef
    key_worker: StaffRef | None

    @property
    def pk(self) -> int:
        return self.id

    @property
    def person_id(self) -> int:
        return self.person.id

    @property
    def key_worker_id(self) -> int | None:
        return self.key_worker.id if self.key_worker is not None else None

    # The columns `from_row` reads, in its order.
    FIELDS = (
        "pk",
        "version",
        "stage",
        "zone_id",
        "zone_since",
        "person_id",
        "person__local_id",
        "person__name",
        "key_worker_id",
        "key_worker__full_name",
    )

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> CardEpisode:
        """A card's episode from a `values_list(*CardEpisode.FIELDS)` row."""
        pk, version, stage, zone_id, zone_since, person_id, local_id, name, worker_id, worker = row
        return cls(
            pk,
            version,
            stage,
            zone_id,
            zone_since,
            PersonRef(person_id, local_id, name),
            StaffRef(worker_id, worker) if worker_id is not None else None,
        )


@dataclass(slots=True)
class CardAction:
    """An open action on a card."""

    id: int
    episode_id: int
    description: str
    owner: StaffRef
    due_on: date
    meeting_id: int | None
    version: int
    done_at: datetime | None = None

    @property
    def pk(self) -> int:
        return self.id


@dataclass(slots=True)
class CardNote:
    """The latest SBARD note on a card."""

    id: int
    episode_id: int
    author: StaffRef
    meeting_id: int | None
    at: datetime
    situation: str
    background: str
    assessment: str
    recommendation: str
    decision: str

    # The columns `from_row` reads, in its order (each after `latest_note__`, with an episode).
    FIELDS = (
        "id",
        "author_id",
        "author__full_name",
        "meeting_id",
        "at",
        "situation",
        "background",
        "assessment",
        "recommendation",
        "decision",
    )

    @classmethod
    def from_row(cls, episode_id: int, row: tuple[Any, ...]) -> CardNote | None:
        """An episode's latest note from `FIELDS` of it; None for an episode with no notes."""
        pk, author_id, author, meeting_id, at, *parts = row
        if pk is None:
            return None
        return cls(pk, episode_id, StaffRef(author_id, author), meeting_id, at, *parts)


@dataclass
class BoardCard:
    episode: CardEpisode
    open_actions: list[CardAction]
    latest_note: CardNote | None
    move_on: CareDecision | None
    # What other apps asked the board's episode query for (see `care.extensions`), by name.
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def overdue_actions(self) -> list[CardAction]:
        today = timezone.localdate()
        return [a for a in self.open_actions if a.due_on < today]


@dataclass
class BoardColumn:
    zone: Zone | None
    cards: list[BoardCard]


@dataclass
class HuddleBoard:
    team: Team
    zones: list[Zone]
    columns: list[BoardColumn]
    meeting: Meeting | None
    present: list[Attendance]
    # Everyone on the board, before the filters chosen on it.
    total: int = 0

    @property
    def count(self) -> int:
        return sum(len(c.cards) for c in self.columns)

    @property
    def cards(self) -> list[BoardCard]:
        return [card for column in self.columns for card in column.cards]


def _latest_move_on_id() -> Subquery:
    """The latest move-on decision about an episode (`OuterRef("pk")`) not withdrawn, by id:
    read with the episodes, so that a board with no move-on decisions needs no query for them."""
    return Subquery(
        CareDecision.objects.filter(episode=OuterRef("pk"), decision__kind=DecisionKind.MOVE_ON)
        .exclude(decision__status=DecisionStatus.WITHDRAWN)
        .order_by("-decision__created_at", "-pk")
        .values("pk")[:1]
    )


def _count_of_decision(model: type[Hold | Position]) -> Coalesce:
    """How many holds (or positions) the outer row's decision has: a subquery each, so that two
    counts side by side do not multiply each other's rows as two joins would."""
    counted = (
        model.objects.filter(decision=OuterRef("decision"))
        .order_by()
        .values("decision")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def _move_on_decisions(decision_ids: Iterable[int | None]) -> dict[int, CareDecision]:
    """These move-on decisions with their hold and position counts, by episode; no query when
    there are none."""
    ids = [pk for pk in decision_ids if pk is not None]
    if not ids:
        return {}
    rows = (
        CareDecision.objects.filter(pk__in=ids)
        .select_related("decision")
        .annotate(hold_count=_count_of_decision(Hold), position_count=_count_of_decision(Position))
    )
    return {row.episode_id: row for row in rows}


def _open_actions(episode_ids: Iterable[int] | QuerySet[Any]) -> dict[int, list[CardAction]]:
    """The open actions of these episodes (which the caller may see), by due date."""
    found: dict[int, list[CardAction]] = {}
    rows = (
        CareAction.objects.filter(episode_id__in=episode_ids, done_at__isnull=True)
        .order_by("due_on", "pk")
        .values_list(
            "pk",
            "episode_id",
            "description",
            "owner_id",
            "owner__full_name",
            "due_on",
            "meeting_id",
            "version",
        )
    )
    for pk, episode_id, description, owner_id, owner, due_on, meeting_id, version in rows:
        action = CardAction(
            pk, episode_id, description, StaffRef(owner_id, owner), due_on, meeting_id, version
        )
        found.setdefault(episode_id, []).append(action)
    return found


BOARD_STAGES = (Stage.WAITING, Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON)

# A card's episode and its latest note, read together.
_CARD_FIELDS = (*CardEpisode.FIELDS, *(f"latest_note__{f}" for f in CardNote.FIELDS))


CardRows = QuerySet[Episode, tuple[Any, ...]]


class _CardQueries:
    """The query of a board's cards before it is narrowed to a board or a card: ordered, its
    columns named, its move-on decisions and `extras` joined in. Built once for each set of
    extras and narrowed for each board (Django clones it), since building it (two dozen
    columns, three subqueries) is a few milliseconds a board; `extensions.board_extras()` gives
    the same set each time until a badge registers. Never evaluated itself."""

    def __init__(self) -> None:
        # By the extras' identity, holding them so that the identity stays theirs.
        self._built: dict[int, tuple[Mapping[str, Any], CardRows]] = {}

    def __call__(self, extras: Mapping[str, Any]) -> CardRows:
        built = self._built.get(id(extras))
        if built is None or built[0] is not extras:
            if len(self._built) >= 8:  # callers that build their extras each time
                self._built.clear()
            query = (
                Episode.objects.annotate(move_on_id=_latest_move_on_id(), **extras)
                .order_by("person__name", "pk")
                .values_list(*_CARD_FIELDS, "move_on_id", *extras)
            )
            built = self._built[id(extras)] = (extras, query)
        return built[1]


_card_queries = _CardQueries()
_NO_EXTRAS: Mapping[str, Any] = MappingProxyType({})


def _cards(
    narrow: Callable[[CardRows], CardRows],
    ids: Iterable[int] | QuerySet[Any],
    extras: Mapping[str, Any],
) -> list[BoardCard]:
    """The cards of the episodes `narrow` keeps, by person: each read with its latest note, the
    id of its move-on decision and the `extras` (expressions on the episode, by name), then
    their open actions (`ids` are the episodes', as a list or a query: for hundreds, a query is
    quicker to build than a list) and any move-on decisions."""
    rows = narrow(_card_queries(extras))
    split, note_end = len(CardEpisode.FIELDS), len(_CARD_FIELDS)
    names = list(extras)
    read = [
        (
            CardEpisode.from_row(row[:split]),
            CardNote.from_row(row[0], row[split:note_end]),
            row[note_end],
            dict(zip(names, row[note_end + 1 :], strict=True)) if names else {},
        )
        for row in rows
    ]
    actions = _open_actions(ids)
    move_on = _move_on_decisions(move_on_id for _, _, move_on_id, _ in read)
    return [
        BoardCard(e, actions.get(e.id, []), note, move_on.get(e.id), values)
        for e, note, _, values in read
    ]


def board_episodes(user: Any, team: Team | int) -> QuerySet[Episode]:
    """The episodes on the team's huddle board: those open with the team since it began to
    support them. For the team's members only (see `care.access.team_caseload`)."""
    return _on_board(user, team, Episode.objects.all())


def _on_board(
    user: Any, team: Team | int, episodes: QuerySet[Episode, Rows]
) -> QuerySet[Episode, Rows]:
    return team_caseload_of(user, team, episodes).filter(stage__in=BOARD_STAGES)


def huddle_board(
    user: Any,
    team: Team,
    *,
    zones: list[Zone],
    meeting: Meeting | None = None,
    extras: Mapping[str, Any] | None = None,
    keep: Callable[[list[BoardCard]], list[BoardCard]] | None = None,
    audit_summary: str = "",
    audit: bool = True,
) -> HuddleBoard:
    """The team's caseload grouped by zone, in a fixed number of queries however many people
    (two, a third when any card has a move-on decision, a fourth with a meeting).

    For the team's members only (anyone else sees an empty board). People the team supports who
    have not yet been zoned come first, in their own column. `extras` are read with each card's
    episode (see `care.extensions.board_extras`). `keep` chooses the cards shown (the board's
    filters): only those are grouped, and recorded as shown (unless `audit` is off: then
    the caller records the people it shows with `audit_people_shown`).
    """
    cards = _cards(
        lambda episodes: _on_board(user, team, episodes),
        board_episodes(user, team).values("pk"),
        extras or _NO_EXTRAS,
    )
    total = len(cards)
    if keep is not None:
        cards = keep(cards)
    if audit:
        audit_people_shown(
            user,
            (card.episode.person_id for card in cards),
            audit_summary or f"Huddle board of {team.name}",
        )
    by_zone: dict[int | None, list[BoardCard]] = {}
    for card in cards:
        by_zone.setdefault(card.episode.zone_id, []).append(card)
    columns = []
    if by_zone.get(None):
        columns.append(BoardColumn(None, by_zone[None]))
    columns += [BoardColumn(zone, by_zone.get(zone.pk, [])) for zone in zones]
    present = (
        list(
            Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.PRESENT)
            .select_related("person")
            .order_by("is_guest", "person__full_name", "guest_name")
        )
        if meeting is not None
        else []
    )
    return HuddleBoard(team, zones, columns, meeting, present, total)


def board_card(
    user: Any, episode_id: int, *, extras: Mapping[str, Any] | None = None
) -> tuple[Episode, BoardCard]:
    """One card of the board, for an in-place update after a change, with its episode."""
    episode = access.get_visible(
        user,
        Episode,
        Episode.objects.select_related("person", "key_worker", "team", "zone"),
        pk=episode_id,
        audit=False,
    )
    # Seen already: read as the board reads its cards, so that a card reads the same on both.
    (card,) = _cards(
        lambda episodes: episodes.filter(pk=episode.pk), [episode.pk], extras or _NO_EXTRAS
    )
    audit_people_shown(user, [episode.person_id], f"Huddle board card in {episode.team.name}")
    return episode, card


def episode_get(user: Any, episode_id: int, *, audit: bool = True) -> Episode:
    """An episode the user may see, with its person and team, or 404."""
    return access.get_visible(
        user,
        Episode,
        Episode.objects.select_related("person", "team", "key_worker", "zone", "offer"),
        pk=episode_id,
        audit=audit,
    )


def huddle_meetings(team: Team, *, now: datetime | None = None) -> list[Meeting]:
    """Today's meetings of the team's forums, to record the huddle in."""
    return list(meetings_today(now=now).filter(forum__home_team=team).select_related("forum"))


def team_meeting_get(team: Team, meeting_id: int) -> Meeting:
    """One of today's meetings of the team's forums, to record a change in, or 404: who was in
    the room is taken from it, so a past meeting's attendance cannot be attached to today's
    changes."""
    meeting = (
        meetings_today()
        .filter(pk=meeting_id, forum__home_team=team)
        .select_related("forum")
        .first()
    )
    if meeting is None:
        raise Http404("No meeting of this team today.")
    return meeting


def team_forums(team: Team) -> list[Forum]:
    """The team's own forums (huddle, MDT …), where its move-on decisions are shared."""
    return list(Forum.objects.filter(home_team=team, is_archived=False).order_by("name", "pk"))


def team_zone_get(team: Team, zone_id: int) -> Zone:
    zone = Zone.objects.filter(pk=zone_id, team=team, is_archived=False).first()
    if zone is None:
        raise Http404("No zone found.")
    return zone


def team_members(team: Team) -> list[Person]:
    return list(
        Person.objects.filter(memberships__team=team, is_active=True)
        .order_by("full_name", "pk")
        .distinct()
    )


# -- Caseloads -----------------------------------------------------------------------------------


def caseload(user: Any, key_worker: Person) -> list[Episode]:
    """The open episodes a key worker leads, that the user may see, by stage then name."""
    episodes = list(
        access.scoped(user, Episode)
        .filter(key_worker=key_worker, closed_at__isnull=True)
        .select_related("person", "team", "zone")
        .order_by("team__name", "person__name", "pk")
    )
    audit_people_shown(user, (e.person_id for e in episodes), f"Caseload of {key_worker.full_name}")
    return episodes


@dataclass
class ReadyRow:
    episode: Episode
    move_on: CareDecision | None

    @property
    def days_ready(self) -> int:
        return dates.days_between(self.episode.stage_since)

    @property
    def shared(self) -> bool:
        """The move-on decision has been agreed with the team (not decided alone)."""
        return bool(
            self.move_on
            and self.move_on.decision.status in (DecisionStatus.AGREED, DecisionStatus.REVIEWED)
        )

    @property
    def held(self) -> bool:
        return bool(self.move_on and getattr(self.move_on, "hold_count", 0))


def ready_to_move_on(user: Any, team: Team) -> list[ReadyRow]:
    """People ready to move on, longest waiting first, with their move-on decision."""
    episodes = list(
        access.scoped(user, Episode)
        .filter(team=team, stage=Stage.READY_TO_MOVE_ON, closed_at__isnull=True)
        .select_related("person", "key_worker")
        .annotate(move_on_id=_latest_move_on_id())
        .order_by("stage_since", "pk")
    )
    move_on = _move_on_decisions(getattr(e, "move_on_id", None) for e in episodes)
    audit_people_shown(user, (e.person_id for e in episodes), f"Ready to move on in {team.name}")
    return [ReadyRow(e, move_on.get(e.pk)) for e in episodes]


# -- The front door ------------------------------------------------------------------------------


def front_door_forums(user: Any) -> list[Forum]:
    return list(
        Forum.objects.filter(kind=ForumKind.FRONT_DOOR, is_archived=False, memberships__person=user)
        .select_related("home_team")
        .order_by("name", "pk")
        .distinct()
    )


def front_door_forum_get(user: Any, forum_id: int) -> Forum:
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


def front_door_queue(user: Any, forum: Forum) -> list[Referral]:
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


def offers(*, active_only: bool = True) -> list[Offer]:
    found = Offer.objects.select_related("organisation").order_by("name", "pk")
    if active_only:
        found = found.filter(is_active=True)
    return list(found)


def offer_get(offer_id: int) -> Offer:
    offer = Offer.objects.select_related("organisation").filter(pk=offer_id).first()
    if offer is None:
        raise Http404("No offer found.")
    return offer


# -- Flow measures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Durations:
    """Whole days between two points of the pathway: how many episodes took each number of
    days."""

    histogram: tuple[tuple[int, int], ...]

    @property
    def count(self) -> int:
        return sum(n for _, n in self.histogram)

    @property
    def median(self) -> float | None:
        total = self.count
        if not total:
            return None
        lower, upper = (total - 1) // 2, total // 2
        seen = 0
        low_value: int | None = None
        for days, n in self.histogram:
            if low_value is None and seen + n > lower:
                low_value = days
            if seen + n > upper:
                return (low_value + days) / 2 if low_value is not None else float(days)
            seen += n
        return None  # pragma: no cover  (the loop always reaches the upper middle)


@dataclass(frozen=True)
class FlowMeasures:
    referral_to_offer: Durations
    ready_to_moved_on: Durations
    moved_on: int
    came_back: int
    caseload_by_key_worker: list[tuple[str, int]]
    zone_mix: list[tuple[date, dict[str, int]]]


# The counts below are `COUNT(*)`, not of a column: PostgreSQL then reads them from the index
# alone, where counting `id` made it read every row of the table too.


def _histogram(episodes: QuerySet[Episode], days_field: str) -> Durations:
    rows = (
        episodes.filter(**{f"{days_field}__isnull": False})
        .values_list(days_field)
        .annotate(n=Count("*"))
        .order_by(days_field)
    )
    return Durations(tuple((int(days), int(n)) for days, n in rows))


def zone_mix_by_day(
    *, team_ids: list[int] | None, start: date, end: date
) -> list[tuple[date, dict[str, int]]]:
    """How many people were in each zone (by zone name) at the end of each day from `start` to
    `end`.

    Replayed backwards from today: how many open episodes are in each zone now, then for each day
    back to `start` the zone changes of that day undone (each moved one person from `from_zone`
    to `to_zone`) and its closures undone (the person was still in their last zone). Three
    counts, each a few rows per day and zone name (or one per zone) whatever the size of the
    system.
    """
    zones = Zone.objects.all()
    episodes = Episode.objects.filter(zone__isnull=False)
    changes = ZoneChange.objects.filter(day__gte=start)
    if team_ids is not None:
        # A team's episodes are only ever in the team's own zones (`services.zone_set`).
        zones = zones.filter(team_id__in=team_ids)
        episodes = episodes.filter(team_id__in=team_ids)
        changes = changes.filter(episode__team_id__in=team_ids)
    # Counted zone by zone, each from the index of open episodes by zone, rather than by
    # joining every open episode to its zone's name.
    open_in_zone = (
        Episode.objects.filter(zone=OuterRef("pk"), closed_at__isnull=True)
        .order_by()
        .values("zone")
        .annotate(n=Count("*"))
        .values("n")
    )
    counts: Counter[str] = Counter()
    for name, n in zones.annotate(n=Subquery(open_in_zone)).values_list("name", "n"):
        if n:
            counts[name] += n
    # Per day: +n to give back to a zone, -n to take from it, when going back over that day.
    undo: dict[date, Counter[str]] = {}

    def undo_on(day: date) -> Counter[str]:
        return undo.setdefault(day, Counter())

    today = timezone.localdate()
    days = [start + timedelta(days=i) for i in range((max(end, today) - start).days + 1)]
    ends = [datetime_at_start_of(day + timedelta(days=1)) for day in days]

    def day_of(field: str, first: int = 0, last: int = len(days) - 1) -> Case | Value:
        """The index in `days` (between `first` and `last`) of the day a moment falls on, worked
        out by the database from the days' boundaries: portable, with no per-row time zone
        conversion, and halving the days at each step, so five comparisons a row for 28 days."""
        if first == last:
            return Value(first, output_field=IntegerField())
        middle = (first + last) // 2
        return Case(
            When(**{f"{field}__lt": ends[middle]}, then=day_of(field, first, middle)),
            default=day_of(field, middle + 1, last),
            output_field=IntegerField(),
        )

    # Going back over a day: each change gives one back to the zone it left and takes one from
    # the zone it went to (each change keeps its local day); each closure gives one back to the
    # zone the person was last in.
    for on, to_name, from_name, n in (
        changes.values_list("day", "to_zone__name", "from_zone__name")
        .annotate(n=Count("*"))
        .order_by()
    ):
        undo_on(on)[to_name] -= n
        if from_name is not None:
            undo_on(on)[from_name] += n
    for index, name, n in (
        episodes.filter(closed_at__gte=datetime_at_start_of(start))
        .values_list(day_of("closed_at"), "zone__name")
        .annotate(n=Count("*"))
        .order_by()
    ):
        undo_on(days[index])[name] += n
    mix: list[tuple[date, dict[str, int]]] = []
    day = days[-1]
    while day >= start:
        if day <= end:
            mix.append((day, {name: n for name, n in sorted(counts.items()) if n > 0}))
        counts.update(undo.get(day, Counter()))
        day -= timedelta(days=1)
    return mix[::-1]


def datetime_at_start_of(day: date) -> datetime:
    """Midnight at the start of `day`, in the current time zone."""
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone())


def flow_measures(
    *,
    team_ids: list[int] | None = None,
    since: datetime | None = None,
    zone_days: int = 28,
    today: date | None = None,
) -> FlowMeasures:
    """Flow for teams (all teams by default), over episodes referred since `since`.

    - referral → offer: days from referral to the first offer;
    - ready → moved on: days from becoming ready to moving on;
    - came back: episodes that are returns within the re-referral window;
    - caseload: open episodes per key worker;
    - zone mix: people in each zone at the end of each of the last `zone_days` days.

    Not scoped to a person: these are counts and durations, with no one identifiable in them.
    Eight queries, each a count, whatever the size of the system.
    """
    episodes = Episode.objects.all()
    if team_ids is not None:
        episodes = episodes.filter(team_id__in=team_ids)
    if since is not None:
        episodes = episodes.filter(referred_at__gte=since)
    # Two counts, each from an index, rather than one pass over every episode.
    moved_on = episodes.filter(stage=Stage.MOVED_ON).count()
    came_back = episodes.filter(previous__isnull=False).count()
    open_episodes = Episode.objects.filter(closed_at__isnull=True, key_worker__isnull=False)
    if team_ids is not None:
        open_episodes = open_episodes.filter(team_id__in=team_ids)
    # By key worker, not by name: two people of the same name each have their own caseload.
    caseload_rows = [
        (name, count)
        for _, name, count in open_episodes.values_list("key_worker_id", "key_worker__full_name")
        .annotate(count=Count("*"))
        .order_by("-count", "key_worker__full_name", "key_worker_id")
    ]
    today = today or timezone.localdate()
    return FlowMeasures(
        _histogram(episodes, "days_to_offer"),
        _histogram(episodes, "days_ready_to_moved_on"),
        moved_on,
        came_back,
        caseload_rows,
        zone_mix_by_day(team_ids=team_ids, start=today - timedelta(days=zone_days - 1), end=today)
        if zone_days
        else [],
    )


# -- For the API ---------------------------------------------------------------------------------


def people_shown(user: Any, people: Iterable[PersonInCare]) -> None:
    """Audit a page of the people list (the API pages it; see `core.api.paginated`)."""
    audit_people_shown(user, (p.pk for p in people), "People in care")


def people_in_care(user: Any, *, q: str = "") -> QuerySet[PersonInCare]:
    """The people in care the user may see, by name; `q` is part of the name or local id."""
    people = access.scoped(user, PersonInCare).select_related("gp_practice")
    words = q.strip()
    if words:
        people = people.filter(Q(name__icontains=words) | Q(local_id__icontains=words))
    return people.order_by("name", "pk")


def audit_people_shown(user: Any, person_ids: Iterable[int], summary: str) -> None:
    """One audit event for a list or board read, naming each person shown by reference: reading
    many people is recorded as surely as reading one (`access.get_visible`)."""
    audit_shown(actor=user, model=PersonInCare, ids=person_ids, summary=summary)


def person_get(user: Any, person_id: int) -> PersonInCare:
    """A person the user may see, to act on, or 404. Not audited: the write that follows is."""
    return access.get_visible(
        user, PersonInCare, PersonInCare.objects.all(), pk=person_id, audit=False
    )


@dataclass
class PersonDetail:
    """The person record with their consents to share, each episode's zone and offer loaded."""

    record: PersonRecord
    consents: list[ConsentToShare]  # newest first, withdrawn ones too


def person_detail(user: Any, person_id: int) -> PersonDetail:
    """`person_record` (404 unless visible; audited) and the person's consents to share."""
    record = person_record(user, person_id)
    prefetch_related_objects(record.episodes, "zone", "offer")
    consents = list(
        ConsentToShare.objects.filter(person=record.person)
        .select_related("organisation", "recorded_by")
        .order_by("-created_at", "-pk")
    )
    return PersonDetail(record, consents)


def consent_get(user: Any, consent_id: int) -> ConsentToShare:
    """A consent to share about someone the user may see, or 404."""
    consent = (
        ConsentToShare.objects.filter(
            pk=consent_id, person__in=access.scoped(user, PersonInCare).values("pk")
        )
        .select_related("organisation", "recorded_by", "person")
        .first()
    )
    if consent is None:
        raise Http404("No consent found.")
    return consent


def care_zone_get(user: Any, zone_id: int) -> Zone:
    """A zone in use by a team the user is a member of, or 404, as for the team's board."""
    zone = (
        Zone.objects.filter(pk=zone_id, is_archived=False, team__memberships__person=user)
        .select_related("team")
        .first()
    )
    if zone is None:
        raise Http404("No zone found.")
    return zone


def care_action_get(user: Any, action_id: int) -> CareAction:
    """An action about someone the user may see, or 404."""
    return access.get_visible(
        user,
        CareAction,
        CareAction.objects.select_related("owner", "episode__team"),
        pk=action_id,
        audit=False,
    )


@dataclass(frozen=True)
class TeamsFlow:
    team_ids: list[int]
    measures: FlowMeasures


def my_flow_measures(
    user: Any, *, team_ids: list[int], since: datetime | None = None, zone_days: int = 28
) -> TeamsFlow:
    """Flow measures for the user's own teams: those in `team_ids`, or all of them when none
    are named. A team the user is not a member of is not found, as for its board."""
    mine = set(Team.objects.filter(memberships__person=user).values_list("pk", flat=True))
    if not set(team_ids) <= mine:
        raise Http404("No team found.")
    teams = sorted(set(team_ids) or mine)
    return TeamsFlow(teams, flow_measures(team_ids=teams, since=since, zone_days=zone_days))


# -- For the pages ---------------------------------------------------------------------------------


def person_by_local_id(user: Any, local_id: str) -> PersonInCare | None:
    """Someone already recorded with this local identifier, if the user may see them: the
    referral page then offers to refer them again from their page instead."""
    if not local_id.strip():
        return None
    return access.scoped(user, PersonInCare).filter(local_id=local_id.strip()).first()


def gp_practices() -> list[Organisation]:
    return list(
        Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE).order_by("name", "pk")
    )


def organisations() -> list[Organisation]:
    """Every organisation in the system, by name: partners to share with, or provide offers."""
    return list(Organisation.objects.order_by("name", "pk"))


def referral_key_workers(teams: list[Team]) -> dict[int, list[Person]]:
    """The active members of each team, by name, in one query: who may be a key worker."""
    found: dict[int, list[Person]] = {team.pk: [] for team in teams}
    for membership in (
        Membership.objects.filter(team__in=teams, person__is_active=True)
        .select_related("person")
        .order_by("person__full_name", "person_id")
    ):
        found[membership.team_id].append(membership.person)
    return found


def colleague_get(user: Any, person_id: int) -> Person:
    """A member of staff who shares a team with the user (or the user), or 404: whose caseload
    the user may open."""
    my_teams = Membership.objects.filter(person=user).values("team_id")
    found = (
        access.scoped(user, Person)
        .filter(pk=person_id, memberships__team_id__in=my_teams)
        .distinct()
        .first()
    )
    if found is None:
        raise Http404("No colleague found.")
    return found


def front_door_referral_get(user: Any, forum: Forum, episode_id: int) -> Episode:
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


def agreed_move_on_decisions(user: Any, episode: Episode) -> list[Decision]:
    """The agreed move-on decisions about an episode that the user may read, newest first: what
    moving the person on needs."""
    return list(
        access.scoped(user, Decision)
        .filter(
            care__episode=episode,
            kind=DecisionKind.MOVE_ON,
            status__in=[DecisionStatus.AGREED, DecisionStatus.REVIEWED],
        )
        .order_by("-created_at", "-pk")
    )
