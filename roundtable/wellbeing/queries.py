"""Wellbeing's building-block reads: the smallest group whose pulse results may be shown, and the
months rounds are held in.

Not scoped to a reader: the access policies (`access.py`), the services and the selectors build
on them, so they sit below all three and import none of them.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.conf import settings

# The lowest group size results are ever shown for, whatever the settings say.
ABSOLUTE_MINIMUM_GROUP = 5


def minimum_group() -> int:
    """`PULSE_MINIMUM_GROUP`, but never below 5: a smaller group could tell who said what."""
    return max(ABSOLUTE_MINIMUM_GROUP, int(settings.PULSE_MINIMUM_GROUP))


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])
