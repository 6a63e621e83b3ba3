"""A person's page and the forms on it: the stage of each episode, and consent to share."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roundtable.care import extensions, presenters, selectors, services
from roundtable.care.forms import ConsentForm, StageForm
from roundtable.care.models import Destination, Episode, Stage
from roundtable.care.views._common import _care_crumb, _render
from roundtable.core.pages import (
    allowed,
    asked_first,
    breadcrumbs,
    form_status,
    me,
    require,
    submit,
)
from roundtable.decisions import selectors as decision_selectors


def _person_page(
    request: HttpRequest,
    person_id: int,
    *,
    bound_stage: StageForm | None = None,
    bound_episode: int | None = None,
    consent_form: ConsentForm | None = None,
) -> HttpResponse:
    detail = selectors.person_detail(request.user, person_id)
    record = detail.record
    person = record.person
    episodes = presenters.episode_views(record)
    for view in episodes:
        episode = view.episode
        if not episode.is_open or not allowed(request, "care.change_episode", episode):
            continue
        if bound_stage is not None and bound_episode == episode.pk:
            view.stage_form = bound_stage
        else:
            view.stage_form = StageForm(
                episode=episode,
                move_on=presenters.agreed_move_on(list(record.decisions), episode.pk),
                prefix=f"episode-{episode.pk}",
            )
    refer_teams = selectors.teams_to_refer_again(me(request), person)
    can_consent = allowed(request, "care.record_consent", person)
    if consent_form is None and can_consent:
        consent_form = ConsentForm(organisations=selectors.organisations())
    forms = [f for f in (bound_stage, consent_form) if f is not None]
    context = {
        "page_title": person.name,
        "page_has_errors": any(f.is_bound and f.errors for f in forms),
        "bound_forms": [f for f in forms if f.is_bound],
        "person": person,
        "record": record,
        "episodes": episodes,
        "consents": detail.consents,
        "consent_form": consent_form,
        "can_consent": can_consent,
        "refer_teams": refer_teams,
        "holds": decision_selectors.holds_by_decision([c.decision_id for c in record.decisions]),
        "panels": extensions.person_panels(request, person),
        "breadcrumbs": breadcrumbs(_care_crumb(), (person.name, "")),
    }
    return _render(request, "care/person.jinja", context, status=form_status(*forms))


@require_GET
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    return _person_page(request, person_id)


@require_POST
def stage_change(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = selectors.episode_get(request.user, episode_id, audit=False)
    require(request, "care.change_episode", episode)
    form = StageForm(
        request.POST,
        episode=episode,
        move_on=selectors.agreed_move_on_decisions(request.user, episode),
        prefix=f"episode-{episode.pk}",
    )

    def move(data: dict[str, Any]) -> Episode:
        moving_on = data["to_stage"] == Stage.MOVED_ON
        return services.episode_move(
            actor=me(request),
            episode=episode,
            to_stage=data["to_stage"],
            reason=data["reason"],
            destination=data["destination"] if moving_on else "",
            decision=data["decision"] if moving_on else None,
            expected_version=data["version"],
        )

    outcome = submit(
        request,
        form,
        move,
        stale=f"Someone else changed {episode.person.name}'s stage while you were looking. "
        "Nothing was saved: check the stage now shown and try again.",
    )
    if outcome.saved:
        moved = outcome.value
        text = f"{episode.person.name} is now {Stage(moved.stage).label.lower()}"
        if form.cleaned_data["to_stage"] == Stage.MOVED_ON:
            text += f": {Destination(moved.destination).label}"
        messages.success(request, text + ".")
        return redirect(reverse("care:person", args=[episode.person_id]) + f"#episode-{episode.pk}")
    return _person_page(request, episode.person_id, bound_stage=form, bound_episode=episode.pk)


@require_POST
def consent_give(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(request.user, person_id)
    require(request, "care.record_consent", person)
    form = ConsentForm(request.POST, organisations=selectors.organisations())
    outcome = submit(
        request,
        form,
        lambda data: services.consent_give(
            actor=me(request), person=person, organisation=data["organisation"]
        ),
    )
    if outcome.saved:
        organisation = form.cleaned_data["organisation"]
        messages.success(
            request,
            f"Recorded: {person.name} agreed to share their details with {organisation.name}.",
        )
        return redirect(reverse("care:person", args=[person.pk]) + "#consents")
    return _person_page(request, person.pk, consent_form=form)


@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, person_id: int, consent_id: int) -> HttpResponse:
    """Asks first: withdrawing stops the partner seeing the person."""
    consent = selectors.consent_get(request.user, consent_id)
    person = consent.person
    if person.pk != person_id:
        raise Http404("No consent found.")
    require(request, "care.record_consent", person)
    answer = asked_first(
        request,
        lambda: services.consent_withdraw(actor=me(request), consent=consent),
        done=f"Consent withdrawn: {consent.organisation.name} no longer sees {person.name}.",
    )
    if answer.made:
        return redirect(reverse("care:person", args=[person.pk]) + "#consents")
    context = {
        "page_title": f"Withdraw consent to share with {consent.organisation.name}?",
        "page_has_errors": bool(answer.refusal),
        "consent": consent,
        "person": person,
        "error": answer.refusal,
        "breadcrumbs": breadcrumbs(
            _care_crumb(),
            (person.name, reverse("care:person", args=[person.pk])),
            ("Withdraw consent", ""),
        ),
    }
    return _render(request, "care/consent_withdraw.jinja", context, status=answer.status)
