"""The advice process: the proposer seeks advice from someone, who gives it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST

from roundtable.core import access
from roundtable.core.pages import breadcrumbs, me, posted, require, submit
from roundtable.decisions import selectors, services
from roundtable.decisions.forms import AdviceGiveForm, AdviceRequestForm
from roundtable.decisions.views.common import back, decision_crumb, log_crumb, render
from roundtable.decisions.views.decision import decision_page
from roundtable.directory.models import Person


@require_POST
def advice_request(request: HttpRequest, decision_id: int) -> HttpResponse:
    """Advice process: the proposer names someone to ask for advice."""
    decision = selectors.decision_get(request.user, decision_id)
    require(request, "decisions.seek_advice", decision)
    form = AdviceRequestForm(request.POST, people=access.scoped(request.user, Person))
    outcome = submit(
        request,
        form,
        lambda data: services.advice_request(
            actor=me(request), decision=decision, adviser=data["email"]
        ),
        refusals_on="email",
    )
    if outcome.saved:
        messages.success(request, f"Advice sought from {outcome.value.adviser.full_name}.")
        return back(decision, "#advice")
    return decision_page(request, decision_id, advice_form=form)


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
        return back(decision, "#advice")
    page = selectors.decision_detail(request.user, decision_id)
    context = {
        "page_title": "Give your advice",
        "page_has_errors": bool(form.errors),
        "form": form,
        "decision": decision,
        "revision": page.current_revision,
        "breadcrumbs": breadcrumbs(log_crumb(), decision_crumb(decision), ("Give your advice", "")),
    }
    return render(request, "decisions/advice_give.jinja", context, status=outcome.status(form))
