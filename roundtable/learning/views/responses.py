"""A learning response: the list, its page (its events, the answers to its questions, what made a
difference, who took part, what was learned and its safety actions), the forms that add to it,
removing what was added by mistake, and finishing it.

Every form of the page posts to an address of its own and, when refused, shows the whole page
again with what to fix (400); answers saved by someone else meanwhile are shown beside the
writer's own (409). A finished response no longer changes, but still gains safety actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roundtable.core import access
from roundtable.core.pages import (
    Compared,
    asked_first,
    breadcrumbs,
    choice,
    fields,
    form_status,
    me,
    posted,
    submit,
)
from roundtable.core.templating import date_format
from roundtable.directory import selectors as directory_selectors
from roundtable.directory.models import Person
from roundtable.learning import selectors, services
from roundtable.learning.forms.responses import (
    ActionForm,
    AnswersForm,
    FactorForm,
    ParticipantForm,
    StatementForm,
)
from roundtable.learning.models import (
    ContributoryFactor,
    LearningResponse,
    ResponseStatus,
    WorkSystem,
)
from roundtable.learning.selectors import ResponsePage
from roundtable.learning.selectors.cycles import ramps_from_statements
from roundtable.learning.views._common import _render, learning_crumb, page_of

ANSWERS_CONFLICT = (
    "Someone else saved the answers while you were writing. Nothing has been lost: compare the "
    "two, then save again."
)


def _title(response: LearningResponse) -> str:
    return f"{response.get_kind_display()} held on {date_format(response.held_on)}"


def _crumbs(response: LearningResponse, *more: tuple[str, str]) -> list[dict[str, str]]:
    link = reverse("learning:response", args=[response.pk])
    return breadcrumbs(
        learning_crumb(),
        ("Learning responses", reverse("learning:responses")),
        (_title(response), link if more else ""),
        *more,
    )


def _back(response: LearningResponse) -> HttpResponse:
    return redirect(reverse("learning:response", args=[response.pk]) + "#message")


@require_GET
def response_list(request: HttpRequest) -> HttpResponse:
    """The responses the person sees, newest first, of one of their teams or all of them."""
    teams = list(selectors.teams_recording(me(request)))
    chosen = choice(request, "team", {str(team.pk) for team in teams})
    team = next((t for t in teams if str(t.pk) == chosen), None)
    # With the events each learns from: every event of a response the reader sees is one they
    # see (`learning.access`).
    responses = selectors.response_list(request.user, team).prefetch_related("events")
    context = {
        "page_title": f"Learning responses: {team.name}" if team else "Learning responses",
        "page": page_of(request, responses),
        "teams": teams,
        "team": team,
        "breadcrumbs": breadcrumbs(learning_crumb(), ("Learning responses", "")),
    }
    return _render(request, "learning/responses.jinja", context)


# -- The response's page --------------------------------------------------------------------------


def _answers_initial(response: LearningResponse) -> dict[str, Any]:
    initial = {name: getattr(response, name) for name, _ in response.questions}
    return {**initial, "held_on": response.held_on, "version": response.version}


def _forms(request: HttpRequest, page: ResponsePage, bound: str = "") -> dict[str, forms.Form]:
    """The page's forms, the one named `bound` with what was posted. A finished response takes
    safety actions alone."""
    response = page.response

    def data(name: str) -> Any:
        return posted(request) if name == bound else None

    found: dict[str, forms.Form] = {
        "action": ActionForm(
            data("action"),
            prefix="action",
            owners=selectors.action_owners(response.team),
            statements=page.statements,
        )
    }
    if response.status == ResponseStatus.FINISHED:
        return found
    people = access.scoped(request.user, Person) if bound == "participant" else None
    return {
        "answers": AnswersForm(
            data("answers"), questions=response.questions, initial=_answers_initial(response)
        ),
        "factor": FactorForm(data("factor"), prefix="factor"),
        "participant": ParticipantForm(
            data("participant"),
            prefix="participant",
            people=people,
            organisations=directory_selectors.organisations_for_choice(),
        ),
        "statement": StatementForm(data("statement"), prefix="statement"),
        **found,
    }


def _show(
    request: HttpRequest,
    page: ResponsePage,
    page_forms: dict[str, forms.Form],
    *,
    latest: LearningResponse | None = None,
    compared: list[Compared] | None = None,
    status: int = 200,
) -> HttpResponse:
    response = page.response
    by_element: dict[str, list[ContributoryFactor]] = {value: [] for value in WorkSystem.values}
    for factor in page.factors:
        by_element[factor.element].append(factor)
    context = {
        "page_title": _title(response),
        "page_has_errors": any(f.is_bound and f.errors for f in page_forms.values()),
        "page": page,
        "response": response,
        "finished": response.status == ResponseStatus.FINISHED,
        "forms": page_forms,
        "factor_groups": [
            (WorkSystem(value).label, factors) for value, factors in by_element.items() if factors
        ],
        "colleagues": [p for p in page.participants if not p.compassionate_engagement],
        # The tests of change started from each learning statement.
        "statement_ramps": ramps_from_statements(request.user, [s.pk for s in page.statements]),
        "latest": latest,
        "compared": compared or [],
        "conflict_message": ANSWERS_CONFLICT,
        "breadcrumbs": _crumbs(response),
    }
    return _render(request, "learning/response.jinja", context, status=status)


@require_http_methods(["GET", "POST"])
def response(request: HttpRequest, response_id: int) -> HttpResponse:
    """The response's page; its POST writes the answers to the questions."""
    page = selectors.response_page(request.user, response_id)
    page_forms = _forms(request, page, bound="answers")
    form = page_forms.get("answers")
    if not isinstance(form, AnswersForm):  # finished: its answers no longer change
        if request.method != "POST":
            return _show(request, page, page_forms)
        page_forms["answers"] = refused = _Finished(posted(request))
        refused.full_clean()
        return _show(request, page, page_forms, status=form_status(refused))
    outcome = submit(
        request,
        form,
        lambda data: services.response_update(
            actor=me(request),
            response=page.response,
            expected_version=data["version"],
            held_on=data["held_on"],
            **form.answers(),
        ),
        refusals_on=page.response.questions[0][0],
        stale=ANSWERS_CONFLICT,
    )
    if outcome.saved:
        messages.success(request, "The answers are saved.")
        return _back(page.response)
    if request.method != "POST":
        return _show(request, page, page_forms)
    # What is saved now: a refused write may have left the typed values on the record read.
    saved = selectors.response_get(request.user, response_id, audit=False)
    page = replace(page, response=saved)
    compared = None
    if outcome.conflict:
        compared = [
            Compared(question, getattr(saved, name) or "", form.cleaned_data.get(name) or "")
            for name, question in saved.questions
        ]
        compared.append(
            Compared(
                "Held on",
                date_format(saved.held_on),
                date_format(form.cleaned_data.get("held_on")),
            )
        )
    latest = saved if outcome.conflict else None
    return _show(
        request, page, page_forms, latest=latest, compared=compared, status=outcome.status(form)
    )


# -- Adding to the response -----------------------------------------------------------------------


def _adding(
    name: str,
    save: Callable[[HttpRequest, ResponsePage, Any, dict[str, Any]], object],
    *,
    done: str,
    refusals_on: str,
    aliases: dict[str, str] | None = None,
) -> Callable[[HttpRequest, int], HttpResponse]:
    """The POST of one of the page's forms: `save` (one service call) and back to the page,
    or the page again saying what to fix."""

    @require_POST
    def view(request: HttpRequest, response_id: int) -> HttpResponse:
        page = selectors.response_page(request.user, response_id)
        page_forms = _forms(request, page, bound=name)
        form = page_forms.get(name)
        if form is None:  # finished since the page was read: refused, saying so
            form = page_forms[name] = _Finished(posted(request), prefix=name)
        outcome = submit(
            request,
            form,
            lambda data: save(request, page, form, data),
            aliases=aliases,
            refusals_on=refusals_on,
        )
        if outcome.saved:
            messages.success(request, done)
            return _back(page.response)
        return _show(request, page, page_forms, status=outcome.status(form))

    return view


class _Finished(forms.Form):
    """What stands for a form of a finished response, which the page no longer shows."""

    def clean(self) -> dict[str, Any]:
        raise forms.ValidationError("This response is finished: its record no longer changes.")


factor_add = _adding(
    "factor",
    lambda request, page, form, data: services.factor_add(
        actor=me(request), response=page.response, **fields(data, "element", "note")
    ),
    done="The factor is added.",
    refusals_on="note",
)
participant_add = _adding(
    "participant",
    lambda request, page, form, data: services.participant_add(
        actor=me(request),
        response=page.response,
        person=data["email"],
        **fields(data, "took_part_as", "described_as", "organisation"),
    ),
    done="Who took part is recorded.",
    refusals_on="took_part_as",
    aliases={"person": "email"},
)
statement_add = _adding(
    "statement",
    lambda request, page, form, data: services.statement_add(
        actor=me(request), response=page.response, text=data["text"]
    ),
    done="The learning is recorded.",
    refusals_on="text",
)
action_add = _adding(
    "action",
    lambda request, page, form, data: services.action_add(
        actor=me(request),
        response=page.response,
        **fields(data, "description", "owner", "due_on", "statement"),
    ),
    done="The safety action is agreed.",
    refusals_on="description",
)


# -- Removing what was added, and finishing -------------------------------------------------------


def _remove_page(
    request: HttpRequest,
    response: LearningResponse,
    change: Callable[[], object],
    *,
    done: str,
    title: str,
    what: str,
) -> HttpResponse:
    answer = asked_first(request, change, done)
    if answer.made:
        return _back(response)
    context = {
        "page_title": title,
        "page_has_errors": bool(answer.refusal),
        "response": response,
        "title": title,
        "what": what,
        "error": answer.refusal,
        "breadcrumbs": _crumbs(response, (title, "")),
    }
    return _render(request, "learning/remove.jinja", context, status=answer.status)


@require_http_methods(["GET", "POST"])
def factor_remove(request: HttpRequest, response_id: int, factor_id: int) -> HttpResponse:
    response = selectors.response_get(request.user, response_id, audit=False)
    factor = selectors.factor_get(request.user, response, factor_id)
    return _remove_page(
        request,
        response,
        lambda: services.part_remove(actor=me(request), part=factor),
        done="The factor is removed.",
        title="Remove this factor?",
        what=f"{factor.get_element_display()}: {factor.note}",
    )


@require_http_methods(["GET", "POST"])
def participant_remove(request: HttpRequest, response_id: int, participant_id: int) -> HttpResponse:
    response = selectors.response_get(request.user, response_id, audit=False)
    participant = selectors.participant_get(request.user, response, participant_id)
    who = participant.person.full_name if participant.person else participant.described_as
    return _remove_page(
        request,
        response,
        lambda: services.part_remove(actor=me(request), part=participant),
        done=f"{who} is no longer recorded as taking part.",
        title=f"Remove {who}?",
        what=f"{participant.get_took_part_as_display()}: {who}",
    )


@require_http_methods(["GET", "POST"])
def finish(request: HttpRequest, response_id: int) -> HttpResponse:
    """Asks first; refused, naming them, while any of its questions is unanswered."""
    response = selectors.response_get(request.user, response_id, audit=False)
    answer = asked_first(
        request,
        lambda: services.response_finish(
            actor=me(request), response=response, expected_version=response.version
        ),
        done="The response is finished. It stays as it is; its safety actions carry on.",
    )
    if answer.made:
        return _back(response)
    context = {
        "page_title": "Finish this response?",
        "page_has_errors": bool(answer.refusal),
        "response": response,
        "finished": response.status == ResponseStatus.FINISHED,
        "unanswered": [q for name, q in response.questions if not getattr(response, name)],
        "error": answer.refusal,
        "breadcrumbs": _crumbs(response, ("Finish", "")),
    }
    return _render(request, "learning/finish.jinja", context, status=answer.status)
