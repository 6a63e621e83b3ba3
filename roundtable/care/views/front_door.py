"""The front door: new referrals to the forum's teams, and an offer proposed for each."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from roundtable.care import selectors, services
from roundtable.care.forms import OfferProposeForm
from roundtable.care.views._common import _care_crumb, _page, _render
from roundtable.core.pages import allowed, breadcrumbs, form_status, me, submit


def _front_door_page(
    request: HttpRequest,
    forum_id: int,
    *,
    bound: OfferProposeForm | None = None,
    bound_episode: int | None = None,
) -> HttpResponse:
    forum = selectors.front_door_forum_get(me(request), forum_id)
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
    forum = selectors.front_door_forum_get(me(request), forum_id)
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
