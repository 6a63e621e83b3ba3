"""Sign in and out, lockout and error pages."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.db import Error as DatabaseError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from roundtable.core.auth import SignInForm
from roundtable.core.axes_handler import lockout_ends, to_the_minute_after
from roundtable.core.privacy import carries_secret
from roundtable.core.templating import date_format

logger = logging.getLogger(__name__)


class SignInView(LoginView):
    template_name = "core/sign_in.jinja"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_redirect_url(self) -> str:
        """Where to go after signing in, from `next`, unless it is a private link, such as a
        concern's receipt link. Those pages need no sign-in, and a receipt carried through the
        sign-in form would be put beside the e-mail address of whoever signs in (ADR 0012)."""
        url = super().get_redirect_url()
        return "" if url and carries_secret(url) else url

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["page_title"] = "Sign in"
        context["page_has_errors"] = bool(form.errors)
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        return context


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """Ask before signing out: a link cannot sign anyone out (it must be a POST with CSRF)."""
    if request.method == "POST":
        logout(request)
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "core/sign_out.jinja", {"page_title": "Sign out"})


@login_not_required
def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """Shown instead of the sign-in page after too many wrong passwords, and to every attempt
    while the account is locked: the time to try again after is the same each time."""
    minutes = settings.AXES_COOLOFF_MINUTES
    until = lockout_ends(request, credentials) or timezone.now() + timedelta(minutes=minutes)
    until = to_the_minute_after(until)
    context = {
        "page_title": "Your account is locked",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": minutes,
        "until": date_format(until, with_time=True),
    }
    return render(request, "core/locked_out.jinja", context, status=429)


@login_not_required
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/404.jinja", {"page_title": "Page not found"}, status=404)


@login_not_required
def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/403.jinja", {"page_title": "You cannot do this"}, status=403)


# Used when even the styled page cannot be written.
_PLAIN_SERVER_ERROR = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
    "<title>Sorry, there is a problem with the service \u2013 Roundtable</title></head>"
    "<body><h1>Sorry, there is a problem with the service</h1><p>Try again later.</p></body></html>"
)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    """The NHS.UK "problem with the service" page, written without the database or the session
    (either may be what failed); a plain page if even that cannot be written."""
    try:
        return render(
            request,
            "core/500.jinja",
            {"page_title": "Sorry, there is a problem with the service"},
            status=500,
        )
    except Exception:
        logger.exception("The server error page could not be written")
        return HttpResponse(_PLAIN_SERVER_ERROR, status=500)


DATABASE_DOWN = "The database is not answering."


@login_not_required
@csrf_exempt  # so that any other method is told 405 in JSON, not refused with the CSRF page
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the app is up and its database answers, 503
    when the database does not (refused, timed out, gone away), always in JSON, so whatever
    watches it reads the same shape either way and never an HTML error page."""
    if request.method not in {"GET", "HEAD"}:
        return JsonResponse(
            {"detail": "The health check only answers GET."}, status=405, headers={"Allow": "GET"}
        )
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        # Logged without the traceback: the monitor polling this would otherwise fill the log
        # with the same one every few seconds while the database is down.
        logger.warning("Health check: the database is not answering: %s", error)
        return JsonResponse({"status": "unavailable", "detail": DATABASE_DOWN}, status=503)
    return JsonResponse({"status": "ok"})
