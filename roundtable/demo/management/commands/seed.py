"""`roundtable seed --scale N`: a large fictional care system for benchmarks."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from roundtable.demo.generator import GeneratorError, loaded_system, reset_generated_system
from roundtable.demo.management.commands.demo import reset_message
from roundtable.demo.scale import DEFAULT_BATCH_SIZE, plan_for, seed_system


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Build a large fictional care system with bulk inserts. --scale 1 is about the demo's "
        "size (80 people, 10 teams); --scale 75 is 6,000 people in 400 teams. The same scale "
        "and --seed always give the same system, with a forum for every team and a year of "
        "meetings, attendance and leaders' visits before today. Seeded people cannot sign in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=_positive, default=1, help="Size of the system (default 1)."
        )
        parser.add_argument(
            "--people", type=_positive, help="Number of people, instead of 80 per scale step."
        )
        parser.add_argument(
            "--teams", type=_positive, help="Number of teams, instead of the scale's number."
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Seed for the random generator (default 1)."
        )
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=DEFAULT_BATCH_SIZE,
            help=f"Rows per INSERT (default {DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete a generated directory (demo or seeded) first.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = plan_for(
                scale=options["scale"], people=options["people"], teams=options["teams"]
            )
            with transaction.atomic():
                system = loaded_system()
                if system is not None and not options["reset"]:
                    raise CommandError(
                        f"This database already holds {_describe(system)}. Run the same command "
                        "with --reset to replace it, or seed an empty database."
                    )
                if system is not None:
                    self.stdout.write(reset_message(reset_generated_system()))
                summary = seed_system(
                    plan,
                    seed=options["seed"],
                    batch_size=options["batch_size"],
                    progress=self.stdout.write,
                )
        except GeneratorError as error:
            raise CommandError(str(error)) from None
        forums = summary.forums
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {summary.people:,} people in {summary.teams:,} teams, with "
                f"{forums.forums:,} forums, {forums.meetings:,} meetings and "
                f"{forums.attendance:,} attendance records, in {summary.seconds:.1f} s."
            )
        )


def _describe(system: str) -> str:
    return {
        "demo": "the demo system",
        "seed": "a seeded system",
    }.get(system, "a directory that no generator made")
