"""Every write to decisions. Validated with plain-English errors, transactional, audited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core.concurrency import ConcurrentEditError, save_versioned
from roundtable.core.errors import NotAllowed
from roundtable.core.integrity import create_or_refuse
from roundtable.core.text import visible
from roundtable.decisions import hooks
from roundtable.decisions.models import (
    NEEDS_REASON,
    TRANSITIONS,
    AdviceRequest,
    AllocationRound,
    Approval,
    Budget,
    Comment,
    Decision,
    DecisionEvent,
    DecisionKind,
    DecisionMethod,
    DecisionStatus,
    Hold,
    Notification,
    NotificationKind,
    Position,
    PositionEvent,
    Revision,
    Stance,
)
from roundtable.decisions.rules_engine import Tally, may_agree
from roundtable.directory.models import LeadershipLevel, LeadershipMembership, Person
from roundtable.forums.models import Attendance, AttendanceStatus, Forum, ForumMembership, Meeting


def pounds(pence: int) -> str:
    return f"£{pence / 100:,.2f}".replace(".00", "")


# -- Helpers ------------------------------------------------------------------------------------


def _is_member(forum_id: int, person: Person) -> bool:
    return ForumMembership.objects.filter(forum_id=forum_id, person=person).exists()


def _transition(decision: Decision, to_status: str, *, actor: Person, note: str = "") -> None:
    """Move along the state machine, or refuse with a message that says why."""
    if to_status not in TRANSITIONS[decision.status]:
        raise ValidationError(
            f"A decision that is {decision.get_status_display().lower()} cannot become "
            f"{DecisionStatus(to_status).label.lower()}."
        )
    DecisionEvent.objects.create(
        decision=decision,
        actor=actor,
        from_status=decision.status,
        to_status=to_status,
        revision=decision.current_revision,
        note=note,
    )
    decision.status = to_status


def _save(decision: Decision, expected_version: int | None, fields: Iterable[str]) -> None:
    """Save with optimistic concurrency: refuse if someone changed the decision meanwhile."""
    if expected_version is not None and expected_version != decision.version:
        raise ConcurrentEditError(decision)
    save_versioned(decision, expected_version=decision.version, fields=fields)


def _fresh(decision: Decision) -> Decision:
    """The decision as stored now, locked until the transaction ends.

    A position must be recorded against the revision that is current at that moment, not the
    one the caller read earlier; the lock makes a revision and a position take turns.
    """
    return Decision.objects.select_for_update().select_related("forum").get(pk=decision.pk)


def _notify(
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


def _member_ids(forum_id: int) -> list[int]:
    return list(
        ForumMembership.objects.filter(forum_id=forum_id, person__is_active=True).values_list(
            "person_id", flat=True
        )
    )


def budget_committed(budget: Budget, *, excluding: Decision | None = None) -> int:
    """Pence agreed from a budget by decisions that are agreed (or agreed and since reviewed)."""
    decisions = Decision.objects.filter(
        budget=budget,
        amount_agreed_pence__isnull=False,
        status__in=[DecisionStatus.AGREED, DecisionStatus.REVIEWED],
    )
    if excluding is not None:
        decisions = decisions.exclude(pk=excluding.pk)
    return int(decisions.aggregate(total=Sum("amount_agreed_pence"))["total"] or 0)


def _check_amount(
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


# -- Budgets ------------------------------------------------------------------------------------


@transaction.atomic
def budget_create(
    *,
    actor: Person,
    forum: Forum,
    name: str,
    period_start: date,
    period_end: date,
    total_pence: int,
) -> Budget:
    if not _is_member(forum.pk, actor) and not actor.is_staff:
        raise NotAllowed("Only members of this forum can set up its budgets.")
    if total_pence <= 0:
        raise ValidationError({"total_pence": "A budget must be more than £0."})
    if period_end < period_start:
        raise ValidationError({"period_end": "The period must end on or after it starts."})
    budget = Budget(
        forum=forum,
        name=visible(name),
        period_start=period_start,
        period_end=period_end,
        total_pence=total_pence,
    )
    # The model's validation says "There is already a budget with this forum and name".
    create_or_refuse(budget.full_clean, budget.save)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=budget,
        summary=f"Budget {budget.name}: {pounds(total_pence)}",
    )
    return budget


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
    if not _is_member(forum.pk, actor):
        raise NotAllowed(f"Only members of {forum.name} can propose decisions there.")
    errors: dict[str, str] = {}
    if not visible(title):
        errors["title"] = "Enter a title for the decision"
    if not visible(proposal):
        errors["proposal"] = "Enter the proposal"
    if kind not in DecisionKind.values:
        errors["kind"] = "Select the kind of decision"
    if method not in DecisionMethod.values:
        errors["method"] = "Select how the decision is made"
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
    if errors:
        raise ValidationError(errors)
    if kind == DecisionKind.FUNDING:
        if budget is None or budget.forum_id != forum.pk:
            raise ValidationError({"budget": "Choose one of this forum's budgets"})
        _check_amount(budget, amount_requested_pence, field="amount_requested_pence")
    else:
        budget, amount_requested_pence = None, None
    decision = Decision.objects.create(
        forum=forum,
        meeting=meeting,
        kind=kind,
        method=method,
        title=visible(title),
        proposer=actor,
        closes_at=closes_at,
        review_on=review_on,
        budget=budget,
        amount_requested_pence=amount_requested_pence,
        vote_threshold_percent=vote_threshold_percent if method == DecisionMethod.VOTE else None,
        vote_quorum=vote_quorum if method == DecisionMethod.VOTE else None,
    )
    Revision.objects.create(decision=decision, number=1, proposal=visible(proposal), author=actor)
    DecisionEvent.objects.create(
        decision=decision, actor=actor, to_status=DecisionStatus.DRAFT, revision=1
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=decision, summary=decision.title)
    if open_now:
        decision_open(actor=actor, decision=decision)
    return decision


@transaction.atomic
def decision_open(*, actor: Person, decision: Decision) -> Decision:
    if actor.pk != decision.proposer_id:
        raise NotAllowed("Only the proposer can open this decision for positions.")
    _transition(decision, DecisionStatus.OPEN, actor=actor)
    _save(decision, None, ["status"])
    _notify(
        _member_ids(decision.forum_id),
        decision,
        NotificationKind.AWAITING_POSITION,
        skip=actor.pk,
    )
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
    if not visible(proposal):
        raise ValidationError({"proposal": "Enter the revised proposal"})
    decision.current_revision += 1
    _save(decision, expected_version, ["current_revision"])
    revision = Revision.objects.create(
        decision=decision,
        number=decision.current_revision,
        proposal=visible(proposal),
        change_note=visible(change_note),
        author=actor,
    )
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
        _notify(
            _member_ids(decision.forum_id),
            decision,
            NotificationKind.AWAITING_POSITION,
            skip=actor.pk,
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=decision,
        summary=f"Revision {revision.number}",
        changes={"current_revision": [revision.number - 1, revision.number]},
    )
    return revision


# -- Positions ----------------------------------------------------------------------------------


def _check_open_for_positions(decision: Decision) -> None:
    if decision.status != DecisionStatus.OPEN:
        raise ValidationError(
            f"This decision is {decision.get_status_display().lower()}: positions can no longer "
            "be taken."
        )
    if decision.closes_at is not None and decision.closes_at <= timezone.now():
        raise ValidationError("This decision closed for positions at its closing time.")


def _check_stance(stance: str, reason: str) -> None:
    if stance not in Stance.values:
        raise ValidationError(
            {"stance": "Choose consent, a concern, an objection, stand aside or abstain."}
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
    decision = _fresh(decision)
    _check_open_for_positions(decision)
    if not _is_member(decision.forum_id, actor):
        raise NotAllowed(
            f"Only members of {decision.forum.name} can take a position on its decisions."
        )
    _check_stance(stance, reason)
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
    decision = _fresh(decision)
    _check_open_for_positions(decision)
    if meeting.forum_id != decision.forum_id or meeting.is_cancelled:
        raise ValidationError("Choose a meeting of this forum that is not cancelled.")
    if not _is_member(decision.forum_id, actor):
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
    for stance, reason in positions.values():
        _check_stance(stance, reason)
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
        _save(decision, None, ["meeting"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=decision,
        summary=f"Consent round at {meeting}: {len(recorded)} positions",
    )
    return recorded


def current_tally(decision: Decision) -> Tally:
    return Tally.of(
        Position.objects.filter(decision=decision, revision=decision.current_revision).values_list(
            "stance", flat=True
        )
    )


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
    if not _is_member(decision.forum_id, actor):
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
            _check_amount(budget, amount, field="amount_agreed_pence", excluding=decision)
            decision.amount_agreed_pence = amount
    _transition(
        decision,
        DecisionStatus.AGREED if agreed else DecisionStatus.NOT_AGREED,
        actor=actor,
        note=visible(outcome),
    )
    decision.outcome = visible(outcome)
    decision.rationale = visible(rationale)
    decision.decided_at = timezone.now()
    decision.decided_by = actor
    _save(
        decision,
        expected_version,
        ["status", "outcome", "rationale", "decided_at", "decided_by", "amount_agreed_pence"],
    )
    Notification.objects.filter(
        decision=decision,
        kind__in=[NotificationKind.AWAITING_POSITION, NotificationKind.CLOSING_SOON],
        read_at__isnull=True,
    ).delete()
    _notify(
        [*_participant_ids(decision), decision.proposer_id],
        decision,
        NotificationKind.OUTCOME,
        skip=actor.pk,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=decision,
        summary=f"Outcome: {decision.get_status_display()}",
        changes={"status": [DecisionStatus.OPEN, decision.status]},
    )
    hooks.decided(decision, actor)
    return decision


def _participant_ids(decision: Decision) -> list[int]:
    return list(
        Position.objects.filter(decision=decision).values_list("person_id", flat=True).distinct()
    )


@transaction.atomic
def decision_withdraw(*, actor: Person, decision: Decision, note: str = "") -> Decision:
    if actor.pk != decision.proposer_id:
        raise NotAllowed("Only the proposer can withdraw a proposal.")
    _transition(decision, DecisionStatus.WITHDRAWN, actor=actor, note=visible(note))
    _save(decision, None, ["status"])
    Notification.objects.filter(decision=decision, read_at__isnull=True).delete()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=decision, summary="Withdrawn")
    return decision


@transaction.atomic
def decision_review(*, actor: Person, decision: Decision, note: str) -> Decision:
    """Record that an agreed (or not agreed) decision has been reviewed, and what was learned."""
    if not _is_member(decision.forum_id, actor):
        raise NotAllowed("Only members of this forum can review its decisions.")
    if not visible(note):
        raise ValidationError({"note": "Say what the review found"})
    _transition(decision, DecisionStatus.REVIEWED, actor=actor, note=visible(note))
    _save(decision, None, ["status"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=decision, summary="Reviewed")
    return decision


# -- Holding ------------------------------------------------------------------------------------


def covering_leadership(decision: Decision, person: Person) -> LeadershipMembership | None:
    """The person's membership of a leadership team that covers the decision's forum, if any.

    A forum with a home team is covered by that team's own (and project) leadership teams, its
    organisation's, and the system's; a forum with no home team by the system's.
    """
    memberships = LeadershipMembership.objects.filter(person=person).select_related(
        "leadership_team"
    )
    team = decision.forum.home_team
    scope = Q(leadership_team__level=LeadershipLevel.SYSTEM)
    if team is not None:
        scope |= Q(leadership_team__team=team) | Q(
            leadership_team__level=LeadershipLevel.ORGANISATION,
            leadership_team__organisation_id=team.organisation_id,
        )
    return memberships.filter(scope).order_by("leadership_team__level", "pk").first()


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
    message = visible(message) or "I stand behind this with you."
    if len(message) > 280:
        raise ValidationError({"message": "Keep the message to 280 characters or fewer"})

    def check() -> None:
        if Hold.objects.filter(decision=decision, leader=actor).exists():
            raise ValidationError("You already hold this decision.")

    hold = create_or_refuse(
        check,
        lambda: Hold.objects.create(
            decision=decision,
            leader=actor,
            leadership_team=membership.leadership_team,
            message=message,
        ),
    )
    _notify(
        [*_participant_ids(decision), decision.proposer_id],
        decision,
        NotificationKind.HELD,
        skip=actor.pk,
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=hold, summary=f"Held: {decision}")
    return hold


# -- Discussion and advice ----------------------------------------------------------------------


@transaction.atomic
def comment_add(*, actor: Person, decision: Decision, body: str) -> Comment:
    if not visible(body):
        raise ValidationError({"body": "Write a comment"})
    if not _is_member(decision.forum_id, actor) and not actor.is_staff:
        raise NotAllowed("Only members of this forum can comment on its decisions.")
    comment = Comment.objects.create(
        decision=decision, author=actor, body=visible(body), revision=decision.current_revision
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=comment, summary="Comment")
    return comment


@transaction.atomic
def advice_request(*, actor: Person, decision: Decision, adviser: Person) -> AdviceRequest:
    if decision.method != DecisionMethod.ADVICE:
        raise ValidationError("Advice is sought only in the advice process.")
    if actor.pk != decision.proposer_id:
        raise ValidationError("The proposer seeks the advice.")
    if decision.status not in (DecisionStatus.DRAFT, DecisionStatus.OPEN):
        raise ValidationError("This decision is no longer open.")

    def check() -> None:
        if AdviceRequest.objects.filter(decision=decision, adviser=adviser).exists():
            raise ValidationError(f"Advice was already sought from {adviser.full_name}.")

    request = create_or_refuse(
        check, lambda: AdviceRequest.objects.create(decision=decision, adviser=adviser)
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=request, summary=f"Advice sought: {adviser}"
    )
    return request


@transaction.atomic
def advice_give(*, actor: Person, request: AdviceRequest, advice: str) -> AdviceRequest:
    if actor.pk != request.adviser_id:
        raise NotAllowed("Only the person asked can give this advice.")
    if not visible(advice):
        raise ValidationError({"advice": "Write your advice"})
    request.advice = visible(advice)
    request.given_at = timezone.now()
    request.save(update_fields=["advice", "given_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=request, summary="Advice given")
    return request


# -- Participatory allocation -------------------------------------------------------------------


@transaction.atomic
def allocation_round_create(
    *,
    actor: Person,
    budget: Budget,
    title: str,
    closes_at: datetime,
    proposals: Iterable[Decision],
) -> AllocationRound:
    if not _is_member(budget.forum_id, actor):
        raise NotAllowed("Only members of this forum can start an allocation round.")
    chosen = list(proposals)
    if len(chosen) < 2:
        raise ValidationError({"proposals": "Choose at least two funding proposals to compare"})
    # The proposals as they are now, locked (in one order, so that two rounds of the same
    # proposals cannot deadlock): an outcome recorded at the same moment comes before the round
    # or after it, never in between.
    locked = Decision.objects.select_for_update().filter(pk__in=[d.pk for d in chosen])
    current = {d.pk: d for d in locked.order_by("pk")}
    for decision in (current.get(d.pk, d) for d in chosen):
        if decision.budget_id != budget.pk or decision.status != DecisionStatus.OPEN:
            raise ValidationError(
                {"proposals": f"“{decision.title}” is not an open proposal for this budget"}
            )
    if closes_at <= timezone.now():
        raise ValidationError({"closes_at": "The closing time must be in the future"})
    allocation = AllocationRound.objects.create(
        budget=budget, title=visible(title), closes_at=closes_at
    )
    allocation.proposals.set(chosen)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=allocation, summary=title)
    return allocation


@transaction.atomic
def approval_set(
    *, actor: Person, allocation: AllocationRound, approve: Iterable[Decision]
) -> list[Approval]:
    """`actor` approves these of the round's open proposals (and no other open one).

    A proposal already decided (agreed, not agreed or withdrawn) is settled: approvals of it
    are kept as they were and it can no longer be approved.
    """
    # The round is locked and read as it is now: approvals sent at the same moment (the same
    # list twice, or a changed mind) take turns, and each is applied whole.
    allocation = (
        AllocationRound.objects.select_for_update(of=("self",))
        .select_related("budget")
        .get(pk=allocation.pk)
    )
    if allocation.closed_at is not None or allocation.closes_at <= timezone.now():
        raise ValidationError("This allocation round has closed.")
    if not _is_member(allocation.budget.forum_id, actor):
        raise NotAllowed("Only members of this forum can take part in its allocation.")
    wanted = {d.pk for d in approve}
    in_round = dict(allocation.proposals.values_list("pk", "status"))
    if wanted - in_round.keys():
        raise ValidationError("Approve only proposals in this round.")
    settled = {pk for pk in wanted if in_round[pk] != DecisionStatus.OPEN}
    if settled:
        raise ValidationError(
            "A proposal that has already been decided cannot be approved: "
            "choose among the open ones."
        )
    open_ids = [pk for pk, status in in_round.items() if status == DecisionStatus.OPEN]
    Approval.objects.filter(round=allocation, person=actor, decision_id__in=open_ids).exclude(
        decision_id__in=wanted
    ).delete()
    for decision_id in wanted:
        Approval.objects.get_or_create(round=allocation, decision_id=decision_id, person=actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=allocation,
        summary=f"Approved {len(wanted)} proposals",
    )
    return list(Approval.objects.filter(round=allocation, person=actor))


@transaction.atomic
def notification_read(*, actor: Person, notification_ids: Iterable[int]) -> int:
    return Notification.objects.filter(
        person=actor, pk__in=list(notification_ids), read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def closing_soon_notify(*, now: datetime | None = None) -> int:
    """For `roundtable tick`: tell members without a position when a decision closes within 24
    hours. Safe to repeat: one unread notice of a kind per person and decision.

    Returns how many notices this call made. Each decision is locked while its notices are
    counted and made, so two runs at once take turns and the second counts none of the first's
    (and a position or an outcome recorded meanwhile, which lock it too, waits its turn)."""
    now = now or timezone.now()
    soon = (
        Decision.objects.select_for_update(of=("self",))
        .filter(
            status=DecisionStatus.OPEN,
            closes_at__gt=now,
            closes_at__lte=now + timedelta(hours=24),
        )
        .order_by("pk")
    )
    made = 0
    for decision in soon:
        answered = set(
            Position.objects.filter(
                decision=decision, revision=decision.current_revision
            ).values_list("person_id", flat=True)
        )
        waiting = [pid for pid in _member_ids(decision.forum_id) if pid not in answered]
        before = Notification.objects.filter(
            decision=decision, kind=NotificationKind.CLOSING_SOON
        ).count()
        _notify(waiting, decision, NotificationKind.CLOSING_SOON)
        made += (
            Notification.objects.filter(
                decision=decision, kind=NotificationKind.CLOSING_SOON
            ).count()
            - before
        )
    return made


@transaction.atomic
def notification_read_all(*, actor: Person) -> int:
    """ "Mark all as read": every unread notice of `actor`, however many. Like
    `notification_read`, not audited: a notice is the person's own to-do list, not a record."""
    return Notification.objects.filter(person=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
