"""The huddle board: the board itself, a list of it to print and the person-by-person huddle
run, with what they share with a card's own page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from roundtable.care import extensions, presenters, selectors, services
from roundtable.care.models import Destination, Zone
from roundtable.care.views._common import _care_crumb, _render
from roundtable.core.inputs import id_param
from roundtable.core.pages import breadcrumbs
from roundtable.directory.models import Team
from roundtable.forums.models import Meeting


def _meeting_param(team: Team, raw: str | None) -> Meeting | None:
    """The meeting chosen at the top of the board, or None; one of another team is not found."""
    meeting_id = id_param(raw)
    if meeting_id is None:
        return None
    return selectors.team_meeting_get(team, meeting_id)


def _board_url(
    team: Team,
    meeting: Meeting | None,
    anchor: str = "",
    *,
    view: str = "care:board",
    params: dict[str, str] | None = None,
) -> str:
    query = {"meeting": str(meeting.pk)} if meeting is not None else {}
    query.update(params or {})
    url = reverse(view, args=[team.pk])
    return url + (f"?{urlencode(query, safe=',')}" if query else "") + anchor


def _card_shared(
    request: HttpRequest,
    team: Team,
    meeting: Meeting | None,
    *,
    badges: dict[int, list[Any]],
    zone_options: Any,
    hx: bool,
    back: str = "",
) -> dict[str, Any]:
    """What the board and a card's page both need to write cards."""
    meeting_query = f"?meeting={meeting.pk}" if meeting is not None else ""
    paths = presenters.card_paths(team.pk)
    return {
        "team": team,
        "meeting": meeting,
        "meeting_query": meeting_query,
        "cards": presenters.CardWriter(
            paths=paths,
            csrf_token=get_token(request),
            meeting_id=meeting.pk if meeting is not None else None,
            badges=badges,
            zone_options=zone_options,
            meeting_query=meeting_query,
            hx=hx,
            back=back,
        ),
        "back_url": back,
    }


def _filtered_board(
    request: HttpRequest,
    team: Team,
    zones: list[Zone],
    meeting: Meeting | None,
    filters: presenters.BoardFilters,
    *,
    audit_summary: str = "",
    also: frozenset[int] = frozenset(),
) -> tuple[selectors.HuddleBoard, dict[int, list[Any]], dict[int, list[str]], list[Any]]:
    """The board as its filters choose it (and the cards `also`, by id, whatever they say),
    with every card's badges, why each card shown needs discussion (if it does), and the key
    workers on the whole board, for the filter. Without `audit_summary` the caller records
    whom it shows."""
    badges: dict[int, list[Any]] = {}
    needs: dict[int, list[str]] = {}
    workers: dict[int, str] = {}
    today = timezone.localdate()

    def keep(cards: list[selectors.BoardCard]) -> list[selectors.BoardCard]:
        badge_needs: dict[int, list[Any]] = {}
        badges.update(extensions.board_badges(request.user, team, cards, needs=badge_needs))
        kept = []
        for card in cards:
            worker = card.episode.key_worker
            if worker is not None:
                workers[worker.id] = worker.full_name
            why = presenters.card_needs(card, badge_needs, today)
            if filters.keeps(card, why) or card.episode.id in also:
                kept.append(card)
                if why:
                    needs[card.episode.id] = why
        return kept

    board = selectors.huddle_board(
        request.user,
        team,
        zones=zones,
        meeting=meeting,
        extras=extensions.board_extras(),
        keep=keep,
        audit_summary=audit_summary,
        audit=bool(audit_summary),
    )
    return board, badges, needs, sorted(workers.items(), key=lambda w: w[1])


def _board_context(
    request: HttpRequest,
    team: Team,
    meeting: Meeting | None,
    *,
    bound: dict[str, Any] | None = None,
    changed: int | None = None,
    status_text: str = "",
    filters: presenters.BoardFilters | None = None,
) -> dict[str, Any]:
    """The board: a compact card for each person (its name opens it, with its note and
    forms), in zones, as the filters choose. `bound` is the card whose form was just sent
    (htmx): it stays open on the board, with the problem if there was one."""
    filters = filters or presenters.BoardFilters()
    zones = services.zones_ensure(team=team)
    board, badges, needs, workers = _filtered_board(
        request, team, zones, meeting, filters, audit_summary=f"Huddle board of {team.name}"
    )
    has_errors = bool(bound and bound["form"] is not None and bound["form"].errors)
    choices = presenters.zone_choices(zones)
    context = {
        **_card_shared(
            request,
            team,
            meeting,
            badges=badges,
            # Written once for every card; no card's zone is selected (its column says it).
            zone_options=presenters.select_options(choices),
            hx=True,
        ),
        "page_title": f"{team.name} huddle board",
        "board": board,
        "zones": zones,
        "filters": filters,
        "workers": workers,
        "need_count": len(needs),
        "columns": [c for c in board.columns if c.cards or not filters.active],
        "run_url": _board_url(team, meeting, view="care:board-run", params=filters.query()),
        "print_url": _board_url(team, meeting, view="care:board-print", params=filters.query()),
        "meetings": selectors.huddle_meetings(team),
        "bound": bound,
        "bound_zone_options": None,
        "bound_more": None,
        "changed": changed,
        "swap_focus": False,
        "status_text": status_text,
        "error_items": presenters.card_error_items(bound["kind"], bound["episode"], bound["form"])
        if bound and has_errors
        else [],
        "page_has_errors": has_errors,
        "breadcrumbs": breadcrumbs(_care_crumb(), (f"{team.name} huddle board", "")),
    }
    if has_errors and bound and bound["kind"] == "zone":
        context["bound_zone_options"] = presenters.select_options(
            choices, bound["form"].data.get("zone", "")
        )
    if bound:
        # The card's forms, open in the card, with the problem and what was posted.
        found = [
            (column.zone, card)
            for column in board.columns
            for card in column.cards
            if card.episode.pk == bound["episode"]
        ]
        if found:
            zone, card = found[0]
            forms_context = {
                **context,
                **_card_form_choices(team),
                **_card_forms_context(card, zone),
                "in_board": True,
            }
            context["bound_more"] = render_to_string(
                "care/_card_forms.jinja", forms_context, request=request
            )
    return context


def _card_forms_context(card: selectors.BoardCard, zone: Zone | None) -> dict[str, Any]:
    episode = card.episode
    return {"card": card, "e": episode, "pk": episode.pk, "who": episode.person.name, "zone": zone}


def _card_form_choices(team: Team) -> dict[str, Any]:
    return {
        "members": selectors.team_members(team),
        "forums": selectors.team_forums(team),
        "destinations": Destination.choices,
    }


@require_GET
def board(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.care_team_get(request.user, team_id)
    meeting = _meeting_param(team, request.GET.get("meeting"))
    filters = presenters.BoardFilters.of(request.GET)
    context = _board_context(request, team, meeting, filters=filters)
    return _render(request, "care/board.jinja", context)


@require_GET
def board_print(request: HttpRequest, team_id: int) -> HttpResponse:
    """The board as a list to print: each zone's people with key worker, time in the zone and
    what needs discussing; no forms."""
    team = selectors.care_team_get(request.user, team_id)
    meeting = _meeting_param(team, request.GET.get("meeting"))
    filters = presenters.BoardFilters.of(request.GET)
    zones = services.zones_ensure(team=team)
    board, badges, needs, _ = _filtered_board(
        request,
        team,
        zones,
        meeting,
        filters,
        audit_summary=f"Huddle board of {team.name}, printed",
    )
    context = {
        "page_title": f"{team.name} huddle board to print",
        "team": team,
        "board": board,
        "filters": filters,
        "columns": [c for c in board.columns if c.cards],
        "today": timezone.localdate(),
        "needs": needs,
        "badges": badges,
        "board_url": _board_url(team, meeting, params=filters.query()),
        "breadcrumbs": breadcrumbs(
            _care_crumb(),
            (f"{team.name} huddle board", _board_url(team, meeting)),
            ("Print", ""),
        ),
    }
    return _render(request, "care/board_print.jinja", context)


@require_GET
def board_run(request: HttpRequest, team_id: int) -> HttpResponse:
    """Run the huddle: one person at a time, of those who need discussion today (within the
    board's other filters), with their card open and its forms; each form comes back here, and
    "Next person" steps on.

    The run keeps the order it started in (`order`, the episodes' ids, carried from page to
    page): someone whose zone changes, or who needs nothing more, keeps their place; someone
    who comes to need discussion during the huddle joins the end."""
    team = selectors.care_team_get(request.user, team_id)
    meeting = _meeting_param(team, request.GET.get("meeting"))
    chosen = presenters.BoardFilters.of(request.GET)
    filters = presenters.BoardFilters(chosen.zone, chosen.worker, needs=True)
    zones = services.zones_ensure(team=team)
    raw_at = str(request.GET.get("at", ""))
    at = id_param(raw_at)
    asked = (id_param(i) for i in str(request.GET.get("order", "")).split(",")[:500])
    started = [i for i in asked if i is not None]
    board, badges, needs, _ = _filtered_board(
        request, team, zones, meeting, filters, also=frozenset(started)
    )
    found = {
        card.episode.id: (column.zone, card) for column in board.columns for card in column.cards
    }
    order = [i for i in started if i in found] + [i for i in found if i not in started]
    queue = [found[i] for i in order]
    index = order.index(at) if at in order else 0
    params = filters.query()
    params.pop("needs", None)
    params["order"] = ",".join(map(str, order))

    def step(i: int) -> str:
        return _board_url(
            team, meeting, view="care:board-run", params={**params, "at": str(order[i])}
        )

    context: dict[str, Any] = {
        "page_title": f"{team.name} huddle",
        "team": team,
        "meeting": meeting,
        "queue_count": len(queue),
        "board_url": _board_url(team, meeting, params=chosen.query()),
        "breadcrumbs": breadcrumbs(
            _care_crumb(),
            (f"{team.name} huddle board", _board_url(team, meeting)),
            ("Run the huddle", ""),
        ),
    }
    if queue:
        zone, card = queue[index]
        here = step(index)
        context.update(
            {
                **_card_shared(
                    request,
                    team,
                    meeting,
                    badges=badges,
                    zone_options=presenters.select_options(presenters.zone_choices(zones, zone)),
                    hx=False,
                    back=here,
                ),
                **_card_form_choices(team),
                **_card_forms_context(card, zone),
                "position": index + 1,
                "why": needs.get(card.episode.id, []),
                "previous_url": step(index - 1) if index > 0 else "",
                "next_url": step(index + 1) if index + 1 < len(queue) else "",
                "next_name": queue[index + 1][1].episode.person.name
                if index + 1 < len(queue)
                else "",
            }
        )
        # Only the person being discussed (and the next one's name) is shown.
        shown = [card.episode.person_id]
        if index + 1 < len(queue):
            shown.append(queue[index + 1][1].episode.person_id)
        selectors.audit_people_shown(request.user, shown, f"Huddle of {team.name}, run")
    return _render(request, "care/board_run.jinja", context)
