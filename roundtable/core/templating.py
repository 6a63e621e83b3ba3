"""Small helpers exposed to Jinja2 templates."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils import timezone


def date_format(value: date | datetime | None, with_time: bool = False) -> str:
    """A date as the NHS style guide writes it: 5 March 2026 (and 9:15am)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        text = f"{local.day} {local:%B %Y}"
        if with_time:
            hour = local.hour % 12 or 12
            text += f" at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"
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
