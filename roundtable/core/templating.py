"""Small helpers exposed to Jinja2 templates."""

from __future__ import annotations

from datetime import date, datetime, time
from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils import timezone


def time_format(value: datetime | time | None) -> str:
    """A time as the NHS.UK content style writes it: 9am, 9:15am, 2pm, 5:30pm, midday and
    midnight (never 09:15, 2:00pm, 12pm or 12am). A datetime is read in the service's time zone.

    Every time a person reads goes through here (or `date_format(..., with_time=True)`); exports
    and the API keep ISO 8601.
    """
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    hour, minute = value.hour, value.minute
    if minute == 0 and hour == 0:
        return "midnight"
    if minute == 0 and hour == 12:
        return "midday"
    clock = str(hour % 12 or 12) if minute == 0 else f"{hour % 12 or 12}:{minute:02d}"
    return f"{clock}{'am' if hour < 12 else 'pm'}"


def date_format(value: date | datetime | None, with_time: bool = False) -> str:
    """A date as the NHS style guide writes it: 5 March 2026 (and "at 9:15am", see
    `time_format`)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        text = f"{local.day} {local:%B %Y}"
        if with_time:
            text += f" at {time_format(local)}"
        return text
    return f"{value.day} {value:%B %Y}"


def querystring(request: HttpRequest, **changes: object) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = urlencode(sorted(params.lists()), doseq=True)
    return f"?{encoded}" if encoded else "?"
