"""Directory pages: parse the request, call a selector or service, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from roundtable.core import home as home_page
from roundtable.core.inputs import id_param
from roundtable.core.pages import allowed, breadcrumbs, me, posted, require, submit
from roundtable.directory import selectors, services
from roundtable.directory.forms import (
    ApiTokenForm,
    OrganisationForm,
    PeopleFilterForm,
    ProfileForm,
    TeamFilterForm,
)
from roundtable.directory.models import LeadershipLevel, Organisation, OrganisationKind


def _page(request: HttpRequest, items: Any) -> Page[Any]:
    paginator = Paginator(items, settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _list_page(
    request: HttpRequest, template: str, fragment: str, context: dict[str, Any]
) -> HttpResponse:
    """The whole page, or only its results when htmx asks after a filter changed."""
    htmx = getattr(request, "htmx", False)
    response = render(request, fragment if htmx else template, context)
    # The same URL answers with a page or a fragment, so caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "page_title": "Home",
        "active_nav": "home",
        "memberships": selectors.my_memberships(me(request)),
        "leadership_teams": selectors.my_leadership_teams(me(request)),
        "sections": home_page.render_sections(request),
    }
    return render(request, "directory/home.jinja", context)


def people(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(
        request.GET or None,
        disciplines=selectors.disciplines(),
        localities=selectors.localities(),
    )
    filters = selectors.PeopleFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.PeopleFilter(
            q=data["q"].strip(),
            discipline=data["discipline"],
            organisation_kind=data["organisation_kind"],
            locality=id_param(data["locality"]),
            organisation=id_param(request.GET.get("organisation")),
        )
    page = _page(request, selectors.people_list(request.user, filters))
    context = {
        "page_title": "People",
        "active_nav": "people",
        "form": form,
        "page": page,
        "filtered": filters != selectors.PeopleFilter(),
        "breadcrumbs": breadcrumbs(("People", "")),
    }
    return _list_page(request, "directory/people.jinja", "directory/_people_results.jinja", context)


def person(request: HttpRequest, person_id: int) -> HttpResponse:
    someone = selectors.person_detail(request.user, person_id)
    context = {
        "page_title": someone.full_name,
        "active_nav": "people",
        "person": someone,
        "peers": selectors.same_discipline_elsewhere(request.user, someone),
        "can_edit": allowed(request, "directory.change_person", someone),
        "breadcrumbs": breadcrumbs(
            ("People", reverse("directory:people")),
            (someone.full_name, ""),
        ),
    }
    return render(request, "directory/person.jinja", context)


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    someone = selectors.person_detail(request.user, person_id)
    require(request, "directory.change_person", someone)
    form = ProfileForm(
        posted(request),
        initial={
            "full_name": someone.full_name,
            "email": someone.email,
            "job_title": someone.job_title,
            "discipline": someone.discipline_id,
            "organisation": someone.organisation_id,
            "version": someone.version,
        },
        disciplines=selectors.disciplines(),
        organisations=selectors.organisations_for_choice(),
    )
    # The service changes the person it is given even when it refuses the change, so it changes
    # a copy of its own (read, and audited, as any other) and the page shows `someone` as read.
    changing = selectors.person_detail(request.user, person_id) if form.is_bound else someone
    outcome = submit(
        request,
        form,
        lambda data: services.person_update_profile(
            actor=me(request),
            person=changing,
            expected_version=data["version"],
            **form.profile(),
        ),
    )
    if outcome.saved:
        messages.success(request, "Profile saved.")
        return redirect("directory:person", person_id=someone.pk)
    context = {
        "page_title": f"Change profile: {someone.full_name}",
        "page_has_errors": bool(form.errors),
        "form": form,
        "person": someone,
        "conflict": outcome.conflict is not None,
        "latest": selectors.person_detail(request.user, person_id) if outcome.conflict else None,
        "breadcrumbs": breadcrumbs(
            ("People", reverse("directory:people")),
            (someone.full_name, reverse("directory:person", args=[someone.pk])),
            ("Change profile", ""),
        ),
    }
    # A refused change is shown again with 200, as this page always has; a conflict with 409.
    return render(
        request, "directory/person_edit.jinja", context, status=409 if outcome.conflict else 200
    )


def teams(request: HttpRequest) -> HttpResponse:
    form = TeamFilterForm(request.GET or None, localities=selectors.localities())
    filters = selectors.TeamFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.TeamFilter(
            q=data["q"].strip(),
            kind=data["kind"],
            organisation_kind=data["organisation_kind"],
            locality=id_param(data["locality"]),
            organisation=id_param(request.GET.get("organisation")),
        )
    page = _page(request, selectors.team_list(request.user, filters))
    context = {
        "page_title": "Teams",
        "active_nav": "teams",
        "form": form,
        "page": page,
        "filtered": filters != selectors.TeamFilter(),
        "breadcrumbs": breadcrumbs(("Teams", "")),
    }
    return _list_page(request, "directory/teams.jinja", "directory/_teams_results.jinja", context)


def team(request: HttpRequest, team_id: int) -> HttpResponse:
    page = selectors.team_detail(request.user, team_id)
    context = {
        "page_title": page.team.name,
        "active_nav": "teams",
        "page": page,
        "breadcrumbs": breadcrumbs(
            ("Teams", reverse("directory:teams")),
            (page.team.name, ""),
        ),
    }
    return render(request, "directory/team.jinja", context)


def organisations(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in OrganisationKind.values:
        kind = ""
    context = {
        "page_title": "Organisations",
        "active_nav": "organisations",
        "groups": selectors.organisations_by_kind(selectors.organisation_list(kind)),
        "kinds": OrganisationKind.choices,
        "kind": kind,
        "can_manage": allowed(request, "directory.manage_organisations"),
        "breadcrumbs": breadcrumbs(("Organisations", "")),
    }
    return render(request, "directory/organisations.jinja", context)


def organisation(request: HttpRequest, organisation_id: int) -> HttpResponse:
    page = selectors.organisation_detail(request.user, organisation_id)
    context = {
        "page_title": page.organisation.name,
        "active_nav": "organisations",
        "page": page,
        "can_manage": allowed(request, "directory.manage_organisations"),
        "breadcrumbs": breadcrumbs(
            ("Organisations", reverse("directory:organisations")),
            (page.organisation.name, ""),
        ),
    }
    return render(request, "directory/organisation.jinja", context)


def leadership_teams(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "")
    if level not in LeadershipLevel.values:
        level = ""
    page = _page(request, selectors.leadership_team_list(request.user, level))
    context = {
        "page_title": "Leadership teams",
        "active_nav": "teams",
        "page": page,
        "levels": LeadershipLevel.choices,
        "level": level,
        "breadcrumbs": breadcrumbs(("Leadership teams", "")),
    }
    return render(request, "directory/leadership_teams.jinja", context)


def leadership_team(request: HttpRequest, leadership_team_id: int) -> HttpResponse:
    page = selectors.leadership_team_page(request.user, leadership_team_id)
    context = {
        "page_title": page.leadership.name,
        "active_nav": "teams",
        "page": page,
        "breadcrumbs": breadcrumbs(
            ("Leadership teams", reverse("directory:leadership-teams")),
            (page.leadership.name, ""),
        ),
    }
    return render(request, "directory/leadership_team.jinja", context)


@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, organisation_id: int | None = None) -> HttpResponse:
    """Add an organisation, or change one. Administrators only."""
    require(request, "directory.manage_organisations")
    organisation = None
    initial: dict[str, Any] = {}
    if organisation_id is not None:
        organisation = selectors.organisation_get(organisation_id)
        initial = {
            "name": organisation.name,
            "kind": organisation.kind,
            "ods_code": organisation.ods_code,
            "parent": organisation.parent_id,
            "version": organisation.version,
        }
    form = OrganisationForm(
        posted(request),
        initial=initial,
        parents=selectors.organisations_for_choice(excluding=organisation),
    )

    def save(data: dict[str, Any]) -> Organisation:
        if organisation_id is None:
            return services.organisation_create(actor=me(request), **form.organisation())
        # A copy of its own, which the service may change even when it refuses the change.
        return services.organisation_update(
            actor=me(request),
            organisation=selectors.organisation_get(organisation_id),
            expected_version=data["version"] or 0,
            **form.organisation(),
        )

    outcome = submit(request, form, save)
    if outcome.saved:
        messages.success(request, f"{outcome.value.name} saved.")
        return redirect("directory:organisation", organisation_id=outcome.value.pk)
    title = f"Change {organisation.name}" if organisation else "Add an organisation"
    context = {
        "page_title": title,
        "page_has_errors": bool(form.errors),
        "form": form,
        "organisation": organisation,
        "breadcrumbs": breadcrumbs(
            ("Organisations", reverse("directory:organisations")), (title, "")
        ),
    }
    return render(
        request, "directory/organisation_edit.jinja", context, status=outcome.status(form)
    )


@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(posted(request))
    outcome = submit(
        request,
        form,
        lambda data: services.api_token_create(actor=me(request), name=data["name"]),
    )
    new_token = None
    if outcome.saved:
        _, new_token = outcome.value
        form = ApiTokenForm()
    context = {
        "page_title": "API tokens",
        "page_has_errors": bool(form.errors),
        "active_nav": "api",
        "form": form,
        "tokens": selectors.api_tokens_of(me(request)),
        "new_token": new_token,
        "breadcrumbs": breadcrumbs(("API tokens", "")),
    }
    return render(request, "directory/api_tokens.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.api_token_of(me(request), token_id)
    if token is None:
        raise Http404("No API token found.")
    if request.method == "POST":
        services.api_token_revoke(actor=me(request), api_token=token)
        messages.success(request, f"The token “{token.name}” has been revoked.")
        return redirect("directory:api-tokens")
    context = {
        "page_title": "Revoke API token",
        "token": token,
        "breadcrumbs": breadcrumbs(
            ("API tokens", reverse("directory:api-tokens")),
            ("Revoke", ""),
        ),
    }
    return render(request, "directory/api_token_revoke.jinja", context)
