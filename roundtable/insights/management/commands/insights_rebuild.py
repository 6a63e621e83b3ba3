"""`roundtable insights_rebuild`: work out every weekly figure again, from the first record to
today, measure by measure, saying how far it has got. Safe to run at any time, alongside the
site and `roundtable tick` (each measure is locked while it is rewritten)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from roundtable.care.models import Episode
from roundtable.insights import services
from roundtable.insights.measures import ALL, BY_SLUG, Measure


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since must be a date like 2024-04-01 (got {value!r})") from None


class Command(BaseCommand):
    help = "Work out the insights' weekly figures again, from the first record to today."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", type=str, help="Only weeks from this day (default: the first referral)."
        )
        parser.add_argument(
            "--measure",
            action="append",
            choices=sorted(BY_SLUG),
            help="Only this measure (may be given more than once; default: every measure).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["since"]:
            since = _day(options["since"])
        else:
            first = Episode.objects.order_by("referred_at").values_list("referred_at", flat=True)
            since = timezone.localdate(first[0]) if first else today
        if since > today:
            raise CommandError("--since cannot be in the future")
        measures = [BY_SLUG[slug] for slug in options["measure"] or []] or list(ALL)
        self.stdout.write(f"Working out {len(measures)} measures from {since} to {today}:")
        started = time.monotonic()
        done = 0

        def progress(measure: Measure, count: int) -> None:
            nonlocal done
            done += 1
            self.stdout.write(
                f"  [{done}/{len(measures)}] {measure.name}: {count:,} weekly figures "
                f"({time.monotonic() - started:.1f} s)"
            )

        written = services.refresh(start=since, end=today, measures=measures, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(f"{written:,} weekly figures in {time.monotonic() - started:.1f} s.")
        )
