"""Reads of participatory allocation rounds: the proposals, their approvals and where each
stands by the published rule."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Count
from django.http import Http404

from roundtable.decisions.models import AllocationRound, Approval, Budget, Decision, DecisionStatus
from roundtable.decisions.rules_engine import Bid, allocate
from roundtable.decisions.selectors.budgets import BudgetSummary, budget_summary
from roundtable.directory.models import Person


class AllocationOutcome(models.TextChoices):
    """Where a proposal in an allocation round stands."""

    AGREED = "agreed", "Agreed"
    FUNDED = "funded", "Funded"
    DOES_NOT_FIT = "does_not_fit", "Does not fit in what is left"
    NO_APPROVALS = "no_approvals", "No approvals"
    NOT_AGREED = "not_agreed", "Not agreed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# What a proposal's own decision settles, whatever its approvals.
_SETTLED = {
    DecisionStatus.AGREED: AllocationOutcome.AGREED,
    DecisionStatus.REVIEWED: AllocationOutcome.AGREED,
    DecisionStatus.NOT_AGREED: AllocationOutcome.NOT_AGREED,
    DecisionStatus.WITHDRAWN: AllocationOutcome.WITHDRAWN,
}


@dataclass
class AllocationResult:
    decision: Decision
    approvals: int
    outcome: AllocationOutcome

    @property
    def funded(self) -> bool:
        return self.outcome in (AllocationOutcome.AGREED, AllocationOutcome.FUNDED)

    @property
    def open(self) -> bool:
        """Still to be decided, so members may approve it."""
        return self.decision.status == DecisionStatus.OPEN

    @property
    def amount_pence(self) -> int:
        """The agreed amount once agreed, else the amount requested."""
        if self.outcome == AllocationOutcome.AGREED:
            return self.decision.amount_agreed_pence or 0
        return self.decision.amount_requested_pence or 0


@dataclass
class AllocationPage:
    round: AllocationRound
    results: list[AllocationResult]
    budget: BudgetSummary
    my_approvals: set[int]

    @property
    def funded_total(self) -> int:
        """What the round funds: the amounts agreed, and the open proposals that fit."""
        return sum(r.amount_pence for r in self.results if r.funded)

    @property
    def open_proposals(self) -> list[Decision]:
        return [r.decision for r in self.results if r.open]


def allocation_get(round_id: int) -> AllocationRound:
    """An allocation round with its budget and forum, or 404."""
    allocation = AllocationRound.objects.select_related("budget__forum").filter(pk=round_id).first()
    if allocation is None:
        raise Http404("No allocation round found.")
    return allocation


def allocation_detail(user: Person, round_id: int) -> AllocationPage:
    """A round's proposals with their approvals and where each stands.

    The round works from the budget as it is: a proposal whose decision is settled keeps its
    outcome (an agreed amount is already committed, so it is not counted again); the open
    proposals are allocated by the published rule (`allocate`) from what is left.
    """
    allocation = allocation_get(round_id)
    proposals = list(allocation.proposals.order_by("created_at", "pk"))
    counts = dict(
        Approval.objects.filter(round=allocation)
        .values_list("decision_id")
        .annotate(n=Count("pk"))
        .values_list("decision_id", "n")
    )
    summary = budget_summary(allocation.budget)
    still_open = [d for d in proposals if d.status == DecisionStatus.OPEN]
    funded = set(
        allocate(
            [
                Bid(d.pk, d.amount_requested_pence or 0, counts.get(d.pk, 0), order)
                for order, d in enumerate(still_open)
            ],
            max(summary.remaining_pence, 0),
        )
    )

    def outcome(d: Decision) -> AllocationOutcome:
        if d.status in _SETTLED:
            return _SETTLED[DecisionStatus(d.status)]
        if d.pk in funded:
            return AllocationOutcome.FUNDED
        if not counts.get(d.pk):
            return AllocationOutcome.NO_APPROVALS
        return AllocationOutcome.DOES_NOT_FIT

    # Agreed first (settled), then the open ones in the order the rule considers them (most
    # approvals, then the smaller amount, then the earlier), then those not going ahead.
    settled_rank = {AllocationOutcome.AGREED: 0}
    order = {d.pk: index for index, d in enumerate(proposals)}
    results = sorted(
        (AllocationResult(d, counts.get(d.pk, 0), outcome(d)) for d in proposals),
        key=lambda r: (
            settled_rank.get(r.outcome, 1 if r.open else 2),
            -r.approvals,
            r.decision.amount_requested_pence or 0,
            order[r.decision.pk],
        ),
    )
    mine = set(
        Approval.objects.filter(round=allocation, person=user).values_list("decision_id", flat=True)
    )
    return AllocationPage(allocation, results, summary, mine)


def open_funding_proposals(budget: Budget) -> list[Decision]:
    """Open funding proposals from a budget, oldest first: the candidates for an allocation
    round."""
    return list(
        Decision.objects.filter(budget=budget, status=DecisionStatus.OPEN)
        .select_related("proposer")
        .order_by("created_at", "pk")
    )


def allocation_rounds_of(budget_ids: list[int]) -> dict[int, list[AllocationRound]]:
    found: dict[int, list[AllocationRound]] = {}
    for allocation in AllocationRound.objects.filter(budget_id__in=budget_ids).order_by(
        "-closes_at", "pk"
    ):
        found.setdefault(allocation.budget_id, []).append(allocation)
    return found
