"""Reads of budgets: what each holds, and what agreed decisions have committed from it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.http import Http404

from roundtable.decisions.models import Budget, Decision, DecisionStatus


@dataclass
class BudgetSummary:
    budget: Budget
    committed_pence: int

    @property
    def remaining_pence(self) -> int:
        return self.budget.total_pence - self.committed_pence


def _committing() -> QuerySet[Decision]:
    """Decisions that commit money from their budget: agreed (or agreed and since reviewed)."""
    return Decision.objects.filter(
        amount_agreed_pence__isnull=False,
        status__in=[DecisionStatus.AGREED, DecisionStatus.REVIEWED],
    )


def _committed(budget_ids: list[int]) -> dict[int, int]:
    rows = (
        _committing()
        .filter(budget_id__in=budget_ids)
        .values("budget_id")
        .annotate(total=Sum("amount_agreed_pence"))
    )
    return {row["budget_id"]: int(row["total"] or 0) for row in rows}


def budget_committed(budget: Budget, *, excluding: Decision | None = None) -> int:
    """Pence agreed from a budget by decisions that are agreed (or agreed and since reviewed)."""
    decisions = _committing().filter(budget=budget)
    if excluding is not None:
        decisions = decisions.exclude(pk=excluding.pk)
    return int(decisions.aggregate(total=Sum("amount_agreed_pence"))["total"] or 0)


def budget_summaries(forum_id: int) -> list[BudgetSummary]:
    budgets = list(Budget.objects.filter(forum_id=forum_id).order_by("-period_start", "name"))
    committed = _committed([b.pk for b in budgets])
    return [BudgetSummary(b, committed.get(b.pk, 0)) for b in budgets]


def budget_summary(budget: Budget) -> BudgetSummary:
    return BudgetSummary(budget, _committed([budget.pk]).get(budget.pk, 0))


def budget_get(budget_id: int) -> Budget:
    budget = Budget.objects.select_related("forum").filter(pk=budget_id).first()
    if budget is None:
        raise Http404("No budget found.")
    return budget
