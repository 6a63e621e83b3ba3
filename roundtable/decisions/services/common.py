"""What the writes to decisions share: the state machine, saving with optimistic concurrency,
notices, a refusal that names every mistake at once, and the checks on an amount of money."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from roundtable.core.concurrency import ConcurrentEditError, save_versioned
from roundtable.decisions import hooks
from roundtable.decisions.models import (
    DECISION_STATES,
    Budget,
    Decision,
    Notification,
    NotificationKind,
)
from roundtable.decisions.selectors import budget_committed, member_ids, participant_ids
from roundtable.directory.models import Person


def pounds(pence: int) -> str:
    return f"£{pence / 100:,.2f}".replace(".00", "")


def transition(decision: Decision, to_status: str, *, actor: Person, note: str = "") -> None:
    """Move along the state machine (at the current revision), or refuse with a message that
    says why."""
    DECISION_STATES.move(
        decision,
        to_status,
        decision=decision,
        actor=actor,
        revision=decision.current_revision,
        note=note,
    )


def save_decision(decision: Decision, expected_version: int | None, fields: Iterable[str]) -> None:
    """Save with optimistic concurrency: refuse if someone changed the decision meanwhile."""
    if expected_version is not None and expected_version != decision.version:
        raise ConcurrentEditError(decision)
    save_versioned(decision, expected_version=decision.version, fields=fields)


def fresh_decision(decision: Decision) -> Decision:
    """The decision as stored now, locked until the transaction ends.

    A position must be recorded against the revision that is current at that moment, not the
    one the caller read earlier; the lock makes a revision and a position take turns.
    """
    return Decision.objects.select_for_update().select_related("forum").get(pk=decision.pk)


def notify(
    people: Iterable[int], decision: Decision, kind: str, *, skip: int | None = None
) -> None:
    """Tell these people, of those the decision's audience allows (`hooks.audience`)."""
    rows = [
        Notification(person_id=pid, decision=decision, kind=kind)
        for pid in sorted(hooks.audience(decision, people))
        if pid != skip
    ]
    # An unread notice of the same kind already says it: don't pile up duplicates.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)


def ask_members(decision: Decision, *, actor: Person) -> None:
    """Ask the forum's members (but the one who acted) for their position."""
    notify(
        member_ids(decision.forum_id),
        decision,
        NotificationKind.AWAITING_POSITION,
        skip=actor.pk,
    )


def tell_participants(decision: Decision, kind: str, *, actor: Person) -> None:
    """Tell everyone who took a position, and the proposer (but the one who acted)."""
    notify(
        [*participant_ids(decision), decision.proposer_id],
        decision,
        kind,
        skip=actor.pk,
    )


def check_amount(
    budget: Budget, amount: int | None, *, field: str, excluding: Decision | None = None
) -> None:
    if amount is None:
        raise ValidationError({field: "Enter the amount."})
    if amount <= 0:
        raise ValidationError({field: "The amount must be more than £0."})
    remaining = budget.total_pence - budget_committed(budget, excluding=excluding)
    if amount > remaining:
        raise ValidationError(
            {
                field: f"{pounds(amount)} is more than the {pounds(remaining)} remaining in "
                f"{budget.name}."
            }
        )
