"""Writes of holds: a leader stands behind an agreed decision."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from roundtable.core import records
from roundtable.core.errors import NotAllowed
from roundtable.core.text import visible
from roundtable.decisions.models import Decision, DecisionStatus, Hold, NotificationKind
from roundtable.decisions.selectors import covering_leadership
from roundtable.decisions.services.common import tell_participants
from roundtable.directory.models import Person


@transaction.atomic
def hold_add(*, actor: Person, decision: Decision, message: str) -> Hold:
    """A leader holds an agreed decision: "I stand behind this with you"."""
    if decision.status not in (DecisionStatus.AGREED, DecisionStatus.REVIEWED):
        raise ValidationError("Only an agreed decision can be held.")
    membership = covering_leadership(decision, actor)
    if membership is None:
        raise NotAllowed(
            "Only members of a leadership team that covers this forum can hold its decisions."
        )

    def check() -> None:
        if Hold.objects.filter(decision=decision, leader=actor).exists():
            raise ValidationError("You already hold this decision.")

    hold = records.create(
        Hold(
            decision=decision,
            leader=actor,
            leadership_team=membership.leadership_team,
            message=visible(message) or "I stand behind this with you.",
        ),
        actor=actor,
        summary=f"Held: {decision}",
        check=check,
    )
    tell_participants(decision, NotificationKind.HELD, actor=actor)
    return hold
