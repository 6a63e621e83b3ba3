"""Benchmark: seed a large directory, then time the directory pages, on SQLite and PostgreSQL.

For each database: a fresh database (a temporary SQLite file; a PostgreSQL database created and
dropped here), `migrate`, `seed` (6,000 people and 400 teams by default), `insights_rebuild`
(every weekly figure of the insights roll-up), the care measures worked out again by DuckDB over
the same rows (`bench/insights_duckdb.py`), then the median server time and query count of the
pages (`bench/pages.py`: the directory, presence, decision, huddle board and insights pages).
Every step runs in its own Python process with the environment that points the settings
(`bench/settings.py`) at that database.

    .venv/bin/python bench/run.py                 # or: make bench
    .venv/bin/python bench/run.py --runs 50 --skip-postgres

PostgreSQL is reached at BENCH_POSTGRES_URL, else DATABASE_URL, else the local default; the
benchmark only ever creates and drops its own database (`--database`, default roundtable_bench).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import django
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "manage.py"
PAGES = Path(__file__).resolve().parent / "pages.py"
INSIGHTS_DUCKDB = Path(__file__).resolve().parent / "insights_duckdb.py"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/roundtable"
SEED_TIME = re.compile(r"in ([0-9.]+) s\.")
REBUILT = re.compile(r"([0-9,]+) weekly figures in ([0-9.]+) s\.")
REBUILT_MEASURE = re.compile(r"\] (.+): ([0-9,]+) weekly figures \(([0-9.]+) s\)")


@dataclass
class BackendResult:
    name: str
    migrate_s: float = 0.0
    seed_wall_s: float = 0.0
    seed_inside_s: float | None = None
    vacuum_s: float | None = None  # PostgreSQL only
    rebuild_wall_s: float = 0.0
    rebuild_inside_s: float | None = None
    rebuild_figures: int | None = None
    rebuild_measures: list[tuple[str, int, float]] = field(default_factory=list)  # own seconds
    duckdb: dict[str, Any] = field(default_factory=dict)  # bench/insights_duckdb.py's figures
    cpu_check_ms: float | None = None  # the machine's speed just before the pages were timed
    server: str = ""
    pages: list[dict[str, Any]] = field(default_factory=list)
    # With --compare-with: the same pages served by the other copy of the code, just after.
    compared_cpu_check_ms: float | None = None
    compared: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str = ""


def bench_env(**values: str | None) -> dict[str, str]:
    """This process's environment, pointed at bench/settings.py; a None value removes a key."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["DEBUG"] = "false"  # DEBUG keeps every query in memory and slows everything down
    env["LOG_LEVEL"] = "WARNING"
    for key, value in values.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(command: Sequence[str], env: dict[str, str], *, echo: bool = False) -> tuple[float, str]:
    """Run `command`, fail loudly if it fails; returns (seconds, stdout)."""
    started = perf_counter()
    completed = subprocess.run(
        list(command), env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    seconds = perf_counter() - started
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"Failed ({completed.returncode}): {' '.join(command)}")
    if echo:
        for line in completed.stdout.splitlines():
            print(f"    {line}")
    return seconds, completed.stdout


def bench_backend(
    name: str,
    env: dict[str, str],
    args: argparse.Namespace,
    after_seed: Callable[[BackendResult], None] | None = None,
) -> BackendResult:
    result = BackendResult(name=name)
    print(f"\n== {name}")
    result.migrate_s, _ = run([sys.executable, str(MANAGE), "migrate", "--noinput", "-v0"], env)
    print(f"  migrate: {result.migrate_s:.1f} s")
    print(f"  seed --people {args.people} --teams {args.teams}:")
    seed = ["seed", "--people", str(args.people), "--teams", str(args.teams)]
    result.seed_wall_s, output = run([sys.executable, str(MANAGE), *seed], env, echo=True)
    match = SEED_TIME.search(output)
    result.seed_inside_s = float(match.group(1)) if match else None
    print(f"  seed (wall clock, including Python start-up): {result.seed_wall_s:.1f} s")
    if after_seed is not None:
        after_seed(result)
    rebuild(result, env)
    print("  the care measures by Roundtable and by DuckDB, over the same rows ...")
    _, output = run([sys.executable, str(INSIGHTS_DUCKDB)], env)
    result.duckdb = json.loads(output.strip().splitlines()[-1])
    print_duckdb(result.duckdb)
    result.cpu_check_ms = cpu_check_ms()
    print(f"  pages ({args.runs} timed requests each), CPU check {result.cpu_check_ms:.0f} ms ...")
    _, output = run([sys.executable, str(PAGES), "--runs", str(args.runs)], env)
    measured = json.loads(output.strip().splitlines()[-1])
    result.pages = measured["pages"]
    result.notes = measured.get("notes", [])
    if args.compare_with:
        # The other copy's code on the same database, straight after: its `roundtable` and
        # `bench` packages come first on the path.
        other = str(Path(args.compare_with).resolve())
        other_env = {**env, "PYTHONPATH": os.pathsep.join([other, env["PYTHONPATH"]])}
        result.compared_cpu_check_ms = cpu_check_ms()
        print(f"  the same pages with {other}, CPU check {result.compared_cpu_check_ms:.0f} ms ...")
        _, output = run([sys.executable, str(PAGES), "--runs", str(args.runs)], other_env)
        result.compared = json.loads(output.strip().splitlines()[-1])["pages"]
    return result


def rebuild(result: BackendResult, env: dict[str, str]) -> None:
    """`manage.py insights_rebuild`: every weekly figure of every measure, from the first
    referral to today; wall clock, the command's own figure, and each measure's share."""
    print("  insights_rebuild:")
    result.rebuild_wall_s, output = run(
        [sys.executable, str(MANAGE), "insights_rebuild"], env, echo=True
    )
    match = REBUILT.search(output)
    if match:
        result.rebuild_figures = int(match.group(1).replace(",", ""))
        result.rebuild_inside_s = float(match.group(2))
    before = 0.0
    for name, figures, until in REBUILT_MEASURE.findall(output):
        result.rebuild_measures.append((name, int(figures.replace(",", "")), float(until) - before))
        before = float(until)
    print(
        f"  insights_rebuild (wall clock, including Python start-up): {result.rebuild_wall_s:.1f} s"
    )


def print_duckdb(found: dict[str, Any]) -> None:
    if found.get("skipped"):
        print(f"    skipped: {found['skipped']}")
        return
    print(
        f"    exported {found['rows']} rows ({found['export_megabytes']} MB) in "
        f"{found['export_s']} s, loaded into DuckDB {found['duckdb']} in {found['load_s']} s"
    )
    for one in found["measures"]:
        print(
            f"    {one['name']}: {one['figures']:,} weekly figures; Roundtable "
            f"{one['roundtable_ms']} ms, DuckDB {one['duckdb_ms']} ms "
            f"({one['duckdb_1_thread_ms']} ms on 1 thread); {one['mismatches']} mismatches, "
            f"{one['rollup_mismatches']} against the roll-up"
        )


def bench_sqlite(args: argparse.Namespace) -> BackendResult:
    with tempfile.TemporaryDirectory(prefix="roundtable-bench-") as directory:
        path = Path(directory) / "bench.sqlite3"
        env = bench_env(DATABASE_URL=None, BENCH_SQLITE_PATH=str(path))
        result = bench_backend("SQLite", env, args)
    result.server = f"SQLite {sqlite3.sqlite_version}"
    return result


def _connect(url: str, dbname: str | None = None) -> psycopg.Connection[Any]:
    """An autocommit connection to the server at `url`: to `dbname`, else its own database."""
    config = dj_database_url.parse(url)
    return psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname=dbname or config["NAME"],
        autocommit=True,
        connect_timeout=5,
    )


def vacuum(url: str) -> Callable[[BackendResult], None]:
    """VACUUM ANALYZE the seeded database, as autovacuum does soon after a bulk load on a live
    system: it marks the new rows visible to all, so that counts can be read from an index alone
    (PostgreSQL otherwise checks each row in the table too). The seed itself runs in one
    transaction, where VACUUM cannot."""

    def run_vacuum(result: BackendResult) -> None:
        started = perf_counter()
        with _connect(url) as connection:
            connection.execute("VACUUM (ANALYZE)")
        result.vacuum_s = perf_counter() - started
        print(f"  VACUUM ANALYZE: {result.vacuum_s:.1f} s")

    return run_vacuum


def bench_postgres(args: argparse.Namespace) -> BackendResult:
    base = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL") or ""
    if not base.startswith(("postgres://", "postgresql://")):
        base = DEFAULT_POSTGRES_URL
    parts = urlsplit(base)
    url = urlunsplit(parts._replace(path=f"/{args.database}"))
    try:
        admin = _connect(base, "postgres")
    except psycopg.OperationalError as error:
        first_line = str(error).strip().splitlines()[0]
        return BackendResult(name="PostgreSQL", skipped=f"not reachable ({first_line})")
    database = sql.Identifier(args.database)
    with admin:
        row = admin.execute("SHOW server_version").fetchone()
        server = str(row[0]).split()[0] if row else "?"
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(database))
        try:
            result = bench_backend("PostgreSQL", bench_env(DATABASE_URL=url), args, vacuum(url))
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
    result.server = f"PostgreSQL {server}"
    return result


def format_table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def results_table(results: Sequence[BackendResult]) -> str:
    done = [result for result in results if not result.skipped]
    rows: list[list[str]] = [["", *(result.server for result in done)]]
    rows.append(["migrate (s)", *(f"{r.migrate_s:.1f}" for r in done)])
    rows.append(["seed, wall clock (s)", *(f"{r.seed_wall_s:.1f}" for r in done)])
    rows.append(
        [
            "seed, inside the command (s)",
            *(f"{r.seed_inside_s:.1f}" if r.seed_inside_s is not None else "?" for r in done),
        ]
    )
    rows.append(
        [
            "VACUUM ANALYZE after the seed (s)",
            *(f"{r.vacuum_s:.1f}" if r.vacuum_s is not None else "-" for r in done),
        ]
    )
    rows.append(["insights_rebuild, wall clock (s)", *(f"{r.rebuild_wall_s:.1f}" for r in done)])
    rows.append(
        [
            "insights_rebuild, inside the command (s)",
            *(f"{r.rebuild_inside_s:.1f}" if r.rebuild_inside_s is not None else "?" for r in done),
        ]
    )
    rows.append(
        [
            "insights_rebuild: weekly figures written",
            *(f"{r.rebuild_figures:,}" if r.rebuild_figures is not None else "?" for r in done),
        ]
    )
    rows += duckdb_rows(done)
    rows.append(
        [
            "CPU check just before the pages (ms)",
            *(f"{r.cpu_check_ms:.0f}" if r.cpu_check_ms is not None else "?" for r in done),
        ]
    )
    if any(r.compared for r in done):
        rows.append(
            [
                "compared: CPU check just before its pages (ms)",
                *(f"{r.compared_cpu_check_ms or 0:.0f}" for r in done),
            ]
        )
    if done:
        for index, page in enumerate(done[0].pages):
            cells = [f"{page['page']}: median ms (queries)"]
            for result in done:
                other = result.pages[index]
                cells.append(f"{other['median_ms']:.1f} ({other['queries']})")
            rows.append(cells)
        for index, page in enumerate(done[0].compared):
            cells = [f"compared: {page['page']}: median ms (queries)"]
            for result in done:
                other = result.compared[index]
                cells.append(f"{other['median_ms']:.1f} ({other['queries']})")
            rows.append(cells)
        # Page weight counts as much as server time: each page's HTML, before compression.
        for index, page in enumerate(done[0].pages):
            if not page.get("kilobytes"):
                continue  # a selector timed alone: no page
            cells = [f"{page['page']}: HTML KB"]
            cells += [f"{result.pages[index]['kilobytes']:.1f}" for result in done]
            rows.append(cells)
    return format_table(rows)


def duckdb_rows(done: Sequence[BackendResult]) -> list[list[str]]:
    """The care measures worked out by Roundtable and by DuckDB over the same rows."""
    if not any(r.duckdb and not r.duckdb.get("skipped") for r in done):
        return []
    figures = next(r.duckdb for r in done if r.duckdb and not r.duckdb.get("skipped"))

    def cells(label: str, show: Callable[[dict[str, Any]], str]) -> list[str]:
        return [label, *(show(r.duckdb) if not r.duckdb.get("skipped") else "-" for r in done)]

    measures = len(figures["measures"])
    threads = figures["threads"]
    return [
        cells(
            f"{measures} care measures by Roundtable's own queries, whole range (ms)",
            lambda d: f"{d['roundtable_ms']:.0f}",
        ),
        cells("  the same rows exported for DuckDB (s)", lambda d: f"{d['export_s']:.1f}"),
        cells("  loaded into DuckDB, in memory (s)", lambda d: f"{d['load_s']:.1f}"),
        cells(
            f"  the same measures by DuckDB, {threads} threads (ms)",
            lambda d: f"{d['duckdb_ms']:.0f}",
        ),
        cells(
            "  the same measures by DuckDB, 1 thread (ms)",
            lambda d: f"{d['duckdb_1_thread_ms']:.0f}",
        ),
        cells(
            f"  Roundtable ÷ DuckDB ({threads} threads; 1 thread)",
            lambda d: (
                f"{d['roundtable_ms'] / d['duckdb_ms']:.1f}; "
                f"{d['roundtable_ms'] / d['duckdb_1_thread_ms']:.1f}"
            ),
        ),
        cells(
            "  weekly figures compared; mismatches",
            lambda d: f"{d['figures']:,}; {d['mismatches']}",
        ),
    ]


def machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            kib = int(meminfo.readline().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU cores{memory}; "
        f"Python {platform.python_version()}, Django {django.get_version()}"
    )


def _fixed_work() -> int:
    """Plain Python of the kind a request is made of: small objects, dicts and strings."""
    seen: dict[int, tuple[int, str]] = {}
    total = 0
    for i in range(200_000):
        seen[i % 1000] = (i, f"row {i}")
        total += len(seen[i % 1000][1])
    return total


def cpu_check_ms() -> float:
    """The median time of a fixed piece of work, in ms: the machine's speed at that moment.

    The same machine has run the whole benchmark 1.75 times slower on one day than on another,
    and twice as slow from one minute to the next; figures compare only alongside this.
    """
    times = []
    for _ in range(7):
        started = perf_counter()
        _fixed_work()
        times.append((perf_counter() - started) * 1000)
    return sorted(times)[3]


def cpu_check() -> str:
    return f"CPU check: {cpu_check_ms():.0f} ms for a fixed piece of Python (lower is faster)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Roundtable benchmark: seed and page timings.")
    parser.add_argument("--people", type=int, default=6000)
    parser.add_argument("--teams", type=int, default=400)
    parser.add_argument("--runs", type=int, default=20, help="Timed requests per page.")
    parser.add_argument("--database", default="roundtable_bench", help="PostgreSQL database.")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--compare-with",
        metavar="DIR",
        help="Another copy of the project (say, the code before a change): its pages are timed "
        "too, on the same database just after this copy's, for a side-by-side comparison.",
    )
    args = parser.parse_args(argv)

    print(f"Roundtable benchmark: {args.people:,} people, {args.teams:,} teams")
    print(machine())
    print(f"{cpu_check()}, at the start")
    results: list[BackendResult] = []
    if not args.skip_sqlite:
        results.append(bench_sqlite(args))
    if not args.skip_postgres:
        results.append(bench_postgres(args))
    print(f"{cpu_check()}, at the end")
    print(f"\nResults (pages: median of {args.runs} requests, server time, signed in)\n")
    print(results_table(results))
    for result in results:
        if result.skipped:
            print(f"\n{result.name} skipped: {result.skipped}")
        for note in result.notes:
            print(f"\n{result.name}: {note}")
        if result.rebuild_measures:
            print(f"\n{result.name}: insights_rebuild, measure by measure:")
            for name, figures, seconds in result.rebuild_measures:
                print(f"  {name}: {figures:,} weekly figures, {seconds:.1f} s")
        if result.duckdb and not result.duckdb.get("skipped"):
            found = result.duckdb
            print(
                f"\n{result.name}: DuckDB {found['duckdb']}, rows {found['rows']}, weeks "
                f"{found['weeks']}; roll-up against DuckDB: {found['rollup_mismatches']} mismatches"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
