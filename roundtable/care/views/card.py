"""A card of the huddle board: its own page, which htmx opens inside the card on the board, and
its forms (the zone, an SBARD note, actions, the move on), which answer htmx with the board
alone."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from roundtable.care import extensions, presenters, selectors, services
from roundtable.care.forms import ActionDoneForm, ActionForm, MoveOnForm, NoteForm, ZoneSetForm
from roundtable.care.models import Episode
from roundtable.care.views._common import _care_crumb, _render
from roundtable.care.views.board import (
    _board_context,
    _board_url,
    _card_form_choices,
    _card_forms_context,
    _card_shared,
    _meeting_param,
)
from roundtable.core.pages import breadcrumbs, fields, me, require, submit
from roundtable.directory.models import Team
from roundtable.forums.models import Meeting

# The card forms that live on a card's own page and in the card opened on the board.
CARD_PAGE_FORMS = ("note", "action", "moveon")


def _card_page(
    request: HttpRequest,
    team: Team,
    episode_id: int,
    meeting: Meeting | None,
    *,
    bound: dict[str, Any] | None = None,
) -> HttpResponse:
    """One card of the board with all its forms: the zone, the note, the action and the move on.
    With htmx, the card itself, open (or compact again with `view=compact`), to replace the
    compact card on the board."""
    episode, card = selectors.board_card(request.user, episode_id, extras=extensions.board_extras())
    if episode.team_id != team.pk or not episode.is_open:
        raise Http404("No card found.")
    require(request, "care.change_episode", episode)
    name = episode.person.name
    has_errors = bool(bound and bound["form"].errors)
    zone_options = presenters.select_options(
        presenters.zone_choices(services.zones_ensure(team=team), episode.zone),
        bound["form"].data.get("zone", "") if bound and bound["kind"] == "zone" else "",
    )
    context = {
        **_card_shared(
            request,
            team,
            meeting,
            badges=extensions.board_badges(request.user, team, [card]),
            zone_options=zone_options,
            hx=bound is None and bool(getattr(request, "htmx", False)),
        ),
        **_card_form_choices(team),
        **_card_forms_context(card, episode.zone),
        "page_title": f"{name}: huddle card",
        "bound": bound,
        "error_items": presenters.card_error_items(bound["kind"], episode.pk, bound["form"])
        if bound and has_errors
        else [],
        "page_has_errors": has_errors,
        "board_url": _board_url(team, meeting, f"#card-{episode.pk}"),
        "breadcrumbs": breadcrumbs(
            _care_crumb(),
            (f"{team.name} huddle board", _board_url(team, meeting)),
            (name, ""),
        ),
    }
    if bound is None and getattr(request, "htmx", False):
        # The card opened in place on the board (its name takes the focus), or closed again.
        if request.GET.get("view") == "compact":
            html = context["cards"].compact(card, focus=True)
        else:
            context["in_board"] = True
            more = render_to_string("care/_card_forms.jinja", context, request=request)
            html = context["cards"].item(card, focus=True, more=more)
        response = HttpResponse(html)
    else:
        response = _render(request, "care/card.jinja", context, status=400 if has_errors else 200)
    # The same address answers htmx with a fragment and a browser with the page.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def card(request: HttpRequest, team_id: int, episode_id: int) -> HttpResponse:
    team = selectors.care_team_get(request.user, team_id)
    meeting = _meeting_param(team, request.GET.get("meeting"))
    return _card_page(request, team, episode_id, meeting)


def _card_response(
    request: HttpRequest,
    episode: Episode,
    meeting: Meeting | None,
    *,
    kind: str,
    form: Any,
    done: str,
) -> HttpResponse:
    """After a card form: htmx gets the board alone, with a status message saying what changed
    (or what to fix); without JavaScript a success redirects back to the card on the board and
    a problem shows the card's own page with an error summary."""
    team = episode.team
    htmx = bool(getattr(request, "htmx", False))
    if done and not htmx:
        messages.success(request, done)
        back = _run_return(request, team)
        return redirect(back or _board_url(team, meeting, f"#card-{episode.pk}"))
    if not htmx:
        return _card_page(
            request,
            team,
            episode.pk,
            meeting,
            bound={"kind": kind, "episode": episode.pk, "form": form},
        )
    # The card stays open on the board: with the problem, or ready for the next change.
    bound = {"kind": kind, "episode": episode.pk, "form": None if done else form}
    status_text = done or "There is a problem: " + " ".join(
        item["text"] for item in presenters.card_error_items(kind, episode.pk, form)
    )
    context = _board_context(
        request, team, meeting, bound=bound, changed=episode.pk, status_text=status_text
    )
    # htmx swaps only successful responses: a problem is shown in place, with a 200. Focus
    # moves to the changed card's name, wherever the card now is.
    context["swap_focus"] = True
    return _render(request, "care/_board_swap.jinja", context)


def _run_return(request: HttpRequest, team: Team) -> str:
    """Where a card form sent from the huddle run comes back to: that page of the run (the
    form's `next`), only if it is one; otherwise "" (the board)."""
    back = str(request.POST.get("next", ""))
    run = reverse("care:board-run", args=[team.pk])
    if back == run or back.startswith(run + "?"):
        return back
    return ""


def _card_episode(request: HttpRequest, episode_id: int) -> tuple[Episode, Meeting | None]:
    episode = selectors.episode_get(request.user, episode_id, audit=False)
    require(request, "care.change_episode", episode)
    return episode, _meeting_param(episode.team, request.POST.get("meeting"))


def _stale(episode: Episode) -> str:
    return (
        f"Someone else changed {episode.person.name}'s card while you were looking. Nothing was "
        "saved: the card now shows the latest, so check it and try again."
    )


@require_POST
def zone_set(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode, meeting = _card_episode(request, episode_id)
    form = ZoneSetForm(request.POST, zones=services.zones_ensure(team=episode.team))
    outcome = submit(
        request,
        form,
        lambda data: services.episode_zone_set(
            actor=me(request),
            episode=episode,
            meeting=meeting,
            expected_version=data["version"],
            **fields(data, "zone", "reason"),
        ),
        stale=_stale(episode),
    )
    done = ""
    if outcome.saved:
        done = f"{episode.person.name} moved to {form.cleaned_data['zone'].name}."
    return _card_response(request, episode, meeting, kind="zone", form=form, done=done)


@require_POST
def note_add(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode, meeting = _card_episode(request, episode_id)
    form = NoteForm(request.POST)
    outcome = submit(
        request,
        form,
        lambda data: services.huddle_note_add(
            actor=me(request),
            episode=episode,
            meeting=meeting,
            **fields(data, *services.SBARD_FIELDS),
        ),
    )
    done = f"SBARD note added for {episode.person.name}." if outcome.saved else ""
    return _card_response(request, episode, meeting, kind="note", form=form, done=done)


@require_POST
def action_add(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode, meeting = _card_episode(request, episode_id)
    form = ActionForm(request.POST, members=selectors.team_members(episode.team))
    outcome = submit(
        request,
        form,
        lambda data: services.care_action_add(
            actor=me(request),
            episode=episode,
            meeting=meeting,
            **fields(data, "description", "owner", "due_on"),
        ),
    )
    done = ""
    if outcome.saved:
        done = f"Action added for {episode.person.name}: {outcome.value.description}."
    return _card_response(request, episode, meeting, kind="action", form=form, done=done)


@require_POST
def action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    action = selectors.care_action_get(request.user, action_id)
    episode, meeting = _card_episode(request, action.episode_id)
    form = ActionDoneForm(request.POST)
    outcome = submit(
        request,
        form,
        lambda data: services.care_action_complete(
            actor=me(request), action=action, expected_version=data["version"]
        ),
        stale=_stale(episode),
    )
    done = f"Done: {action.description} ({episode.person.name})." if outcome.saved else ""
    return _card_response(request, episode, meeting, kind="done", form=form, done=done)


@require_POST
def move_on_raise(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode, meeting = _card_episode(request, episode_id)
    form = MoveOnForm(request.POST, forums=selectors.team_forums(episode.team))
    outcome = submit(
        request,
        form,
        lambda data: services.move_on_propose(
            actor=me(request),
            episode=episode,
            **fields(data, "destination", "forum", "proposal"),
            meeting=meeting if meeting and meeting.forum_id == data["forum"].pk else None,
        ),
    )
    done = ""
    if outcome.saved:
        done = f"The move-on decision for {episode.person.name} is open for the team's positions."
    return _card_response(request, episode, meeting, kind="moveon", form=form, done=done)
