"""The team's people ready to move on, and caseloads."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from roundtable.care import extensions, selectors
from roundtable.care.models import Episode
from roundtable.care.views._common import _care_crumb, _page, _render
from roundtable.core.pages import breadcrumbs, me
from roundtable.decisions import selectors as decision_selectors
from roundtable.directory.models import Person


@require_GET
def ready(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.care_team_get(request.user, team_id)
    rows = selectors.ready_to_move_on(request.user, team)
    page = _page(request, rows)
    decision_ids = [r.move_on.decision_id for r in page.object_list if r.move_on]
    context = {
        "page_title": f"{team.name}: ready to move on",
        "team": team,
        "page": page,
        "holds": decision_selectors.holds_by_decision(decision_ids),
        "breadcrumbs": breadcrumbs(_care_crumb(), (f"{team.name}: ready to move on", "")),
    }
    return _render(request, "care/ready.jinja", context)


def _caseload_page(request: HttpRequest, key_worker: Person) -> HttpResponse:
    episodes = selectors.caseload(request.user, key_worker)
    page = _page(request, episodes)
    groups: dict[str, list[Episode]] = {}
    for episode in page.object_list:
        groups.setdefault(episode.team.name, []).append(episode)
    mine = key_worker.pk == request.user.pk
    title = "Your caseload" if mine else f"{key_worker.full_name}'s caseload"
    context = {
        "page_title": title,
        "key_worker": key_worker,
        "mine": mine,
        "page": page,
        "groups": list(groups.items()),
        "extras": extensions.caseload_extras(request.user, [e.pk for e in page.object_list]),
        "breadcrumbs": breadcrumbs(_care_crumb(), (title, "")),
    }
    return _render(request, "care/caseload.jinja", context)


@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    return _caseload_page(request, me(request))


@require_GET
def caseload_of(request: HttpRequest, person_id: int) -> HttpResponse:
    return _caseload_page(request, selectors.colleague_get(me(request), person_id))
