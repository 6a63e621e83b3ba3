"""Writes to budgets and participatory allocation: setting up a budget, starting a round, and
members' approvals in it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core import records
from roundtable.core.errors import NotAllowed
from roundtable.core.text import visible
from roundtable.decisions.models import (
    AllocationRound,
    Approval,
    Budget,
    Decision,
    DecisionStatus,
)
from roundtable.decisions.selectors import is_member_of
from roundtable.decisions.services.common import pounds
from roundtable.directory.models import Person
from roundtable.forums.models import Forum

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
    if not is_member_of(forum.pk, actor) and not actor.is_staff:
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
    # The model's unique check says "There is already a budget with this forum and name".
    return records.create(
        budget, actor=actor, summary=f"Budget {budget.name}: {pounds(total_pence)}", unique=True
    )


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
    if not is_member_of(budget.forum_id, actor):
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
    allocation = records.create(
        AllocationRound(budget=budget, title=visible(title), closes_at=closes_at),
        actor=actor,
        summary=title,
    )
    allocation.proposals.set(chosen)
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
    if not is_member_of(allocation.budget.forum_id, actor):
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
