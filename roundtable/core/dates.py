"""Days as people count them: calendar days in the service's time zone.

A referral made at 11pm yesterday has waited one day this morning, not "today" because fewer
than 24 hours have passed. Every count of days a person reads (waiting, in a zone, ready to
move on, since moving on) and every stored measure in days goes through `days_between`.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def local_day(moment: datetime | date) -> date:
    """The calendar day a moment falls on in the service's time zone (a date is itself)."""
    if isinstance(moment, datetime):
        return timezone.localdate(moment)
    return moment


def days_between(start: datetime | date, end: datetime | date | None = None) -> int:
    """Calendar days from `start` to `end` (now by default) in the service's time zone; never
    negative."""
    last = local_day(end) if end is not None else timezone.localdate()
    return max((last - local_day(start)).days, 0)


def days_since(moment: datetime | date | None) -> int | None:
    """Calendar days from `moment` to today, or None for no moment."""
    return None if moment is None else days_between(moment)
