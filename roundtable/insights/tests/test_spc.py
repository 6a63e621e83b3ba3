"""The XmR chart against published reference values.

The reference is the NHS-R Community's `NHSRplotthedots` (version 0.2.0), the package NHS
quality-improvement teams use to draw Making Data Count charts: its documented test cases, with
the values its snapshots print. `REFERENCE_SERIES` is its test data — R's `set.seed(123);
rnorm(20)` as R prints it — and its snapshots give the mean and limits of that series with the
outlier screening on, and with one value made an outlier, screened and not screened.
"""

from __future__ import annotations

import pytest

from roundtable.insights.spc import (
    Assurance,
    Direction,
    Limits,
    Options,
    Rule,
    Variation,
    _runs,
    _trends,
    assurance_of,
    limits,
    xmr,
)

REFERENCE_SERIES = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
    1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
    1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
    1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def with_outlier() -> list[float]:
    series = list(REFERENCE_SERIES)
    series[14] = 10.0  # y[15] <- 10 in R, counting from 1
    return series


def test_the_reference_series_limits_to_six_decimal_places():
    found = limits(REFERENCE_SERIES)
    assert found.mean == pytest.approx(0.1416238, abs=5e-8)
    assert found.lower == pytest.approx(-3.011380, abs=5e-7)
    assert found.upper == pytest.approx(3.294627, abs=5e-7)


def test_an_outlier_screened_out_of_the_moving_ranges():
    found = limits(with_outlier())
    assert found.mean == pytest.approx(0.6694159, abs=5e-8)
    assert found.lower == pytest.approx(-2.383666, abs=5e-7)
    assert found.upper == pytest.approx(3.722497, abs=5e-7)


def test_an_outlier_not_screened_widens_the_limits():
    found = limits(with_outlier(), options=Options(screen_outliers=False))
    assert found.mean == pytest.approx(0.6694159, abs=5e-8)
    assert found.lower == pytest.approx(-4.596625, abs=5e-7)
    assert found.upper == pytest.approx(5.935457, abs=5e-7)


def test_the_reference_series_is_common_cause_throughout():
    chart = xmr(REFERENCE_SERIES)
    assert [p.variation for p in chart.points] == [Variation.COMMON_CAUSE] * 20
    assert chart.variation == Variation.COMMON_CAUSE


def test_the_outlier_is_a_special_cause_above_the_upper_limit():
    chart = xmr(with_outlier())
    flagged = [(i, p.rule) for i, p in enumerate(chart.points) if p.special]
    assert flagged == [(14, Rule.ABOVE_LIMIT)]
    assert chart.points[14].variation == Variation.IMPROVEMENT
    lower_is_better = xmr(with_outlier(), options=Options(direction=Direction.DECREASE))
    assert lower_is_better.points[14].variation == Variation.CONCERN
    neutral = xmr(with_outlier(), options=Options(direction=Direction.NEUTRAL))
    assert neutral.points[14].variation == Variation.NEUTRAL_HIGH


def test_fixing_the_limits_after_n_points_changes_them():
    assert limits(REFERENCE_SERIES, options=Options(fix_after=12)) != limits(REFERENCE_SERIES)
    fixed = limits(REFERENCE_SERIES, options=Options(fix_after=12))
    first_twelve = limits(REFERENCE_SERIES[:12])
    assert (fixed.mean, fixed.lower, fixed.upper) == (
        first_twelve.mean,
        first_twelve.lower,
        first_twelve.upper,
    )


# -- Runs of points on one side of the mean (the package's seven-point cases) ---------------


@pytest.mark.parametrize(
    ("sides", "expected"),
    [
        ([], []),
        ([1] * 6, [0] * 6),
        ([1] * 6 + [-1], [0] * 7),
        ([1] * 8 + [-1], [1] * 8 + [0]),
        ([-1] * 8 + [1], [-1] * 8 + [0]),
        ([0] * 7, [0] * 7),  # points on the mean are on neither side
    ],
)
def test_runs_of_seven_on_one_side(sides, expected):
    assert _runs(sides, 7) == expected


# -- Trends (the package's seven-point trend cases) -----------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], []),
        ([1, 2, 3, 4, 5, 6], [0] * 6),
        ([1, 2, 3, 3, 4, 5, 6], [0] * 7),  # a repeated value breaks a trend
        ([1, 2, 3, 4, 5, 6, 7], [1] * 7),
        ([2, 1, 2, 3, 4, 5, 6, 7, 3], [0] + [1] * 7 + [0]),
        ([7, 6, 5, 4, 3, 2, 1], [-1] * 7),
        ([2, 7, 6, 5, 4, 3, 2, 1, 3], [0] + [-1] * 7 + [0]),
    ],
)
def test_trends_of_seven(values, expected):
    assert _trends(values, 7) == expected


def test_a_trend_within_the_limits():
    # Up and down around 10, then eight points each higher than the one before, then around 10
    # again: the limits (worked out below) hold every point, so only the trend is special.
    series = [11.0, 9.0] * 6 + [9.0, 9.3, 9.6, 9.9, 10.2, 10.5, 10.8, 11.0] + [9.0, 11.0, 9.0]
    chart = xmr(series, options=Options(screen_outliers=False))
    period = chart.periods[0]
    assert period.lower < min(series)
    assert max(series) < period.upper
    assert [i for i, p in enumerate(chart.points) if p.special] == list(range(12, 20))
    assert {chart.points[i].rule for i in range(12, 20)} == {Rule.TREND_UP}


# -- Two of three close to a limit ----------------------------------------------------------


def test_two_of_three_close_to_the_limit_on_one_side():
    # Around 10, then 15.2, 11.0, 15.4: the first and last between two-thirds of the way to the
    # upper limit and the limit, all three above the mean.
    series = [11.0, 9.0] * 8 + [15.2, 11.0, 15.4]
    chart = xmr(series, options=Options(screen_outliers=False))
    period = chart.periods[0]
    for value in (15.2, 15.4):
        assert period.near_upper < value <= period.upper
    assert period.mean < 11.0
    assert [p.rule for p in chart.points[-3:]] == [Rule.CLOSE_ABOVE, None, Rule.CLOSE_ABOVE]
    assert not any(p.special for p in chart.points[:-3])


def test_two_close_to_the_limits_on_opposite_sides_are_common_cause():
    # The package's case: symmetrical data, then 5.5 and -5.5 one after the other.
    series = [1.0, -1.0] * 8
    series[14], series[15] = 5.5, -5.5
    chart = xmr(series)
    assert [p.variation for p in chart.points[-2:]] == [Variation.COMMON_CAUSE] * 2


# -- Assurance against a target (the package's cases) ---------------------------------------


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        (
            Direction.INCREASE,
            [Assurance.CONSISTENT_FAIL, Assurance.CONSISTENT_PASS, Assurance.INCONSISTENT],
        ),
        (
            Direction.DECREASE,
            [Assurance.CONSISTENT_PASS, Assurance.CONSISTENT_FAIL, Assurance.INCONSISTENT],
        ),
        (Direction.NEUTRAL, [None, None, None]),
    ],
)
def test_assurance_against_a_target_of_four(direction, expected):
    periods = [
        Limits(0, 20, mean=2, lower=1, upper=3, near_lower=0, near_upper=0),
        Limits(0, 20, mean=6, lower=5, upper=7, near_lower=0, near_upper=0),
        Limits(0, 20, mean=4, lower=1, upper=5, near_lower=0, near_upper=0),
    ]
    options = Options(direction=direction, target=4)
    assert [assurance_of(p, options) for p in periods] == expected


def test_no_target_no_assurance():
    assert xmr(REFERENCE_SERIES).assurance is None
    assert xmr(REFERENCE_SERIES, options=Options(target=10)).assurance == (
        Assurance.CONSISTENT_FAIL
    )


# -- Rebasing -------------------------------------------------------------------------------


def test_a_rebase_starts_a_period_with_its_own_limits():
    before = [10.0, 11, 9, 10, 12, 10, 9, 11, 10, 10]
    after = [5.0, 6, 5, 4, 5, 6, 5, 4, 5, 5]
    chart = xmr(before + after, rebase_at=[10])
    assert [p.start for p in chart.periods] == [0, 10]
    assert chart.periods[0] == limits(before)
    assert chart.periods[1] == limits(after, start=10)
    # Within its own period nothing is special; without the rebase the fall is.
    assert not any(p.special for p in chart.points)
    assert xmr(before + after).points[-1].variation == Variation.CONCERN
    assert [p.period for p in chart.points] == [0] * 10 + [1] * 10


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="at least two"):
        xmr([1.0])
    with pytest.raises(ValueError, match="within the series"):
        xmr([1.0, 2, 3], rebase_at=[3])
    with pytest.raises(ValueError, match="at least two"):
        xmr([1.0, 2, 3], rebase_at=[2])  # a period of one point
    with pytest.raises(ValueError, match="at least 2 points"):
        Options(run_length=1)
