"""Working days skip weekends and the bank holidays of the service's nation, as GOV.UK lists them
(https://www.gov.uk/bank-holidays): the dates below are copied from that list, not computed."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured

from roundtable.config.env import env_choice
from roundtable.core.working_days import is_working_day, working_days_after

MONDAY = date(2026, 3, 2)


def test_weekends_are_not_working_days() -> None:
    assert working_days_after(MONDAY, 5) == date(2026, 3, 9)
    assert working_days_after(date(2026, 3, 6), 1) == date(2026, 3, 9)  # from a Friday
    assert working_days_after(date(2026, 3, 7), 1) == date(2026, 3, 9)  # from a Saturday


@pytest.mark.parametrize(
    ("day", "days", "due"),
    [
        # Good Friday 3 April and Easter Monday 6 April 2026.
        (date(2026, 4, 2), 1, date(2026, 4, 7)),
        # Christmas Day on a Friday; Boxing Day on a Saturday, observed on Monday 28 December.
        (date(2026, 12, 24), 1, date(2026, 12, 29)),
        # The early May bank holiday, Monday 4 May 2026.
        (date(2026, 5, 1), 1, date(2026, 5, 5)),
        # New Year's Day 2027 is a Friday.
        (date(2026, 12, 31), 1, date(2027, 1, 4)),
    ],
)
def test_englands_bank_holidays_are_not_working_days(day, days, due) -> None:
    assert working_days_after(day, days) == due


def test_each_nation_has_its_own_bank_holidays(settings) -> None:
    # 2 January and St Andrew's Day (observed Monday 30 November 2026) in Scotland; Easter
    # Monday is not a bank holiday there.
    settings.BANK_HOLIDAYS = "scotland"
    assert not is_working_day(date(2026, 1, 2))
    assert not is_working_day(date(2026, 11, 30))
    assert is_working_day(date(2026, 4, 6))
    # St Patrick's Day, Tuesday 17 March 2026, in Northern Ireland only.
    settings.BANK_HOLIDAYS = "northern-ireland"
    assert not is_working_day(date(2026, 3, 17))
    settings.BANK_HOLIDAYS = "england"
    assert is_working_day(date(2026, 3, 17))
    assert is_working_day(date(2026, 1, 2))
    assert not is_working_day(date(2026, 4, 6))


def test_the_nation_is_one_of_the_four() -> None:
    assert env_choice("B", "england", choices=["england", "wales"], environ={"B": "Wales"}) == (
        "wales"
    )
    with pytest.raises(ImproperlyConfigured, match="must be one of england, wales"):
        env_choice("B", "england", choices=["england", "wales"], environ={"B": "France"})
