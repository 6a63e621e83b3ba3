"""Holding a decision: a leader whose leadership team covers the forum stands behind it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from roundtable.core.pages import breadcrumbs, me, posted, require, submit
from roundtable.decisions import selectors, services
from roundtable.decisions.forms import HOLD_MESSAGE, HoldForm
from roundtable.decisions.views.common import back, decision_crumb, log_crumb, render


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
        return back(decision)
    membership = selectors.covering_leadership(decision, me(request))
    context = {
        "page_title": "Hold this decision",
        "page_has_errors": bool(form.errors),
        "form": form,
        "decision": decision,
        "leadership_team": membership.leadership_team if membership else None,
        "holds": selectors.holds_by_decision([decision.pk]).get(decision.pk, []),
        "breadcrumbs": breadcrumbs(log_crumb(), decision_crumb(decision), ("Hold", "")),
    }
    return render(request, "decisions/hold.jinja", context, status=outcome.status(form))
