"""Taking a position on a decision, and the consent round in its meeting."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST

from roundtable.core.pages import breadcrumbs, fields, me, posted, require, submit
from roundtable.decisions import selectors, services
from roundtable.decisions.forms import ConsentRoundForm, PositionForm
from roundtable.decisions.views.common import back, decision_crumb, log_crumb, render
from roundtable.decisions.views.decision import decision_page


@require_POST
def position_take(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = selectors.decision_get(request.user, decision_id)
    form = PositionForm(request.POST)
    outcome = submit(
        request,
        form,
        lambda data: services.position_take(
            actor=me(request), decision=decision, **fields(data, "stance", "reason")
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
        return back(decision, "#message")
    return decision_page(request, decision_id, position_form=form)


@require_http_methods(["GET", "POST"])
def consent_round(request: HttpRequest, decision_id: int) -> HttpResponse:
    """A quick round in the decision's meeting: one radio group per person present there."""
    page = selectors.decision_detail(request.user, decision_id)
    decision = page.decision
    require(request, "decisions.run_round", decision)
    meeting = decision.meeting
    if meeting is None:
        messages.error(request, "This decision is not linked to a meeting, so there is no round.")
        return back(decision)
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
        return back(decision, "#positions")
    context = {
        "page_title": "Consent round in the meeting",
        "page_has_errors": bool(form.errors),
        "form": form,
        "decision": decision,
        "meeting": meeting,
        "revision": page.current_revision,
        "can_record_attendance": request.user.has_perm("forums.change_forum", decision.forum),
        "breadcrumbs": breadcrumbs(log_crumb(), decision_crumb(decision), ("Consent round", "")),
    }
    return render(request, "decisions/round.jinja", context, status=outcome.status(form))
