"""`roundtable tick`: run every periodic job once. Safe to run every few minutes.

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
            self.run_jobs(options["today"] or timezone.localdate())
        elif options["today"] is not None:
            raise CommandError("Give --today or --every, not both: --every runs as of each day.")
        else:
            self.run_every(options["every"])

    def run_jobs(self, today: date) -> None:
        for tick in ticks.registered():
            summary = tick.job(today)
            self.stdout.write(f"{tick.name}: {summary}")

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
                    self.run_jobs(timezone.localdate())
                except Exception:
                    logger.exception("roundtable tick failed; trying again in %g seconds", seconds)
                stop.wait(seconds)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            close_old_connections()
        self.stdout.write("tick: stopped")
