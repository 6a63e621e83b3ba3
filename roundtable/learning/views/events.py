"""Events: the list, recording one, an event's page (where a learning response to it is started)
and starting a thematic review across several."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from roundtable.care import selectors as care_selectors
from roundtable.core.pages import breadcrumbs, choice, fields, me, posted, submit
from roundtable.learning import selectors, services
from roundtable.learning.forms.responses import EventForm, StartResponseForm, ThematicForm
from roundtable.learning.forms.support import SupportAnswerForm, SupportOfferForm
from roundtable.learning.models import LearningResponse, ResponseKind
from roundtable.learning.selectors import support as support_selectors
from roundtable.learning.views._common import _render, learning_crumb, page_of
from roundtable.learning.views.home import THEMATIC_LEAST


def _events_crumb() -> tuple[str, str]:
    return ("Events", reverse("learning:events"))


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """The events the person sees, newest first, of one of their teams or all of them."""
    teams = list(selectors.teams_recording(me(request)))
    chosen = choice(request, "team", {str(team.pk) for team in teams})
    team = next((t for t in teams if str(t.pk) == chosen), None)
    context = {
        "page_title": f"Events: {team.name}" if team else "Events",
        "page": page_of(request, selectors.event_list(request.user, team)),
        "teams": teams,
        "team": team,
        "breadcrumbs": breadcrumbs(learning_crumb(), ("Events", "")),
    }
    return _render(request, "learning/events.jinja", context)


@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    user = me(request)
    teams = list(selectors.teams_recording(user))
    people = list(care_selectors.people_in_care(user))
    form = EventForm(posted(request), teams=teams, people=people)
    outcome = submit(
        request,
        form,
        lambda data: services.event_record(
            actor=user,
            **fields(data, "team", "kind", "title", "what_happened", "happened_on", "place"),
            person=data["person"],
        ),
    )
    if outcome.saved:
        messages.success(
            request, "The event is recorded. Next, choose how the team learns from it."
        )
        return redirect("learning:event", outcome.value.pk)
    # The names offered to choose from are a list of people shown.
    care_selectors.audit_people_shown(
        user, (person.pk for person in people), "People in care offered for a learning event"
    )
    context = {
        "page_title": "Record an event",
        "page_has_errors": bool(form.errors),
        "form": form,
        "teams": teams,
        "breadcrumbs": breadcrumbs(learning_crumb(), _events_crumb(), ("Record an event", "")),
    }
    return _render(request, "learning/event_new.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def event(request: HttpRequest, event_id: int) -> HttpResponse:
    """The facts, the responses to it that the person sees, and starting one."""
    page = selectors.event_page(request.user, event_id)
    form = StartResponseForm(posted(request), initial={"held_on": selectors.today()})

    def start(data: dict[str, Any]) -> LearningResponse:
        return services.response_start(
            actor=me(request), events=[page.event], **fields(data, "kind", "held_on")
        )

    outcome = submit(request, form, start, refusals_on="kind")
    if outcome.saved:
        messages.success(request, f"{outcome.value.get_kind_display()} started.")
        return redirect("learning:response", outcome.value.pk)
    return show_event(request, page, bound=form, status=outcome.status(form))


def show_event(
    request: HttpRequest, page: selectors.EventPage, *, bound: Form | None = None, status: int = 200
) -> HttpResponse:
    """The event's page, with `bound` — the form just posted, if any — in place of its blank
    twin: starting a response, offering support, or answering an offer (`views.support`)."""
    support = support_selectors.event_support(request.user, page.event)
    forms: dict[str, Form] = {"start": StartResponseForm(initial={"held_on": selectors.today()})}
    if support.may_offer:
        forms["offer"] = SupportOfferForm(people=support.people, sessions=support.sessions)
    for mine in support.mine(request.user):
        forms[f"support-{mine.pk}"] = SupportAnswerForm(
            prefix=f"support-{mine.pk}", initial={"version": mine.version}
        )
    if bound is not None:
        forms[bound.prefix or ("offer" if isinstance(bound, SupportOfferForm) else "start")] = bound
    context = {
        "page_title": page.event.title,
        "page_has_errors": bound is not None and bool(bound.errors),
        "page": page,
        "event": page.event,
        "form": forms["start"],
        "forms": forms,
        "support": support,
        "breadcrumbs": breadcrumbs(learning_crumb(), _events_crumb(), (page.event.title, "")),
    }
    return _render(request, "learning/event.jinja", context, status=status)


@require_http_methods(["GET", "POST"])
def thematic_new(request: HttpRequest) -> HttpResponse:
    """A thematic review across two or more events of teams the person leads."""
    events = list(selectors.events_for_thematic(me(request)))
    form = ThematicForm(posted(request), events=events, initial={"held_on": selectors.today()})
    outcome = submit(
        request,
        form,
        lambda data: services.response_start(
            actor=me(request),
            kind=ResponseKind.THEMATIC_REVIEW,
            events=form.chosen(),
            **fields(data, "team", "held_on"),
        ),
        refusals_on="team",
    )
    if outcome.saved:
        messages.success(request, "Thematic review started.")
        return redirect("learning:response", outcome.value.pk)
    context = {
        "page_title": "Start a thematic review",
        "page_has_errors": bool(form.errors),
        "form": form,
        "enough": len(events) >= THEMATIC_LEAST,
        "breadcrumbs": breadcrumbs(learning_crumb(), ("Start a thematic review", "")),
    }
    return _render(request, "learning/thematic_new.jinja", context, status=outcome.status(form))
