"""Voice pages: raising a concern, following it (by name or receipt link), acting on it as its
leadership team, and "You said, we did". Each view parses, calls a selector or service, renders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.permissions import has_perm as rule_allows

from roundtable.core.concurrency import ConcurrentEditError
from roundtable.core.pages import add_service_errors, breadcrumbs, form_status
from roundtable.directory.models import Person
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


def _me(request: HttpRequest) -> Person:
    return cast(Person, request.user)


def _can(request: HttpRequest, name: str, concern: Concern) -> bool:
    return bool(rule_allows(f"voice.{name}", request.user, concern))  # type: ignore[no-untyped-call]


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context.setdefault("active_nav", "voice")
    context["status_colours"] = STATUS_COLOURS
    return render(request, template, context, status=status)


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
        "waiting": selectors.waiting_count(request.user),
        "is_leader": selectors.is_leader(request.user),
        "ack_days": settings.VOICE_ACKNOWLEDGE_WORKING_DAYS,
        "breadcrumbs": breadcrumbs(("Voice", "")),
    }
    return _render(request, "voice/home.jinja", context)


@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    count = services.concern_notices_read(actor=_me(request))
    messages.success(request, f"{count} {'update' if count == 1 else 'updates'} marked as read.")
    return redirect("voice:home")


# -- Raising ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def concern_raise(request: HttpRequest) -> HttpResponse:
    options = selectors.send_to_options(request.user)
    form = RaiseForm(_posted(request), options=options)
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen()
        anonymous = form.cleaned_data["anonymous"] == "yes"
        try:
            concern, token = services.concern_raise(
                actor=_me(request),
                level=chosen.level,
                team=chosen.team,
                organisation=chosen.organisation,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                anonymous=anonymous,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not anonymous:
                messages.success(request, f"Your concern is with {concern.owner.name}.")
                return redirect("voice:concern", concern.pk)
            # Shown once, in this response: not put in the session or a message, where it
            # would be stored with a time alongside the person's session.
            response = _render(
                request,
                "voice/receipt_new.jinja",
                {
                    "page_title": "Your concern has been raised",
                    "concern": concern,
                    "receipt_url": request.build_absolute_uri(
                        reverse("voice:receipt", args=[token])
                    ),
                    "breadcrumbs": breadcrumbs(_voice_crumb(), ("Raised", "")),
                },
            )
            _private(response)
            return response
    context = {
        "page_title": "Raise a concern",
        "page_has_errors": bool(form.errors),
        "form": form,
        "breadcrumbs": breadcrumbs(_voice_crumb(), ("Raise a concern", "")),
    }
    return _render(request, "voice/raise.jinja", context, status=form_status(form))


def _private(response: HttpResponseBase) -> None:
    """Keep a receipt link out of caches. (The site's `same-origin` referrer policy already keeps
    it from other sites; `no-referrer` would make the browser send `Origin: null` with the reply
    form, which CSRF protection rightly refuses.)"""
    add_never_cache_headers(response)


@require_http_methods(["GET", "POST"])
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    """Follow a concern by its receipt link, and reply. Who opens it is not recorded."""
    page = selectors.concern_by_receipt(token)
    form = ReplyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_reply_by_receipt(concern=page.concern, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # Back to the same link with a plain GET; no message, which would touch the session.
            moved = redirect(reverse("voice:receipt", args=[token]) + "#timeline")
            _private(moved)
            return moved
    context = {
        "page_title": page.concern.title,
        "page_has_errors": bool(form.errors),
        "page": page,
        "concern": page.concern,
        "form": form,
        "breadcrumbs": breadcrumbs(_voice_crumb(), ("Your concern", "")),
    }
    response = _render(request, "voice/receipt.jinja", context, status=form_status(form))
    _private(response)
    return response


# -- The concern and its actions ----------------------------------------------------------------


@require_GET
def concern_detail(request: HttpRequest, concern_id: int) -> HttpResponse:
    page = selectors.concern_detail(request.user, concern_id)
    concern = page.concern
    context = {
        "page_title": concern.title,
        "page": page,
        "concern": concern,
        "can_act": _can(request, "act", concern) and concern.is_open,
        "can_reply": _can(request, "offer_reply", concern),
        "reply_form": ReplyForm(),
        "breadcrumbs": breadcrumbs(_voice_crumb(), (concern.title, "")),
    }
    return _render(request, "voice/concern.jinja", context)


@require_POST
def concern_reply(request: HttpRequest, concern_id: int) -> HttpResponse:
    page = selectors.concern_detail(request.user, concern_id)
    concern = page.concern
    if not _can(request, "reply", concern):
        raise PermissionDenied
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.concern_reply(
                actor=_me(request), concern=concern, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Reply added.")
            return redirect(reverse("voice:concern", args=[concern.pk]) + "#timeline")
    context = {
        "page_title": concern.title,
        "page_has_errors": True,
        "page": page,
        "concern": concern,
        "can_act": _can(request, "act", concern) and concern.is_open,
        "can_reply": True,
        "reply_form": form,
        "breadcrumbs": breadcrumbs(_voice_crumb(), (concern.title, "")),
    }
    return _render(request, "voice/concern.jinja", context, status=400)


def _action_page(
    request: HttpRequest,
    concern_id: int,
    *,
    form_class: type[forms.Form],
    initial: dict[str, Any],
    act: Callable[[Person, Concern, dict[str, Any]], Concern],
    template: str,
    title: str,
    done: str,
) -> HttpResponse:
    concern = selectors.concern_get(request.user, concern_id)
    if not _can(request, "act", concern):
        raise PermissionDenied
    form = form_class(_posted(request), initial={"version": concern.version, **initial})
    latest: Concern | None = None
    if request.method == "POST" and form.is_valid():
        try:
            act(_me(request), concern, form.cleaned_data)
        except ConcurrentEditError as error:
            form.add_error(None, str(error))
            latest = selectors.concern_get(request.user, concern_id)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("voice:concern", concern.pk)
    context = {
        "page_title": title,
        "page_has_errors": bool(form.errors),
        "form": form,
        "concern": concern,
        "latest": latest,
        "heading": title,
        "action_days": settings.VOICE_ACTION_WORKING_DAYS,
        "breadcrumbs": breadcrumbs(_voice_crumb(), _concern_crumb(concern), (title, "")),
    }
    status = 409 if latest is not None else form_status(form)
    return _render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, concern_id: int) -> HttpResponse:
    return _action_page(
        request,
        concern_id,
        form_class=NoteForm,
        initial={},
        act=lambda me, concern, data: services.concern_acknowledge(
            actor=me, concern=concern, expected_version=data["version"], note=data["note"]
        ),
        template="voice/acknowledge.jinja",
        title="Acknowledge the concern",
        done="Acknowledged. Next: agree an action, or say why it is not taken forward.",
    )


@require_http_methods(["GET", "POST"])
def agree_action(request: HttpRequest, concern_id: int) -> HttpResponse:
    return _action_page(
        request,
        concern_id,
        form_class=ActionForm,
        initial={},
        act=lambda me, concern, data: services.concern_agree_action(
            actor=me,
            concern=concern,
            expected_version=data["version"],
            action=data["action"],
            action_due_on=data["action_due_on"],
        ),
        template="voice/agree_action.jinja",
        title="Agree an action",
        done="Action agreed.",
    )


@require_http_methods(["GET", "POST"])
def address(request: HttpRequest, concern_id: int) -> HttpResponse:
    return _action_page(
        request,
        concern_id,
        form_class=AddressForm,
        initial={"on_board": True},
        act=lambda me, concern, data: services.concern_address(
            actor=me,
            concern=concern,
            expected_version=data["version"],
            what_we_did=data["what_we_did"],
            on_board=data["on_board"],
        ),
        template="voice/address.jinja",
        title="Record what we did",
        done="The concern is addressed.",
    )


@require_http_methods(["GET", "POST"])
def not_taken_forward(request: HttpRequest, concern_id: int) -> HttpResponse:
    return _action_page(
        request,
        concern_id,
        form_class=NotTakenForwardForm,
        initial={"on_board": True},
        act=lambda me, concern, data: services.concern_not_take_forward(
            actor=me,
            concern=concern,
            expected_version=data["version"],
            reason=data["reason"],
            on_board=data["on_board"],
        ),
        template="voice/not_taken_forward.jinja",
        title="Not taken forward",
        done="The concern is closed as not taken forward, with the reason.",
    )


# -- Lists --------------------------------------------------------------------------------------


@require_GET
def leadership_concerns(request: HttpRequest) -> HttpResponse:
    form = StatusFilterForm(request.GET or {"status": "open"})
    status = form.cleaned_data.get("status", "") if form.is_valid() else "open"
    concerns = selectors.concerns_for_my_leadership(request.user, status=status)
    page = Paginator(concerns, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_title": "Concerns for your leadership teams",
        "form": form,
        "page": page,
        "is_leader": selectors.is_leader(request.user),
        "breadcrumbs": breadcrumbs(_voice_crumb(), ("For your leadership teams", "")),
    }
    return _render(request, "voice/leadership.jinja", context)


@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """ "You said, we did" for a team, an organisation or the whole system."""
    team_id, organisation_id = request.GET.get("team", ""), request.GET.get("organisation", "")
    team = selectors.team_get(int(team_id)) if team_id.isdigit() else None
    organisation = (
        selectors.organisation_get(int(organisation_id))
        if organisation_id.isdigit() and team is None
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
    waiting = selectors.waiting_count(request.user)
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
