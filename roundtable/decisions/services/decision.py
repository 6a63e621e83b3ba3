"""Writes to a decision's life: proposing, opening, revising, the outcome, withdrawing and
reviewing."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core import records
from roundtable.core.errors import NotAllowed
from roundtable.core.text import visible
from roundtable.decisions import hooks
from roundtable.decisions.models import (
    AdviceRequest,
    Budget,
    Decision,
    DecisionEvent,
    DecisionKind,
    DecisionMethod,
    DecisionStatus,
    Notification,
    NotificationKind,
    Revision,
)
from roundtable.decisions.rules_engine import may_agree
from roundtable.decisions.selectors import current_tally, is_member_of
from roundtable.decisions.services.common import (
    ask_members,
    check_amount,
    save_decision,
    tell_participants,
    transition,
)
from roundtable.directory.models import Person
from roundtable.forums.models import Forum, Meeting

# -- Proposing and revising ---------------------------------------------------------------------


@transaction.atomic
def decision_propose(
    *,
    actor: Person,
    forum: Forum,
    kind: str,
    title: str,
    proposal: str,
    method: str = DecisionMethod.CONSENT,
    closes_at: datetime | None = None,
    review_on: date | None = None,
    meeting: Meeting | None = None,
    budget: Budget | None = None,
    amount_requested_pence: int | None = None,
    vote_threshold_percent: int | None = None,
    vote_quorum: int | None = None,
    open_now: bool = True,
) -> Decision:
    """Anyone in the forum proposes — any organisation, any grade. Opens for positions at once
    unless `open_now` is false (a draft)."""
    if not is_member_of(forum.pk, actor):
        raise NotAllowed(f"Only members of {forum.name} can propose decisions there.")
    errors: dict[str, str] = {}
    now = timezone.now()
    if closes_at is not None and closes_at <= now:
        errors["closes_at"] = "The closing time must be in the future"
    if review_on is not None and review_on < timezone.localdate():
        errors["review_on"] = "The review date must be today or later"
    if meeting is not None and (
        meeting.forum_id != forum.pk
        or meeting.is_cancelled
        or timezone.localdate(meeting.starts_at) < timezone.localdate(now)
    ):
        # The page offers the forum's meetings from today on; the API is held to the same rule:
        # a past meeting's attendees would count as taking part in a decision they never saw.
        errors["meeting"] = "Choose a meeting of this forum, today or later, that is not cancelled"
    if method == DecisionMethod.VOTE:
        vote_threshold_percent = vote_threshold_percent or 50
        vote_quorum = vote_quorum or 1
        if not 1 <= vote_threshold_percent <= 99:
            errors["vote_threshold_percent"] = "The threshold is a percentage from 1 to 99"
    else:
        vote_threshold_percent, vote_quorum = None, None
    decision = Decision(
        forum=forum,
        meeting=meeting,
        kind=kind,
        method=method,
        title=visible(title),
        proposer=actor,
        closes_at=closes_at,
        review_on=review_on,
        vote_threshold_percent=vote_threshold_percent,
        vote_quorum=vote_quorum,
    )
    first = Revision(decision=decision, number=1, proposal=visible(proposal), author=actor)
    records.validate(decision, first, also=errors)
    if kind == DecisionKind.FUNDING:
        if budget is None or budget.forum_id != forum.pk:
            raise ValidationError({"budget": "Choose one of this forum's budgets"})
        check_amount(budget, amount_requested_pence, field="amount_requested_pence")
        decision.budget, decision.amount_requested_pence = budget, amount_requested_pence
    records.create(decision, actor=actor, summary=decision.title)
    # The first revision and the first event are part of the decision, audited with it.
    first.save(force_insert=True)
    DecisionEvent.objects.create(
        decision=decision, actor=actor, to_status=DecisionStatus.DRAFT, revision=1
    )
    if open_now:
        decision_open(actor=actor, decision=decision)
    return decision


@transaction.atomic
def decision_open(*, actor: Person, decision: Decision) -> Decision:
    if actor.pk != decision.proposer_id:
        raise NotAllowed("Only the proposer can open this decision for positions.")
    transition(decision, DecisionStatus.OPEN, actor=actor)
    save_decision(decision, None, ["status"])
    ask_members(decision, actor=actor)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=decision, summary="Opened")
    return decision


@transaction.atomic
def decision_revise(
    *,
    actor: Person,
    decision: Decision,
    proposal: str,
    change_note: str = "",
    expected_version: int | None = None,
) -> Revision:
    """The proposer integrates objections and concerns in a new revision.

    Positions given on earlier revisions are kept, marked as given on an earlier revision;
    everyone is asked for their position on the new one.
    """
    if actor.pk != decision.proposer_id:
        raise NotAllowed("Only the proposer can revise the proposal.")
    if decision.status not in (DecisionStatus.DRAFT, DecisionStatus.OPEN):
        raise ValidationError(
            "This decision has an outcome or was withdrawn: its proposal can no longer be revised."
        )
    revision = Revision(
        decision=decision,
        number=decision.current_revision + 1,
        proposal=visible(proposal),
        change_note=visible(change_note),
        author=actor,
    )
    # Part of the decision, audited with it (below): validated here, not audited on its own.
    records.validate(revision)
    decision.current_revision = revision.number
    save_decision(decision, expected_version, ["current_revision"])
    revision.save(force_insert=True)
    DecisionEvent.objects.create(
        decision=decision,
        actor=actor,
        from_status=decision.status,
        to_status=decision.status,
        revision=decision.current_revision,
        note=visible(change_note) or "Revised",
    )
    Notification.objects.filter(
        decision=decision, kind=NotificationKind.AWAITING_POSITION, read_at__isnull=True
    ).delete()
    if decision.status == DecisionStatus.OPEN:
        ask_members(decision, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=decision,
        summary=f"Revision {revision.number}",
        changes={"current_revision": [revision.number - 1, revision.number]},
    )
    return revision


# -- Outcome, withdrawal, review ----------------------------------------------------------------


@transaction.atomic
def decision_decide(
    *,
    actor: Person,
    decision: Decision,
    agreed: bool,
    outcome: str,
    rationale: str,
    expected_version: int | None = None,
    amount_agreed_pence: int | None = None,
) -> Decision:
    """Record the outcome, with its rationale. "Agreed" must meet the method's rule."""
    if not is_member_of(decision.forum_id, actor):
        raise NotAllowed("Only members of this forum can record the outcome.")
    if decision.method == DecisionMethod.ADVICE and actor.pk != decision.proposer_id:
        raise ValidationError("In the advice process the proposer makes the decision.")
    if decision.status != DecisionStatus.OPEN:
        raise ValidationError(
            f"This decision is {decision.get_status_display().lower()}: it is not open for an "
            "outcome."
        )
    errors = {}
    if not visible(outcome):
        errors["outcome"] = "Say what was decided"
    if not visible(rationale):
        errors["rationale"] = "Give the rationale: why this is the decision"
    if errors:
        raise ValidationError(errors)
    if agreed:
        verdict = may_agree(
            decision.method,
            current_tally(decision),
            advice_given=AdviceRequest.objects.filter(
                decision=decision, given_at__isnull=False
            ).count(),
            vote_threshold_percent=decision.vote_threshold_percent,
            vote_quorum=decision.vote_quorum,
        )
        if not verdict.can_agree:
            raise ValidationError(verdict.reason)
        if decision.kind == DecisionKind.FUNDING:
            assert decision.budget is not None
            amount = (
                amount_agreed_pence
                if amount_agreed_pence is not None
                else decision.amount_requested_pence
            )
            if (
                amount is not None
                and decision.amount_requested_pence is not None
                and amount > decision.amount_requested_pence
            ):
                raise ValidationError(
                    {"amount_agreed_pence": "The amount agreed cannot be more than was requested."}
                )
            # The budget is locked while what is left is worked out and committed: outcomes on
            # the same budget recorded at the same moment take turns, each seeing what the one
            # before it committed, so that the budget is never overspent.
            budget = Budget.objects.select_for_update().get(pk=decision.budget.pk)
            check_amount(budget, amount, field="amount_agreed_pence", excluding=decision)
            decision.amount_agreed_pence = amount
    transition(
        decision,
        DecisionStatus.AGREED if agreed else DecisionStatus.NOT_AGREED,
        actor=actor,
        note=visible(outcome),
    )
    decision.outcome = visible(outcome)
    decision.rationale = visible(rationale)
    decision.decided_at = timezone.now()
    decision.decided_by = actor
    records.validate(decision)
    save_decision(
        decision,
        expected_version,
        ["status", "outcome", "rationale", "decided_at", "decided_by", "amount_agreed_pence"],
    )
    Notification.objects.filter(
        decision=decision,
        kind__in=[NotificationKind.AWAITING_POSITION, NotificationKind.CLOSING_SOON],
        read_at__isnull=True,
    ).delete()
    tell_participants(decision, NotificationKind.OUTCOME, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=decision,
        summary=f"Outcome: {decision.get_status_display()}",
        changes={"status": [DecisionStatus.OPEN, decision.status]},
    )
    hooks.decided(decision, actor)
    return decision


@transaction.atomic
def decision_withdraw(*, actor: Person, decision: Decision, note: str = "") -> Decision:
    if actor.pk != decision.proposer_id:
        raise NotAllowed("Only the proposer can withdraw a proposal.")
    transition(decision, DecisionStatus.WITHDRAWN, actor=actor, note=visible(note))
    save_decision(decision, None, ["status"])
    Notification.objects.filter(decision=decision, read_at__isnull=True).delete()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=decision, summary="Withdrawn")
    return decision


@transaction.atomic
def decision_review(*, actor: Person, decision: Decision, note: str) -> Decision:
    """Record that an agreed (or not agreed) decision has been reviewed, and what was learned."""
    if not is_member_of(decision.forum_id, actor):
        raise NotAllowed("Only members of this forum can review its decisions.")
    if not visible(note):
        raise ValidationError({"note": "Say what the review found"})
    transition(decision, DecisionStatus.REVIEWED, actor=actor, note=visible(note))
    save_decision(decision, None, ["status"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=decision, summary="Reviewed")
    return decision
