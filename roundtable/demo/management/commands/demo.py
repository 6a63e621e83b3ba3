"""`roundtable demo`: load the Forest Vale demo care system and print its logins."""

from __future__ import annotations

from collections.abc import Sequence
from time import perf_counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from roundtable.demo.forums import PresenceOverview, presence_overview
from roundtable.demo.generator import (
    DemoLogin,
    GeneratorError,
    LoadedSystem,
    ResetSummary,
    build_demo,
    demo_logins,
    loaded_system,
    lone_roles,
    reset_generated_system,
)
from roundtable.forums.models import Forum


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table with aligned columns, readable in any terminal or log."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = (str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True))
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def logins_table(logins: Sequence[DemoLogin]) -> str:
    rows = [
        [
            login.persona,
            login.full_name if login.present else f"{login.full_name} (missing)",
            login.email,
            login.password,
        ]
        for login in logins
    ]
    return format_table(["Persona", "Name", "E-mail", "Password"], rows)


def reset_message(outcome: ResetSummary) -> str:
    retired = (
        f" ({outcome.retired_people} kept as retired: the audit trail names them)"
        if outcome.retired_people
        else ""
    )
    forums = (
        f" Also removed {outcome.deleted_forums:,} forums with {outcome.deleted_meetings:,} "
        f"meetings, and {outcome.deleted_visits:,} visits to buildings."
        if outcome.deleted_forums or outcome.deleted_visits
        else ""
    )
    return (
        f"Removed the {outcome.system} system: {outcome.deleted_teams:,} teams, "
        f"{outcome.deleted_organisations:,} organisations, "
        f"{outcome.deleted_people:,} people{retired}.{forums}"
    )


def presence_lines(overview: PresenceOverview) -> list[str]:
    lines = [
        f"  {overview.week} teams reached by a leader within 7 days, {overview.month} within "
        f"28 days, {len(overview.not_reached)} not reached in 28 days"
        + (":" if overview.not_reached else ".")
    ]
    for name, days in overview.not_reached:
        when = "no leader in the last year" if days is None else f"last {days} days ago"
        lines.append(f"    {name}: {when}")
    return lines


class Command(BaseCommand):
    help = (
        "Load the fictional Forest Vale integrated care system (organisations, localities, "
        "teams, people of every discipline, leadership teams, buildings, forums with a year of "
        "meetings and attendance) and print the demo logins. Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the generated directory (demo or seeded) and build the demo again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reset: bool = options["reset"]
        try:
            # One transaction: a failed rebuild leaves the old system in place.
            with transaction.atomic():
                self._load(reset=reset)
        except GeneratorError as error:
            raise CommandError(str(error)) from None

        roles = lone_roles()
        if roles:
            self.stdout.write("\nLone roles (the only one of their discipline in a locality):")
            for role in roles:
                self.stdout.write(f"  {role.full_name}: {role.discipline}, {role.locality}")
        self.stdout.write("\nLeadership presence (from the meeting history):")
        for line in presence_lines(presence_overview()):
            self.stdout.write(line)
        self.stdout.write("\n" + self.style.MIGRATE_HEADING("Demo logins"))
        self.stdout.write(logins_table(demo_logins()))
        self.stdout.write("")

    def _load(self, *, reset: bool) -> None:
        system = loaded_system()
        if system is LoadedSystem.DEMO and not reset:
            self.stdout.write("The demo system is already loaded: nothing was changed.")
            if not Forum.objects.exists():
                self.stdout.write(
                    "It was loaded before the demo had forums and meetings: run "
                    "`roundtable demo --reset` to rebuild it with them."
                )
            return
        if system is not None and not reset:
            what = "a seeded system" if system is LoadedSystem.SEED else "a directory"
            raise CommandError(
                f"This database already holds {what} that is not the demo. "
                "Run `roundtable demo --reset` to replace a generated system with the demo, "
                "or use an empty database."
            )
        if system is not None:
            self.stdout.write(reset_message(reset_generated_system()))
        self.stdout.write("Building the Forest Vale demo care system:")
        started = perf_counter()
        build_demo(progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(f"Demo system loaded in {perf_counter() - started:.1f} s.")
        )
