"""How insights write their figures and rules in words."""

from __future__ import annotations

from datetime import date

from roundtable.insights import svg
from roundtable.insights.measures import PER_CENT
from roundtable.insights.selectors import Measured, Period
from roundtable.insights.spc import Assurance, Direction, Rule

RULE_WORDS = {
    Rule.ABOVE_LIMIT: "Above the upper limit",
    Rule.BELOW_LIMIT: "Below the lower limit",
    Rule.TREND_UP: "Part of a rising trend",
    Rule.TREND_DOWN: "Part of a falling trend",
    Rule.CLOSE_ABOVE: "Two of three close to the upper limit",
    Rule.CLOSE_BELOW: "Two of three close to the lower limit",
    Rule.RUN_ABOVE: "Part of a run above the mean",
    Rule.RUN_BELOW: "Part of a run below the mean",
}


def figure(value: float, unit: str) -> str:
    """A measure's value as its page writes it: "83%" for a share, "12.5 days" for a mean."""
    if unit == PER_CENT:
        return f"{value:.0f}%"
    shown = f"{value:,.1f}".removesuffix(".0")
    return f"{shown} {unit}" if unit else shown


def label(start: date, period: Period) -> str:
    """A point's week ("5 Jan 2026") or month ("Jan 2026")."""
    return f"{start:%b %Y}" if period == Period.MONTH else f"{start.day} {start:%b %Y}"


def sentence(measured: Measured) -> str:
    """The chart in one sentence of plain English."""
    chart, measure = measured.chart, measured.series.measure
    if chart is None:
        return f"There are not enough {measured.series.period.value}s with figures for a chart yet."
    labels = [label(start, measured.series.period) for start in measured.series.starts]
    said = svg.summary(
        chart, labels, name=measure.name, unit=measure.unit, direction=measure.direction
    )
    if len(chart.periods) < 2:
        return said
    before, since = chart.periods[-2], chart.periods[-1]
    if since.mean == before.mean:
        return said
    lower = since.mean < before.mean
    better = (
        ""
        if measure.direction == Direction.NEUTRAL
        else (
            ": an improvement"
            if lower == (measure.direction == Direction.DECREASE)
            else ": a concern"
        )
    )
    change = f"{'down' if lower else 'up'} from {figure(before.mean, measure.unit)} before{better}"
    steady = not any(p.special for p in chart.points[since.start :])
    if steady:
        return (
            f"{measure.name} has been steady since {labels[since.start]} at a mean of "
            f"{figure(since.mean, measure.unit)}, {change}."
        )
    mean = figure(since.mean, measure.unit)
    return f"{said} Its mean since {labels[since.start]} is {mean}, {change}."


ASSURANCE_WORDS = {
    Assurance.CONSISTENT_PASS: "will consistently meet the target of {target}: the whole range "
    "it varies over is on the better side of it",
    Assurance.CONSISTENT_FAIL: "will consistently miss the target of {target} unless something "
    "changes: the whole range it varies over is on the worse side of it",
    Assurance.INCONSISTENT: "will sometimes meet the target of {target} and sometimes miss it: "
    "the target lies within the range it varies over",
}


def assurance_sentence(assurance: Assurance, target: float, unit: str) -> str:
    """Whether the process will meet a target, in a sentence."""
    words = ASSURANCE_WORDS[assurance].format(target=figure(target, unit))
    return f"As it is now, the process {words}."
