"""A team's zones: the list, adding one, changing one and no longer using one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from roundtable.care import selectors, services
from roundtable.care.forms import ZoneEditForm, ZoneForm
from roundtable.care.views._common import _care_crumb, _render
from roundtable.core.pages import asked_first, breadcrumbs, fields, me, posted, submit
from roundtable.directory.models import Team

# What a zone says, as the forms name it and the services take it.
ZONE_FIELDS = ("name", "colour", "meaning")


def _zones_crumbs(team: Team) -> list[tuple[str, str]]:
    return [
        _care_crumb(),
        (f"{team.name} huddle board", reverse("care:board", args=[team.pk])),
        ("Zones", reverse("care:zones", args=[team.pk])),
    ]


@require_http_methods(["GET", "POST"])
def zones(request: HttpRequest, team_id: int) -> HttpResponse:
    """The team's zones, and a form to add one."""
    team = selectors.care_team_get(request.user, team_id)
    form = ZoneForm(posted(request))
    outcome = submit(
        request,
        form,
        lambda data: services.zone_create(
            actor=me(request), team=team, **fields(data, *ZONE_FIELDS)
        ),
    )
    if outcome.saved:
        messages.success(request, f"{outcome.value.name} is added to the board.")
        return redirect("care:zones", team_id=team.pk)
    context = {
        "page_title": f"{team.name} zones",
        "page_has_errors": bool(form.errors),
        "form": form,
        "team": team,
        "zones": services.zones_ensure(team=team),
        "breadcrumbs": breadcrumbs(*_zones_crumbs(team)[:-1], ("Zones", "")),
    }
    return _render(request, "care/zones.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def zone_edit(request: HttpRequest, team_id: int, zone_id: int) -> HttpResponse:
    team = selectors.care_team_get(request.user, team_id)
    zone = selectors.team_zone_get(team, zone_id)
    initial = {name: getattr(zone, name) for name in (*ZONE_FIELDS, "position", "version")}
    form = ZoneEditForm(posted(request), initial=initial)
    outcome = submit(
        request,
        form,
        lambda data: services.zone_update(
            actor=me(request),
            zone=zone,
            expected_version=data["version"],
            **fields(data, *ZONE_FIELDS, "position"),
        ),
    )
    if outcome.saved:
        messages.success(request, f"{outcome.value.name} is saved.")
        return redirect("care:zones", team_id=team.pk)
    latest = selectors.team_zone_get(team, zone_id) if outcome.conflict else None
    context = {
        "page_title": f"Change {zone.name}",
        "page_has_errors": bool(form.errors),
        "form": form,
        "team": team,
        "zone": zone,
        "latest": latest,
        "breadcrumbs": breadcrumbs(*_zones_crumbs(team), (zone.name, "")),
    }
    return _render(request, "care/zone_edit.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def zone_archive(request: HttpRequest, team_id: int, zone_id: int) -> HttpResponse:
    """Asks first; refused (with the reason) while anyone is in the zone."""
    team = selectors.care_team_get(request.user, team_id)
    zone = selectors.team_zone_get(team, zone_id)
    answer = asked_first(
        request,
        lambda: services.zone_archive(actor=me(request), zone=zone),
        done=f"{zone.name} is no longer on the board. Its history stays.",
    )
    if answer.made:
        return redirect("care:zones", team_id=team.pk)
    context = {
        "page_title": f"Stop using {zone.name}?",
        "page_has_errors": bool(answer.refusal),
        "team": team,
        "zone": zone,
        "error": answer.refusal,
        "breadcrumbs": breadcrumbs(*_zones_crumbs(team), (f"Stop using {zone.name}", "")),
    }
    return _render(request, "care/zone_archive.jinja", context, status=answer.status)
