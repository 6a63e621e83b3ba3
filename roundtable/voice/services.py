"""Every write to voice: raising concerns, acting on them, replies, notices and escalation.

Validated with plain-English errors, transactional, audited. An anonymous raiser is never
audited: the audit row of anything they do has no actor (docs/adr/0012-…).
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core import records
from roundtable.core.concurrency import ConcurrentEditError, save_versioned
from roundtable.core.errors import NotAllowed
from roundtable.core.text import visible
from roundtable.core.working_days import working_days_after
from roundtable.directory.models import (
    Membership,
    Organisation,
    Person,
    Team,
)
from roundtable.voice.models import (
    CONCERN_STATES,
    OPEN_STATUSES,
    Concern,
    ConcernEvent,
    ConcernEventKind,
    ConcernLevel,
    ConcernNotice,
    ConcernReply,
    ConcernStatus,
)
from roundtable.voice.queries import hash_receipt, is_owner_member, next_owner, owner_for

# -- Who may act -------------------------------------------------------------------------------


def _member_of_team(person: Person, team: Team) -> bool:
    return Membership.objects.filter(person=person, team=team).exists()


def _belongs_to_organisation(person: Person, organisation: Organisation) -> bool:
    return (
        person.organisation_id == organisation.pk
        or Membership.objects.filter(person=person, team__organisation=organisation).exists()
    )


# -- Raising ------------------------------------------------------------------------------------


@transaction.atomic
def concern_raise(
    *,
    actor: Person,
    level: str,
    title: str,
    body: str,
    anonymous: bool,
    team: Team | None = None,
    organisation: Organisation | None = None,
    today: date | None = None,
) -> tuple[Concern, str]:
    """Raise a concern to a team, an organisation or the system. Returns it and its receipt token.

    The token is the raiser's private link to follow the concern; only its hash is stored, so it
    is shown once. An anonymous concern keeps no trace of `actor`: not on the concern, not on its
    event, not in the audit trail.
    """
    today = today or timezone.localdate()
    token = secrets.token_urlsafe(32)
    concern = Concern(
        title=visible(title),
        body=visible(body),
        level=level,
        is_anonymous=anonymous,
        raised_by=None if anonymous else actor,
        raised_on=today,
        receipt_hash=hash_receipt(token),
    )
    # What the concern says first; where it goes is checked next, in the raiser's words.
    records.validate(concern, exclude=["level"])
    if level not in ConcernLevel.values:
        raise ValidationError({"send_to": "Choose who the concern goes to"})
    if level == ConcernLevel.TEAM:
        if team is None or not _member_of_team(actor, team):
            raise ValidationError({"send_to": "Choose one of your own teams"})
        organisation = None
    elif level == ConcernLevel.ORGANISATION:
        if organisation is None or not _belongs_to_organisation(actor, organisation):
            raise ValidationError({"send_to": "Choose an organisation you work in"})
        team = None
    else:
        team = organisation = None
    owner = owner_for(level, team=team, organisation=organisation)
    if owner is None:
        raise ValidationError(
            {
                "send_to": "There is no leadership team to receive concerns here yet. Ask your "
                "administrator to set one up, or choose another place."
            }
        )
    concern.team, concern.organisation, concern.owner = team, organisation, owner
    concern.due_on = working_days_after(today, settings.VOICE_ACKNOWLEDGE_WORKING_DAYS)
    if anonymous:
        # An anonymous raise is not written to the audit trail: its row would carry a time to
        # the second. The concern's own "raised" event records it, to the day (ADR 0012).
        concern.save(force_insert=True)
    else:
        records.create(concern, actor=actor, summary=f"Concern raised: {concern.title}")
    ConcernEvent.objects.create(
        concern=concern,
        kind=ConcernEventKind.RAISED,
        to_status=ConcernStatus.RAISED,
        owner=owner,
        due_on=concern.due_on,
        actor=None if anonymous else actor,
        on=today,
    )
    return concern, token


# -- Acting on a concern ------------------------------------------------------------------------


def _tell_raiser(concern: Concern, message: str) -> None:
    """Named raisers are told of every change; anonymous ones follow their receipt link."""
    if not concern.is_anonymous and concern.raised_by_id is not None:
        ConcernNotice.objects.create(
            person_id=concern.raised_by_id, concern=concern, message=message[:255]
        )


def _move(
    concern: Concern,
    *,
    actor: Person,
    to_status: str,
    expected_version: int,
    note: str,
    fields: list[str],
    today: date,
    message: str,
) -> Concern:
    if not is_owner_member(actor, concern):
        raise NotAllowed(
            f"Only members of {concern.owner.name} can act on this concern: it is theirs now."
        )
    if expected_version != concern.version:
        raise ConcurrentEditError(concern)
    from_status = concern.status
    CONCERN_STATES.move(
        concern,
        to_status,
        concern=concern,
        kind=to_status,
        owner_id=concern.owner_id,
        due_on=concern.due_on,
        note=note,
        actor=actor,
        on=today,
    )
    records.validate(concern)
    save_versioned(concern, expected_version=expected_version, fields=["status", *fields])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=concern,
        summary=f"Concern {ConcernStatus(to_status).label.lower()}",
        changes={"status": [from_status, to_status]},
    )
    _tell_raiser(concern, message)
    return concern


def _fresh(concern: Concern) -> Concern:
    return (
        Concern.objects.select_for_update(of=("self",)).select_related("owner").get(pk=concern.pk)
    )


@transaction.atomic
def concern_acknowledge(
    *,
    actor: Person,
    concern: Concern,
    expected_version: int,
    note: str = "",
    today: date | None = None,
) -> Concern:
    """ "We have heard it": the owner has `VOICE_ACTION_WORKING_DAYS` to agree an action."""
    today = today or timezone.localdate()
    concern = _fresh(concern)
    concern.due_on = working_days_after(today, settings.VOICE_ACTION_WORKING_DAYS)
    return _move(
        concern,
        actor=actor,
        to_status=ConcernStatus.ACKNOWLEDGED,
        expected_version=expected_version,
        note=visible(note),
        fields=["due_on"],
        today=today,
        message=f"{concern.owner.name} acknowledged your concern “{concern.title}”.",
    )


@transaction.atomic
def concern_agree_action(
    *,
    actor: Person,
    concern: Concern,
    expected_version: int,
    action: str,
    action_due_on: date | None,
    today: date | None = None,
) -> Concern:
    """The action the owner will take, and the day by which it will be done."""
    today = today or timezone.localdate()
    action = visible(action)
    errors: dict[str, str] = {}
    if not action:
        errors["action"] = "Say what action is agreed"
    if action_due_on is None:
        errors["action_due_on"] = "Enter the date the action will be done by"
    elif action_due_on <= today:
        errors["action_due_on"] = "The date the action will be done by must be in the future"
    if errors:
        raise ValidationError(errors)
    concern = _fresh(concern)
    concern.action = action
    concern.action_due_on = action_due_on
    concern.due_on = action_due_on
    return _move(
        concern,
        actor=actor,
        to_status=ConcernStatus.ACTION_AGREED,
        expected_version=expected_version,
        note=action,
        fields=["action", "action_due_on", "due_on"],
        today=today,
        message=f"An action is agreed on your concern “{concern.title}”.",
    )


def _close(
    *,
    actor: Person,
    concern: Concern,
    expected_version: int,
    to_status: str,
    outcome: str,
    on_board: bool,
    today: date | None,
    field: str,
    missing: str,
    message: str,
) -> Concern:
    today = today or timezone.localdate()
    outcome = visible(outcome)
    if not outcome:
        raise ValidationError({field: missing})
    concern = _fresh(concern)
    concern.outcome = outcome
    concern.on_board = on_board
    concern.closed_on = today
    concern.due_on = None
    return _move(
        concern,
        actor=actor,
        to_status=to_status,
        expected_version=expected_version,
        note=outcome,
        fields=["outcome", "on_board", "closed_on", "due_on"],
        today=today,
        message=message.format(title=concern.title),
    )


@transaction.atomic
def concern_address(
    *,
    actor: Person,
    concern: Concern,
    expected_version: int,
    what_we_did: str,
    on_board: bool = True,
    today: date | None = None,
) -> Concern:
    """Addressed, with "what we did" — shown on "You said, we did" unless `on_board` is off."""
    return _close(
        actor=actor,
        concern=concern,
        expected_version=expected_version,
        to_status=ConcernStatus.ADDRESSED,
        outcome=what_we_did,
        on_board=on_board,
        today=today,
        field="what_we_did",
        missing="Say what we did",
        message="Your concern “{title}” is addressed: see what we did.",
    )


@transaction.atomic
def concern_not_take_forward(
    *,
    actor: Person,
    concern: Concern,
    expected_version: int,
    reason: str,
    on_board: bool = True,
    today: date | None = None,
) -> Concern:
    """Not taken forward, with the reason: the loop is closed honestly, not left open."""
    return _close(
        actor=actor,
        concern=concern,
        expected_version=expected_version,
        to_status=ConcernStatus.NOT_TAKEN_FORWARD,
        outcome=reason,
        on_board=on_board,
        today=today,
        field="reason",
        missing="Give the reason it is not taken forward",
        message="Your concern “{title}” is not taken forward: see the reason.",
    )


# -- Replies ------------------------------------------------------------------------------------


@transaction.atomic
def concern_reply(
    *, actor: Person, concern: Concern, body: str, today: date | None = None
) -> ConcernReply:
    """A reply by a member of the owning leadership team, or by the named raiser."""
    from_raiser = not concern.is_anonymous and concern.raised_by_id == actor.pk

    def check() -> None:
        if not from_raiser and not is_owner_member(actor, concern):
            raise NotAllowed(
                "Only the person who raised this concern and its leadership team can reply."
            )

    reply = records.create(
        ConcernReply(
            concern=concern,
            from_raiser=from_raiser,
            author=actor,
            body=visible(body),
            on=today or timezone.localdate(),
        ),
        actor=actor,
        summary="Reply on a concern",
        check=check,
    )
    if not from_raiser:
        _tell_raiser(concern, f"{concern.owner.name} replied on your concern “{concern.title}”.")
    return reply


@transaction.atomic
def concern_reply_by_receipt(
    *, concern: Concern, body: str, today: date | None = None
) -> ConcernReply:
    """The raiser's reply through their receipt link. Nobody is named and nothing is timed
    finer than the day: the reply is not written to the audit trail (ADR 0012)."""
    reply = ConcernReply(
        concern=concern,
        from_raiser=True,
        author=None,
        body=visible(body),
        on=today or timezone.localdate(),
    )
    records.validate(reply)
    if not concern.is_open:
        raise ValidationError("This concern is closed, so it takes no more replies.")
    reply.save(force_insert=True)
    return reply


# -- Notices ------------------------------------------------------------------------------------


@transaction.atomic
def concern_notices_read(*, actor: Person) -> int:
    """Mark every unread notice of `actor` read. Not audited: a notice is their own to-do."""
    return ConcernNotice.objects.filter(person=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# -- Escalation (`roundtable tick`) -------------------------------------------------------------


@transaction.atomic
def concerns_escalate(*, today: date | None = None) -> tuple[int, int]:
    """Escalate every open concern whose due date has passed: (escalated, noted at the top).

    Escalating moves the concern to the next leadership level and gives it a new due date
    (`VOICE_ESCALATION_WORKING_DAYS` from today), so it is not overdue again until then: running
    this again the same day changes nothing. At the top level there is nowhere to go; the first
    run after a due date passes records once that it is overdue there.
    """
    today = today or timezone.localdate()
    overdue = (
        Concern.objects.select_for_update(of=("self",))
        .select_related("owner", "team")
        .filter(status__in=OPEN_STATUSES, due_on__lt=today)
        .order_by("due_on", "pk")
    )
    escalated = noted = 0
    for concern in overdue:
        version = concern.version
        was_due = concern.due_on
        was_owner = concern.owner
        step = ConcernStatus(concern.status).label.lower()
        higher = next_owner(concern)
        if higher is not None:
            concern.owner = higher
            concern.due_on = working_days_after(today, settings.VOICE_ESCALATION_WORKING_DAYS)
            save_versioned(concern, expected_version=version, fields=["owner", "due_on"])
            note = (
                f"The next step was due by {was_due:%d %B %Y} with {was_owner.name}; "
                f"escalated to {higher.name}."
            )
            kind = ConcernEventKind.ESCALATED
            escalated += 1
            _tell_raiser(
                concern,
                f"Your concern “{concern.title}” was overdue and is now with {higher.name}.",
            )
        elif concern.overdue_noted_for != was_due:
            concern.overdue_noted_for = was_due
            save_versioned(concern, expected_version=version, fields=["overdue_noted_for"])
            note = (
                f"Still {step}: the next step was due by {was_due:%d %B %Y} with "
                f"{was_owner.name}, the top leadership level."
            )
            kind = ConcernEventKind.OVERDUE_AT_TOP
            noted += 1
            _tell_raiser(
                concern, f"Your concern “{concern.title}” is overdue with {was_owner.name}."
            )
        else:
            continue
        ConcernEvent.objects.create(
            concern=concern,
            kind=kind,
            from_status=concern.status,
            to_status=concern.status,
            owner=concern.owner,
            due_on=concern.due_on,
            note=note,
            actor=None,
            on=today,
        )
        audit_record(actor=None, action=AuditAction.UPDATE, obj=concern, summary=note)
    return escalated, noted


def tick(today: date) -> str:
    escalated, noted = concerns_escalate(today=today)
    return f"{escalated} concerns escalated, {noted} overdue at the top level"
