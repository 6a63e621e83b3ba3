"""What must hold of every XmR chart, whatever the data (hypothesis): the limits are symmetric
about the mean; adding a constant moves everything by it; scaling scales the limits; a rebase
splits the series into charts of their own; screening never widens the limits."""

from __future__ import annotations

import math

from hypothesis import assume, given
from hypothesis import strategies as st

from roundtable.insights.spc import Limits, Options, Rule, limits, xmr

# Whole numbers, as most measures are (days, counts), and so that sums are exact.
values = st.lists(st.integers(min_value=-10_000, max_value=10_000), min_size=2, max_size=60)
MIRROR = {
    Rule.ABOVE_LIMIT: Rule.BELOW_LIMIT,
    Rule.TREND_UP: Rule.TREND_DOWN,
    Rule.CLOSE_ABOVE: Rule.CLOSE_BELOW,
    Rule.RUN_ABOVE: Rule.RUN_BELOW,
}
MIRROR.update({low: high for high, low in MIRROR.items()})


def clear_of_boundaries(series: list[float], period: Limits) -> bool:
    """No value sits (to rounding) on the mean, a limit or a near-limit, where a change of the
    last bit of a float could move it across."""
    edges = (period.mean, period.lower, period.upper, period.near_lower, period.near_upper)
    scale = max(1.0, *(abs(v) for v in series))
    return all(
        value == edge or abs(value - edge) > 1e-9 * scale for value in series for edge in edges
    )


def rules(series: list[float], **kwargs) -> list[Rule | None]:
    return [p.rule for p in xmr(series, **kwargs).points]


@given(values)
def test_the_limits_are_symmetric_about_the_mean(series):
    found = limits(series)
    assert math.isclose(found.upper - found.mean, found.mean - found.lower, abs_tol=1e-9)
    assert found.lower <= found.near_lower <= found.mean <= found.near_upper <= found.upper


@given(values, st.integers(min_value=-100_000, max_value=100_000))
def test_adding_a_constant_moves_everything_by_it(series, constant):
    before = limits(series)
    moved = [v + constant for v in series]
    after = limits(moved)
    for name in ("mean", "lower", "upper"):
        assert math.isclose(getattr(after, name), getattr(before, name) + constant, abs_tol=1e-6)
    assume(clear_of_boundaries([float(v) for v in series], before))
    assert rules(moved) == rules(series)


@given(values, st.integers(min_value=-8, max_value=8))
def test_scaling_scales_the_limits(series, power):
    # Scaling by a power of two is exact in floating point, so the rules see the same chart.
    factor = 2.0**power
    before = limits(series)
    scaled = [v * factor for v in series]
    after = limits(scaled)
    assert math.isclose(after.mean, before.mean * factor, rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(
        after.upper - after.mean, (before.upper - before.mean) * factor, rel_tol=1e-9, abs_tol=1e-9
    )
    assert rules(scaled) == rules(series)


@given(values)
def test_turning_the_chart_upside_down_mirrors_every_rule(series):
    assume(clear_of_boundaries([float(v) for v in series], limits(series)))
    flipped = [-v for v in series]
    assert rules(flipped) == [MIRROR.get(rule) if rule else None for rule in rules(series)]


@given(values, values)
def test_a_rebase_splits_the_series(first, second):
    chart = xmr(first + second, rebase_at=[len(first)])
    assert chart.periods == (limits(first), limits(second, start=len(first)))
    assert [p.rule for p in chart.points] == rules(first) + rules(second)
    assert [p.period for p in chart.points] == [0] * len(first) + [1] * len(second)


@given(values)
def test_screening_never_widens_the_limits(series):
    screened = limits(series)
    unscreened = limits(series, options=Options(screen_outliers=False))
    assert screened.upper - screened.mean <= unscreened.upper - unscreened.mean + 1e-9
