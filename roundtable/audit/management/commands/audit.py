"""`roundtable audit verify`: work out every seal of the audit trail again and report the first
broken link (exit status 1), or that the chain holds. `roundtable audit seal`: seal the events
recorded since the last run now, rather than wait for `roundtable tick`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from roundtable.audit import chain


class Command(BaseCommand):
    help = "Check the audit trail's chain of seals (verify), or seal what is not sealed yet (seal)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["verify", "seal"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "seal":
            sealed = chain.seal(most=10**12)
            self.stdout.write(f"{sealed} audit events sealed.")
            return
        verdict = chain.verify()
        waiting = f"{verdict.unsealed} recorded since the last seal are not sealed yet."
        if verdict.intact:
            self.stdout.write(
                f"The audit trail holds: {verdict.checked} sealed events checked. {waiting}"
            )
            return
        event = f"event {verdict.event_id}" if verdict.event_id is not None else "no event"
        raise CommandError(
            f"The audit trail is broken at place {verdict.broken_at} ({event}): {verdict.reason}. "
            f"The {verdict.checked} events before it hold. {waiting}"
        )
