"""Directory pages: parse the request, call a selector or service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from roundtable.core import home as home_page
from roundtable.core.inputs import id_param
from roundtable.core.pages import (
    allowed,
    asked_first,
    breadcrumbs,
    choice,
    fields,
    me,
    posted,
    require,
    submit,
)
from roundtable.directory import extensions, selectors, services
from roundtable.directory.forms import (
    ApiTokenForm,
    OrganisationForm,
    PeopleFilterForm,
    ProfileForm,
    TeamFilterForm,
)
from roundtable.directory.models import LeadershipLevel, Organisation, OrganisationKind

F = TypeVar("F")


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


def _filtered_list(
    request: HttpRequest,
    form: PeopleFilterForm | TeamFilterForm,
    *,
    make: Callable[..., F],
    own: str,
    rows: Callable[[Any, F], Any],
    title: str,
    name: str,
) -> HttpResponse:
    """A list of the directory with its filter form. What the form asks for (the words, the
    kind of organisation, the locality, the organisation from a link and the list's own choice,
    `own`) is made into the filter (`make`) of the list's selector (`rows`); everything, when
    nothing valid is asked. `name` is the list's section of the header and names its page and
    its results alone (what htmx asks for)."""
    everything = make()
    filters = everything
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = make(
            q=data["q"].strip(),
            organisation_kind=data["organisation_kind"],
            locality=id_param(data["locality"]),
            organisation=id_param(request.GET.get("organisation")),
            **fields(data, own),
        )
    context = {
        "page_title": title,
        "active_nav": name,
        "form": form,
        "page": _page(request, rows(request.user, filters)),
        "filtered": filters != everything,
        "breadcrumbs": breadcrumbs((title, "")),
    }
    return _list_page(
        request, f"directory/{name}.jinja", f"directory/_{name}_results.jinja", context
    )


def people(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(
        request.GET or None,
        disciplines=selectors.disciplines(),
        localities=selectors.localities(),
    )
    return _filtered_list(
        request,
        form,
        make=selectors.PeopleFilter,
        own="discipline",
        rows=selectors.people_list,
        title="People",
        name="people",
    )


def _record_page(
    request: HttpRequest,
    template: str,
    *,
    title: str,
    nav: str,
    listed_in: tuple[str, str],
    **context: Any,
) -> HttpResponse:
    """A record's own page: named by its title, under its list in the header and the
    breadcrumbs (`listed_in`: the list's name and link)."""
    context |= {
        "page_title": title,
        "active_nav": nav,
        "breadcrumbs": breadcrumbs(listed_in, (title, "")),
    }
    return render(request, template, context)


def person(request: HttpRequest, person_id: int) -> HttpResponse:
    someone = selectors.person_detail(request.user, person_id)
    return _record_page(
        request,
        "directory/person.jinja",
        title=someone.full_name,
        nav="people",
        listed_in=("People", reverse("directory:people")),
        person=someone,
        peers=selectors.same_discipline_elsewhere(request.user, someone),
        can_edit=allowed(request, "directory.change_person", someone),
    )


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
    return _filtered_list(
        request,
        form,
        make=selectors.TeamFilter,
        own="kind",
        rows=selectors.team_list,
        title="Teams",
        name="teams",
    )


def team(request: HttpRequest, team_id: int) -> HttpResponse:
    page = selectors.team_detail(request.user, team_id)
    return _record_page(
        request,
        "directory/team.jinja",
        title=page.team.name,
        nav="teams",
        listed_in=("Teams", reverse("directory:teams")),
        page=page,
        panels=extensions.team_panels.render(request, page.team),
    )


def organisations(request: HttpRequest) -> HttpResponse:
    kind = choice(request, "kind", OrganisationKind.values)
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
    return _record_page(
        request,
        "directory/organisation.jinja",
        title=page.organisation.name,
        nav="organisations",
        listed_in=("Organisations", reverse("directory:organisations")),
        page=page,
        can_manage=allowed(request, "directory.manage_organisations"),
    )


def leadership_teams(request: HttpRequest) -> HttpResponse:
    level = choice(request, "level", LeadershipLevel.values)
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
    return _record_page(
        request,
        "directory/leadership_team.jinja",
        title=page.leadership.name,
        nav="teams",
        listed_in=("Leadership teams", reverse("directory:leadership-teams")),
        page=page,
        panels=extensions.leadership_panels.render(request, page.leadership),
    )


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
        lambda data: services.api_token_create(
            actor=me(request),
            name=data["name"],
            days=int(data["days"]),
            access=data["access"],
            areas=data["areas"],
        ),
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
        "now": timezone.now(),
        "new_token": new_token,
        "breadcrumbs": breadcrumbs(("API tokens", "")),
    }
    return render(request, "directory/api_tokens.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.api_token_of(me(request), token_id)
    if token is None:
        raise Http404("No API token found.")
    if asked_first(
        request,
        lambda: services.api_token_revoke(actor=me(request), api_token=token),
        done=f"The token “{token.name}” has been revoked.",
    ).made:
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
