"""The huddle board: the team's caseload as cards grouped by zone, one card, and an action on
one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from roundtable.care.access import Rows, team_caseload_of
from roundtable.care.models import CareAction, CareDecision, Episode, Stage, Zone
from roundtable.care.selectors.people import audit_people_shown
from roundtable.core import access
from roundtable.decisions.models import DecisionKind, DecisionStatus, Hold, Position
from roundtable.directory.models import Team
from roundtable.forums.models import Attendance, AttendanceStatus, Meeting

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


def care_action_get(user: Any, action_id: int) -> CareAction:
    """An action about someone the user may see, or 404."""
    return access.get_visible(
        user,
        CareAction,
        CareAction.objects.select_related("owner", "episode__team"),
        pk=action_id,
        audit=False,
    )
