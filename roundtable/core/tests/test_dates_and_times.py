"""Times one way everywhere (NHS.UK content style), and example dates worked out from today
that match the date field shown (issue 16)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from roundtable.core.forms import DateInput, date_example, date_hint, field_params
from roundtable.core.templating import date_format, time_format

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("at", "written"),
    [
        (time(9, 0), "9am"),
        (time(9, 15), "9:15am"),
        (time(12, 0), "midday"),
        (time(12, 30), "12:30pm"),
        (time(14, 0), "2pm"),
        (time(17, 30), "5:30pm"),
        (time(0, 0), "midnight"),
        (time(0, 5), "12:05am"),
        (time(23, 59), "11:59pm"),
    ],
)
def test_times_are_written_as_the_nhs_writes_them(at: time, written: str) -> None:
    assert time_format(at) == written


def test_a_moment_is_written_in_uk_time_with_its_date() -> None:
    # 13:00 UTC in summer is 2pm in London.
    summer = datetime(2026, 7, 1, 13, 0, tzinfo=ZoneInfo("UTC"))
    assert time_format(summer) == "2pm"
    assert date_format(summer, with_time=True) == "1 July 2026 at 2pm"
    assert date_format(datetime(2026, 3, 5, 9, 15, tzinfo=LONDON), True) == "5 March 2026 at 9:15am"
    assert date_format(datetime(2026, 3, 5, 12, 0, tzinfo=LONDON), True) == "5 March 2026 at midday"
    assert date_format(None) == ""
    assert time_format(None) == ""


@pytest.mark.parametrize(
    ("today", "kind", "example"),
    [
        # A week ago; when that is the 12th or earlier, the 20th of the month before it.
        (date(2026, 12, 4), "past", date(2026, 11, 27)),
        (date(2026, 12, 15), "past", date(2026, 11, 20)),
        (date(2026, 1, 10), "past", date(2025, 12, 20)),
        # Four weeks ahead; when that is the 12th or earlier, the 20th of that month.
        (date(2026, 12, 4), "future", date(2027, 1, 20)),
        (date(2026, 3, 1), "future", date(2026, 3, 29)),
        # Forty years ago, on the 20th.
        (date(2026, 12, 4), "birth", date(1986, 12, 20)),
        (date(2024, 2, 29), "birth", date(1984, 2, 20)),
    ],
)
def test_example_dates_are_worked_out_from_today(today: date, kind: str, example: date) -> None:
    assert date_example(kind, today) == example  # type: ignore[arg-type]


def test_the_hint_writes_the_example_as_the_date_field_shows_it() -> None:
    # The browser's date input shows day/month/year (dd/mm/yyyy) in the UK.
    assert date_hint("birth", date(2026, 12, 4)) == "For example, 20/12/1986."
    assert date_hint("future", date(2026, 3, 1)) == "For example, 29/03/2026."


def test_a_date_field_with_an_example_gets_it_in_its_hint() -> None:
    class Dates(forms.Form):
        due = forms.DateField(
            label="Due", help_text="When it is due.", widget=DateInput(example="future")
        )
        born = forms.DateField(label="Date of birth", widget=DateInput(example="birth"))
        plain = forms.DateField(label="Plain", widget=DateInput())

    form = Dates()
    hint = field_params(form["due"])[1]["hint"]["text"]
    assert re.fullmatch(r"When it is due\. For example, \d\d/\d\d/\d{4}\.", hint)
    assert field_params(form["born"])[1]["hint"]["text"].startswith("For example, ")
    assert "hint" not in field_params(form["plain"])[1]


def shown_example(html: str, field_id: str) -> date:
    """The example date in the hint of the field `field_id`."""
    hint = re.search(rf'id="{field_id}-hint"[^>]*>(.*?)</div>', html, re.S)
    assert hint, f"no hint for {field_id}"
    found = re.search(r"For example, (\d\d)/(\d\d)/(\d{4})\.", hint.group(1))
    assert found, hint.group(1)
    day, month, year = (int(part) for part in found.groups())
    return date(year, month, day)


@pytest.mark.django_db
def test_the_pages_give_a_past_date_of_birth_and_a_future_review_date(client_for, system) -> None:
    """Issue 16: every hint said "For example, 25 11 2026", past date or not."""
    client = client_for(system.clinician_a)
    today = timezone.localdate()
    refer = client.get(reverse("care:refer")).content.decode()
    born = shown_example(refer, "id_date_of_birth")
    assert born.year < today.year - 16
    assert born.day > 12  # so nobody reads the day as the month
    assert "25 11 2026" not in refer


def example_in(bound: forms.BoundField) -> date:
    hint = field_params(bound)[1]["hint"]["text"]
    found = re.search(r"(\d\d)/(\d\d)/(\d{4})\.$", hint)
    assert found, hint
    day, month, year = (int(part) for part in found.groups())
    return date(year, month, day)


def test_safety_review_dates_have_a_future_example_and_a_review_done_a_past_one() -> None:
    from roundtable.safety.forms import PositiveRiskForm, ReviewForm, SafetyPlanForm

    today = timezone.localdate()
    assert example_in(SafetyPlanForm()["review_on"]) > today
    assert example_in(PositiveRiskForm(forums=[], meetings=[])["review_on"]) > today
    assert example_in(ReviewForm()["reviewed_on"]) < today
