"""Support after an event, on the event's page: a leader offers it, the person answers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from roundtable.core.pages import fields, me, posted, submit
from roundtable.learning import selectors
from roundtable.learning.forms.support import SupportAnswerForm, SupportOfferForm
from roundtable.learning.models import TakenUp
from roundtable.learning.selectors import support as support_selectors
from roundtable.learning.services import support as services
from roundtable.learning.views.events import show_event

ANSWER_CONFLICT = (
    "You answered this offer on another page or device since this one was opened. "
    "Choose again to change your answer."
)


def _back(event_id: int) -> HttpResponse:
    return redirect(reverse("learning:event", args=[event_id]) + "#support")


@require_POST
def support_offer(request: HttpRequest, event_id: int) -> HttpResponse:
    page = selectors.event_page(request.user, event_id)
    support = support_selectors.event_support(request.user, page.event)
    if not support.may_offer:
        raise PermissionDenied
    form = SupportOfferForm(posted(request), people=support.people, sessions=support.sessions)
    outcome = submit(
        request,
        form,
        lambda data: services.support_offer(
            actor=me(request), event=page.event, **fields(data, "person", "what", "session")
        ),
        refusals_on="person",
    )
    if outcome.saved:
        messages.success(request, f"Support is offered to {outcome.value.offer.person.full_name}.")
        return _back(page.event.pk)
    return show_event(request, page, bound=form, status=outcome.status(form))


@require_POST
def support_answer(request: HttpRequest, support_id: int) -> HttpResponse:
    """The person offered support answers. Someone who may not see the event itself (one about a
    person in care they do not see) answers from wellbeing's list of support offered to them."""
    found = support_selectors.support_get(request.user, support_id)
    form = SupportAnswerForm(posted(request), prefix=f"support-{found.pk}")
    outcome = submit(
        request,
        form,
        lambda data: services.support_answer(
            actor=me(request),
            support=found,
            expected_version=data["version"],
            taken_up=data["taken_up"],
        ),
        refusals_on="taken_up",
        stale=ANSWER_CONFLICT,
    )
    if outcome.saved:
        messages.success(
            request,
            "Thank you: your leadership team knows you are taking up the offer."
            if outcome.value.taken_up == TakenUp.ACCEPTED
            else "Thank you: your leadership team knows. You can change your mind here.",
        )
    try:
        page = selectors.event_page(request.user, found.event_id)
    except Http404:
        return redirect("wellbeing:support-offered")
    if outcome.saved:
        return _back(page.event.pk)
    return show_event(request, page, bound=form, status=outcome.status(form))
