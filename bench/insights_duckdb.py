"""The care measures of insights worked out twice over the same rows: by Roundtable, and by DuckDB.

Run by `bench/run.py` after `insights_rebuild`, in a subprocess whose environment selects the
database; prints one line of JSON. Three measures, each over every week from the first referral
to this week (the range `insights_rebuild` works out):

- referral to offer and ready to moved on (`insights.measures._days_to`): the pathway events
  reaching "offer made" or "moved on", each with its episode's team and whole days;
- returns within 6 months (`insights.measures._returns`): every episode by the week of its
  referral, and whether it follows an episode of the same person closed at most 183 days before.

Roundtable's figures are each measure's own `weekly(start, end)`: the grouped SQL query in the
bench database, read into Python (what `services.refresh_measure` writes to the roll-up). For
DuckDB the rows those queries read are exported from the bench database (the episodes, and the
pathway events reaching those two stages; SQLite read with `sqlite3`, PostgreSQL with `COPY ...
TO STDOUT`) into CSV files, loaded into an in-memory DuckDB database, and the same weekly (team,
week, total, count) figures are worked out by DuckDB SQL, in the service's time zone (weeks start
on a Monday, local time, as Django's `TruncWeek` does). Export, load and query are timed
separately; the two sets of figures, and the roll-up the rebuild wrote, are compared row by row.

DuckDB is a development dependency only (requirements-dev.txt): the product never uses it.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import duckdb

T = TypeVar("T")

# (team, week) -> (total, count), for one measure.
Figures = dict[tuple[int, date], tuple[float, int]]

EPISODE_COLUMNS = {
    "id": "BIGINT",
    "team_id": "BIGINT",
    "referred_at": "TIMESTAMP",
    "closed_at": "TIMESTAMP",
    "previous_id": "BIGINT",
    "days_to_offer": "BIGINT",
    "days_ready_to_moved_on": "BIGINT",
}
EVENT_COLUMNS = {"episode_id": "BIGINT", "to_stage": "VARCHAR", "at": "TIMESTAMP"}


@dataclass(frozen=True)
class Compared:
    """One measure, worked out by both."""

    slug: str
    name: str
    figures: int  # Roundtable's weekly figures over the whole range
    roundtable_ms: float
    duckdb_ms: float
    duckdb_1_thread_ms: float
    mismatches: int  # DuckDB's figures (either thread count) against Roundtable's
    rollup_mismatches: int  # DuckDB's against the roll-up `insights_rebuild` wrote


def _median_ms(call: Callable[[], T], runs: int) -> tuple[float, T]:
    """One warm-up call, then `runs` timed calls: the median in ms and the last result."""
    result = call()
    timings = []
    for _ in range(runs):
        started = perf_counter()
        result = call()
        timings.append((perf_counter() - started) * 1000)
    return round(statistics.median(timings), 1), result


def _listed(
    weekly: Callable[[datetime, datetime], Iterable[T]], start: datetime, end: datetime
) -> list[T]:
    return list(weekly(start, end))


def _fetched(
    duck: duckdb.DuckDBPyConnection, query: str, params: dict[str, object]
) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = duck.execute(query, params).fetchall()
    return rows


def _as_figures(rows: Iterable[tuple[Any, ...]]) -> Figures:
    return {(int(team), week): (float(total), int(n)) for team, week, total, n in rows}


def _mismatches(first: Figures, second: Figures) -> int:
    """How many (team, week) figures differ, or are in one and not the other."""
    return sum(first.get(key) != second.get(key) for key in first.keys() | second.keys())


def _utc(moment: datetime) -> datetime:
    """An aware moment as the naive UTC timestamp both databases store."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def export(directory: Path, stages: list[str], start: datetime, end: datetime) -> dict[str, int]:
    """The episodes, and the pathway events reaching `stages` between `start` and `end`, from
    the bench database into CSV files in `directory` (timestamps in UTC); how many rows each."""
    from django.db import connection

    from roundtable.care.models import Episode, PathwayEvent

    columns = ", ".join(EPISODE_COLUMNS)
    episodes = Episode._meta.db_table
    events = PathwayEvent._meta.db_table
    marks = ", ".join(["%s"] * len(stages))
    counts: dict[str, int] = {}
    if connection.vendor == "sqlite":
        path = connection.settings_dict["NAME"]
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            queries: dict[str, tuple[str, list[Any]]] = {
                "episode": (f"SELECT {columns} FROM {episodes}", []),
                "event": (
                    f"SELECT episode_id, to_stage, at FROM {events} "
                    f"WHERE to_stage IN ({marks.replace('%s', '?')}) AND at >= ? AND at < ?",
                    [*stages, str(_utc(start)), str(_utc(end))],
                ),
            }
            for name, (query, params) in queries.items():
                with open(directory / f"{name}.csv", "w", newline="") as out:
                    writer = csv.writer(out)
                    counts[name] = 0
                    cursor = source.execute(query, params)
                    while rows := cursor.fetchmany(10_000):
                        writer.writerows(rows)
                        counts[name] += len(rows)
        finally:
            source.close()
        return counts
    # PostgreSQL: COPY straight out of the server; timestamps as UTC without a zone.
    utc = {"referred_at", "closed_at"}
    selected = ", ".join(f"{c} AT TIME ZONE 'UTC'" if c in utc else c for c in EPISODE_COLUMNS)
    copies = {
        "episode": (f"SELECT {selected} FROM {episodes}", []),
        "event": (
            f"SELECT episode_id, to_stage, at AT TIME ZONE 'UTC' FROM {events} "
            f"WHERE to_stage IN ({marks}) AND at >= %s AND at < %s",
            [*stages, start, end],
        ),
    }
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:  # psycopg's own cursor
        for name, (query, params) in copies.items():
            statement = f"COPY ({query}) TO STDOUT (FORMAT csv)"
            with (
                open(directory / f"{name}.csv", "wb") as out,
                cursor.copy(statement, params) as copy,
            ):
                for data in copy:
                    out.write(data)
            with open(directory / f"{name}.csv", "rb") as written:
                counts[name] = sum(1 for _ in written)
    return counts


def _read_csv(path: Path, columns: dict[str, str]) -> str:
    struct = ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items())
    quoted = str(path).replace("'", "''")
    return f"SELECT * FROM read_csv('{quoted}', header = false, columns = {{{struct}}})"


def _week(column: str, zone: str) -> str:
    """The Monday (local date) of the week holding a UTC timestamp column."""
    return f"date_trunc('week', timezone('{zone}', timezone('UTC', {column})))::DATE"


def days_to_sql(zone: str, days: str) -> str:
    return f"""
        SELECT e.team_id, {_week("v.at", zone)} AS week,
               sum(e.{days})::DOUBLE AS total, count(*) AS n
        FROM event v JOIN episode e ON e.id = v.episode_id
        WHERE v.to_stage = $stage AND v.at >= $start AND v.at < $end AND e.{days} IS NOT NULL
        GROUP BY ALL
    """


def returns_sql(zone: str, days: int) -> str:
    return f"""
        SELECT e.team_id, {_week("e.referred_at", zone)} AS week,
               count(*) FILTER (
                   WHERE e.previous_id IS NOT NULL
                   AND p.closed_at >= e.referred_at - INTERVAL {days} DAY
               )::DOUBLE AS total,
               count(*) AS n
        FROM episode e LEFT JOIN episode p ON p.id = e.previous_id
        WHERE e.referred_at >= $start AND e.referred_at < $end
        GROUP BY ALL
    """


def measure(runs: int) -> dict[str, object]:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from roundtable.care.models import Episode, Stage
    from roundtable.insights import measures
    from roundtable.insights.models import WeeklyFigure

    try:
        import duckdb
    except ImportError:
        return {"skipped": "duckdb is not installed (requirements-dev.txt)"}

    # The range `insights_rebuild` works out: the week of the first referral to this week.
    first = Episode.objects.order_by("referred_at").values_list("referred_at", flat=True).first()
    if first is None:
        return {"skipped": "no episodes: the seed made no care data"}
    today = timezone.localdate()
    since = timezone.localdate(first)
    zone = timezone.get_current_timezone()
    start = datetime.combine(since - timedelta(days=since.weekday()), datetime.min.time(), zone)
    last = today - timedelta(days=today.weekday()) + timedelta(days=7)
    end = datetime.combine(last, datetime.min.time(), zone)

    chosen = [
        (measures.REFERRAL_TO_OFFER, Stage.OFFER_MADE, "days_to_offer"),
        (measures.READY_TO_MOVED_ON, Stage.MOVED_ON, "days_ready_to_moved_on"),
        (measures.RETURNS_WITHIN_6_MONTHS, None, ""),
    ]
    # (a) Roundtable: each measure's own grouped query, over the whole range.
    roundtable: dict[str, Figures] = {}
    roundtable_ms: dict[str, float] = {}
    for found, _, _ in chosen:
        ms, rows = _median_ms(partial(_listed, found.weekly, start, end), runs)
        roundtable_ms[found.slug] = ms
        roundtable[found.slug] = _as_figures(rows)

    # (b) DuckDB: the same rows, exported, loaded, and the same figures worked out.
    stages = [str(stage) for _, stage, _ in chosen if stage is not None]
    with tempfile.TemporaryDirectory(prefix="roundtable-duckdb-") as folder:
        directory = Path(folder)
        started = perf_counter()
        exported = export(directory, stages, start, end)
        export_s = perf_counter() - started
        megabytes = sum(p.stat().st_size for p in directory.iterdir()) / 1024 / 1024
        duck = duckdb.connect()  # in memory
        started = perf_counter()
        duck.execute(
            f"CREATE TABLE episode AS {_read_csv(directory / 'episode.csv', EPISODE_COLUMNS)}"
        )
        duck.execute(f"CREATE TABLE event AS {_read_csv(directory / 'event.csv', EVENT_COLUMNS)}")
        load_s = perf_counter() - started
    name = str(settings.TIME_ZONE)
    queries = {
        found.slug: (
            days_to_sql(name, days)
            if stage is not None
            else returns_sql(name, measures.RETURN_DAYS),
            {"start": _utc(start), "end": _utc(end), **({"stage": str(stage)} if stage else {})},
        )
        for found, stage, days in chosen
    }

    def run_all() -> dict[str, tuple[float, Figures]]:
        timed: dict[str, tuple[float, Figures]] = {}
        for slug, (query, params) in queries.items():
            ms, rows = _median_ms(partial(_fetched, duck, query, params), runs)
            timed[slug] = (ms, _as_figures(rows))
        return timed

    threads = int(_fetched(duck, "SELECT current_setting('threads')", {})[0][0])
    by_duckdb = run_all()
    duck.execute("SET threads = 1")
    one_thread = run_all()
    duck.close()

    # The roll-up `insights_rebuild` wrote, for the same measures.
    stored: dict[str, Figures] = {found.slug: {} for found, _, _ in chosen}
    for slug, team, week, total, n in WeeklyFigure.objects.filter(
        measure__in=list(stored)
    ).values_list("measure", "team_id", "week", "total", "count"):
        stored[slug][(team, week)] = (float(total), int(n))

    compared = [
        Compared(
            slug=found.slug,
            name=found.name,
            figures=len(roundtable[found.slug]),
            roundtable_ms=roundtable_ms[found.slug],
            duckdb_ms=by_duckdb[found.slug][0],
            duckdb_1_thread_ms=one_thread[found.slug][0],
            mismatches=_mismatches(roundtable[found.slug], by_duckdb[found.slug][1])
            + _mismatches(roundtable[found.slug], one_thread[found.slug][1]),
            rollup_mismatches=_mismatches(stored[found.slug], by_duckdb[found.slug][1]),
        )
        for found, _, _ in chosen
    ]
    return {
        "vendor": connection.vendor,
        "duckdb": duckdb.__version__,
        "threads": threads,
        "runs": runs,
        "weeks": f"{start.date()} to {end.date()}",
        "rows": exported,
        "export_megabytes": round(megabytes, 1),
        "export_s": round(export_s, 2),
        "load_s": round(load_s, 2),
        "measures": [asdict(one) for one in compared],
        "figures": sum(one.figures for one in compared),
        "roundtable_ms": round(sum(one.roundtable_ms for one in compared), 1),
        "duckdb_ms": round(sum(one.duckdb_ms for one in compared), 1),
        "duckdb_1_thread_ms": round(sum(one.duckdb_1_thread_ms for one in compared), 1),
        "mismatches": sum(one.mismatches for one in compared),
        "rollup_mismatches": sum(one.rollup_mismatches for one in compared),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="Timed runs of each query.")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.runs), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
