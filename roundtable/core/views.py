"""Sign in and out, lockout and error pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from roundtable.core.auth import SignInForm
from roundtable.core.privacy import carries_secret
from roundtable.core.templating import date_format


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
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """Shown instead of the sign-in page after too many wrong passwords."""
    minutes = settings.AXES_COOLOFF_MINUTES
    until = timezone.now() + timedelta(minutes=minutes)
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


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: the app is up and can reach its database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
