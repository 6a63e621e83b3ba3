"""Failed sign-ins recorded by django-axes, without the request's parameters (ADR 0012), and
when a lockout ends."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
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


def lockout_ends(request: HttpRequest, credentials: dict[str, Any] | None) -> datetime | None:
    """When the lockout of the account in `credentials` ends, or None if it is not locked.

    Axes keeps, for each place an account was tried from, the number of wrong passwords and the
    time of the latest, and the account is locked while the wrong passwords of the last cool-off
    add up to the limit. Attempts made while locked are not counted
    (`AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False`), so the lock ends one cool-off
    after the latest attempt without which the rest fall below the limit: counting from the
    newest, the one that reaches it.
    """
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    limit = get_failure_limit(request, credentials)
    ends: datetime | None = None
    for attempts in AxesProxyHandler.get_implementation().get_user_attempts(request, credentials):
        total = 0
        for attempt_time, failures in attempts.order_by("-attempt_time").values_list(
            "attempt_time", "failures_since_start"
        ):
            total += failures
            if total >= limit:
                candidate: datetime = attempt_time + cool_off
                ends = candidate if ends is None else max(ends, candidate)
                break
    return ends


def to_the_minute_after(moment: datetime) -> datetime:
    """`moment`, or the next whole minute if it falls within one, for a time shown to the minute:
    "try again after 10:16am" must not name a minute in which the account is still locked."""
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(minutes=1)
