"""A proposal's life in pages: proposing, revising, recording the outcome, withdrawing and
reviewing."""

from __future__ import annotations

from typing import Protocol

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from roundtable.core.pages import allowed, breadcrumbs, fields, me, posted, require, submit
from roundtable.decisions import selectors, services
from roundtable.decisions.forms import (
    OutcomeForm,
    ProposeForm,
    ReviewForm,
    ReviseForm,
    WithdrawForm,
)
from roundtable.decisions.models import Decision, DecisionKind, DecisionMethod
from roundtable.decisions.views.common import back, decision_crumb, forum_crumbs, log_crumb, render
from roundtable.decisions.views.decision import by_stance, verdict_text
from roundtable.directory.models import Person
from roundtable.forums import selectors as forum_selectors

# -- Proposing ----------------------------------------------------------------------------------

PROPOSE_ALIASES = {"amount_requested_pence": "amount", "closes_at": "closes_on"}
# What a proposal says, as the form names it and the service takes it (besides the amount).
PROPOSAL_FIELDS = (
    "kind",
    "method",
    "title",
    "proposal",
    "closes_at",
    "review_on",
    "meeting",
    "budget",
    "vote_threshold_percent",
    "vote_quorum",
)


@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, forum_id: int) -> HttpResponse:
    """Anyone in the forum proposes: any organisation, any grade."""
    forum = forum_selectors.forum_get(forum_id)
    summaries = selectors.budget_summaries(forum.pk)
    form = ProposeForm(
        posted(request),
        budgets=[s.budget for s in summaries],
        meetings=selectors.meetings_for_proposal(forum.pk),
        initial={"method": DecisionMethod.CONSENT, "vote_threshold_percent": 50, "vote_quorum": 1},
    )
    may_propose = allowed(request, "decisions.propose", forum)
    outcome = submit(
        request,
        form,
        lambda data: services.decision_propose(
            actor=me(request),
            forum=forum,
            **fields(data, *PROPOSAL_FIELDS),
            amount_requested_pence=data["amount"],
        ),
        aliases=PROPOSE_ALIASES,
    )
    if outcome.saved:
        messages.success(
            request,
            "Your proposal is open. Members of the forum have been asked for their position.",
        )
        return back(outcome.value)
    status = outcome.status(form)
    if not may_propose and not form.is_bound:
        status = 403
    context = {
        "page_title": f"Propose a decision to {forum.name}",
        "page_has_errors": bool(form.errors),
        "form": form,
        "forum": forum,
        "allowed": may_propose,
        "summaries": summaries,
        "breadcrumbs": breadcrumbs(*forum_crumbs(forum), ("Propose a decision", "")),
    }
    return render(request, "decisions/propose.jinja", context, status=status)


# -- Revising, the outcome, withdrawing, reviewing ----------------------------------------------


@require_http_methods(["GET", "POST"])
def revise(request: HttpRequest, decision_id: int) -> HttpResponse:
    """The proposer integrates objections and concerns in a new revision."""
    page = selectors.decision_detail(request.user, decision_id)
    decision = page.decision
    require(request, "decisions.revise", decision)
    form = ReviseForm(
        posted(request),
        initial={"proposal": page.current_revision.proposal, "version": decision.version},
    )
    outcome = submit(
        request,
        form,
        lambda data: services.decision_revise(
            actor=me(request),
            decision=decision,
            expected_version=data["version"],
            **fields(data, "proposal", "change_note"),
        ),
    )
    if outcome.saved:
        messages.success(
            request,
            f"Revision {outcome.value.number} is the proposal now. Members have been asked for "
            "their position on it.",
        )
        return back(decision)
    latest = selectors.decision_detail(request.user, decision_id) if outcome.conflict else None
    context = {
        "page_title": "Revise the proposal",
        "page_has_errors": bool(form.errors),
        "form": form,
        "page": page,
        "decision": decision,
        "latest": latest,
        "by_stance": by_stance(page.current_positions),
        "breadcrumbs": breadcrumbs(log_crumb(), decision_crumb(decision), ("Revise", "")),
    }
    return render(request, "decisions/revise.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def outcome(request: HttpRequest, decision_id: int) -> HttpResponse:
    """Record the outcome with its rationale; "agreed" must meet the method's rule."""
    page = selectors.decision_detail(request.user, decision_id)
    decision = page.decision
    require(request, "decisions.decide", decision)
    is_funding = decision.kind == DecisionKind.FUNDING
    form = OutcomeForm(
        posted(request),
        initial={"version": decision.version, "amount_agreed": decision.amount_requested_pence},
    )
    result = submit(
        request,
        form,
        lambda data: services.decision_decide(
            actor=me(request),
            decision=decision,
            agreed=data["result"] == "agreed",
            expected_version=data["version"],
            **fields(data, "outcome", "rationale"),
            amount_agreed_pence=data["amount_agreed"] if is_funding else None,
        ),
        aliases={"amount_agreed_pence": "amount_agreed"},
    )
    if result.saved:
        messages.success(request, f"Outcome recorded: {decision.get_status_display().lower()}.")
        return back(decision)
    latest = selectors.decision_detail(request.user, decision_id) if result.conflict else None
    context = {
        "page_title": "Record the outcome",
        "page_has_errors": bool(form.errors),
        "form": form,
        "page": page,
        "decision": decision,
        "is_funding": is_funding,
        "verdict_text": verdict_text(page),
        "latest": latest,
        "breadcrumbs": breadcrumbs(log_crumb(), decision_crumb(decision), ("Outcome", "")),
    }
    return render(request, "decisions/outcome.jinja", context, status=result.status(form))


class _WithANote(Protocol):
    def __call__(self, *, actor: Person, decision: Decision, note: str) -> Decision: ...


def _moved_on_with_a_note(
    request: HttpRequest,
    decision_id: int,
    *,
    rule: str,
    form_class: type[forms.Form],
    record: _WithANote,
    done: str,
    title: str,
    step: str,
    template: str,
    show_holds: bool = False,
) -> HttpResponse:
    """A page that moves the decision on with a note (withdrawn, reviewed): on a valid note the
    service records it and the person goes back to the decision; else the page, with what to
    fix."""
    decision = selectors.decision_get(request.user, decision_id)
    require(request, rule, decision)
    form = form_class(posted(request))
    outcome = submit(
        request,
        form,
        lambda data: record(actor=me(request), decision=decision, note=data["note"]),
    )
    if outcome.saved:
        messages.success(request, done)
        return back(decision)
    context = {
        "page_title": title,
        "page_has_errors": bool(form.errors),
        "form": form,
        "decision": decision,
        "breadcrumbs": breadcrumbs(log_crumb(), decision_crumb(decision), (step, "")),
    }
    if show_holds:
        context["holds"] = selectors.holds_by_decision([decision.pk]).get(decision.pk, [])
    return render(request, template, context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, decision_id: int) -> HttpResponse:
    return _moved_on_with_a_note(
        request,
        decision_id,
        rule="decisions.withdraw",
        form_class=WithdrawForm,
        record=services.decision_withdraw,
        done="The proposal is withdrawn. It stays in the decision log.",
        title="Withdraw this proposal?",
        step="Withdraw",
        template="decisions/withdraw.jinja",
    )


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, decision_id: int) -> HttpResponse:
    return _moved_on_with_a_note(
        request,
        decision_id,
        rule="decisions.review",
        form_class=ReviewForm,
        record=services.decision_review,
        done="The review is recorded.",
        title="Review this decision",
        step="Review",
        template="decisions/review.jinja",
        show_holds=True,
    )
