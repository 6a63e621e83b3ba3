"""Safety pages: a person's safety plan (written with them, every version kept, printable), their
formulation, reviews and positive risk-taking plans; a team's reviews due and review frequency.

Each view parses with a form, calls a selector or service, and renders. Two people saving the
same plan or formulation at once never lose either text: the second is shown both versions,
side by side, with their own still in the form (409).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods

from roundtable.care import services as care_services
from roundtable.care.models import Episode, PersonInCare
from roundtable.core.access import Reader
from roundtable.core.concurrency import ConcurrentEditError
from roundtable.core.pages import (
    Compared,
    Outcome,
    add_service_errors,
    breadcrumbs,
    fields,
    form_status,
    me,
    posted,
    renderer,
    submit,
)
from roundtable.directory.models import Team
from roundtable.safety import presenters, selectors, services
from roundtable.safety.forms import (
    FormulationForm,
    KeyWorkerFilterForm,
    PositiveRiskForm,
    ReviewForm,
    ReviewFrequencyForm,
    SafetyPlanForm,
)
from roundtable.safety.models import (
    FormulationContent,
    SafetyFormulation,
    SafetyPlan,
    SafetyPlanContent,
)

CONFLICT_MESSAGE = (
    "Someone else saved this plan while you were writing. Nothing has been lost: compare, then "
    "save again."
)
FORMULATION_CONFLICT_MESSAGE = (
    "Someone else saved this formulation while you were writing. Nothing has been lost: compare, "
    "then save again."
)
# How far ahead the team's list looks, besides everything overdue.
REVIEWS_WITHIN_DAYS = 7


def _label(model: type[Any], name: str) -> str:
    label = str(model._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


@dataclass(frozen=True)
class Part:
    """One step of a plan (or part of a formulation): its heading and the words written."""

    name: str
    label: str
    text: str


def plan_steps(plan: Any) -> list[Part]:
    return [
        Part(name, _label(SafetyPlan, name), getattr(plan, name) or "")
        for name in SafetyPlanContent.FIELDS
    ]


def formulation_parts(formulation: Any) -> list[Part]:
    return [
        Part(name, _label(SafetyFormulation, name), getattr(formulation, name) or "")
        for name in FormulationContent.FIELDS
    ]


_render = renderer(
    "care",
    {
        "due_text": presenters.due_text,
        "plan_status_text": presenters.plan_status_text,
        "days": presenters.days,
    },
)


def _person_crumbs(person: PersonInCare, *more: tuple[str, str]) -> list[dict[str, str]]:
    safety = reverse("safety:person", args=[person.pk])
    pairs = [
        ("Care", reverse("care:home")),
        (person.name, reverse("care:person", args=[person.pk])),
        ("Safety", safety),
        *more,
    ]
    if not more:
        pairs[-1] = ("Safety", "")
    return breadcrumbs(*pairs)


def _to_person(person: PersonInCare, anchor: str = "") -> HttpResponse:
    return redirect(reverse("safety:person", args=[person.pk]) + anchor)


# -- The person's safety page --------------------------------------------------------------------


@require_GET
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    record = selectors.safety_record(request.user, person_id)
    episode = selectors.caring_episode_of(request.user, record.person)
    state = selectors.review_state_of(request.user, episode)
    context = {
        "page_title": f"Safety plan: {record.person.name}",
        "record": record,
        "person": record.person,
        "plan": record.plan,
        "steps": plan_steps(record.plan) if record.plan else [],
        "formulation": record.formulation,
        "parts": formulation_parts(record.formulation) if record.formulation else [],
        "episode": episode,
        "state": state,
        "today": timezone.localdate(),
        "breadcrumbs": _person_crumbs(record.person),
    }
    return _render(request, "safety/person.jinja", context)


@require_GET
def plan_version(request: HttpRequest, person_id: int, number: int) -> HttpResponse:
    version = selectors.plan_version_get(request.user, person_id, number)
    person = version.plan.person
    record = selectors.safety_record(request.user, person_id)
    context = {
        "page_title": f"Safety plan version {version.number}: {person.name}",
        "person": person,
        "version": version,
        "steps": plan_steps(version),
        "versions": record.plan_versions,
        "current": record.plan,
        "breadcrumbs": _person_crumbs(person, (f"Version {version.number}", "")),
    }
    return _render(request, "safety/plan_version.jinja", context)


@require_GET
def plan_print(request: HttpRequest, person_id: int) -> HttpResponse:
    record = selectors.safety_record(request.user, person_id)
    context = {
        "page_title": f"Safety plan: {record.person.name}",
        "person": record.person,
        "record": record,
        "plan": record.plan,
        "steps": plan_steps(record.plan) if record.plan else [],
        "printed_on": timezone.localdate(),
        "bodyClasses": "rt-print-page",
    }
    return _render(request, "safety/plan_print.jinja", context)


# -- Writing the plan and the formulation --------------------------------------------------------


@dataclass(frozen=True)
class _Written:
    """The safety plan or the formulation: written in parts with the person, each save a new
    version. Two people saving at once never lose either text: the second is shown both,
    part by part (409)."""

    name: str  # what the page calls the saved one: "plan", "formulation"
    get: Callable[[Reader, PersonInCare], Any]
    parts: Callable[[Any], list[Part]]
    names_key: str
    names: tuple[str, ...]
    conflict_message: str
    template: str
    crumb: str


PLAN = _Written(
    "plan",
    selectors.plan_get,
    plan_steps,
    "step_names",
    SafetyPlanContent.FIELDS,
    CONFLICT_MESSAGE,
    "safety/plan_edit.jinja",
    crumb="Write the plan",
)
FORMULATION = _Written(
    "formulation",
    selectors.formulation_get,
    formulation_parts,
    "part_names",
    FormulationContent.FIELDS,
    FORMULATION_CONFLICT_MESSAGE,
    "safety/formulation_edit.jinja",
    crumb="Formulation",
)


def _initial(written: _Written, saved: Any, *more: str) -> dict[str, Any]:
    """The form's start: the saved version's parts (and `more` of its fields), if there is one."""
    if saved is None:
        return {}
    return {name: getattr(saved, name) for name in (*written.names, *more, "version")}


def _write_page(
    request: HttpRequest,
    person: PersonInCare,
    written: _Written,
    current: Any,
    form: SafetyPlanForm | FormulationForm,
    *,
    title: str,
    save: Callable[[dict[str, Any]], HttpResponse],
) -> HttpResponse:
    """The page that writes the next version of what is `current`ly saved: `save` (the service,
    then on to where the person goes next) on a valid form; else the page again, with what to fix
    or, when someone else saved first, their version beside this one."""
    episode = selectors.caring_episode_of(request.user, person)
    stored = None
    if request.method == "POST" and form.is_valid():
        try:
            return save(form.cleaned_data)
        except ConcurrentEditError:
            stored = written.get(request.user, person)
        except ValidationError as error:
            add_service_errors(form, error)
    compared = []
    if stored is not None:
        compared = [
            Compared(part.label, part.text, form.cleaned_data.get(part.name) or "")
            for part in written.parts(stored)
        ]
    status = 409 if stored is not None else form_status(form)
    context = {
        "page_title": title,
        "page_has_errors": bool(form.errors),
        "form": form,
        "person": person,
        written.name: current,
        "episode": episode,
        "stored": stored,
        "compared": compared,
        "conflict_message": written.conflict_message,
        written.names_key: written.names,
        "breadcrumbs": _person_crumbs(person, (written.crumb, "")),
    }
    return _render(request, written.template, context, status=_caring(status, episode, form))


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    """Write the plan with the person, or its next version."""
    person = selectors.person_get(request.user, person_id)
    plan = selectors.plan_get(request.user, person)
    form = SafetyPlanForm(
        posted(request), initial=_initial(PLAN, plan, "written_with", "review_on")
    )

    def save(data: dict[str, Any]) -> HttpResponse:
        saved = services.safety_plan_save(
            actor=me(request),
            person=person,
            values=form.steps(),
            written_with=data["written_with"],
            review_on=data["review_on"],
            expected_version=data["version"],
        )
        messages.success(
            request,
            f"Version {saved.version} of {person.name}'s safety plan is saved, written with "
            f"{saved.written_with}. Every earlier version is kept.",
        )
        return _to_person(person)

    title = ("Write" if plan is None else "Edit") + f" {person.name}'s safety plan"
    return _write_page(request, person, PLAN, plan, form, title=title, save=save)


@require_http_methods(["GET", "POST"])
def formulation_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(request.user, person_id)
    formulation = selectors.formulation_get(request.user, person)
    form = FormulationForm(posted(request), initial=_initial(FORMULATION, formulation))

    def save(data: dict[str, Any]) -> HttpResponse:
        saved = services.safety_formulation_save(
            actor=me(request), person=person, values=form.parts(), expected_version=data["version"]
        )
        messages.success(
            request, f"Version {saved.version} of the formulation is saved. Nothing is lost."
        )
        return _to_person(person, "#formulation")

    title = f"{person.name}'s safety formulation"
    return _write_page(request, person, FORMULATION, formulation, form, title=title, save=save)


def _caring(status: int, episode: Episode | None, form: Any) -> int:
    """A page for those caring for the person: anyone else is shown it with 403, and why,
    until they send it (and are refused)."""
    return 403 if episode is None and not form.is_bound else status


# -- Reviews and positive risk-taking ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(request.user, person_id)
    episode = selectors.caring_episode_of(request.user, person)
    form = ReviewForm(posted(request), initial={"reviewed_on": timezone.localdate()})
    outcome = submit(
        request,
        form,
        lambda data: services.safety_review_record(
            actor=me(request), person=person, **fields(data, "note", "reviewed_on")
        ),
    )
    if outcome.saved:
        messages.success(request, f"The review of {person.name}'s safety plan is recorded.")
        return _to_person(person, "#reviews")
    context = {
        "page_title": f"Record a review of {person.name}'s safety plan",
        "page_has_errors": bool(form.errors),
        "form": form,
        "person": person,
        "episode": episode,
        "plan": selectors.plan_get(request.user, person),
        "breadcrumbs": _person_crumbs(person, ("Record a review", "")),
    }
    status = _caring(outcome.status(form), episode, form)
    return _render(request, "safety/review_new.jinja", context, status=status)


@require_http_methods(["GET", "POST"])
def positive_risk_new(request: HttpRequest, person_id: int) -> HttpResponse:
    """Propose a positive risk-taking plan: a Shared decision of the caring team's forum."""
    person = selectors.person_get(request.user, person_id)
    episode = selectors.caring_episode_of(request.user, person)
    forums = selectors.team_forums(episode.team_id) if episode else []
    meetings = selectors.meetings_today(forums) if forums else []
    form = PositiveRiskForm(
        posted(request),
        forums=forums,
        meetings=meetings,
        initial={"forum": forums[0].pk} if len(forums) == 1 else None,
    )
    outcome = (
        submit(
            request,
            form,
            # The form asks for the plan's parts, the forum and the meeting: what the service takes.
            lambda data: services.positive_risk_propose(actor=me(request), episode=episode, **data),
        )
        if episode is not None
        else Outcome()  # not caring for them: nothing is proposed, and the page says why (403)
    )
    if outcome.saved:
        messages.success(
            request,
            "The positive risk-taking plan is open. Members of "
            f"{form.cleaned_data['forum'].name} have been asked for their position.",
        )
        return redirect(reverse("decisions:decision", args=[outcome.value.pk]))
    status = outcome.status(form)
    if episode is None:
        status = 403
    context = {
        "page_title": f"Propose a positive risk-taking plan with {person.name}",
        "page_has_errors": bool(form.errors),
        "form": form,
        "person": person,
        "episode": episode,
        "forums": forums,
        "breadcrumbs": _person_crumbs(person, ("Positive risk-taking", "")),
    }
    return _render(request, "safety/positive_risk_new.jinja", context, status=status)


# -- A team's reviews ----------------------------------------------------------------------------


def _team_crumbs(team: Team, *more: tuple[str, str]) -> list[dict[str, str]]:
    return breadcrumbs(
        ("Care", reverse("care:home")),
        (f"{team.name} huddle board", reverse("care:board", args=[team.pk])),
        *more,
    )


@require_GET
def team_reviews(request: HttpRequest, team_id: int) -> HttpResponse:
    """Safety-plan reviews due in the team, overdue first: replaces one schedule for all."""
    team = selectors.my_team_get(me(request), team_id)
    people = selectors.team_key_workers(request.user, team)
    form = KeyWorkerFilterForm(request.GET or None, people=people)
    key_worker = form.chosen()
    due = selectors.reviews_due(
        request.user, team, key_worker=key_worker, within_days=REVIEWS_WITHIN_DAYS
    )
    zones = care_services.zones_ensure(team=team)
    context = {
        "page_title": f"Safety reviews due: {team.name}",
        "team": team,
        "form": form,
        "key_worker": key_worker,
        "due": due,
        "overdue": [d for d in due if d.overdue],
        "frequencies": selectors.review_frequencies(zones),
        "within_days": REVIEWS_WITHIN_DAYS,
        "breadcrumbs": _team_crumbs(team, ("Safety reviews due", "")),
    }
    return _render(request, "safety/team_reviews.jinja", context)


@require_http_methods(["GET", "POST"])
def review_frequency(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.my_team_get(me(request), team_id)
    zones = care_services.zones_ensure(team=team)
    frequencies = selectors.review_frequencies(zones)
    form = ReviewFrequencyForm(posted(request), frequencies=frequencies)
    outcome = submit(
        request,
        form,
        lambda data: services.review_frequencies_set(
            actor=me(request), team=team, every_days=form.every_days()
        ),
    )
    if outcome.saved:
        messages.success(request, f"{team.name}'s review frequencies are saved.")
        return redirect(reverse("safety:team-reviews", args=[team.pk]))
    context = {
        "page_title": f"How often {team.name} reviews safety plans",
        "page_has_errors": bool(form.errors),
        "form": form,
        "team": team,
        "frequencies": frequencies,
        "breadcrumbs": _team_crumbs(
            team,
            ("Safety reviews due", reverse("safety:team-reviews", args=[team.pk])),
            ("Review frequency", ""),
        ),
    }
    return _render(request, "safety/review_frequency.jinja", context, status=outcome.status(form))


def home_section(request: HttpRequest) -> SafeString:
    """Safety reviews due in the person's teams, overdue ones counted, linking to each list."""
    teams = selectors.my_reviews_due(me(request), within_days=REVIEWS_WITHIN_DAYS)
    if not teams:
        return SafeString("")
    return SafeString(
        render_to_string(
            "safety/_home_section.jinja",
            {"teams": teams, "within_days": REVIEWS_WITHIN_DAYS},
            request=request,
        )
    )
