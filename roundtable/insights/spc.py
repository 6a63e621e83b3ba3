"""Statistical process control as NHS England's "Making Data Count" defines it: the XmR chart.

A pure module — numbers in, numbers out, no database — so that every chart in Roundtable reads
the same way as the charts every NHS board already reads, and as the NHS-R Community's
`NHSRplotthedots` draws them (its documented cases are this module's reference tests).

- **Limits.** The mean of the values; the moving ranges (the difference between each value and
  the one before); the process limits at the mean ± 2.66 times the mean moving range. Optionally
  (on by default) moving ranges of 3.267 times the mean moving range or more are screened out
  before the limits are worked out, so that one wild point does not widen them. Optionally the
  mean and limits are fixed from the first `fix_after` points.
- **Special causes**, each point flagged by the first that applies: beyond a process limit; part
  of a trend of `trend_length` points (7) each higher, or each lower, than the one before; one of
  two out of three points on the same side of the mean that are close to the limit (beyond
  two-thirds of the way to it, not beyond it); part of a run of `run_length` points (7) on one
  side of the mean.
- **Variation**: whether a special cause is an improvement or a concern follows the measure's
  improvement direction (or is only "high" or "low" for a measure with none); the chart's
  variation is its last point's.
- **Assurance** against an optional target: the process will consistently pass it (the target
  is beyond the limit on the worse side), consistently fail it (beyond the limit on the better
  side), or sometimes pass and sometimes fail (between the limits).
- **Rebasing**: each rebase starts a new period with its own mean and limits; special causes
  are looked for within a period.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import fmean

LIMIT = 2.66  # the process limits, in mean moving ranges from the mean (3 sigma)
NEAR = 2 * LIMIT / 3  # "close to the limit": two-thirds of the way there
SCREEN = 3.267  # a moving range this many mean moving ranges or more is screened out


class Direction(enum.StrEnum):
    """Which way is better for a measure."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"


class Rule(enum.StrEnum):
    """The special-cause rule that flags a point, in the order they are applied."""

    ABOVE_LIMIT = "above_upper_limit"
    BELOW_LIMIT = "below_lower_limit"
    TREND_UP = "trend_increasing"
    TREND_DOWN = "trend_decreasing"
    CLOSE_ABOVE = "two_of_three_close_above"
    CLOSE_BELOW = "two_of_three_close_below"
    RUN_ABOVE = "run_above_mean"
    RUN_BELOW = "run_below_mean"

    @property
    def high(self) -> bool:
        return self in (Rule.ABOVE_LIMIT, Rule.TREND_UP, Rule.CLOSE_ABOVE, Rule.RUN_ABOVE)


class Variation(enum.StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"


class Assurance(enum.StrEnum):
    CONSISTENT_PASS = "consistent_pass"
    CONSISTENT_FAIL = "consistent_fail"
    INCONSISTENT = "inconsistent"


@dataclass(frozen=True)
class Options:
    direction: Direction = Direction.INCREASE
    screen_outliers: bool = True
    run_length: int = 7
    trend_length: int = 7
    fix_after: int | None = None  # the mean and limits from the first n points of each period
    target: float | None = None

    def __post_init__(self) -> None:
        if self.run_length < 2 or self.trend_length < 2:
            raise ValueError("A run or a trend is at least 2 points long")
        if self.fix_after is not None and self.fix_after < 2:
            raise ValueError("The limits are fixed from at least 2 points")


@dataclass(frozen=True)
class Limits:
    """One period's centre line and limits."""

    start: int  # the index of its first point
    points: int
    mean: float
    lower: float
    upper: float
    near_lower: float
    near_upper: float


@dataclass(frozen=True)
class Point:
    value: float
    period: int  # which `Chart.periods` it belongs to
    rule: Rule | None
    variation: Variation

    @property
    def special(self) -> bool:
        return self.rule is not None


@dataclass(frozen=True)
class Chart:
    points: tuple[Point, ...]
    periods: tuple[Limits, ...]
    options: Options
    assurance: Assurance | None = field(default=None)

    @property
    def variation(self) -> Variation | None:
        """The chart's variation icon: its last point's."""
        return self.points[-1].variation if self.points else None

    @property
    def current(self) -> Limits | None:
        return self.periods[-1] if self.periods else None


def limits(values: Sequence[float], *, options: Options = Options(), start: int = 0) -> Limits:
    """The centre line and limits of one period's values (at least two)."""
    if len(values) < 2:
        raise ValueError("Process limits need at least two values")
    basis = values[: options.fix_after] if options.fix_after else values
    mean = fmean(basis)
    ranges = [abs(b - a) for a, b in pairwise(basis)]
    average = fmean(ranges)
    if options.screen_outliers:
        kept = [r for r in ranges if r < SCREEN * average]
        average = fmean(kept) if kept else 0.0
    return Limits(
        start=start,
        points=len(values),
        mean=mean,
        lower=mean - LIMIT * average,
        upper=mean + LIMIT * average,
        near_lower=mean - NEAR * average,
        near_upper=mean + NEAR * average,
    )


def _side(value: float, mean: float) -> int:
    return (value > mean) - (value < mean)


def _runs(sides: Sequence[int], length: int) -> list[int]:
    """For each point, the side (+1/-1) of a run of `length` points on one side of the mean it
    is part of, else 0."""
    part = [0] * len(sides)
    for end in range(length - 1, len(sides)):
        window = sides[end - length + 1 : end + 1]
        if window[0] != 0 and all(side == window[0] for side in window):
            for i in range(end - length + 1, end + 1):
                part[i] = window[0]
    return part


def _trends(values: Sequence[float], length: int) -> list[int]:
    """For each point, +1 or -1 if it is part of `length` points each higher (or each lower)
    than the one before, else 0. A point at the turn of two trends takes the later one's."""
    part = [0] * len(values)
    steps = [_side(b, a) for a, b in pairwise(values)]
    for end in range(length - 1, len(values)):
        window = steps[end - length + 1 : end]
        if window[0] != 0 and all(step == window[0] for step in window):
            for i in range(end - length + 1, end + 1):
                part[i] = window[0]
    return part


def _close(values: Sequence[float], sides: Sequence[int], period: Limits) -> list[int]:
    """For each point close to a limit (not beyond it), its side, if it is one of at least two
    such points among three in a row that are all on that side of the mean; else 0."""
    near = [
        period.near_lower > v >= period.lower or period.near_upper < v <= period.upper
        for v in values
    ]
    part = [0] * len(values)
    for first in range(len(values) - 2):
        window = range(first, first + 3)
        side = sides[first]
        if (
            side != 0
            and all(sides[i] == side for i in window)
            and sum(near[i] for i in window) >= 2
        ):
            for i in window:
                if near[i]:
                    part[i] = side
    return part


def _rules(values: Sequence[float], period: Limits, options: Options) -> list[Rule | None]:
    sides = [_side(v, period.mean) for v in values]
    trends = _trends(values, options.trend_length)
    close = _close(values, sides, period)
    runs = _runs(sides, options.run_length)
    found: list[Rule | None] = []
    for i, value in enumerate(values):
        if value > period.upper:
            found.append(Rule.ABOVE_LIMIT)
        elif value < period.lower:
            found.append(Rule.BELOW_LIMIT)
        elif trends[i]:
            found.append(Rule.TREND_UP if trends[i] > 0 else Rule.TREND_DOWN)
        elif close[i]:
            found.append(Rule.CLOSE_ABOVE if close[i] > 0 else Rule.CLOSE_BELOW)
        elif runs[i]:
            found.append(Rule.RUN_ABOVE if runs[i] > 0 else Rule.RUN_BELOW)
        else:
            found.append(None)
    return found


def variation_of(rule: Rule | None, direction: Direction) -> Variation:
    if rule is None:
        return Variation.COMMON_CAUSE
    if direction == Direction.NEUTRAL:
        return Variation.NEUTRAL_HIGH if rule.high else Variation.NEUTRAL_LOW
    better = rule.high == (direction == Direction.INCREASE)
    return Variation.IMPROVEMENT if better else Variation.CONCERN


def assurance_of(period: Limits, options: Options) -> Assurance | None:
    """Whether the process will meet the target, judged on the current period's limits."""
    if options.target is None or options.direction == Direction.NEUTRAL:
        return None
    increasing = options.direction == Direction.INCREASE
    if options.target > period.upper:
        return Assurance.CONSISTENT_FAIL if increasing else Assurance.CONSISTENT_PASS
    if options.target < period.lower:
        return Assurance.CONSISTENT_PASS if increasing else Assurance.CONSISTENT_FAIL
    return Assurance.INCONSISTENT


def xmr(
    values: Sequence[float], *, rebase_at: Sequence[int] = (), options: Options = Options()
) -> Chart:
    """The XmR chart of `values` (in time order), in periods that start at 0 and at each index
    of `rebase_at`. Every period needs at least two values."""
    starts = sorted({0, *rebase_at})
    if any(start < 0 or start >= len(values) for start in starts[1:]):
        raise ValueError("A rebase must fall within the series")
    bounds = [*starts, len(values)]
    points: list[Point] = []
    periods: list[Limits] = []
    for number, (start, end) in enumerate(pairwise(bounds)):
        chunk = [float(v) for v in values[start:end]]
        period = limits(chunk, options=options, start=start)
        periods.append(period)
        for value, rule in zip(chunk, _rules(chunk, period, options), strict=True):
            points.append(Point(value, number, rule, variation_of(rule, options.direction)))
    assurance = assurance_of(periods[-1], options) if periods else None
    return Chart(tuple(points), tuple(periods), options, assurance)
