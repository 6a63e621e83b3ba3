"""`roundtable tick`: run every periodic job once. Safe to run every few minutes.

Each job runs in its own transaction; one that fails is logged, named on stderr, and the others
still run; the command then exits with status 1 (a `CommandError`), so cron mails it and a
systemd timer marks the service failed. When another run is working (the lock in
`core.ticks.exclusive`) it prints "Another roundtable tick is running: nothing done." and exits
with 0: nothing is wrong, the other run does the work.

`roundtable tick --every SECONDS` keeps running them, for `make run` (and anywhere without a
scheduler), until it is stopped with Ctrl+C or SIGTERM.
"""

from __future__ import annotations

import logging
import signal
import threading
from argparse import ArgumentTypeError
from datetime import date
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from roundtable.core import ticks

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
BUSY = "Another roundtable tick is running: nothing done."


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise ArgumentTypeError(f"must be a number of seconds (got {value!r})") from None
    if not seconds > 0:
        raise ArgumentTypeError(f"must be more than 0 seconds (got {value!r})")
    return seconds


class Command(BaseCommand):
    help = "Run Roundtable's periodic jobs (safe to run every few minutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="Run as if today were this date (YYYY-MM-DD); for testing and catching up.",
        )
        parser.add_argument(
            "--every",
            type=_seconds,
            default=None,
            metavar="SECONDS",
            help="Keep running: the jobs now, then again every SECONDS seconds, until stopped "
            "(Ctrl+C or SIGTERM). `make run` uses it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["every"] is None:
            failed = self.run_jobs(options["today"] or timezone.localdate())
            if failed:
                raise CommandError(
                    f"{len(failed)} of {len(ticks.jobs)} jobs failed "
                    f"({', '.join(failed)}); the others ran. The log has the details."
                )
        elif options["today"] is not None:
            raise CommandError("Give --today or --every, not both: --every runs as of each day.")
        else:
            self.run_every(options["every"])

    def run_jobs(self, today: date) -> list[str]:
        """Run every job once, reporting each; the names of the jobs that failed."""
        outcomes = ticks.run(today)
        if outcomes is None:
            self.stdout.write(BUSY)
            return []
        for outcome in outcomes:
            if outcome.error is None:
                self.stdout.write(f"{outcome.name}: {outcome.summary}")
            else:
                error = outcome.error
                self.stderr.write(
                    f"{outcome.name}: failed, and nothing it did was kept "
                    f"({type(error).__name__}: {error})"
                )
        return [outcome.name for outcome in outcomes if outcome.failed]

    def run_every(self, seconds: float) -> None:
        """Run the jobs, then wait, until a stop signal; a run that fails is logged and the next
        one is tried as usual (every job is safe to run again). A signal during a run lets it
        finish; during the wait it ends the wait at once."""
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, request_stop) for sig in STOP_SIGNALS}
        try:
            while not stop.is_set():
                # A connection left broken or past its age by the last run is not reused.
                close_old_connections()
                try:
                    failed = self.run_jobs(timezone.localdate())
                except Exception:
                    logger.exception("roundtable tick failed; trying again in %g seconds", seconds)
                else:
                    if failed:
                        logger.error(
                            "roundtable tick failed: %s; trying again in %g seconds",
                            ", ".join(failed),
                            seconds,
                        )
                stop.wait(seconds)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            close_old_connections()
        self.stdout.write("tick: stopped")
