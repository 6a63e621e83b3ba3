"""Information governance pages: where a governance role finds a person in care, and the report
of who has looked at them (with CSV)."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from roundtable.core.pages import breadcrumbs, csv_download, me, renderer
from roundtable.core.templating import date_format
from roundtable.governance import selectors
from roundtable.governance.forms import FindPersonForm
from roundtable.governance.models import GovernanceRole

_render = renderer("governance")


def _roles(request: HttpRequest) -> list[GovernanceRole]:
    roles = list(GovernanceRole.objects.filter(person=me(request)).select_related("organisation"))
    if not roles:
        raise Http404("No information governance role found.")
    return roles


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Your governance roles, and finding a person in care to see who has looked at them."""
    roles = _roles(request)
    form = FindPersonForm(request.GET or None)
    if form.is_valid():
        person = selectors.person_find(me(request), form.cleaned_data["identifier"])
        if person is not None:
            return redirect("governance:access-report", person.pk)
        form.add_error(
            "identifier",
            "No one with that NHS number or local identifier is in the care of your "
            "organisation's teams",
        )
    context = {
        "page_title": "Information governance",
        "page_has_errors": bool(form.errors),
        "roles": roles,
        "form": form,
        "breadcrumbs": breadcrumbs(("Information governance", "")),
    }
    return _render(request, "governance/home.jinja", context, status=400 if form.errors else 200)


@require_GET
def access_report(request: HttpRequest, person_id: int) -> HttpResponse:
    person, events = selectors.access_report(me(request), person_id)
    page = Paginator(events, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_title": f"Who has looked at {person.name}",
        "person": person,
        "page": page,
        "rows": selectors.accesses(person, list(page.object_list)),
        "breadcrumbs": breadcrumbs(
            ("Information governance", reverse("governance:home")), ("Access report", "")
        ),
    }
    return _render(request, "governance/access_report.jinja", context)


@require_GET
def access_report_csv(request: HttpRequest, person_id: int) -> StreamingHttpResponse:
    person, events = selectors.access_report(me(request), person_id)
    header: list[object] = ["when", "who", "organisation", "relationship", "action", "what"]
    rows: list[list[object]] = [header]
    for a in selectors.accesses(person, list(events)):
        when = date_format(a.at, with_time=True)
        rows.append([when, a.who, a.organisation, a.relationship, a.action, a.what])
    return csv_download(rows, f"roundtable-access-report-{person.pk}.csv")
