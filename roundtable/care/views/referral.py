"""Referring: someone new, recorded and referred in one step, or someone already recorded,
again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from roundtable.care import selectors, services
from roundtable.care.forms import ReferForm, ReferralFields
from roundtable.care.models import Episode
from roundtable.care.views._common import _care_crumb, _render
from roundtable.core.pages import breadcrumbs, form_status, me, posted, submit
from roundtable.directory.models import Team


def _referral(request: HttpRequest, person: Any, data: dict[str, Any]) -> Episode:
    return services.episode_refer(
        actor=me(request),
        person=person,
        team=data["team"],
        referral_source=data["referral_source"],
        key_worker=data["key_worker"],
        reason=data["reason"],
    )


def _referral_form_args(
    request: HttpRequest, teams: list[Team] | None = None
) -> tuple[list[Team], dict[str, Any]]:
    """The referral form's teams (the user's, or those given) and key workers; the team chosen
    first when there is one, or when the address names one of them (`?team=`)."""
    if teams is None:
        teams = selectors.my_care_teams(me(request))
    named = str(request.GET.get("team", ""))
    initial = {"team": teams[0].pk} if len(teams) == 1 else {}
    if any(str(t.pk) == named for t in teams):
        initial = {"team": int(named)}
    return teams, {
        "teams": teams,
        "members": selectors.referral_key_workers(teams),
        "initial": initial,
    }


@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest) -> HttpResponse:
    """Record someone new and refer them to one of the user's teams, in one step."""
    teams, args = _referral_form_args(request)
    form = ReferForm(posted(request), practices=selectors.gp_practices(), **args)
    existing = None
    if request.method == "POST" and teams and form.is_valid():
        existing = selectors.person_by_local_id(request.user, form.cleaned_data["local_id"])
        if existing is not None:
            form.add_error(
                "local_id",
                f"{existing.name} is already recorded with this local identifier: refer them "
                "again from their page",
            )

    def save(data: dict[str, Any]) -> Episode:
        return services.person_refer(
            actor=me(request),
            team=data["team"],
            local_id=data["local_id"],
            name=data["name"],
            nhs_number=data["nhs_number"],
            date_of_birth=data["date_of_birth"],
            gp_practice=data["gp_practice"],
            referral_source=data["referral_source"],
            key_worker=data["key_worker"],
            reason=data["reason"],
        )

    if teams and existing is None:
        outcome = submit(request, form, save)
        if outcome.saved:
            episode = outcome.value
            # The name as given: the answer is the same whether or not they were known.
            name = form.cleaned_data["name"]
            messages.success(request, f"{name} is referred to {episode.team.name}.")
            return redirect("care:person", person_id=episode.person_id)
    status = form_status(form) if teams else 403
    context = {
        "page_title": "Refer someone",
        "page_has_errors": bool(form.errors),
        "form": form,
        "teams": teams,
        "existing": existing,
        "breadcrumbs": breadcrumbs(_care_crumb(), ("Refer someone", "")),
    }
    return _render(request, "care/refer.jinja", context, status=status)


@require_http_methods(["GET", "POST"])
def refer_again(request: HttpRequest, person_id: int) -> HttpResponse:
    """Refer someone already recorded to one of the user's teams; someone who moved on from
    the team within the re-referral window comes straight back in support."""
    person = selectors.person_get(request.user, person_id)
    # Only the user's teams they have no open episode with: never one already supporting them.
    teams, args = _referral_form_args(request, selectors.teams_to_refer_again(me(request), person))
    if not teams:
        raise PermissionDenied
    form = ReferralFields(posted(request), **args)
    outcome = submit(request, form, lambda data: _referral(request, person, data))
    if outcome.saved:
        episode = outcome.value
        if episode.previous_id:
            text = f"{person.name} is back with {episode.team.name}, in support."
        else:
            text = f"{person.name} is referred to {episode.team.name}."
        messages.success(request, text)
        return redirect(reverse("care:person", args=[person.pk]) + f"#episode-{episode.pk}")
    context = {
        "page_title": f"Refer {person.name} again",
        "page_has_errors": bool(form.errors),
        "form": form,
        "person": person,
        "window_days": settings.REREFERRAL_WINDOW_DAYS,
        "breadcrumbs": breadcrumbs(
            _care_crumb(),
            (person.name, reverse("care:person", args=[person.pk])),
            ("Refer again", ""),
        ),
    }
    return _render(request, "care/refer_again.jinja", context, status=outcome.status(form))
