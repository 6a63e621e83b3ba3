"""Care pages: referring, a person's page, the front door, the offer catalogue, the huddle board,
zones, the ready list and caseloads. Each view parses with a form, calls a selector or service,
and renders; the huddle card forms answer htmx with the board alone. A card's bigger forms are
on its own page, which htmx opens inside the card on the board."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roundtable.care import extensions, presenters, selectors, services
from roundtable.care.forms import (
    ActionDoneForm,
    ActionForm,
    ConsentForm,
    MoveOnForm,
    NoteForm,
    OfferEditForm,
    OfferForm,
    OfferProposeForm,
    ReferForm,
    ReferralFields,
    StageForm,
    ZoneEditForm,
    ZoneForm,
    ZoneSetForm,
)
from roundtable.care.models import Destination, Episode, Stage, Zone, ZoneColour
from roundtable.core.concurrency import ConcurrentEditError
from roundtable.core.inputs import id_param
from roundtable.core.pages import (
    add_service_errors,
    allowed,
    breadcrumbs,
    form_status,
    me,
    posted,
    renderer,
    require,
    submit,
)
from roundtable.decisions import selectors as decision_selectors
from roundtable.directory.models import Person, Team
from roundtable.forums.models import Meeting

ZONE_TAGS = {
    ZoneColour.RED: "red",
    ZoneColour.AMBER: "orange",
    ZoneColour.GREEN: "green",
    ZoneColour.BLUE: "blue",
    ZoneColour.PURPLE: "purple",
    ZoneColour.GREY: "grey",
}


def _care_crumb() -> tuple[str, str]:
    return ("Care", reverse("care:home"))


_render = renderer(
    "care",
    {
        "nhs_number": presenters.nhs_number,
        "days_since": presenters.days_since,
        "days_text": presenters.days_text,
        "sbard_parts": presenters.sbard_parts,
        "zone_tags": ZONE_TAGS,
    },
)


def _page(request: HttpRequest, items: list[Any]) -> Any:
    return Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))


# -- Start page ----------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    mine = selectors.caseload(request.user, me(request))
    context = {
        "page_title": "Care",
        "teams": selectors.my_care_teams(request.user),
        "forums": selectors.front_door_forums(request.user),
        "caseload": mine[:10],
        "caseload_count": len(mine),
        "breadcrumbs": breadcrumbs(("Care", "")),
    }
    return _render(request, "care/home.jinja", context)


# -- Referring -----------------------------------------------------------------------------------


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
        teams = selectors.my_care_teams(request.user)
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
    teams, args = _referral_form_args(request, selectors.teams_to_refer_again(request.user, person))
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


# -- A person's page -----------------------------------------------------------------------------


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
    refer_teams = selectors.teams_to_refer_again(request.user, person)
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
    if form.is_valid():
        data = form.cleaned_data
        to_stage = data["to_stage"]
        moving_on = to_stage == Stage.MOVED_ON
        try:
            moved = services.episode_move(
                actor=me(request),
                episode=episode,
                to_stage=to_stage,
                reason=data["reason"],
                destination=data["destination"] if moving_on else "",
                decision=data["decision"] if moving_on else None,
                expected_version=data["version"],
            )
        except ConcurrentEditError:
            form.add_error(
                None,
                f"Someone else changed {episode.person.name}'s stage while you were looking. "
                "Nothing was saved: check the stage now shown and try again.",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            text = f"{episode.person.name} is now {Stage(moved.stage).label.lower()}"
            if moving_on:
                text += f": {Destination(moved.destination).label}"
            messages.success(request, text + ".")
            return redirect(
                reverse("care:person", args=[episode.person_id]) + f"#episode-{episode.pk}"
            )
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
    error = ""
    if request.method == "POST":
        try:
            services.consent_withdraw(actor=me(request), consent=consent)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(
                request,
                f"Consent withdrawn: {consent.organisation.name} no longer sees {person.name}.",
            )
            return redirect(reverse("care:person", args=[person.pk]) + "#consents")
    context = {
        "page_title": f"Withdraw consent to share with {consent.organisation.name}?",
        "page_has_errors": bool(error),
        "consent": consent,
        "person": person,
        "error": error,
        "breadcrumbs": breadcrumbs(
            _care_crumb(),
            (person.name, reverse("care:person", args=[person.pk])),
            ("Withdraw consent", ""),
        ),
    }
    return _render(request, "care/consent_withdraw.jinja", context, status=400 if error else 200)


# -- The front door ------------------------------------------------------------------------------


def _front_door_page(
    request: HttpRequest,
    forum_id: int,
    *,
    bound: OfferProposeForm | None = None,
    bound_episode: int | None = None,
) -> HttpResponse:
    forum = selectors.front_door_forum_get(request.user, forum_id)
    page = _page(request, selectors.front_door_queue(request.user, forum))
    offers = selectors.offers()
    meetings = selectors.forum_meetings_today(forum)
    rows = []
    for referral in page.object_list:
        episode = referral.episode
        form = None
        if referral.open_offer is None:
            if bound is not None and bound_episode == episode.pk:
                form = bound
            else:
                form = OfferProposeForm(
                    offers=offers, meetings=meetings, prefix=f"referral-{episode.pk}"
                )
        rows.append((referral, form))
    context = {
        "page_title": forum.name,
        "page_has_errors": bool(bound is not None and bound.errors),
        "bound": bound,
        "forum": forum,
        "page": page,
        "rows": rows,
        "has_offers": bool(offers),
        "can_change_offers": allowed(request, "care.change_offers"),
        "breadcrumbs": breadcrumbs(_care_crumb(), (forum.name, "")),
    }
    return _render(request, "care/front_door.jinja", context, status=form_status(bound))


@require_GET
def front_door(request: HttpRequest, forum_id: int) -> HttpResponse:
    return _front_door_page(request, forum_id)


@require_POST
def offer_propose(request: HttpRequest, forum_id: int, episode_id: int) -> HttpResponse:
    forum = selectors.front_door_forum_get(request.user, forum_id)
    episode = selectors.front_door_referral_get(request.user, forum, episode_id)
    form = OfferProposeForm(
        request.POST,
        offers=selectors.offers(),
        meetings=selectors.forum_meetings_today(forum),
        prefix=f"referral-{episode.pk}",
    )
    outcome = submit(
        request,
        form,
        lambda data: services.front_door_offer_propose(
            actor=me(request),
            episode=episode,
            offer=data["offer"],
            forum=forum,
            meeting=data["meeting"],
            proposal=data["proposal"],
        ),
    )
    if outcome.saved:
        messages.success(
            request,
            f"The offer for {episode.person.name} is open for positions: “{outcome.value.title}”.",
        )
        return redirect(reverse("care:front-door", args=[forum.pk]) + f"#referral-{episode.pk}")
    return _front_door_page(request, forum.pk, bound=form, bound_episode=episode.pk)


# -- The offer catalogue -------------------------------------------------------------------------


def _offers_crumb() -> tuple[str, str]:
    return ("Offers", reverse("care:offers"))


@require_GET
def offers(request: HttpRequest) -> HttpResponse:
    catalogue = selectors.offers(active_only=False)
    context = {
        "page_title": "Offers",
        "page": _page(request, catalogue),
        "active_count": sum(1 for o in catalogue if o.is_active),
        "can_change": allowed(request, "care.change_offers"),
        "breadcrumbs": breadcrumbs(_care_crumb(), ("Offers", "")),
    }
    return _render(request, "care/offers.jinja", context)


@require_http_methods(["GET", "POST"])
def offer_new(request: HttpRequest) -> HttpResponse:
    require(request, "care.change_offers")
    form = OfferForm(posted(request), organisations=selectors.organisations())
    outcome = submit(
        request,
        form,
        lambda data: services.offer_create(
            actor=me(request),
            name=data["name"],
            kind=data["kind"],
            organisation=data["organisation"],
            description=data["description"],
        ),
    )
    if outcome.saved:
        messages.success(request, f"{outcome.value.name} is in the catalogue.")
        return redirect("care:offers")
    context = {
        "page_title": "Add an offer",
        "page_has_errors": bool(form.errors),
        "form": form,
        "breadcrumbs": breadcrumbs(_care_crumb(), _offers_crumb(), ("Add an offer", "")),
    }
    return _render(request, "care/offer_form.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = selectors.offer_get(offer_id)
    require(request, "care.change_offers")
    initial = {
        "name": offer.name,
        "kind": offer.kind,
        "organisation": offer.organisation_id,
        "description": offer.description,
        "is_active": offer.is_active,
        "version": offer.version,
    }
    form = OfferEditForm(posted(request), organisations=selectors.organisations(), initial=initial)
    outcome = submit(
        request,
        form,
        lambda data: services.offer_update(
            actor=me(request),
            offer=offer,
            expected_version=data["version"],
            name=data["name"],
            kind=data["kind"],
            organisation=data["organisation"],
            description=data["description"],
            is_active=data["is_active"],
        ),
    )
    if outcome.saved:
        messages.success(request, f"{outcome.value.name} is saved.")
        return redirect("care:offers")
    latest = selectors.offer_get(offer_id) if outcome.conflict else None
    context = {
        "page_title": f"Change {offer.name}",
        "page_has_errors": bool(form.errors),
        "form": form,
        "offer": offer,
        "latest": latest,
        "breadcrumbs": breadcrumbs(_care_crumb(), _offers_crumb(), (offer.name, "")),
    }
    return _render(request, "care/offer_form.jinja", context, status=outcome.status(form))


# -- The huddle board ----------------------------------------------------------------------------


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


# The card forms that live on a card's own page and in the card opened on the board.
CARD_PAGE_FORMS = ("note", "action", "moveon")


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
    done = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.episode_zone_set(
                actor=me(request),
                episode=episode,
                zone=data["zone"],
                reason=data["reason"],
                meeting=meeting,
                expected_version=data["version"],
            )
        except ConcurrentEditError:
            form.add_error(None, _stale(episode))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = f"{episode.person.name} moved to {data['zone'].name}."
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
            **{name: data[name] for name in services.SBARD_FIELDS},
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
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
            meeting=meeting,
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
    done = ""
    if form.is_valid():
        try:
            services.care_action_complete(
                actor=me(request), action=action, expected_version=form.cleaned_data["version"]
            )
        except ConcurrentEditError:
            form.add_error(None, _stale(episode))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = f"Done: {action.description} ({episode.person.name})."
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
            destination=data["destination"],
            forum=data["forum"],
            proposal=data["proposal"],
            meeting=meeting if meeting and meeting.forum_id == data["forum"].pk else None,
        ),
    )
    done = ""
    if outcome.saved:
        done = f"The move-on decision for {episode.person.name} is open for the team's positions."
    return _card_response(request, episode, meeting, kind="moveon", form=form, done=done)


# -- Zones ---------------------------------------------------------------------------------------


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
            actor=me(request),
            team=team,
            name=data["name"],
            colour=data["colour"],
            meaning=data["meaning"],
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
    initial = {
        "name": zone.name,
        "colour": zone.colour,
        "meaning": zone.meaning,
        "position": zone.position,
        "version": zone.version,
    }
    form = ZoneEditForm(posted(request), initial=initial)
    outcome = submit(
        request,
        form,
        lambda data: services.zone_update(
            actor=me(request),
            zone=zone,
            expected_version=data["version"],
            name=data["name"],
            colour=data["colour"],
            meaning=data["meaning"],
            position=data["position"],
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
    error = ""
    if request.method == "POST":
        try:
            services.zone_archive(actor=me(request), zone=zone)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, f"{zone.name} is no longer on the board. Its history stays.")
            return redirect("care:zones", team_id=team.pk)
    context = {
        "page_title": f"Stop using {zone.name}?",
        "page_has_errors": bool(error),
        "team": team,
        "zone": zone,
        "error": error,
        "breadcrumbs": breadcrumbs(*_zones_crumbs(team), (f"Stop using {zone.name}", "")),
    }
    return _render(request, "care/zone_archive.jinja", context, status=400 if error else 200)


# -- The ready list and caseloads ----------------------------------------------------------------


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
    return _caseload_page(request, selectors.colleague_get(request.user, person_id))
