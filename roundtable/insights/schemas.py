"""Shapes of the insights API: a measure's series with its XmR chart — limits, the special-cause
rule that flags each point, the variation and assurance icons — and the sentence that sums it up."""

from __future__ import annotations

from datetime import date

from ninja import Field, Schema

from roundtable.insights.selectors import Period
from roundtable.insights.spc import Assurance, Direction, Rule, Variation


class ChartQuery(Schema):
    period: Period = Field(Period.WEEK, description="By week (the default) or by month.")
    start: date | None = Field(
        None, description="The first day (default: a year before `end`, by week)."
    )
    end: date | None = Field(None, description="The last day, not in the future (default: today).")
    rebase_on: date | None = Field(
        None,
        description="The day the process changed: the mean and limits are worked out again "
        "from then. Between `start` and `end`, not in the future.",
    )
    target: float | None = Field(
        None,
        description="A level aimed for, in the measure's unit (0 or more; at most 100 for a "
        "share): the answer says whether the process will meet it (`assurance`).",
    )


class MeasureOut(Schema):
    slug: str
    name: str
    unit: str = Field(description="`days`, `%` (a share, as a percentage) or a count's unit.")
    definition: str
    source: str
    direction: Direction = Field(description="Which way is better.")


class PeriodOut(Schema):
    start: int = Field(description="The index of its first point.")
    points: int
    mean: float
    lower: float = Field(description="The lower process limit.")
    upper: float = Field(description="The upper process limit.")


class PointOut(Schema):
    start: date = Field(description="The Monday of the week, or the first of the month.")
    value: float
    n: int = Field(description="How many people, decisions or sessions the value is over.")
    period: int = Field(description="Which of `periods` it belongs to.")
    rule: Rule | None = Field(description="The special-cause rule that flags it, if any.")
    variation: Variation


class ChartOut(Schema):
    measure: MeasureOut
    scope: str = Field(description="Whose figures: a team, an organisation or the system.")
    period: Period
    points: list[PointOut]
    periods: list[PeriodOut]
    variation: Variation | None = Field(description="The latest point's: the variation icon.")
    target: float | None = Field(description="The target given, if any.")
    assurance: Assurance | None = Field(
        description="Whether the process will meet the target, when one is given: "
        "`consistent_pass`, `consistent_fail` or `inconsistent`."
    )
    summary: str = Field(description="The chart in one sentence of plain English.")
