"""Voice pages: raising a concern, following it (by name or receipt link), acting on it as its
leadership team, and "You said, we did". Each view parses, calls a selector or service, renders.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roundtable.core.inputs import id_param
from roundtable.core.pages import (
    allowed,
    breadcrumbs,
    fields,
    me,
    posted,
    renderer,
    require,
    submit,
)
from roundtable.core.privacy import secret_in_path
from roundtable.core.views import forbidden, not_found
from roundtable.voice import selectors, services
from roundtable.voice.forms import (
    ActionForm,
    AddressForm,
    NoteForm,
    NotTakenForwardForm,
    RaiseForm,
    ReplyForm,
    StatusFilterForm,
)
from roundtable.voice.models import Concern

STATUS_COLOURS = {
    "raised": "blue",
    "acknowledged": "aqua-green",
    "action_agreed": "purple",
    "addressed": "green",
    "not_taken_forward": "grey",
}


_render = renderer("voice", {"status_colours": STATUS_COLOURS})


def _voice_crumb() -> tuple[str, str]:
    return ("Voice", reverse("voice:home"))


def _concern_crumb(concern: Concern) -> tuple[str, str]:
    return (concern.title, reverse("voice:concern", args=[concern.pk]))


# -- Voice home and notices ---------------------------------------------------------------------


@require_GET
def voice_home(request: HttpRequest) -> HttpResponse:
    context = {
        "page_title": "Voice",
        "notices": selectors.unread_notices(request.user),
        "mine": list(selectors.concerns_raised_by(request.user)[:20]),
        "waiting": selectors.waiting_count(me(request)),
        "is_leader": selectors.is_leader(me(request)),
        "ack_days": settings.VOICE_ACKNOWLEDGE_WORKING_DAYS,
        "breadcrumbs": breadcrumbs(("Voice", "")),
    }
    return _render(request, "voice/home.jinja", context)


@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    count = services.concern_notices_read(actor=me(request))
    messages.success(request, f"{count} {'update' if count == 1 else 'updates'} marked as read.")
    return redirect("voice:home")


# -- Raising ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def concern_raise(request: HttpRequest) -> HttpResponse:
    options = selectors.send_to_options(me(request))
    form = RaiseForm(posted(request), options=options)

    def raise_it(data: dict[str, Any]) -> tuple[Concern, str]:
        chosen = form.chosen()
        return services.concern_raise(
            actor=me(request),
            level=chosen.level,
            team=chosen.team,
            organisation=chosen.organisation,
            title=data["title"],
            body=data["body"],
            anonymous=data["anonymous"] == "yes",
        )

    outcome = submit(request, form, raise_it)
    if outcome.saved:
        concern, token = outcome.value
        if form.cleaned_data["anonymous"] != "yes":
            messages.success(request, f"Your concern is with {concern.owner.name}.")
            return redirect("voice:concern", concern.pk)
        # Shown once, in this response: not put in the session or a message, where it
        # would be stored with a time alongside the person's session. Not kept by the
        # browser either (`core.middleware.NoStoreMiddleware`).
        return _render(
            request,
            "voice/receipt_new.jinja",
            {
                "page_title": "Your concern has been raised",
                "concern": concern,
                "receipt_url": request.build_absolute_uri(reverse("voice:receipt", args=[token])),
                "breadcrumbs": breadcrumbs(_voice_crumb(), ("Raised", "")),
            },
        )
    context = {
        "page_title": "Raise a concern",
        "page_has_errors": bool(form.errors),
        "form": form,
        "breadcrumbs": breadcrumbs(_voice_crumb(), ("Raise a concern", "")),
    }
    return _render(request, "voice/raise.jinja", context, status=outcome.status(form))


# -- Following a concern by its receipt ----------------------------------------------------------
#
# The receipt link is the only key to an anonymous concern, so the pages that use it keep it out
# of everything that is written down with a time (ADR 0012). The link is opened once: its token
# is checked, put in a short-lived cookie limited to these pages, and the browser is sent on to
# /voice/receipt/, which reads it from there. So the token appears in one logged request line,
# never in a later one, in a Referer, or in the sign-in page's `next` (these pages need nobody
# signed in). The pages do not look at who is signed in, if anyone: not the session, not the
# messages, not the name in the header.

RECEIPT_COOKIE = "receipt_token"  # "token" in the name: Django's error reports mask its value
RECEIPT_COOKIE_SECONDS = 60 * 60
# Receipt links that open nothing, allowed from one address in a window before it must wait.
RECEIPT_TRIES = 10
RECEIPT_TRIES_WINDOW_SECONDS = 15 * 60


class OpenReceiptForm(forms.Form):
    """The private link pasted in, or just its code: posted, so it is not put in an address."""

    receipt = forms.CharField(
        label="Your private link",
        max_length=1000,
        error_messages={"required": "Paste your private link"},
    )

    def clean_receipt(self) -> str:
        # Links copied from an e-mail or a note may be broken over lines: join them up.
        pasted = "".join(str(self.cleaned_data["receipt"]).split())
        found = re.search(r"/voice/receipt/([^/?#]+)", pasted)
        token = found.group(1) if found else pasted
        if not re.fullmatch(r"[A-Za-z0-9_-]{20,100}", token):
            raise ValidationError(
                "Paste the whole private link, starting with https:// and ending with a "
                "long code, or the code alone"
            )
        return token


def _receipt_view(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """A page of the receipt: open without signing in, and never sending a Referer.

    `Referrer-Policy: no-referrer` makes the browser send `Origin: null` with the page's forms,
    which Django's CSRF check refuses, so these pages do without it (`csrf_exempt`) and are
    protected another way: the receipt cookie is `SameSite=Strict`, so a form on another site
    cannot act with it, and a form posted from another site is refused outright when the browser
    says so (`Sec-Fetch-Site`, sent by every current browser whatever the referrer policy).
    `Cache-Control: no-store` comes from `core.middleware.NoStoreMiddleware`.
    """

    @wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response: HttpResponseBase
        if request.method == "POST" and not _posted_from_here(request):
            response = forbidden(request)
        else:
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                response = not_found(request)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return login_not_required(csrf_exempt(page))


def _posted_from_here(request: HttpRequest) -> bool:
    """False for a form posted from another site (see `_receipt_view`)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return True
    return origin == f"{request.scheme}://{request.get_host()}"


def _tries_key(request: HttpRequest) -> str:
    """The guessing limiter's key: a keyed hash of the client's address and the current window,
    and nothing else (never the token tried), so the cache does not hold an address beside a
    concern, and a key cannot be matched to an address without the secret key, nor to another
    window's key even with it."""
    window = int(time.time() // RECEIPT_TRIES_WINDOW_SECONDS)
    address = request.META.get("REMOTE_ADDR", "")
    digest = salted_hmac("roundtable.voice.receipt-tries", f"{window} {address}").hexdigest()
    return f"voice-receipt-tries:{digest}"


def _too_many_tries(request: HttpRequest) -> bool:
    return int(cache.get(_tries_key(request), 0)) >= RECEIPT_TRIES


def _find(request: HttpRequest, token: str) -> selectors.ConcernPage | None:
    """The concern a receipt is for, counting a receipt that opens nothing against the address."""
    try:
        return selectors.concern_by_receipt(token)
    except Http404:
        key = _tries_key(request)
        if not cache.add(key, 1, timeout=RECEIPT_TRIES_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # it expired in between
                cache.add(key, 1, timeout=RECEIPT_TRIES_WINDOW_SECONDS)
        return None


def _too_many(request: HttpRequest) -> HttpResponse:
    context = {
        "page_title": "Too many tries",
        "minutes": RECEIPT_TRIES_WINDOW_SECONDS // 60,
    }
    return _render(request, "voice/receipt_too_many.jinja", context, status=429)


def _keep(request: HttpRequest, response: HttpResponseBase, token: str) -> None:
    """Keep the token for the receipt pages alone, for an hour from the last use."""
    response.set_cookie(
        RECEIPT_COOKIE,
        token,
        max_age=RECEIPT_COOKIE_SECONDS,
        path=reverse("voice:receipt-page"),
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def _forget(response: HttpResponseBase) -> None:
    response.delete_cookie(RECEIPT_COOKIE, path=reverse("voice:receipt-page"), samesite="Strict")


def _see_receipt(fragment: str = "") -> HttpResponseRedirect:
    """On to the receipt page with a plain GET (303, also after a POST)."""
    return HttpResponseRedirect(reverse("voice:receipt-page") + fragment, status=303)


def _open_page(
    request: HttpRequest,
    form: OpenReceiptForm,
    *,
    status: int = 200,
    notice: str = "",
    unsent: str = "",
) -> HttpResponse:
    context = {
        "page_title": "Follow your concern",
        "page_has_errors": bool(form.errors),
        "form": form,
        "notice": notice,
        "unsent": unsent,
    }
    return _render(request, "voice/receipt_open.jinja", context, status=status)


@_receipt_view
@secret_in_path("token")
@require_GET
def receipt(request: HttpRequest, token: str) -> HttpResponseBase:
    """The link shown once when the concern was raised. Swapped for a cookie, and the browser
    sent on to the receipt page, so that the token is in no later address."""
    if _too_many_tries(request):
        return _too_many(request)
    if _find(request, token) is None:
        raise Http404("No concern found for this link. Check it was copied in full.")
    response = _see_receipt()
    _keep(request, response, token)
    return response


@_receipt_view
@require_http_methods(["GET", "POST"])
def receipt_page(request: HttpRequest) -> HttpResponseBase:
    """Follow a concern by its receipt, and reply. Who opens it is not recorded. Without the
    receipt cookie, a form to paste the link into."""
    token = request.COOKIES.get(RECEIPT_COOKIE, "")
    unsent = str(request.POST.get("body", "")) if request.method == "POST" else ""
    if not token:
        notice = (
            "Your reply was not sent, because this browser no longer has your private link."
            if unsent
            else "Your concern is now closed on this computer."
            if "closed" in request.GET
            else ""
        )
        return _open_page(request, OpenReceiptForm(), notice=notice, unsent=unsent)
    if _too_many_tries(request):
        return _too_many(request)
    page = _find(request, token)
    if page is None:
        response = _open_page(
            request,
            OpenReceiptForm(),
            notice="That private link does not open a concern any more.",
            unsent=unsent,
        )
        _forget(response)
        return response
    form = ReplyForm(posted(request))
    outcome = submit(
        request,
        form,
        lambda data: services.concern_reply_by_receipt(concern=page.concern, body=data["body"]),
    )
    if outcome.saved:
        # No message, which would touch the session.
        moved = _see_receipt("#timeline")
        _keep(request, moved, token)
        return moved
    context = {
        "page_title": page.concern.title,
        "page_has_errors": bool(form.errors),
        "page": page,
        "concern": page.concern,
        "form": form,
        "minutes": RECEIPT_COOKIE_SECONDS // 60,
    }
    response = _render(request, "voice/receipt.jinja", context, status=outcome.status(form))
    _keep(request, response, token)
    return response


@_receipt_view
@sensitive_post_parameters("receipt")
@require_POST
def receipt_open(request: HttpRequest) -> HttpResponseBase:
    """Open a concern from its private link pasted into the form."""
    form = OpenReceiptForm(request.POST)
    if not form.is_valid():
        return _open_page(request, form, status=400)
    if _too_many_tries(request):
        return _too_many(request)
    token = form.cleaned_data["receipt"]
    if _find(request, token) is None:
        form.add_error("receipt", "No concern was found for this link. Check you copied all of it")
        return _open_page(request, form, status=400)
    response = _see_receipt()
    _keep(request, response, token)
    return response


@_receipt_view
@require_POST
def receipt_close(request: HttpRequest) -> HttpResponseBase:
    """Forget the receipt on this browser (for a shared computer)."""
    response = HttpResponseRedirect(reverse("voice:receipt-page") + "?closed", status=303)
    _forget(response)
    return response


# -- The concern and its actions ----------------------------------------------------------------


def _concern_page(
    request: HttpRequest,
    page: selectors.ConcernPage,
    *,
    reply_form: ReplyForm,
    can_reply: bool,
    status: int = 200,
) -> HttpResponse:
    concern = page.concern
    context = {
        "page_title": concern.title,
        "page_has_errors": reply_form.is_bound,
        "page": page,
        "concern": concern,
        "can_act": allowed(request, "voice.act", concern) and concern.is_open,
        "can_reply": can_reply,
        "reply_form": reply_form,
        "breadcrumbs": breadcrumbs(_voice_crumb(), (concern.title, "")),
    }
    return _render(request, "voice/concern.jinja", context, status=status)


@require_GET
def concern_detail(request: HttpRequest, concern_id: int) -> HttpResponse:
    page = selectors.concern_detail(request.user, concern_id)
    can_reply = allowed(request, "voice.offer_reply", page.concern)
    return _concern_page(request, page, reply_form=ReplyForm(), can_reply=can_reply)


@require_POST
def concern_reply(request: HttpRequest, concern_id: int) -> HttpResponse:
    page = selectors.concern_detail(request.user, concern_id)
    concern = page.concern
    require(request, "voice.reply", concern)
    form = ReplyForm(request.POST)
    outcome = submit(
        request,
        form,
        lambda data: services.concern_reply(actor=me(request), concern=concern, body=data["body"]),
    )
    if outcome.saved:
        messages.success(request, "Reply added.")
        return redirect(reverse("voice:concern", args=[concern.pk]) + "#timeline")
    return _concern_page(request, page, reply_form=form, can_reply=True, status=400)


@dataclass(frozen=True)
class _Action:
    """One of the leadership team's steps with a concern: its form, the service that records it
    (given the concern's version and the form's fields of these names), its page, and what is
    said once it is done."""

    form_class: type[forms.Form]
    record: Callable[..., Concern]
    given: tuple[str, ...]
    template: str
    title: str
    done: str
    initial: dict[str, Any] = field(default_factory=dict)


def _action_view(action: _Action) -> Callable[[HttpRequest, int], HttpResponse]:
    """The page of a step: only for the concern's leadership team; a stale version is shown
    beside what is saved now (409)."""

    @require_http_methods(["GET", "POST"])
    def page(request: HttpRequest, concern_id: int) -> HttpResponse:
        concern = selectors.concern_get(request.user, concern_id)
        require(request, "voice.act", concern)
        form = action.form_class(
            posted(request), initial={"version": concern.version, **action.initial}
        )
        outcome = submit(
            request,
            form,
            lambda data: action.record(
                actor=me(request),
                concern=concern,
                expected_version=data["version"],
                **fields(data, *action.given),
            ),
        )
        if outcome.saved:
            messages.success(request, action.done)
            return redirect("voice:concern", concern.pk)
        latest = selectors.concern_get(request.user, concern_id) if outcome.conflict else None
        context = {
            "page_title": action.title,
            "page_has_errors": bool(form.errors),
            "form": form,
            "concern": concern,
            "latest": latest,
            "heading": action.title,
            "action_days": settings.VOICE_ACTION_WORKING_DAYS,
            "breadcrumbs": breadcrumbs(_voice_crumb(), _concern_crumb(concern), (action.title, "")),
        }
        return _render(request, action.template, context, status=outcome.status(form))

    return page


acknowledge = _action_view(
    _Action(
        NoteForm,
        services.concern_acknowledge,
        ("note",),
        "voice/acknowledge.jinja",
        title="Acknowledge the concern",
        done="Acknowledged. Next: agree an action, or say why it is not taken forward.",
    )
)
agree_action = _action_view(
    _Action(
        ActionForm,
        services.concern_agree_action,
        ("action", "action_due_on"),
        "voice/agree_action.jinja",
        title="Agree an action",
        done="Action agreed.",
    )
)
# A concern closed is shown on "You said, we did" unless the box is unticked.
address = _action_view(
    _Action(
        AddressForm,
        services.concern_address,
        ("what_we_did", "on_board"),
        "voice/address.jinja",
        title="Record what we did",
        done="The concern is addressed.",
        initial={"on_board": True},
    )
)
not_taken_forward = _action_view(
    _Action(
        NotTakenForwardForm,
        services.concern_not_take_forward,
        ("reason", "on_board"),
        "voice/not_taken_forward.jinja",
        title="Not taken forward",
        done="The concern is closed as not taken forward, with the reason.",
        initial={"on_board": True},
    )
)


# -- Lists --------------------------------------------------------------------------------------


@require_GET
def leadership_concerns(request: HttpRequest) -> HttpResponse:
    form = StatusFilterForm(request.GET or {"status": "open"})
    status = form.cleaned_data.get("status", "") if form.is_valid() else "open"
    concerns = selectors.concerns_for_my_leadership(me(request), status=status)
    page = Paginator(concerns, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_title": "Concerns for your leadership teams",
        "form": form,
        "page": page,
        "is_leader": selectors.is_leader(me(request)),
        "breadcrumbs": breadcrumbs(_voice_crumb(), ("For your leadership teams", "")),
    }
    return _render(request, "voice/leadership.jinja", context)


@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """ "You said, we did" for a team, an organisation or the whole system."""
    team_id, organisation_id = request.GET.get("team", ""), request.GET.get("organisation", "")
    team = selectors.team_get(number) if (number := id_param(team_id)) else None
    organisation = (
        selectors.organisation_get(number)
        if (number := id_param(organisation_id)) and team is None
        else None
    )
    rows = selectors.board(team=team, organisation=organisation)
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    teams, organisations = selectors.board_choices()
    where = team.name if team else organisation.name if organisation else "the whole system"
    context = {
        "page_title": f"You said, we did: {where}",
        "where": where,
        "team": team,
        "organisation": organisation,
        "page": page,
        "teams": teams,
        "organisations": organisations,
        "breadcrumbs": breadcrumbs(_voice_crumb(), ("You said, we did", "")),
    }
    return _render(request, "voice/board.jinja", context)


def home_section(request: HttpRequest) -> SafeString:
    """Concerns waiting for the person's leadership teams, and updates on their own."""
    waiting = selectors.waiting_count(me(request))
    notices = selectors.unread_notices(request.user)
    if not waiting and not notices:
        return SafeString("")
    return SafeString(
        render_to_string(
            "voice/_home_section.jinja",
            {"waiting": waiting, "notices": notices[:5]},
            request=request,
        )
    )
