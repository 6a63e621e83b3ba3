"""Budgets and participatory allocation: setting up a forum's budgets, starting an allocation
round, and members' approvals in it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from roundtable.core.pages import allowed, breadcrumbs, fields, me, posted, require, submit
from roundtable.decisions import selectors, services
from roundtable.decisions.forms import AllocationRoundForm, ApprovalForm, BudgetForm
from roundtable.decisions.views.common import forum_crumbs, render
from roundtable.forums import selectors as forum_selectors


@require_http_methods(["GET", "POST"])
def budgets(request: HttpRequest, forum_id: int) -> HttpResponse:
    forum = forum_selectors.forum_get(forum_id)
    summaries = selectors.budget_summaries(forum.pk)
    form = BudgetForm(posted(request), existing=[s.budget for s in summaries])
    outcome = submit(
        request,
        form,
        lambda data: services.budget_create(
            actor=me(request),
            forum=forum,
            **fields(data, "name", "period_start", "period_end"),
            total_pence=data["total"],
        ),
        aliases={"total_pence": "total"},
    )
    if outcome.saved:
        budget = outcome.value
        assert budget is not None
        messages.success(
            request, f"{budget.name} is set up: {services.pounds(budget.total_pence)}."
        )
        return redirect("decisions:budgets", forum_id=forum.pk)
    context = {
        "page_title": f"Budgets of {forum.name}",
        "page_has_errors": bool(form.errors),
        "form": form,
        "forum": forum,
        "summaries": summaries,
        "rounds": selectors.allocation_rounds_of([s.budget.pk for s in summaries]),
        "can_set_up": allowed(request, "decisions.set_up_budget", forum),
        "is_member": allowed(request, "decisions.propose", forum),
        "breadcrumbs": breadcrumbs(*forum_crumbs(forum), ("Budgets", "")),
    }
    return render(request, "decisions/budgets.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest, budget_id: int) -> HttpResponse:
    budget = selectors.budget_get(budget_id)
    forum = budget.forum
    require(request, "decisions.propose", forum)
    proposals = selectors.open_funding_proposals(budget)
    form = AllocationRoundForm(posted(request), proposals=proposals)
    outcome = submit(
        request,
        form,
        lambda data: services.allocation_round_create(
            actor=me(request),
            budget=budget,
            **fields(data, "title", "closes_at"),
            proposals=data["chosen"],
        ),
        aliases={"closes_at": "closes_on"},
    )
    if outcome.saved:
        messages.success(
            request, "The allocation round is open. Members can now approve proposals."
        )
        return redirect("decisions:allocation", round_id=outcome.value.pk)
    context = {
        "page_title": "Start an allocation round",
        "page_has_errors": bool(form.errors),
        "form": form,
        "forum": forum,
        "budget": budget,
        "summary": selectors.budget_summary(budget),
        "proposals": proposals,
        "breadcrumbs": breadcrumbs(
            *forum_crumbs(forum),
            ("Budgets", reverse("decisions:budgets", args=[forum.pk])),
            ("Start an allocation round", ""),
        ),
    }
    return render(request, "decisions/round_new.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def allocation(request: HttpRequest, round_id: int) -> HttpResponse:
    """Members tick the proposals they approve; the results follow the published rule."""
    page = selectors.allocation_detail(me(request), round_id)
    allocation = page.round
    forum = allocation.budget.forum
    proposals = page.open_proposals
    is_open = allocation.closed_at is None and allocation.closes_at > timezone.now()
    form = ApprovalForm(
        posted(request),
        proposals=proposals,
        initial={"approve": sorted(page.my_approvals & {d.pk for d in proposals})},
    )
    outcome = submit(
        request,
        form,
        lambda data: services.approval_set(
            actor=me(request), allocation=allocation, approve=form.approved()
        ),
    )
    if outcome.saved:
        messages.success(request, "Your approvals are saved. The results below include them.")
        return redirect("decisions:allocation", round_id=allocation.pk)
    context = {
        "page_title": allocation.title,
        "page_has_errors": bool(form.errors),
        "form": form,
        "page": page,
        "allocation": allocation,
        "forum": forum,
        "is_open": is_open,
        "can_approve": is_open and bool(proposals) and allowed(request, "decisions.propose", forum),
        "breadcrumbs": breadcrumbs(
            *forum_crumbs(forum),
            ("Budgets", reverse("decisions:budgets", args=[forum.pk])),
            (allocation.title, ""),
        ),
    }
    return render(request, "decisions/allocation.jinja", context, status=outcome.status(form))
