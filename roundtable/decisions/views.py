"""Decision pages: the log, proposing, the decision and its actions, budgets, allocation rounds
and notices. Each view parses with a form, calls a selector or service, and renders."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roundtable.core import access
from roundtable.core.pages import (
    allowed,
    breadcrumbs,
    form_status,
    me,
    posted,
    renderer,
    require,
    submit,
)
from roundtable.core.templating import querystring
from roundtable.decisions import selectors, services
from roundtable.decisions.forms import (
    HOLD_MESSAGE,
    STANCE_HINTS,
    AdviceGiveForm,
    AdviceRequestForm,
    AllocationRoundForm,
    ApprovalForm,
    BudgetForm,
    CommentForm,
    ConsentRoundForm,
    DecisionFilterForm,
    HoldForm,
    OutcomeForm,
    PositionForm,
    ProposeForm,
    ReviewForm,
    ReviseForm,
    WithdrawForm,
)
from roundtable.decisions.models import (
    Decision,
    DecisionKind,
    DecisionMethod,
    Position,
    Stance,
)
from roundtable.decisions.rules_engine import Participant
from roundtable.directory.models import OrganisationKind, Person
from roundtable.forums import selectors as forum_selectors
from roundtable.forums.models import Forum

# The order positions are listed in: what blocks first, then what needs working on.
STANCE_ORDER = [
    Stance.OBJECTION,
    Stance.CONCERN,
    Stance.CONSENT,
    Stance.STAND_ASIDE,
    Stance.ABSTAIN,
]

# What "can be agreed" means for each method, completing "Can be agreed: …".
RULE_MET = {
    DecisionMethod.CONSENT: "nobody objects, and at least one person consents.",
    DecisionMethod.CONSENSUS: "everyone who took a position consents.",
    DecisionMethod.ADVICE: "advice has been given, and the proposer decides.",
    DecisionMethod.VOTE: "the quorum is met and enough of the votes are in favour.",
}


def _log_crumb() -> tuple[str, str]:
    return ("Decisions", reverse("decisions:log"))


def _decision_crumb(decision: Decision) -> tuple[str, str]:
    return (decision.title, reverse("decisions:decision", args=[decision.pk]))


def _forum_crumbs(forum: Forum) -> list[tuple[str, str]]:
    return [
        ("Forums", reverse("forums:list")),
        (forum.name, reverse("forums:forum", args=[forum.pk])),
    ]


_render = renderer("decisions", {"pounds": services.pounds})


def _back(decision: Decision, anchor: str = "") -> HttpResponse:
    return redirect(reverse("decisions:decision", args=[decision.pk]) + anchor)


# -- The decision log ---------------------------------------------------------------------------


def _filters(form: DecisionFilterForm) -> selectors.DecisionFilter:
    """The filters that are valid; one that is not (an unknown forum) is ignored."""
    if not form.is_bound:
        return selectors.DecisionFilter()
    form.is_valid()
    data = form.cleaned_data
    return selectors.DecisionFilter(
        q=(data.get("q") or "").strip(),
        forum=data.get("forum"),
        kind=data.get("kind") or "",
        status=data.get("status") or "",
        mine=bool(data.get("mine")),
    )


def _export_url(request: HttpRequest) -> str:
    query = querystring(request, page=None)
    return reverse("decisions:export") + (query if query != "?" else "")


@require_GET
def decision_log(request: HttpRequest) -> HttpResponse:
    form = DecisionFilterForm(request.GET or None, forums=selectors.forum_choices())
    filters = _filters(form)
    decisions = selectors.decision_log(request.user, filters)
    page = Paginator(decisions, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_title": "Decisions",
        "form": form,
        "page": page,
        "holds": selectors.holds_by_decision([d.pk for d in page.object_list]),
        "missing": selectors.missing_voices(page.object_list),
        "filtered": filters != selectors.DecisionFilter(),
        "export_url": _export_url(request),
        "breadcrumbs": breadcrumbs(("Decisions", "")),
    }
    htmx = getattr(request, "htmx", False)
    template = "decisions/_log_results.jinja" if htmx else "decisions/log.jinja"
    response = _render(request, template, context)
    # The same URL answers with a page or a fragment, so caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


class _Echo:
    """A write-only buffer: csv.writer hands back each line for streaming."""

    def write(self, value: str) -> str:
        return value


def _safe_cell(value: str) -> str:
    # A cell starting like a formula is run by spreadsheets: make it plain text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@require_GET
def decision_export(request: HttpRequest) -> StreamingHttpResponse:
    """The decision log as CSV, with the same filters as the page, streamed."""
    form = DecisionFilterForm(request.GET or None, forums=selectors.forum_choices())
    decisions = selectors.decision_log(request.user, _filters(form))
    writer = csv.writer(_Echo())
    lines: Iterator[str] = (
        writer.writerow([_safe_cell(cell) for cell in row])
        for row in selectors.decision_log_rows(decisions)
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="roundtable-decisions-{stamp}.csv"'
    return response


# -- Proposing ----------------------------------------------------------------------------------

PROPOSE_ALIASES = {"amount_requested_pence": "amount", "closes_at": "closes_on"}


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
            kind=data["kind"],
            method=data["method"],
            title=data["title"],
            proposal=data["proposal"],
            closes_at=data["closes_at"],
            review_on=data["review_on"],
            meeting=data["meeting"],
            budget=data["budget"],
            amount_requested_pence=data["amount"],
            vote_threshold_percent=data["vote_threshold_percent"],
            vote_quorum=data["vote_quorum"],
        ),
        aliases=PROPOSE_ALIASES,
    )
    if outcome.saved:
        messages.success(
            request,
            "Your proposal is open. Members of the forum have been asked for their position.",
        )
        return _back(outcome.value)
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
        "breadcrumbs": breadcrumbs(*_forum_crumbs(forum), ("Propose a decision", "")),
    }
    return _render(request, "decisions/propose.jinja", context, status=status)


# -- The decision page --------------------------------------------------------------------------


@dataclass
class TookPart:
    """Who took part in a decision, for the representation panel."""

    people: list[Participant]
    by_discipline: list[tuple[str, list[str]]]
    by_organisation_kind: list[tuple[str, list[str]]]
    by_role: list[tuple[str, list[str]]]


def _grouped(people: Iterable[Participant], key: Any) -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for person in people:
        # A guest known only by name is marked, so nobody looks for them in the directory.
        name = f"{person.name} (guest)" if person.is_named_guest else person.name
        groups.setdefault(key(person), []).append(name)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def _took_part(page: selectors.DecisionPage) -> TookPart:
    people = page.participants
    kinds = dict(OrganisationKind.choices)
    return TookPart(
        people,
        _grouped(people, lambda p: p.discipline_name or "Not recorded"),
        _grouped(
            people,
            lambda p: (
                kinds.get(p.organisation_kind, p.organisation_kind)
                if p.organisation_kind
                else "Not recorded"
            ),
        ),
        # Job titles and guests' roles, when anyone has one recorded (role, not grade: anyone
        # may propose).
        _grouped(people, lambda p: p.role or "Not recorded") if any(p.role for p in people) else [],
    )


def _verdict_text(page: selectors.DecisionPage) -> str:
    if page.verdict.can_agree:
        return "Can be agreed: " + RULE_MET[DecisionMethod(page.decision.method)]
    reason = page.verdict.reason
    return "Cannot be agreed yet: " + reason[:1].lower() + reason[1:]


def _by_stance(positions: list[Position]) -> list[tuple[str, str, list[Position]]]:
    return [
        (stance.value, stance.label, [p for p in positions if p.stance == stance])
        for stance in STANCE_ORDER
    ]


def _offers(request: HttpRequest, decision: Decision) -> dict[str, bool]:
    names = ["position", "revise", "withdraw", "outcome", "review", "hold", "round", "advice"]
    offers = {name: allowed(request, f"decisions.offer_{name}", decision) for name in names}
    offers["comment"] = allowed(request, "decisions.comment", decision)
    return offers


def _decision_context(request: HttpRequest, page: selectors.DecisionPage) -> dict[str, Any]:
    decision = page.decision
    user = me(request)
    offers = _offers(request, decision)
    if offers["hold"] and any(h.leader_id == user.pk for h in page.holds):
        offers["hold"] = False
    mine = page.position_of(user.pk)
    my_earlier = next((p for p in page.earlier_positions if p.person_id == user.pk), None)
    representation = page.representation
    return {
        "page_title": decision.title,
        "page": page,
        "decision": decision,
        "revision": page.current_revision,
        "earlier_revisions": list(reversed(page.revisions[:-1])),
        "offers": offers,
        "mine": mine,
        "my_earlier": my_earlier if mine is None else None,
        "by_stance": _by_stance(page.current_positions),
        "verdict_text": _verdict_text(page),
        "took_part": _took_part(page),
        "missing": list(representation.missing) if representation else [],
        "stance_hints": {str(k): v for k, v in STANCE_HINTS.items()},
        "my_advice_requests": [
            a for a in page.advice if a.adviser_id == user.pk and a.given_at is None
        ],
        "breadcrumbs": breadcrumbs(_log_crumb(), (decision.title, "")),
    }


def _decision_page(
    request: HttpRequest,
    decision_id: int,
    *,
    position_form: PositionForm | None = None,
    comment_form: CommentForm | None = None,
    advice_form: AdviceRequestForm | None = None,
) -> HttpResponse:
    page = selectors.decision_detail(request.user, decision_id)
    context = _decision_context(request, page)
    mine = context["mine"]
    if position_form is None:
        initial = {"stance": mine.stance, "reason": mine.reason} if mine else None
        position_form = PositionForm(initial=initial)
    context.update(
        {
            "position_form": position_form,
            "comment_form": comment_form or CommentForm(),
            "advice_form": advice_form or AdviceRequestForm(people=None),
            "page_has_errors": any(
                f is not None and f.is_bound and f.errors
                for f in (position_form, comment_form, advice_form)
            ),
        }
    )
    status = form_status(position_form, comment_form, advice_form)
    return _render(request, "decisions/decision.jinja", context, status=status)


@require_GET
def decision_detail(request: HttpRequest, decision_id: int) -> HttpResponse:
    return _decision_page(request, decision_id)


@require_POST
def position_take(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = selectors.decision_get(request.user, decision_id)
    form = PositionForm(request.POST)
    outcome = submit(
        request,
        form,
        lambda data: services.position_take(
            actor=me(request), decision=decision, stance=data["stance"], reason=data["reason"]
        ),
    )
    if outcome.saved:
        position = outcome.value
        assert position is not None
        messages.success(
            request,
            f"Your position is recorded: {position.get_stance_display().lower()}, on revision "
            f"{position.revision}.",
        )
        # To the confirmation, which takes the focus (layout.jinja): it is read out, and the
        # keyboard goes on from the top of the decision, not from wherever the form was.
        return _back(decision, "#message")
    return _decision_page(request, decision_id, position_form=form)


@require_POST
def comment_add(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = selectors.decision_get(request.user, decision_id)
    form = CommentForm(request.POST)
    outcome = submit(
        request,
        form,
        lambda data: services.comment_add(actor=me(request), decision=decision, body=data["body"]),
    )
    if outcome.saved:
        messages.success(request, "Your comment is added.")
        return _back(decision, "#discussion")
    return _decision_page(request, decision_id, comment_form=form)


@require_POST
def advice_request(request: HttpRequest, decision_id: int) -> HttpResponse:
    """Advice process: the proposer names someone to ask for advice."""
    decision = selectors.decision_get(request.user, decision_id)
    require(request, "decisions.seek_advice", decision)
    form = AdviceRequestForm(request.POST, people=access.scoped(request.user, Person))
    if form.is_valid():
        adviser = form.cleaned_data["email"]
        try:
            services.advice_request(actor=me(request), decision=decision, adviser=adviser)
        except ValidationError as error:
            form.add_error("email", error.messages)
        else:
            messages.success(request, f"Advice sought from {adviser.full_name}.")
            return _back(decision, "#advice")
    return _decision_page(request, decision_id, advice_form=form)


@require_http_methods(["GET", "POST"])
def advice_give(request: HttpRequest, decision_id: int, advice_id: int) -> HttpResponse:
    decision = selectors.decision_get(request.user, decision_id)
    asked = selectors.advice_request_get(decision, advice_id)
    if asked.adviser_id != request.user.pk:
        raise PermissionDenied
    form = AdviceGiveForm(posted(request), initial={"advice": asked.advice})
    outcome = submit(
        request,
        form,
        lambda data: services.advice_give(actor=me(request), request=asked, advice=data["advice"]),
    )
    if outcome.saved:
        messages.success(request, "Thank you: your advice is recorded.")
        return _back(decision, "#advice")
    page = selectors.decision_detail(request.user, decision_id)
    context = {
        "page_title": "Give your advice",
        "page_has_errors": bool(form.errors),
        "form": form,
        "decision": decision,
        "revision": page.current_revision,
        "breadcrumbs": breadcrumbs(
            _log_crumb(), _decision_crumb(decision), ("Give your advice", "")
        ),
    }
    return _render(request, "decisions/advice_give.jinja", context, status=outcome.status(form))


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
            proposal=data["proposal"],
            change_note=data["change_note"],
            expected_version=data["version"],
        ),
    )
    if outcome.saved:
        messages.success(
            request,
            f"Revision {outcome.value.number} is the proposal now. Members have been asked for "
            "their position on it.",
        )
        return _back(decision)
    latest = selectors.decision_detail(request.user, decision_id) if outcome.conflict else None
    context = {
        "page_title": "Revise the proposal",
        "page_has_errors": bool(form.errors),
        "form": form,
        "page": page,
        "decision": decision,
        "latest": latest,
        "by_stance": _by_stance(page.current_positions),
        "breadcrumbs": breadcrumbs(_log_crumb(), _decision_crumb(decision), ("Revise", "")),
    }
    return _render(request, "decisions/revise.jinja", context, status=outcome.status(form))


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
            outcome=data["outcome"],
            rationale=data["rationale"],
            expected_version=data["version"],
            amount_agreed_pence=data["amount_agreed"] if is_funding else None,
        ),
        aliases={"amount_agreed_pence": "amount_agreed"},
    )
    if result.saved:
        messages.success(request, f"Outcome recorded: {decision.get_status_display().lower()}.")
        return _back(decision)
    latest = selectors.decision_detail(request.user, decision_id) if result.conflict else None
    context = {
        "page_title": "Record the outcome",
        "page_has_errors": bool(form.errors),
        "form": form,
        "page": page,
        "decision": decision,
        "is_funding": is_funding,
        "verdict_text": _verdict_text(page),
        "latest": latest,
        "breadcrumbs": breadcrumbs(_log_crumb(), _decision_crumb(decision), ("Outcome", "")),
    }
    return _render(request, "decisions/outcome.jinja", context, status=result.status(form))


@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = selectors.decision_get(request.user, decision_id)
    require(request, "decisions.withdraw", decision)
    form = WithdrawForm(posted(request))
    outcome = submit(
        request,
        form,
        lambda data: services.decision_withdraw(
            actor=me(request), decision=decision, note=data["note"]
        ),
    )
    if outcome.saved:
        messages.success(request, "The proposal is withdrawn. It stays in the decision log.")
        return _back(decision)
    context = {
        "page_title": "Withdraw this proposal?",
        "page_has_errors": bool(form.errors),
        "form": form,
        "decision": decision,
        "breadcrumbs": breadcrumbs(_log_crumb(), _decision_crumb(decision), ("Withdraw", "")),
    }
    return _render(request, "decisions/withdraw.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = selectors.decision_get(request.user, decision_id)
    require(request, "decisions.review", decision)
    form = ReviewForm(posted(request))
    outcome = submit(
        request,
        form,
        lambda data: services.decision_review(
            actor=me(request), decision=decision, note=data["note"]
        ),
    )
    if outcome.saved:
        messages.success(request, "The review is recorded.")
        return _back(decision)
    context = {
        "page_title": "Review this decision",
        "page_has_errors": bool(form.errors),
        "form": form,
        "decision": decision,
        "holds": selectors.holds_by_decision([decision.pk]).get(decision.pk, []),
        "breadcrumbs": breadcrumbs(_log_crumb(), _decision_crumb(decision), ("Review", "")),
    }
    return _render(request, "decisions/review.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def hold(request: HttpRequest, decision_id: int) -> HttpResponse:
    """A leader whose leadership team covers the forum holds an agreed decision."""
    decision = selectors.decision_get(request.user, decision_id)
    require(request, "decisions.hold", decision)
    form = HoldForm(posted(request), initial={"message": HOLD_MESSAGE})
    outcome = submit(
        request,
        form,
        lambda data: services.hold_add(
            actor=me(request), decision=decision, message=data["message"]
        ),
    )
    if outcome.saved:
        messages.success(request, "You hold this decision. Everyone who sees it sees your message.")
        return _back(decision)
    membership = services.covering_leadership(decision, me(request))
    context = {
        "page_title": "Hold this decision",
        "page_has_errors": bool(form.errors),
        "form": form,
        "decision": decision,
        "leadership_team": membership.leadership_team if membership else None,
        "holds": selectors.holds_by_decision([decision.pk]).get(decision.pk, []),
        "breadcrumbs": breadcrumbs(_log_crumb(), _decision_crumb(decision), ("Hold", "")),
    }
    return _render(request, "decisions/hold.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def consent_round(request: HttpRequest, decision_id: int) -> HttpResponse:
    """A quick round in the decision's meeting: one radio group per person present there."""
    page = selectors.decision_detail(request.user, decision_id)
    decision = page.decision
    require(request, "decisions.run_round", decision)
    meeting = decision.meeting
    if meeting is None:
        messages.error(request, "This decision is not linked to a meeting, so there is no round.")
        return _back(decision)
    people = sorted(
        (a.person for a in page.participants_present if a.person is not None),
        key=lambda p: (p.full_name, p.pk),
    )
    initial: dict[str, str] = {}
    for position in page.current_positions:
        initial[f"stance_{position.person_id}"] = position.stance
        initial[f"reason_{position.person_id}"] = position.reason
    form = ConsentRoundForm(posted(request), people=people, initial=initial)
    outcome = submit(
        request,
        form,
        lambda data: services.consent_round(
            actor=me(request), decision=decision, meeting=meeting, positions=form.positions()
        ),
    )
    if outcome.saved:
        count = len(outcome.value)
        messages.success(
            request,
            f"Positions recorded for {count} {'person' if count == 1 else 'people'} present "
            "at the meeting.",
        )
        return _back(decision, "#positions")
    context = {
        "page_title": "Consent round in the meeting",
        "page_has_errors": bool(form.errors),
        "form": form,
        "decision": decision,
        "meeting": meeting,
        "revision": page.current_revision,
        "can_record_attendance": request.user.has_perm("forums.change_forum", decision.forum),
        "breadcrumbs": breadcrumbs(_log_crumb(), _decision_crumb(decision), ("Consent round", "")),
    }
    return _render(request, "decisions/round.jinja", context, status=outcome.status(form))


# -- Budgets and participatory allocation -------------------------------------------------------


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
            name=data["name"],
            period_start=data["period_start"],
            period_end=data["period_end"],
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
        "breadcrumbs": breadcrumbs(*_forum_crumbs(forum), ("Budgets", "")),
    }
    return _render(request, "decisions/budgets.jinja", context, status=outcome.status(form))


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
            title=data["title"],
            closes_at=data["closes_at"],
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
            *_forum_crumbs(forum),
            ("Budgets", reverse("decisions:budgets", args=[forum.pk])),
            ("Start an allocation round", ""),
        ),
    }
    return _render(request, "decisions/round_new.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def allocation(request: HttpRequest, round_id: int) -> HttpResponse:
    """Members tick the proposals they approve; the results follow the published rule."""
    page = selectors.allocation_detail(request.user, round_id)
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
            *_forum_crumbs(forum),
            ("Budgets", reverse("decisions:budgets", args=[forum.pk])),
            (allocation.title, ""),
        ),
    }
    return _render(request, "decisions/allocation.jinja", context, status=outcome.status(form))


# -- Notices ------------------------------------------------------------------------------------


@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    notices = selectors.notifications_for(request.user)
    context = {
        "page_title": "Your notices",
        "notices": notices,
        "holds": selectors.holds_by_decision(sorted({n.decision_id for n in notices})),
        "breadcrumbs": breadcrumbs(_log_crumb(), ("Your notices", "")),
    }
    return _render(request, "decisions/notifications.jinja", context)


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    count = services.notification_read_all(actor=me(request))
    if count:
        messages.success(request, "All your notices are marked as read.")
    return redirect("decisions:notifications")


# -- Home page section --------------------------------------------------------------------------


def home_section(request: HttpRequest) -> SafeString:
    """Decisions awaiting the person's position, and their unread notices."""
    awaiting = selectors.awaiting_my_position(request.user)
    notices = selectors.notifications_for(request.user)
    ids = sorted({d.pk for d in awaiting} | {n.decision_id for n in notices})
    context = {
        "awaiting": awaiting,
        "notices": notices[:5],
        "unread": selectors.unread_count(request.user) if notices else 0,
        "holds": selectors.holds_by_decision(ids),
    }
    return SafeString(render_to_string("decisions/_home_section.jinja", context, request=request))
