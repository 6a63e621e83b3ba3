"""`roundtable tick`: run every periodic job once. Safe to run every few minutes."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from roundtable.core import ticks


class Command(BaseCommand):
    help = "Run Roundtable's periodic jobs (safe to run every few minutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="Run as if today were this date (YYYY-MM-DD); for testing and catching up.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or timezone.localdate()
        for tick in ticks.registered():
            summary = tick.job(today)
            self.stdout.write(f"{tick.name}: {summary}")
