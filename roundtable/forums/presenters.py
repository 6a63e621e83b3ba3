"""Display text for leadership presence, computed once in Python rather than per row in a macro.

The system view renders a row for every team (hundreds); keeping the words here keeps the page
fast and the wording in one place for the pages and the API.
"""

from __future__ import annotations

from datetime import date

from roundtable.core.templating import date_format

STATUS_WORDS = {
    "week": ("Within 7 days", "nhsuk-tag--green"),
    "month": ("Within 28 days", "nhsuk-tag--yellow"),
    "not_reached": ("Not reached in 28 days", "nhsuk-tag--red"),
}


def status_words(status: str) -> str:
    return STATUS_WORDS[status][0]


def status_class(status: str) -> str:
    return STATUS_WORDS[status][1]


def when(day: date | None, days_since: int | None) -> str:
    """When leaders were last present, in words."""
    if day is None or days_since is None:
        return "Not in the last 13 weeks"
    if days_since == 0:
        return "Today"
    if days_since == 1:
        return "Yesterday"
    return f"{date_format(day)} ({days_since} days ago)"


def template_helpers() -> dict[str, object]:
    return {
        "presence_when": when,
        "presence_status_words": status_words,
        "presence_status_class": status_class,
    }
