"""Working days: Monday to Friday, except the bank holidays of the nation the service is in.

Due dates counted in working days (a concern's acknowledgement, its action, an escalation) skip
weekends and bank holidays, as the people they are owed by do. The bank holidays are those of
`settings.BANK_HOLIDAYS` (England by default; Wales, Scotland or Northern Ireland), from the
`holidays` package, which follows the published GOV.UK lists, substitute days included (Boxing
Day on a Saturday is observed on the Monday). See docs/adr/0018-bank-holidays.md.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays
from django.conf import settings

# The nations of the United Kingdom, as `BANK_HOLIDAYS` names them, and the `holidays`
# package's subdivision of "GB" for each.
NATIONS = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}


@cache
def _bank_holidays(nation: str) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=NATIONS[nation])


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(settings.BANK_HOLIDAYS)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def working_days_after(day: date, days: int) -> date:
    """The date `days` working days after `day`: `day` itself is not counted, whatever it is."""
    current = day
    left = days
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current
