"""Writes of positions: a member takes one, or the facilitator records a consent round in a
meeting."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core import records
from roundtable.core.errors import NotAllowed
from roundtable.core.text import visible
from roundtable.decisions.models import (
    NEEDS_REASON,
    Decision,
    DecisionStatus,
    Notification,
    NotificationKind,
    Position,
    PositionEvent,
    Stance,
)
from roundtable.decisions.selectors import is_member_of
from roundtable.decisions.services.common import fresh_decision, save_decision
from roundtable.directory.models import Person
from roundtable.forums.models import Attendance, AttendanceStatus, Meeting


def _check_open_for_positions(decision: Decision) -> None:
    if decision.status != DecisionStatus.OPEN:
        raise ValidationError(
            f"This decision is {decision.get_status_display().lower()}: positions can no longer "
            "be taken."
        )
    if decision.closes_at is not None and decision.closes_at <= timezone.now():
        raise ValidationError("This decision closed for positions at its closing time.")


def _check_position(decision: Decision, person: Person, stance: str, reason: str) -> None:
    """The position's own rules (a stance from the list), and a reason for a concern or an
    objection, checked before anything is written: a position is written beside the decision's
    own audit event, not audited on its own."""
    records.validate(
        Position(
            decision=decision,
            revision=decision.current_revision,
            person=person,
            stance=stance,
            reason=visible(reason),
        )
    )
    if stance in NEEDS_REASON and not visible(reason):
        label = "concern" if stance == Stance.CONCERN else "objection"
        raise ValidationError({"reason": f"Say what your {label} is, so it can be worked on."})


def _record_position(
    *,
    decision: Decision,
    person: Person,
    stance: str,
    reason: str,
    recorded_by: Person,
    meeting: Meeting | None,
) -> Position:
    revision = decision.current_revision
    reason = visible(reason) if stance in NEEDS_REASON or visible(reason) else ""
    defaults = {"stance": stance, "reason": reason, "meeting": meeting}
    try:
        with transaction.atomic():
            position, created = Position.objects.get_or_create(
                decision=decision, revision=revision, person=person, defaults=defaults
            )
    except IntegrityError:
        # The same person's position arrived twice at once: the other request made the row.
        position, created = (
            Position.objects.get(decision=decision, revision=revision, person=person),
            False,
        )
    if not created:
        if (position.stance, position.reason) == (stance, reason):
            return position  # the same position again changes nothing
        position.stance, position.reason, position.meeting = stance, reason, meeting
        position.save(update_fields=["stance", "reason", "meeting", "updated_at"])
    PositionEvent.objects.create(
        decision=decision,
        revision=revision,
        person=person,
        stance=stance,
        reason=reason,
        recorded_by=recorded_by,
        meeting=meeting,
    )
    Notification.objects.filter(
        person=person,
        decision=decision,
        kind__in=[NotificationKind.AWAITING_POSITION, NotificationKind.CLOSING_SOON],
        read_at__isnull=True,
    ).update(read_at=timezone.now())
    return position


@transaction.atomic
def position_take(*, actor: Person, decision: Decision, stance: str, reason: str = "") -> Position:
    """`actor` takes (or changes) their position on the current revision."""
    decision = fresh_decision(decision)
    _check_open_for_positions(decision)
    if not is_member_of(decision.forum_id, actor):
        raise NotAllowed(
            f"Only members of {decision.forum.name} can take a position on its decisions."
        )
    _check_position(decision, actor, stance, reason)
    position = _record_position(
        decision=decision,
        person=actor,
        stance=stance,
        reason=reason,
        recorded_by=actor,
        meeting=None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=decision,
        summary=f"Position: {Stance(stance).label} (revision {decision.current_revision})",
    )
    return position


@transaction.atomic
def consent_round(
    *,
    actor: Person,
    decision: Decision,
    meeting: Meeting,
    positions: Mapping[Person, tuple[str, str]],
) -> list[Position]:
    """A quick round in a meeting: the facilitator records each attendee's position.

    Only people recorded as present at the meeting can be recorded: someone who was not there
    cannot be recorded as consenting.
    """
    decision = fresh_decision(decision)
    _check_open_for_positions(decision)
    if meeting.forum_id != decision.forum_id or meeting.is_cancelled:
        raise ValidationError("Choose a meeting of this forum that is not cancelled.")
    if not is_member_of(decision.forum_id, actor):
        raise NotAllowed("Only members of this forum can run a consent round.")
    present = set(
        Attendance.objects.filter(
            meeting=meeting, status=AttendanceStatus.PRESENT, person__isnull=False
        ).values_list("person_id", flat=True)
    )
    absent = sorted(p.full_name for p in positions if p.pk not in present)
    if absent:
        raise ValidationError(
            f"{', '.join(absent)} {'was' if len(absent) == 1 else 'were'} not recorded as present "
            "at this meeting, so no position can be recorded for them."
        )
    for person, (stance, reason) in positions.items():
        _check_position(decision, person, stance, reason)
    recorded = [
        _record_position(
            decision=decision,
            person=person,
            stance=stance,
            reason=reason,
            recorded_by=actor,
            meeting=meeting,
        )
        for person, (stance, reason) in positions.items()
    ]
    if decision.meeting_id is None:
        decision.meeting = meeting
        save_decision(decision, None, ["meeting"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=decision,
        summary=f"Consent round at {meeting}: {len(recorded)} positions",
    )
    return recorded
