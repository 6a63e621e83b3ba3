"""Signed-in sessions that end: after `SESSION_IDLE_MINUTES` without a request (a warning comes
`SESSION_WARNING_SECONDS` before, with a way to stay signed in) and, however active, after
`SESSION_COOKIE_AGE` from signing in. A session that ends is signed out and audited with why;
a page then goes to the sign-in page saying so, and the API answers 401.

The time of the last request is kept in the session, written at most every `SEEN_EVERY` seconds
so that a busy page does not write the session on every request. The session's status
(`session_status`) is read without counting as activity, so that the warning can ask how long
is left; staying signed in is a POST to it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.http import require_http_methods

SEEN = "_rt_seen"  # when the last request came, in seconds since the epoch
SINCE = "_rt_signed_in"  # when the person signed in
SEEN_EVERY = 30


def idle_seconds() -> int:
    return int(settings.SESSION_IDLE_MINUTES) * 60


def signed_in_now(request: HttpRequest) -> None:
    """Start the clocks of a session that has just signed in."""
    now = time.time()
    request.session[SINCE] = now
    request.session[SEEN] = now


def seconds_left(request: HttpRequest, now: float) -> float:
    """How long the session has before it ends, whichever comes first: idle or its lifetime."""
    seen = float(request.session.get(SEEN, now))
    since = float(request.session.get(SINCE, now))
    return min(seen + idle_seconds(), since + settings.SESSION_COOKIE_AGE) - now


def _ended_because(request: HttpRequest, now: float) -> str:
    since = request.session.get(SINCE, now)
    if now - since >= settings.SESSION_COOKIE_AGE:
        hours = settings.SESSION_COOKIE_AGE / 3600
        return f"you signed in more than {hours:g} hours ago"
    return f"you had not done anything for {settings.SESSION_IDLE_MINUTES} minutes"


def _counts_as_activity(request: HttpRequest, now: float) -> bool:
    """Any request but asking the session's status; written at most every `SEEN_EVERY` seconds,
    except to stay signed in."""
    if request.path_info == reverse("core:session"):
        return request.method == "POST"
    return bool(now - request.session.get(SEEN, 0) >= SEEN_EVERY)


class SessionTimeoutMiddleware:
    """Ends a session past its time (this module's docstring), before any view runs. After
    Django's session and authentication middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = request.session
        if SESSION_KEY in session:
            now = time.time()
            session.setdefault(SINCE, now)  # a session from before sessions ended
            if seconds_left(request, now) <= 0:
                because = _ended_because(request, now)
                request.signed_out_because = f"Signed out: {because}"  # type: ignore[attr-defined]
                logout(request)
                if not request.path_info.startswith("/api/"):
                    messages.info(request, f"You have been signed out because {because}.")
            elif _counts_as_activity(request, now):
                session[SEEN] = now
        return self.get_response(request)


@login_not_required
@require_http_methods(["GET", "POST"])
def session_status(request: HttpRequest) -> JsonResponse:
    """How many seconds the session has left (0 when signed out); a POST (with the CSRF token)
    keeps it going: "Stay signed in"."""
    if not request.user.is_authenticated:
        return JsonResponse({"seconds_left": 0}, status=401)
    left = max(0, int(seconds_left(request, time.time())))
    return JsonResponse({"seconds_left": left, "warning_seconds": settings.SESSION_WARNING_SECONDS})
