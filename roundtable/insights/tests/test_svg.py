"""The Making Data Count charts drawn as SVG: well-formed, accessible, safe under a strict
Content-Security-Policy, every variation drawn in its own shape, and the one-sentence summaries.

The series here are built so that their means, limits and special causes can be worked out by
hand; each expectation says how.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roundtable.insights.spc import (
    Assurance,
    Chart,
    Direction,
    Limits,
    Options,
    Point,
    Rule,
    Variation,
    xmr,
)
from roundtable.insights.svg import (
    assurance_icon_svg,
    nice_ticks,
    sparkline_svg,
    spc_chart_svg,
    summary,
    variation_icon_svg,
)

NS = "{http://www.w3.org/2000/svg}"

# Ten weeks around 20, then eight weeks at 17 and 18. Mean 346/18 = 19.22; moving ranges sum to
# 30 over 17, so the limits are 19.22 ± 2.66 * 1.76 = 14.53 to 23.92 and "close" is beyond
# 16.09 or 22.35. Only 23 (week 5) is close, alone; no value is beyond a limit; no seven rise or
# fall in a row; the last eight (weeks 11 to 18) are all below the mean: a run.
SHIFT = [20, 22, 19, 21, 23, 20, 18, 22, 21, 20, 17, 18, 17, 18, 17, 18, 17, 18]
# Values either side of the mean 5.875 in turn, the limits 5.875 ± 3.42: nothing special.
STEADY = [5, 7, 6, 5, 7, 6, 5, 6]
# The limits fixed from the first seven (mean 10.43, moving ranges all 1: 7.77 to 13.09), then 30.
SPIKE = [10, 11, 10, 11, 10, 11, 10, 30]


def weeks(count: int) -> list[str]:
    return [f"Week {n}" for n in range(1, count + 1)]


def parse(svg: str) -> ET.Element:
    """The SVG as XML (so well-formed), after checking nothing in it needs CSS or script."""
    assert "style=" not in svg
    assert "<script" not in svg.lower()
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    for element in root.iter():
        assert element.tag not in (f"{NS}style", f"{NS}script")
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
    return root


def named(root: ET.Element) -> tuple[str, str]:
    """The chart's own title and description, checked to be what names it."""
    assert root.get("role") == "img"
    title = root.find(f"{NS}title")
    desc = root.find(f"{NS}desc")
    assert title is not None
    assert desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return title.text or "", desc.text or ""


def with_data(root: ET.Element, name: str, value: str) -> list[ET.Element]:
    return [element for element in root.iter() if element.get(name) == value]


def chart_of(variations: list[Variation]) -> Chart:
    """A chart whose points have the variations given (their rules do not matter here)."""
    points = tuple(
        Point(
            float(i % 5),
            0,
            None if v == Variation.COMMON_CAUSE else Rule.ABOVE_LIMIT,
            v,
        )
        for i, v in enumerate(variations)
    )
    period = Limits(0, len(points), 2.0, -1.0, 5.0, 0.0, 4.0)
    return Chart(points, (period,), Options())


# -- The chart -------------------------------------------------------------------------------


def test_chart_is_an_image_named_by_its_title_and_summary():
    chart = xmr(SHIFT, options=Options(direction=Direction.DECREASE))
    root = parse(spc_chart_svg(chart, weeks(18), title="Waiting time", unit="days"))
    assert root.get("viewBox") == "0 0 640 320"
    assert root.get("width") == "100%"
    assert root.get("height") is None  # the height follows the width
    assert named(root) == (
        "Waiting time",
        "Waiting time has improved since Week 11: 8 points in a row below the mean.",
    )


def test_a_description_given_replaces_the_summary():
    chart = xmr(STEADY)
    svg = spc_chart_svg(chart, weeks(8), title="Offers", unit="", description="Eight weeks.")
    assert named(parse(svg)) == ("Offers", "Eight weeks.")


def test_two_charts_have_different_ids():
    one = parse(spc_chart_svg(xmr(STEADY), weeks(8), title="Offers", unit="days"))
    other = parse(spc_chart_svg(xmr(SHIFT), weeks(18), title="Offers", unit="days"))
    assert one.get("aria-labelledby") != other.get("aria-labelledby")


def test_each_variation_has_its_own_shape():
    variations = (
        [Variation.COMMON_CAUSE] * 1
        + [Variation.IMPROVEMENT] * 2
        + [Variation.CONCERN] * 3
        + [Variation.NEUTRAL_HIGH] * 4
        + [Variation.NEUTRAL_LOW] * 5
    )
    root = parse(spc_chart_svg(chart_of(variations), weeks(15), title="Mixed", unit=""))
    markers = {v: with_data(root, "data-variation", v.value) for v in Variation}
    assert {v: len(found) for v, found in markers.items()} == {
        Variation.COMMON_CAUSE: 1,
        Variation.IMPROVEMENT: 2,
        Variation.CONCERN: 3,
        Variation.NEUTRAL_HIGH: 4,
        Variation.NEUTRAL_LOW: 5,
    }
    common, improvement = markers[Variation.COMMON_CAUSE][0], markers[Variation.IMPROVEMENT][0]
    # Common cause: a small hollow grey circle.
    assert common.tag == f"{NS}circle"
    assert (common.get("fill"), common.get("stroke")) == ("#FFFFFF", "#A6A6A6")
    # Improvement: a larger filled blue circle with a thicker ring.
    assert improvement.tag == f"{NS}circle"
    assert improvement.get("fill") == "#41B6E6"
    assert float(improvement.get("r", "0")) > float(common.get("r", "0"))
    assert float(improvement.get("stroke-width", "0")) > float(common.get("stroke-width", "0"))

    def corners(element: ET.Element) -> list[tuple[float, float]]:
        assert element.tag == f"{NS}path"
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", element.get("d", ""))]
        return list(zip(numbers[::2], numbers[1::2], strict=True))

    # Concern: a filled orange diamond; neither: purple triangles, pointing up or down.
    concern = markers[Variation.CONCERN][0]
    assert concern.get("fill") == "#ED8B00"
    assert len(corners(concern)) == 4
    for variation, points_up in ((Variation.NEUTRAL_HIGH, True), (Variation.NEUTRAL_LOW, False)):
        triangle = markers[variation][0]
        assert triangle.get("fill") == "#7030A0"
        apex, *base = corners(triangle)
        assert len(base) == 2
        assert base[0][1] == base[1][1]
        assert (apex[1] < base[0][1]) == points_up


def test_each_marker_says_its_label_value_and_variation():
    chart = xmr(SPIKE, options=Options(direction=Direction.INCREASE, fix_after=7))
    root = parse(spc_chart_svg(chart, weeks(8), title="Offers", unit="days"))
    (spike,) = with_data(root, "data-variation", Variation.IMPROVEMENT.value)
    tip = spike.find(f"{NS}title")
    assert tip is not None
    assert tip.text == "Week 8: 30 days (special cause, improvement)"


def test_each_period_has_its_own_mean_and_limits():
    rebased = xmr(SHIFT, rebase_at=[10])
    root = parse(spc_chart_svg(rebased, weeks(18), title="Waiting time", unit="days"))
    for kind in ("mean", "upper", "lower"):
        lines = with_data(root, "data-line", kind)
        assert [line.get("data-period") for line in lines] == ["0", "1"]
    first, second = with_data(root, "data-line", "mean")
    # The second period's mean (17.5) is lower than the first's (20.6), so further down.
    assert float(second.get("y1", "0")) > float(first.get("y1", "0"))
    # The lines of the first period end before those of the second begin.
    assert float(first.get("x2", "0")) < float(second.get("x1", "0"))
    whole = parse(spc_chart_svg(xmr(SHIFT), weeks(18), title="Waiting time", unit="days"))
    assert len(with_data(whole, "data-line", "mean")) == 1


def test_limits_are_dashed_the_mean_solid_and_the_target_dotted():
    chart = xmr(STEADY)
    root = parse(spc_chart_svg(chart, weeks(8), title="Offers", unit="days", target=9))
    (mean,) = with_data(root, "data-line", "mean")
    (upper,) = with_data(root, "data-line", "upper")
    (target,) = with_data(root, "data-line", "target")
    assert mean.get("stroke-dasharray") is None
    assert upper.get("stroke-dasharray") is not None
    assert target.get("stroke-dasharray") != upper.get("stroke-dasharray")
    assert target.get("stroke-linecap") == "round"  # dots


def test_the_target_is_drawn_and_labelled_only_when_there_is_one():
    chart = xmr(STEADY)
    without = parse(spc_chart_svg(chart, weeks(8), title="Offers", unit="days"))
    assert with_data(without, "data-line", "target") == []
    assert with_data(without, "data-line", "target-key") == []
    given = parse(spc_chart_svg(chart, weeks(8), title="Offers", unit="days", target=12))
    assert len(with_data(given, "data-line", "target")) == 1
    (key,) = with_data(given, "data-line", "target-key")
    assert key.text == "Target: 12 days"
    # A chart worked out with a target shows it without being told again.
    own = xmr(STEADY, options=Options(target=4.5))
    (key,) = with_data(
        parse(spc_chart_svg(own, weeks(8), title="Offers", unit="%")), "data-line", "target-key"
    )
    assert key.text == "Target: 4.5%"


def y_ticks(root: ET.Element) -> list[str]:
    return [element.text or "" for element in with_data(root, "data-axis", "y")]


def test_the_y_axis_has_round_ticks_and_the_unit():
    root = parse(spc_chart_svg(xmr(SHIFT), weeks(18), title="Waiting time", unit="days"))
    # Values and limits run from 14.53 to 23.92: steps of 1 would need 11 ticks, of 2 six.
    assert y_ticks(root) == ["14", "16", "18", "20", "22", "24"]
    (unit,) = with_data(root, "data-line", "unit")
    assert unit.text == "days"


def test_a_flat_series_gets_a_range_around_its_value():
    flat = xmr([5, 5, 5, 5, 5, 5])
    assert (flat.periods[0].lower, flat.periods[0].upper) == (5, 5)
    svg = spc_chart_svg(flat, weeks(6), title="Beds", unit="")
    assert "nan" not in svg.lower()
    assert "inf" not in svg.lower()
    assert y_ticks(parse(svg)) == ["4.0", "4.5", "5.0", "5.5", "6.0"]


def test_negative_values():
    # Mean -4/12, moving ranges 54/11 = 4.91: limits -13.39 to 12.72, so ticks of 10.
    series = [-3, -1, 2, -2, 0, 1, -1, 9, -2, 0, -8, 1]
    root = parse(spc_chart_svg(xmr(series), weeks(12), title="Change", unit=""))
    assert y_ticks(root) == ["-20", "-10", "0", "10", "20"]
    polyline = root.find(f"{NS}polyline")
    assert polyline is not None
    heights = [float(pair.split(",")[1]) for pair in polyline.get("points", "").split()]
    # In the drawing y grows downwards: 9 (the 8th) is highest, -8 (the 11th) lowest.
    assert heights.index(min(heights)) == 7
    assert heights.index(max(heights)) == 10


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 97, [0, 20, 40, 60, 80, 100]),
        (0.8, 1.1, [0.8, 0.9, 1.0, 1.1]),
        (-13.39, 12.72, [-20, -10, 0, 10, 20]),
        (0, 0, [-1.0, -0.5, 0.0, 0.5, 1.0]),
        (1000, 1003, [1000, 1001, 1002, 1003]),
    ],
)
def test_nice_ticks(low, high, ticks):
    assert nice_ticks(low, high)[0] == pytest.approx(ticks)


def test_x_labels_include_the_first_and_last_and_do_not_overlap_at_320_px():
    labels = [f"{day} March 2026" for day in range(1, 32)] + ["1 April 2026"]
    series = [10 + (i % 3) for i in range(32)]
    for width in (640, 320):
        root = parse(spc_chart_svg(xmr(series), labels, title="Offers", unit="", width=width))
        shown = with_data(root, "data-axis", "x")
        assert shown[0].text == "1 March 2026"
        assert shown[-1].text == "1 April 2026"
        assert 2 < len(shown) < 32
        # Drawn 320 px wide, the text is 11 px; in ordinary type, a character is well under 0.6 em.
        font = float(shown[0].get("font-size", "0"))
        assert font * 320 / width == pytest.approx(11)
        xs = [float(text.get("x", "0")) for text in shown]
        assert min(b - a for a, b in pairwise(xs)) > 12 * 0.6 * font


def test_text_is_escaped():
    hostile = "<script>alert(\"x\")</script> & 'quotes'"
    chart = xmr(STEADY, options=Options(target=6))
    svg = spc_chart_svg(chart, [hostile] * 8, title=hostile, unit=hostile)
    root = parse(svg)
    title, desc = named(root)
    assert title == hostile
    assert desc.startswith(hostile)
    assert "<script>" not in svg
    (unit,) = with_data(root, "data-line", "unit")
    assert unit.text == hostile
    sparkline = parse(sparkline_svg([1, 2], label=hostile))
    assert sparkline.get("aria-label") == hostile


def test_an_empty_chart_says_there_is_no_data_yet():
    empty = Chart((), (), Options())
    root = parse(spc_chart_svg(empty, [], title="Returns", unit="people"))
    assert named(root) == ("Returns", "Returns has no data yet.")
    assert [text.text for text in root.iter(f"{NS}text")] == ["No data yet"]


def test_labels_must_match_the_points():
    with pytest.raises(ValueError, match="label"):
        spc_chart_svg(xmr(STEADY), weeks(7), title="Offers", unit="days")


# -- Summaries -------------------------------------------------------------------------------


def test_summary_of_an_improvement():
    chart = xmr(SHIFT, options=Options(direction=Direction.DECREASE))
    assert [p.rule for p in chart.points[10:]] == [Rule.RUN_BELOW] * 8
    assert (
        summary(chart, weeks(18), name="Waiting time", unit="days", direction=Direction.DECREASE)
        == "Waiting time has improved since Week 11: 8 points in a row below the mean."
    )


def test_summary_of_a_concern():
    chart = xmr(SHIFT, options=Options(direction=Direction.INCREASE))
    assert (
        summary(chart, weeks(18), name="Moves on", unit="people", direction=Direction.INCREASE)
        == "Moves on is a concern since Week 11: 8 points in a row below the mean."
    )


def test_summary_of_a_change_with_no_better_direction():
    chart = xmr(SHIFT, options=Options(direction=Direction.NEUTRAL))
    assert (
        summary(chart, weeks(18), name="Referrals", unit="", direction=Direction.NEUTRAL)
        == "Referrals has changed since Week 11: 8 points in a row below the mean."
    )


def test_summary_of_one_point_beyond_a_limit():
    chart = xmr(SPIKE, options=Options(fix_after=7))
    assert (
        summary(chart, weeks(8), name="Offers made", unit="", direction=Direction.INCREASE)
        == "Offers made has improved at Week 8: a point above the upper process limit."
    )


def test_summary_of_only_common_cause():
    chart = xmr(STEADY)
    assert (
        summary(chart, weeks(8), name="Time to offer", unit="days", direction=Direction.INCREASE)
        == "Time to offer shows only common-cause variation, around a mean of 5.9 days: "
        "no sign of change."
    )


def test_summary_after_a_rebase_looks_only_at_the_last_period():
    # The first ten alone: mean 20.6, limits 14.69 to 26.51, nothing special. The last eight:
    # 17 and 18 in turn around 17.5, nothing special. Unrebased, the last eight are a run.
    chart = xmr(SHIFT, rebase_at=[10], options=Options(direction=Direction.DECREASE))
    assert (
        summary(chart, weeks(18), name="Waiting time", unit="days", direction=Direction.DECREASE)
        == "Waiting time shows only common-cause variation since Week 11, around a mean of "
        "17.5 days: no sign of change."
    )


def test_summary_of_common_cause_after_a_special_cause():
    chart = xmr([*SPIKE, 11], options=Options(fix_after=7))
    assert chart.points[7].variation == Variation.IMPROVEMENT
    assert not chart.points[8].special
    assert (
        summary(chart, weeks(9), name="Offers made", unit="", direction=Direction.INCREASE)
        == "Offers made shows common-cause variation at Week 9; "
        "the latest sign of improvement was at Week 8."
    )


def test_summary_refuses_a_direction_the_chart_was_not_worked_out_with():
    chart = xmr(SHIFT, options=Options(direction=Direction.DECREASE))
    with pytest.raises(ValueError, match="direction"):
        summary(chart, weeks(18), name="Waiting time", unit="days", direction=Direction.INCREASE)


# -- Icons and sparklines --------------------------------------------------------------------


def letter(root: ET.Element) -> str | None:
    text = root.find(f"{NS}text")
    return None if text is None else text.text


@pytest.mark.parametrize(
    ("variation", "direction", "label", "shown"),
    [
        (Variation.COMMON_CAUSE, None, "Common cause variation", None),
        (
            Variation.IMPROVEMENT,
            Direction.INCREASE,
            "Special cause variation: improvement (high)",
            "H",
        ),
        (
            Variation.IMPROVEMENT,
            Direction.DECREASE,
            "Special cause variation: improvement (low)",
            "L",
        ),
        (Variation.CONCERN, Direction.INCREASE, "Special cause variation: concern (low)", "L"),
        (Variation.CONCERN, Direction.DECREASE, "Special cause variation: concern (high)", "H"),
        (Variation.CONCERN, None, "Special cause variation: concern", None),
        (
            Variation.NEUTRAL_HIGH,
            None,
            "Special cause variation: neither improvement nor concern (high)",
            "H",
        ),
        (
            Variation.NEUTRAL_LOW,
            Direction.NEUTRAL,
            "Special cause variation: neither improvement nor concern (low)",
            "L",
        ),
    ],
)
def test_variation_icons(variation, direction, label, shown):
    root = parse(variation_icon_svg(variation, direction=direction))
    assert root.get("role") == "img"
    assert root.get("aria-label") == label
    assert letter(root) == shown


@pytest.mark.parametrize(
    ("assurance", "label", "shown"),
    [
        (Assurance.CONSISTENT_PASS, "Consistently passing the target", "P"),
        (Assurance.CONSISTENT_FAIL, "Consistently failing the target", "F"),
        (Assurance.INCONSISTENT, "Sometimes passing and sometimes failing the target", "?"),
    ],
)
def test_assurance_icons(assurance, label, shown):
    root = parse(assurance_icon_svg(assurance))
    assert root.get("role") == "img"
    assert root.get("aria-label") == label
    assert letter(root) == shown


def test_sparkline():
    root = parse(sparkline_svg([3, 1, 2], label="Waiting time, last 3 weeks", width=60))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Waiting time, last 3 weeks"
    assert root.get("viewBox") == "0 0 60 32"
    polyline = root.find(f"{NS}polyline")
    assert polyline is not None
    heights = [float(pair.split(",")[1]) for pair in polyline.get("points", "").split()]
    assert heights[1] > heights[2] > heights[0]  # 1 lowest, drawn furthest down


@pytest.mark.parametrize("values", [[], [4], [4, 4, 4]])
def test_sparkline_of_few_or_flat_values(values):
    svg = sparkline_svg(values, label="Offers")
    assert "nan" not in svg.lower()
    assert parse(svg).get("aria-label") == "Offers"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_subnormal=False),
        min_size=2,
        max_size=40,
    )
)
def test_any_series_draws_four_to_six_distinct_ticks_around_every_value(series):
    chart = xmr(series)
    root = parse(spc_chart_svg(chart, weeks(len(series)), title="Any", unit=""))
    shown = y_ticks(root)
    assert 4 <= len(shown) <= 6
    assert len(set(shown)) == len(shown)
    ticks, _ = nice_ticks(min(series), max(series))
    hair = 1e-6 * (ticks[-1] - ticks[0])  # a value a hair beyond a tick is drawn on it
    assert ticks[0] <= min(series) + hair
    assert ticks[-1] >= max(series) - hair
