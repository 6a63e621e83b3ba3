"""Tests of change: the list, starting one (perhaps from a learning statement), and a ramp's page
with its Plan-Do-Study-Act cycles and the forms that write the open cycle, start trying it, close
it (study and act) and plan the next one.

Every form of the ramp's page posts to an address of its own and, when refused, shows the whole
page again with what to fix (400); a cycle saved by someone else meanwhile is shown beside what
was typed (409).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roundtable.core.pages import Compared, breadcrumbs, choice, fields, me, posted, submit
from roundtable.learning import selectors
from roundtable.learning.forms.cycles import (
    AIM_LENGTH,
    CloseForm,
    CycleForm,
    CycleVersionForm,
    NextCycleForm,
    RampForm,
)
from roundtable.learning.models import Act, ChangeCycle, CycleStatus, Ramp
from roundtable.learning.selectors import cycles as cycle_selectors
from roundtable.learning.selectors.cycles import RampPage
from roundtable.learning.services import cycles as services
from roundtable.learning.views._common import _render, learning_crumb, page_of

CYCLE_CONFLICT = (
    "Someone else saved this cycle while you were writing. Nothing has been lost: compare, then "
    "save again."
)
# A cycle's parts, as its page labels them.
PLAN = (
    ("change", "Change"),
    ("prediction", "Prediction"),
    ("measure", "Measure"),
    ("plan", "Plan"),
)
# The act's words alone ("Adopt"), beside the label that says what it means.
ACT_WORDS = {value: str(label).split(":")[0] for value, label in Act.choices}


def _helpers() -> dict[str, Any]:
    return {
        "act_words": ACT_WORDS,
        "status_words": dict(CycleStatus.choices),
    }


def _aim(ramp: Ramp) -> str:
    return Truncator(ramp.aim).chars(60)


def _list_crumb() -> tuple[str, str]:
    return ("Tests of change", reverse("learning:ramps"))


def _back(ramp_id: int, anchor: str = "message") -> HttpResponse:
    return redirect(reverse("learning:ramp", args=[ramp_id]) + f"#{anchor}")


@require_GET
def ramp_list(request: HttpRequest) -> HttpResponse:
    """The tests of change the person sees, newest first, of one of their teams or all."""
    teams = list(selectors.teams_recording(me(request)))
    chosen = choice(request, "team", {str(team.pk) for team in teams})
    team = next((t for t in teams if str(t.pk) == chosen), None)
    context = {
        "page_title": f"Tests of change: {team.name}" if team else "Tests of change",
        "page": page_of(request, cycle_selectors.ramp_list(request.user, team)),
        "teams": teams,
        "team": team,
        "breadcrumbs": breadcrumbs(learning_crumb(), ("Tests of change", "")),
        **_helpers(),
    }
    return _render(request, "learning/ramps.jinja", context)


def _statement_id(request: HttpRequest) -> int | None:
    raw = (request.POST if request.method == "POST" else request.GET).get("statement", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


@require_http_methods(["GET", "POST"])
def ramp_new(request: HttpRequest) -> HttpResponse:
    """The aim and the first cycle's plan; from a learning statement, its words as the aim."""
    user = me(request)
    teams = list(selectors.teams_recording(user))
    statement = cycle_selectors.statement_find(user, _statement_id(request))
    initial: dict[str, Any] = {}
    if request.method != "POST" and "statement" in request.GET:
        if statement is None:  # a link to a statement the person may not see, or none
            raise Http404("No learning statement found.")
        initial = {"aim": statement.text[:AIM_LENGTH], "statement": statement.pk}
        if statement.response.team in teams:
            initial["team"] = statement.response.team_id
    form = RampForm(posted(request), teams=teams, statement=statement, initial=initial)
    outcome = submit(
        request,
        form,
        lambda data: services.ramp_start(
            actor=user,
            **fields(data, "team", "aim", "change", "prediction", "measure", "plan", "statement"),
        ),
        refusals_on="aim",
    )
    if outcome.saved:
        messages.success(request, "The test of change is started. Cycle 1 is planned.")
        return _back(outcome.value.pk)
    context = {
        "page_title": "Start a test of change",
        "page_has_errors": bool(form.errors),
        "form": form,
        "teams": teams,
        "statement": statement,
        "breadcrumbs": breadcrumbs(learning_crumb(), _list_crumb(), ("Start a test of change", "")),
    }
    return _render(request, "learning/ramp_new.jinja", context, status=outcome.status(form))


# -- A ramp's page ------------------------------------------------------------------------------


def _cycle_form(name: str, data: Any, cycle: ChangeCycle) -> forms.Form:
    """One of the forms for a cycle, bound to `data` (or not, with what is saved now)."""
    if name == "cycle":
        texts = {field: getattr(cycle, field) for field in services.TEXTS}
        return CycleForm(
            data, prefix=name, cycle=cycle, initial={**texts, "version": cycle.version}
        )
    if name == "start":
        return CycleVersionForm(data, prefix=name, initial={"version": cycle.version})
    return CloseForm(
        data,
        prefix=name,
        initial={"what_happened": cycle.what_happened, "version": cycle.version},
    )


def _forms(page: RampPage) -> dict[str, forms.Form]:
    """The page's forms as it is saved now: for its open cycle, or to plan the next."""
    cycle = page.open_cycle
    if cycle is None:
        return {"next": NextCycleForm(None, prefix="next")}
    moving = "start" if cycle.status == CycleStatus.PLANNED else "close"
    return {name: _cycle_form(name, None, cycle) for name in ("cycle", moving)}


def _show(
    request: HttpRequest,
    page: RampPage,
    page_forms: dict[str, forms.Form],
    *,
    compared: list[Compared] | None = None,
    conflict: bool = False,
    status: int = 200,
) -> HttpResponse:
    ramp = page.ramp
    context = {
        "page_title": f"Test of change: {_aim(ramp)}",
        "page_has_errors": any(f.is_bound and f.errors for f in page_forms.values()),
        "page": page,
        "ramp": ramp,
        "forms": page_forms,
        "plan_rows": PLAN,
        "conflict": conflict,
        "compared": compared or [],
        "conflict_message": CYCLE_CONFLICT,
        "breadcrumbs": breadcrumbs(learning_crumb(), _list_crumb(), (_aim(ramp), "")),
        **_helpers(),
    }
    return _render(request, "learning/ramp.jinja", context, status=status)


@require_GET
def ramp(request: HttpRequest, ramp_id: int) -> HttpResponse:
    """The aim, where it came from, every cycle, and the forms for what comes next."""
    page = cycle_selectors.ramp_page(request.user, ramp_id)
    return _show(request, page, _forms(page))


@require_POST
def cycle_next(request: HttpRequest, ramp_id: int) -> HttpResponse:
    """Plan the next cycle, once the one before is closed."""
    page = cycle_selectors.ramp_page(request.user, ramp_id, audit=False)
    form = NextCycleForm(posted(request), prefix="next")
    outcome = submit(
        request,
        form,
        lambda data: services.cycle_next(
            actor=me(request),
            ramp=page.ramp,
            **fields(data, "change", "prediction", "measure", "plan"),
        ),
        refusals_on="change",
    )
    if outcome.saved:
        messages.success(request, f"Cycle {outcome.value.number} is planned.")
        return _back(ramp_id)
    page = cycle_selectors.ramp_page(request.user, ramp_id, audit=False)
    return _show(request, page, {**_forms(page), "next": form}, status=outcome.status(form))


def _cycle_post(
    name: str,
    save: Callable[[HttpRequest, ChangeCycle, Any, dict[str, Any]], ChangeCycle],
    *,
    done: Callable[[ChangeCycle], str],
    refusals_on: str | None = None,
) -> Callable[[HttpRequest, int], HttpResponse]:
    """The POST of one of a cycle's forms: `save` (one service call) and back to the ramp's page,
    or the page again saying what to fix, or what is saved now beside what was typed."""

    @require_POST
    def view(request: HttpRequest, cycle_id: int) -> HttpResponse:
        cycle = cycle_selectors.cycle_get(request.user, cycle_id, audit=False)
        form = _cycle_form(name, posted(request), cycle)
        outcome = submit(
            request,
            form,
            lambda data: save(request, cycle, form, data),
            refusals_on=refusals_on,
            stale=CYCLE_CONFLICT,
        )
        if outcome.saved:
            messages.success(request, done(outcome.value))
            return _back(cycle.ramp_id)
        # What is saved now: a refused write may have left the typed values on the cycle read.
        page = cycle_selectors.ramp_page(request.user, cycle.ramp_id, audit=False)
        compared = None
        if outcome.conflict and isinstance(form, CycleForm):
            saved = next(c for c in page.cycles if c.pk == cycle.pk)
            compared = [
                Compared(
                    str(form.fields[field].label),
                    getattr(saved, field),
                    form.cleaned_data.get(field) or "",
                )
                for field in form.answers()
            ]
        return _show(
            request,
            page,
            {**_forms(page), name: form},
            compared=compared,
            conflict=outcome.conflict is not None,
            status=outcome.status(form),
        )

    return view


cycle_edit = _cycle_post(
    "cycle",
    lambda request, cycle, form, data: services.cycle_update(
        actor=me(request), cycle=cycle, expected_version=data["version"], **form.answers()
    ),
    done=lambda cycle: f"Cycle {cycle.number} is saved.",
    refusals_on="change",
)
cycle_start = _cycle_post(
    "start",
    lambda request, cycle, form, data: services.cycle_start(
        actor=me(request), cycle=cycle, expected_version=data["version"]
    ),
    done=lambda cycle: f"Cycle {cycle.number} is being tried. Write what happens as you go.",
)
cycle_close = _cycle_post(
    "close",
    lambda request, cycle, form, data: services.cycle_close(
        actor=me(request),
        cycle=cycle,
        expected_version=data["version"],
        **fields(data, "what_happened", "study", "act", "act_note"),
    ),
    done=lambda cycle: f"Cycle {cycle.number} is closed: {ACT_WORDS[cycle.act].lower()}.",
)
