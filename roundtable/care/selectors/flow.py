"""Flow measures: days along the pathway, moves on, returns, caseloads and the zone mix by day."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from roundtable.care.models import Episode, Stage, Zone, ZoneChange
from roundtable.directory.models import Person, Team


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
    to `to_zone`) and its closures undone (the person was still in their last zone). Four
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
    # Someone who came back within the re-referral window went straight back into the zone
    # they left: going back over that day takes them out of it again. The zone they came back
    # to is the "from" of their first zone change, or their zone now if it has not changed.
    returns = Episode.objects.filter(
        previous__isnull=False, referred_at__gte=datetime_at_start_of(start)
    )
    if team_ids is not None:
        returns = returns.filter(team_id__in=team_ids)
    their_changes = ZoneChange.objects.filter(episode=OuterRef("pk"))
    for index, earliest, now_in in (
        returns.annotate(
            earliest=Subquery(their_changes.order_by("at", "pk").values("from_zone__name")[:1]),
            changed=Exists(their_changes),
        )
        .filter(Q(changed=True, earliest__isnull=False) | Q(changed=False, zone__isnull=False))
        .values_list(day_of("referred_at"), "earliest", "zone__name")
    ):
        undo_on(days[index])[earliest if earliest is not None else now_in] -= 1
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
    Nine queries, each a count, whatever the size of the system.
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


@dataclass(frozen=True)
class TeamsFlow:
    team_ids: list[int]
    measures: FlowMeasures


def my_flow_measures(
    user: Person, *, team_ids: list[int], since: datetime | None = None, zone_days: int = 28
) -> TeamsFlow:
    """Flow measures for the user's own teams: those in `team_ids`, or all of them when none
    are named. A team the user is not a member of is not found, as for its board."""
    mine = set(Team.objects.filter(memberships__person=user).values_list("pk", flat=True))
    if not set(team_ids) <= mine:
        raise Http404("No team found.")
    teams = sorted(set(team_ids) or mine)
    return TeamsFlow(teams, flow_measures(team_ids=teams, since=since, zone_days=zone_days))
