"""The care start page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from roundtable.care import selectors
from roundtable.care.views._common import _render
from roundtable.core.pages import breadcrumbs, me


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    mine = selectors.caseload(request.user, me(request))
    context = {
        "page_title": "Care",
        "teams": selectors.my_care_teams(me(request)),
        "forums": selectors.front_door_forums(me(request)),
        "caseload": mine[:10],
        "caseload_count": len(mine),
        "breadcrumbs": breadcrumbs(("Care", "")),
    }
    return _render(request, "care/home.jinja", context)
