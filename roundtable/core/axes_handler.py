"""Failed sign-ins recorded by django-axes, without the request's parameters (ADR 0012)."""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.http import HttpRequest, QueryDict


class AxesHandlerKeepingNoParameters(AxesDatabaseHandler):
    """django-axes' database handler, keeping no request parameters with a failed sign-in.

    Axes stores each failed attempt's GET and POST parameters (`AccessAttempt.get_data` and
    `post_data`) beside the e-mail address, IP address, browser and time, for administrators to
    read. It masks only the parameters named in `AXES_SENSITIVE_PARAMETERS` and has no setting
    to store none, so anything else a sign-in request carries (a `next` holding a receipt link,
    say) would be kept. Lockout needs none of it (it counts by account, from the credentials),
    so the handler is given a request with no parameters while it records the failure.
    """

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            super().user_login_failed(sender, credentials, request, **kwargs)
            return
        get, post = request.GET, request.POST
        request.GET = request.POST = QueryDict()
        try:
            super().user_login_failed(sender, credentials, request, **kwargs)
        finally:
            request.GET, request.POST = get, post
