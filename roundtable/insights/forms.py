"""The choices above a chart: by week or by month, over which dates, a day the process changed
(a rebase) and a target. Read from the query string, so a chart can be bookmarked and shared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from roundtable.core.forms import choice_field, date_field, decimal_field
from roundtable.insights import selectors
from roundtable.insights.measures import PER_CENT, Measure
from roundtable.insights.selectors import Measured, Period, Scope

LONGEST_YEARS = 20
# What a chart shows when no dates are chosen: enough points for its limits to mean something.
DEFAULT_SPAN = {Period.WEEK: timedelta(weeks=52), Period.MONTH: timedelta(days=3 * 365)}


@dataclass(frozen=True)
class Range:
    period: Period
    start: date
    end: date
    rebase_on: date | None = None
    target: float | None = None

    def measured(self, scope: Scope, measure: Measure) -> Measured:
        """`measure` for `scope` over these choices."""
        return selectors.measured(
            scope,
            measure,
            start=self.start,
            end=self.end,
            period=self.period,
            rebase_on=self.rebase_on,
            target=self.target,
        )


class ChartForm(forms.Form):
    period = choice_field(
        "Show",
        choices=[(Period.WEEK, "By week"), (Period.MONTH, "By month")],
        invalid_choice="Choose by week or by month",
    )
    start = date_field("From", invalid="Enter the first day as a real date")
    end = date_field("To", invalid="Enter the last day as a real date")
    rebase_on = date_field(
        "The process changed on (optional)",
        invalid="Enter the day the process changed as a real date",
        help_text="For example the day leaders began holding move-on decisions: the chart works "
        "out its mean and limits again from then.",
    )
    target = decimal_field(
        "Target (optional)",
        invalid="Enter the target as a number, like 14 or 92.5",
        min_value=0,
        too_small="The target cannot be below 0",
        decimal_places=2,
        help_text="A level the team aims for, in the measure's unit: the chart draws it and "
        "says whether the process will meet it.",
    )

    def __init__(self, *args: Any, unit: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        period = Period(data.get("period") or Period.WEEK)
        end = data.get("end") or today
        start = data.get("start") or end - DEFAULT_SPAN[period]
        rebase_on = data.get("rebase_on")
        if "start" in self.errors or "end" in self.errors:
            return data
        if end > today:
            self.add_error("end", "The last day cannot be in the future")
        if start >= end:
            self.add_error("start", "The first day must be before the last day")
        elif end - start > timedelta(days=365 * LONGEST_YEARS + LONGEST_YEARS // 4):
            self.add_error("start", f"Choose {LONGEST_YEARS} years or less")
        if rebase_on is not None:
            if rebase_on > today:
                self.add_error("rebase_on", "The day the process changed cannot be in the future")
            elif not start < rebase_on <= end:
                self.add_error(
                    "rebase_on", "Choose a day the process changed between the first and last day"
                )
        target = data.get("target")
        if target is not None and self.unit == PER_CENT and target > 100:
            self.add_error("target", "A share's target is at most 100%")
        data["range"] = Range(
            period, start, end, rebase_on, float(target) if target is not None else None
        )
        return data

    def range(self) -> Range:
        """The chosen range, or the default one when the choices are refused."""
        if self.is_valid():
            chosen: Range = self.cleaned_data["range"]
            return chosen
        end = timezone.localdate()
        return Range(Period.WEEK, end - DEFAULT_SPAN[Period.WEEK], end)
