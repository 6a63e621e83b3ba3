"""Making Data Count charts drawn on the server as SVG: no chart library in the browser.

Visual conventions (the same on every chart, so that a chart reads the same everywhere):

- **Scaling.** Every chart has a `viewBox` and `width="100%"`, so it shrinks with its column
  down to a 320 px phone screen. Sizes are worked out for that width: text is 11 px and
  markers are 6 to 13 px across when the chart is drawn 320 px wide, larger when there is room.
  Axis labels are chosen so that they never overlap, whatever the width.
- **No CSS.** The pages' Content-Security-Policy allows no inline styles, so everything is drawn
  with SVG presentation attributes (`fill`, `stroke`, `stroke-dasharray`, …), which are not CSS.
  Text takes the page's typeface. There is no script.
- **Lines.** The data is a solid near-black line. Each period (a rebase starts a new one) has its
  own mean, a solid dark grey line, and its own process limits, dashed dark grey lines; the lines
  of one period stop where the next begins. An optional target is a dotted near-black line,
  labelled "Target" with its value.
- **Points.** Every point has a marker whose *shape* says what it is, so that the chart reads
  in black and white and for people who do not see colour; the Making Data Count colours are
  added on top:

  | point                        | shape                                   | colour            |
  |------------------------------|-----------------------------------------|-------------------|
  | common cause                 | small hollow circle                     | grey #A6A6A6      |
  | special cause: improvement   | large filled circle with a thick ring   | blue #41B6E6      |
  | special cause: concern       | filled diamond with a dark outline      | orange #ED8B00    |
  | special cause: neither, high | filled triangle pointing up             | purple #7030A0    |
  | special cause: neither, low  | filled triangle pointing down           | purple #7030A0    |

  Special-cause markers have a near-black outline, so they stand out from a white background
  whatever their colour. Common-cause markers are quiet on purpose: the data line, not the
  marker, carries the value. Every marker has a `data-variation` attribute with its variation
  and a tooltip (`<title>`) with its label, value and variation.
- **Accessible name.** A chart is one image (`role="img"`), named by its own `<title>` and
  `<desc>` (`aria-labelledby`); the description is one plain-English sentence, from `summary`
  unless one is given. A page that shows a chart should also offer its numbers as a table.
- **Icons.** The variation and assurance icons are circles with a letter in the spirit of the
  Making Data Count icons: the letter (H or L for a special cause that is high or low; P, F or
  ? for assurance) carries the meaning in black and white, and each icon has an `aria-label`.
- **No data.** A chart with no points is drawn as an accessible "No data yet" image rather
  than raising an error, so a page can always show the chart's place.

Everything returned is a string of SVG markup, in which every piece of text given has been
escaped: a template marks it safe to include it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from itertools import pairwise
from xml.sax.saxutils import escape as _escape

from roundtable.insights.spc import Assurance, Chart, Direction, Point, Rule, Variation

IMPROVEMENT_BLUE = "#41B6E6"
CONCERN_ORANGE = "#ED8B00"
NEUTRAL_PURPLE = "#7030A0"
COMMON_GREY = "#A6A6A6"
INK = "#212B32"  # the NHS.UK text colour
LINE_GREY = "#425563"  # NHS dark grey
AXIS_GREY = "#768692"  # NHS mid grey
GRID_GREY = "#E8EDEE"  # NHS pale grey
WHITE = "#FFFFFF"

SVG_NS = "http://www.w3.org/2000/svg"
NARROWEST = 320  # px: the width the chart's text and markers are sized for
TEXT_PX = 11  # the text's size, in px, when the chart is drawn NARROWEST wide
CHAR_EM = 0.6  # a generous average width of a character, in ems, to keep labels apart
LONGEST_LABEL = 16  # characters of a label shown on the x axis (the tooltip has all of it)

VARIATION_COLOURS = {
    Variation.COMMON_CAUSE: COMMON_GREY,
    Variation.IMPROVEMENT: IMPROVEMENT_BLUE,
    Variation.CONCERN: CONCERN_ORANGE,
    Variation.NEUTRAL_HIGH: NEUTRAL_PURPLE,
    Variation.NEUTRAL_LOW: NEUTRAL_PURPLE,
}
VARIATION_WORDS = {
    Variation.COMMON_CAUSE: "common cause",
    Variation.IMPROVEMENT: "special cause, improvement",
    Variation.CONCERN: "special cause, concern",
    Variation.NEUTRAL_HIGH: "special cause, high",
    Variation.NEUTRAL_LOW: "special cause, low",
}
ASSURANCE_ICONS = {
    Assurance.CONSISTENT_PASS: ("P", IMPROVEMENT_BLUE, "Consistently passing the target"),
    Assurance.CONSISTENT_FAIL: ("F", CONCERN_ORANGE, "Consistently failing the target"),
    Assurance.INCONSISTENT: (
        "?",
        COMMON_GREY,
        "Sometimes passing and sometimes failing the target",
    ),
}
# How a run of special-cause points flagged by one rule is described in a summary.
RULE_WORDS = {
    Rule.ABOVE_LIMIT: "above the upper process limit",
    Rule.BELOW_LIMIT: "below the lower process limit",
    Rule.TREND_UP: "each higher than the one before",
    Rule.TREND_DOWN: "each lower than the one before",
    Rule.CLOSE_ABOVE: "close to the upper process limit",
    Rule.CLOSE_BELOW: "close to the lower process limit",
    Rule.RUN_ABOVE: "above the mean",
    Rule.RUN_BELOW: "below the mean",
}


# -- Markup ----------------------------------------------------------------------------------


def _text(value: str) -> str:
    return _escape(value)


def _attr(value: str) -> str:
    return _escape(value, {'"': "&quot;", "'": "&apos;"})


def _n(number: float) -> str:
    """A coordinate, to two decimal places, without trailing zeros."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _element(tag: str, attributes: Mapping[str, object], content: str = "") -> str:
    """An element; numbers in `attributes` are coordinates, anything else is escaped text."""
    parts = [tag]
    for name, value in attributes.items():
        shown = _n(value) if isinstance(value, int | float) else _attr(str(value))
        parts.append(f'{name}="{shown}"')
    opening = " ".join(parts)
    return f"<{opening}>{content}</{tag}>" if content else f"<{opening}/>"


def _svg(attributes: Mapping[str, object], content: str) -> str:
    return _element("svg", {"xmlns": SVG_NS, **attributes}, content)


def _ids(*parts: object) -> str:
    """A stable prefix for the ids in one chart, from what it shows: the same chart gets the
    same ids, different charts on a page get different ones."""
    digest = hashlib.blake2s(repr(parts).encode(), digest_size=5).hexdigest()
    return f"rt-chart-{digest}"


def _plain(number: float, decimals: int | None = None) -> str:
    """A number as people read it: thousands separated; up to one decimal place unless told."""
    if decimals is None:
        decimals = 0 if abs(number - round(number)) < 5e-3 else 1
    text = f"{number:,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        text = text.lstrip("-")
    return text


def _with_unit(number: str, unit: str) -> str:
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


# -- Scales ----------------------------------------------------------------------------------


def nice_ticks(low: float, high: float) -> tuple[list[float], int]:
    """Four to six evenly spaced round values (steps of 1, 2, 2.5 or 5 times a power of ten)
    from at or below `low` to at or above `high`, and the decimal places to show them with. A
    single value (low == high) gets a range around it."""
    if not (math.isfinite(low) and math.isfinite(high)) or low > high:
        raise ValueError("A scale needs two finite numbers, the lower first")
    if high - low <= 1e-9 * max(1.0, abs(low), abs(high)):
        pad = max(abs(low) * 0.1, 1.0)
        low, high = low - pad, high + pad
    exponent = math.floor(math.log10((high - low) / 5))
    for power in range(exponent - 1, exponent + 3):
        for multiple in (1.0, 2.0, 2.5, 5.0):
            step = multiple * 10.0**power
            first = math.floor(low / step + 1e-9)
            last = math.ceil(high / step - 1e-9)
            if last - first + 1 <= 6:
                while last - first + 1 < 4:
                    if (last - first) % 2 == 0:
                        last += 1
                    else:
                        first -= 1
                decimals = max(0, -power) + (1 if multiple == 2.5 and power <= 0 else 0)
                ticks = [round((first + i) * step, decimals) for i in range(last - first + 1)]
                return ticks, decimals
    raise AssertionError("unreachable: a step of 50 times the span/5 power always fits")


def _chosen_labels(count: int, spacing: float, width: float) -> list[int]:
    """The indices of the points to label on the x axis: the first and the last and as many
    evenly spaced between them as fit `width` apart, when points are `spacing` apart."""
    if count == 1:
        return [0]
    for shown in range(min(count, 12), 1, -1):
        indices = sorted({round(k * (count - 1) / (shown - 1)) for k in range(shown)})
        closest = min(b - a for a, b in pairwise(indices))
        if closest * spacing >= width:
            return indices
    return [count - 1]


def _short(label: str) -> str:
    return label if len(label) <= LONGEST_LABEL else label[: LONGEST_LABEL - 1] + "…"


# -- Markers ---------------------------------------------------------------------------------


def _marker(x: float, y: float, variation: Variation, scale: float, tip: str) -> str:
    """A point's marker, its shape saying its variation (see the module's conventions)."""
    colour = VARIATION_COLOURS[variation]
    common: dict[str, object] = {"data-variation": variation.value, "fill": colour}
    tooltip = f"<title>{_text(tip)}</title>"
    if variation == Variation.COMMON_CAUSE:
        attributes: dict[str, object] = {
            "cx": x,
            "cy": y,
            "r": 3 * scale,
            "fill": WHITE,
            "stroke": colour,
            "stroke-width": 1.5 * scale,
        }
        return _element("circle", {**common, **attributes}, tooltip)
    if variation == Variation.IMPROVEMENT:
        attributes = {"cx": x, "cy": y, "r": 5 * scale, "stroke": INK, "stroke-width": 2.5 * scale}
        return _element("circle", {**common, **attributes}, tooltip)
    if variation == Variation.CONCERN:
        r = 6.5 * scale
        path = f"M{_n(x)} {_n(y - r)}L{_n(x + r)} {_n(y)}L{_n(x)} {_n(y + r)}L{_n(x - r)} {_n(y)}Z"
    else:
        up = 1 if variation == Variation.NEUTRAL_HIGH else -1
        tip_y, base_y, half = y - up * 6.5 * scale, y + up * 4.5 * scale, 6 * scale
        path = f"M{_n(x)} {_n(tip_y)}L{_n(x + half)} {_n(base_y)}L{_n(x - half)} {_n(base_y)}Z"
    outline: dict[str, object] = {"d": path, "stroke": INK, "stroke-width": 1.25 * scale}
    return _element("path", {**common, **outline, "stroke-linejoin": "round"}, tooltip)


# -- The chart -------------------------------------------------------------------------------


def spc_chart_svg(
    chart: Chart,
    labels: Sequence[str],
    *,
    title: str,
    unit: str,
    target: float | None = None,
    width: int = 640,
    height: int = 320,
    description: str | None = None,
) -> str:
    """The XmR chart as an accessible SVG image, `labels` naming its points in order (dates,
    usually). `target` defaults to the chart's own (its options'); `description`, to the
    chart's `summary` with `title` as the measure's name. A chart with no points is drawn as
    "No data yet"."""
    if len(labels) != len(chart.points):
        raise ValueError("Every point needs a label, and every label a point")
    if width < 160 or height < 120:
        raise ValueError("A chart is at least 160 by 120")
    if target is None:
        target = chart.options.target
    values = [point.value for point in chart.points]
    if not all(math.isfinite(v) for v in [*values, *([target] if target is not None else [])]):
        raise ValueError("A chart's values and target must be finite numbers")
    if description is None:
        direction = chart.options.direction
        description = summary(chart, labels, name=title, unit=unit, direction=direction)
    ids = _ids(title, unit, target, width, height, chart, tuple(labels))
    heading = (
        f'<title id="{ids}-title">{_text(title)}</title>'
        f'<desc id="{ids}-desc">{_text(description)}</desc>'
    )
    frame: dict[str, object] = {
        "viewBox": f"0 0 {width} {height}",
        "width": "100%",
        "role": "img",
        "aria-labelledby": f"{ids}-title {ids}-desc",
        "class": "rt-spc-chart",
    }
    scale = width / NARROWEST
    font = TEXT_PX * scale
    if not chart.points:
        middle = {"x": width / 2, "y": height / 2, "dy": "0.35em", "text-anchor": "middle"}
        message = _element("text", {**middle, "font-size": font, "fill": INK}, "No data yet")
        box: dict[str, object] = {"x": 0.5, "y": 0.5, "width": width - 1, "height": height - 1}
        border = _element("rect", {**box, "fill": WHITE, "stroke": AXIS_GREY})
        return _svg({**frame, "data-empty": "true"}, heading + border + message)
    return _svg(frame, heading + _plot(chart, labels, unit, target, width, height, scale, font))


def _plot(
    chart: Chart,
    labels: Sequence[str],
    unit: str,
    target: float | None,
    width: int,
    height: int,
    scale: float,
    font: float,
) -> str:
    values = [point.value for point in chart.points]
    extras = [target] if target is not None else []
    lowest = min([*values, *(p.lower for p in chart.periods), *extras])
    highest = max([*values, *(p.upper for p in chart.periods), *extras])
    ticks, decimals = nice_ticks(lowest, highest)
    tick_texts = [_plain(t, decimals) for t in ticks]
    char = CHAR_EM * font
    shown = [_short(label) for label in labels]
    label_width = max((len(s) for s in shown), default=0) * char
    inset = 8 * scale  # between the y axis and the first point
    left = max(max(len(t) for t in tick_texts) * char + 8 * scale, label_width / 2 - inset)
    right = max(8 * scale, label_width / 2 - inset + 2 * scale)
    # The unit goes above the y axis; the target's key (a dotted line and "Target: 15 days") to
    # its right, or on a line of its own when they do not fit side by side.
    target_text = f"Target: {_with_unit(_plain(target), unit)}" if target is not None else ""
    key_width = 26 * scale + len(target_text) * char
    rows = 2 if target_text and len(unit) * char + 16 * scale + key_width > width else 1
    top = font * (2 + 1.3 * (rows - 1))
    bottom = font * 2.4
    plot_width, plot_height = width - left - right, height - top - bottom
    count = len(values)
    step = (plot_width - 2 * inset) / (count - 1) if count > 1 else 0.0

    def x(index: int) -> float:
        return left + inset + index * step if count > 1 else left + plot_width / 2

    def y(value: float) -> float:
        return top + (ticks[-1] - value) / (ticks[-1] - ticks[0]) * plot_height

    out: list[str] = []
    # The grid and the axes, with the unit above the y axis.
    for tick, text in zip(ticks, tick_texts, strict=True):
        at = y(tick)
        line: dict[str, object] = {"x1": left, "x2": left + plot_width, "y1": at, "y2": at}
        out.append(_element("line", {**line, "stroke": GRID_GREY, "stroke-width": scale}))
        label = {
            "x": left - 6 * scale,
            "y": at,
            "dy": "0.35em",
            "text-anchor": "end",
            "data-axis": "y",
        }
        out.append(_element("text", {**label, "font-size": font, "fill": INK}, _text(text)))
    axes = f"M{_n(left)} {_n(top)}V{_n(top + plot_height)}H{_n(left + plot_width)}"
    out.append(_element("path", {"d": axes, "fill": "none", "stroke": AXIS_GREY}))
    if unit:
        where = {"x": 2 * scale, "y": font * 1.1, "font-size": font, "fill": INK}
        out.append(_element("text", {**where, "data-line": "unit"}, _text(unit)))
    for index in _chosen_labels(count, step, label_width + 8 * scale):
        foot = {
            "x": x(index),
            "y": top + plot_height + font * 1.6,
            "text-anchor": "middle",
            "data-axis": "x",
        }
        out.append(_element("text", {**foot, "font-size": font, "fill": INK}, _text(shown[index])))
    # Each period's mean and limits, from its first point to its last.
    dash = f"{_n(6 * scale)} {_n(4 * scale)}"
    for number, period in enumerate(chart.periods):
        start, end = x(period.start), x(period.start + period.points - 1)
        for kind, value in (
            ("lower", period.lower),
            ("upper", period.upper),
            ("mean", period.mean),
        ):
            line = {"x1": start, "x2": end, "y1": y(value), "y2": y(value)}
            look: dict[str, object] = (
                {"stroke-width": 1.5 * scale}
                if kind == "mean"
                else {"stroke-width": 1.25 * scale, "stroke-dasharray": dash}
            )
            marks = {"data-line": kind, "data-period": str(number)}
            out.append(_element("line", {**line, "stroke": LINE_GREY, **look, **marks}))
    # The target, dotted across the chart, with its key above the chart at the right.
    if target is not None:
        at = y(target)
        dots = {"stroke-dasharray": f"{_n(0.1 * scale)} {_n(4 * scale)}", "stroke-linecap": "round"}
        line = {"x1": left, "x2": left + plot_width, "y1": at, "y2": at, "stroke": INK}
        out.append(
            _element("line", {**line, "stroke-width": 2 * scale, **dots, "data-line": "target"})
        )
        baseline = font * (1.1 + 1.3 * (rows - 1))
        ends = width - 2 * scale
        place = {"x": ends - 26 * scale, "y": baseline, "text-anchor": "end"}
        key = {**place, "font-size": font, "fill": INK, "data-line": "target-key"}
        out.append(_element("text", key, _text(target_text)))
        sample = {"x1": ends - 20 * scale, "x2": ends, "stroke": INK, "stroke-width": 2 * scale}
        mid = baseline - 0.35 * font
        out.append(_element("line", {**sample, "y1": mid, "y2": mid, **dots}))
    # The data, then its markers on top.
    trace = " ".join(f"{_n(x(i))},{_n(y(v))}" for i, v in enumerate(values))
    style = {"fill": "none", "stroke": INK, "stroke-width": 2 * scale, "stroke-linejoin": "round"}
    out.append(_element("polyline", {"points": trace, **style, "data-line": "data"}))
    for index, point in enumerate(chart.points):
        tip = (
            f"{labels[index]}: {_with_unit(_plain(point.value), unit)}"
            f" ({VARIATION_WORDS[point.variation]})"
        )
        out.append(_marker(x(index), y(point.value), point.variation, scale, tip))
    return "".join(out)


# -- Icons and sparklines --------------------------------------------------------------------


def _icon(letter: str, colour: str, label: str) -> str:
    ink = WHITE if colour == NEUTRAL_PURPLE else INK  # the letter at 4.5:1 or more
    disc = _element("circle", {"cx": 20, "cy": 20, "r": 18, "fill": colour, "stroke": INK})
    mark = ""
    if letter:
        place = {"x": 20, "y": 20, "dy": "0.35em", "text-anchor": "middle"}
        type_ = {"font-size": 22, "font-weight": "bold", "fill": ink}
        mark = _element("text", {**place, **type_, "aria-hidden": "true"}, _text(letter))
    frame: dict[str, object] = {
        "viewBox": "0 0 40 40",
        "width": 40,
        "height": 40,
        "role": "img",
        "aria-label": label,
        "class": "rt-spc-icon",
    }
    return _svg(frame, disc + mark)


def variation_icon_svg(variation: Variation, *, direction: Direction | None = None) -> str:
    """The chart's variation as a Making Data Count style icon: H or L for a special cause that
    is high or low. Whether an improvement or a concern is high or low depends on the measure's
    `direction`: without it, their icons have no letter and their labels do not say."""
    if variation == Variation.COMMON_CAUSE:
        return _icon("", COMMON_GREY, "Common cause variation")
    high: bool | None
    if variation in (Variation.NEUTRAL_HIGH, Variation.NEUTRAL_LOW):
        high, kind = variation == Variation.NEUTRAL_HIGH, "neither improvement nor concern"
    else:
        improvement = variation == Variation.IMPROVEMENT
        kind = "improvement" if improvement else "concern"
        if direction in (Direction.INCREASE, Direction.DECREASE):
            high = improvement == (direction == Direction.INCREASE)
        else:
            high = None
    if high is None:
        return _icon("", VARIATION_COLOURS[variation], f"Special cause variation: {kind}")
    side = "high" if high else "low"
    label = f"Special cause variation: {kind} ({side})"
    return _icon("H" if high else "L", VARIATION_COLOURS[variation], label)


def assurance_icon_svg(assurance: Assurance) -> str:
    """Whether the process will meet its target, as an icon: P (pass), F (fail) or ?."""
    letter, colour, label = ASSURANCE_ICONS[assurance]
    return _icon(letter, colour, label)


def sparkline_svg(
    values: Sequence[float], *, label: str, width: int = 120, height: int = 32
) -> str:
    """A tiny line of `values`, its last value marked, named by `label` (which should say what
    the line shows, since the line alone has no axes)."""
    frame: dict[str, object] = {
        "viewBox": f"0 0 {width} {height}",
        "width": width,
        "height": height,
        "role": "img",
        "aria-label": label,
        "class": "rt-sparkline",
    }
    finite = [float(v) for v in values if math.isfinite(v)]
    if len(finite) != len(values):
        raise ValueError("A sparkline's values must be finite numbers")
    if not finite:
        return _svg(frame, "")
    pad = 3.0
    low, high = min(finite), max(finite)
    spread = high - low

    def y(value: float) -> float:
        if spread == 0:
            return height / 2
        return pad + (high - value) / spread * (height - 2 * pad)

    step = (width - 2 * pad) / (len(finite) - 1) if len(finite) > 1 else 0.0
    xs = [pad + i * step for i in range(len(finite))] if len(finite) > 1 else [width - pad]
    trace = " ".join(f"{_n(px)},{_n(y(v))}" for px, v in zip(xs, finite, strict=True))
    style = {"fill": "none", "stroke": INK, "stroke-width": 1.5, "stroke-linejoin": "round"}
    line = _element("polyline", {"points": trace, **style}) if len(finite) > 1 else ""
    last = _element("circle", {"cx": xs[-1], "cy": y(finite[-1]), "r": 2.5, "fill": INK})
    return _svg(frame, line + last)


# -- The summary -----------------------------------------------------------------------------


def _latest_run(chart: Chart) -> list[Point]:
    """The unbroken run of special-cause points of one variation that ends the series, within
    the last period (empty if the last point is common cause)."""
    period = chart.periods[-1]
    run: list[Point] = []
    last = chart.points[-1]
    for point in reversed(chart.points[period.start :]):
        if not point.special or point.variation != last.variation:
            break
        run.append(point)
    run.reverse()
    return run


def _describe(run: Sequence[Point]) -> str:
    rules = {point.rule for point in run}
    if len(rules) == 1 and (rule := next(iter(rules))) is not None:
        return RULE_WORDS[rule]
    high = all(point.rule is not None and point.rule.high for point in run)
    return "unusually high" if high else "unusually low"


def summary(
    chart: Chart, labels: Sequence[str], *, name: str, unit: str, direction: Direction
) -> str:
    """One plain-English sentence on what the chart shows now, for its description and for the
    page. The rules:

    - No points: "<name> has no data yet."
    - The last point a special cause: the latest unbroken run of special-cause points of the
      last point's variation that ends the series, never reaching back before the last rebase,
      is what is reported: since the label of its first point, how many points, and where they
      are — as the rule that flagged them says ("below the mean", "above the upper process
      limit", "each higher than the one before"), or "unusually high"/"unusually low" when the
      rules differ. An improvement "has improved", a concern "is a concern", a special cause
      of a measure with no better direction "has changed". A run of one point is "at" its
      label: "a point above the upper process limit".
    - The last point common cause, and no special cause since the last rebase: "shows only
      common-cause variation", with the mean of the last period, and "no sign of change".
      After a rebase it says since when.
    - The last point common cause after special causes in the last period: it says so, and
      gives the label of the latest special-cause point and its variation, since the change may
      be fading or may have only paused.

    `direction` must be the one the chart was worked out with (it decided each point's
    improvement or concern)."""
    if len(labels) != len(chart.points):
        raise ValueError("Every point needs a label, and every label a point")
    if direction != chart.options.direction:
        raise ValueError("The direction is not the one the chart was worked out with")
    if not chart.points:
        return f"{name} has no data yet."
    period = chart.periods[-1]
    run = _latest_run(chart)
    if run:
        first = len(chart.points) - len(run)
        verb = {
            Variation.IMPROVEMENT: "has improved",
            Variation.CONCERN: "is a concern",
        }.get(run[-1].variation, "has changed")
        if len(run) == 1:
            return f"{name} {verb} at {labels[first]}: a point {_describe(run)}."
        return f"{name} {verb} since {labels[first]}: {len(run)} points in a row {_describe(run)}."
    since = f" since {labels[period.start]}" if len(chart.periods) > 1 else ""
    specials = [i for i in range(period.start, len(chart.points)) if chart.points[i].special]
    if not specials:
        mean = _with_unit(_plain(period.mean), unit)
        return (
            f"{name} shows only common-cause variation{since}, around a mean of {mean}: "
            "no sign of change."
        )
    latest = specials[-1]
    kind = {
        Variation.IMPROVEMENT: "improvement",
        Variation.CONCERN: "concern",
    }.get(chart.points[latest].variation, "change")
    return (
        f"{name} shows common-cause variation at {labels[-1]}; "
        f"the latest sign of {kind} was at {labels[latest]}."
    )


# -- The leadership cycle -----------------------------------------------------------------------


def cycle_svg(stages: Sequence[tuple[str, Variation | None]], *, size: int = 360) -> str:
    """The leadership cycle drawn as a ring of stages, each arrowed to the next and the last back
    to the first, each stage's disc in the colour of its measure's variation (white where it has
    none yet). Decorative (`aria-hidden`): the page lists the same stages, with their measures
    and links, as an ordered list."""
    count = len(stages)
    if count < 2:
        raise ValueError("A cycle has at least two stages")
    centre, ring, disc = size / 2, size / 2 - 46, 40.0
    places = [
        (
            centre + ring * math.sin(2 * math.pi * i / count),
            centre - ring * math.cos(2 * math.pi * i / count),
        )
        for i in range(count)
    ]
    out: list[str] = []
    for i, (x1, y1) in enumerate(places):
        x2, y2 = places[(i + 1) % count]
        length = math.hypot(x2 - x1, y2 - y1)
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        start = (x1 + ux * (disc + 4), y1 + uy * (disc + 4))
        end = (x2 - ux * (disc + 8), y2 - uy * (disc + 8))
        out.append(
            _element(
                "line",
                {
                    "x1": _n(start[0]),
                    "y1": _n(start[1]),
                    "x2": _n(end[0]),
                    "y2": _n(end[1]),
                    "stroke": INK,
                    "stroke-width": 2,
                },
            )
        )
        # The arrowhead: a small triangle at the end of the line, pointing along it.
        tip = (end[0] + ux * 6, end[1] + uy * 6)
        left = (end[0] - uy * 5, end[1] + ux * 5)
        right = (end[0] + uy * 5, end[1] - ux * 5)
        head = " ".join(f"{_n(px)},{_n(py)}" for px, py in (tip, left, right))
        out.append(_element("polygon", {"points": head, "fill": INK}))
    for (name, variation), (x, y) in zip(stages, places, strict=True):
        colour = VARIATION_COLOURS[variation] if variation is not None else WHITE
        ink = WHITE if colour == NEUTRAL_PURPLE else INK
        out.append(
            _element(
                "circle",
                {
                    "cx": _n(x),
                    "cy": _n(y),
                    "r": _n(disc),
                    "fill": colour,
                    "stroke": INK,
                    "data-stage": name,
                },
            )
        )
        words = name.split()
        for line, word in enumerate(words):
            offset = (line - (len(words) - 1) / 2) * 13
            out.append(
                _element(
                    "text",
                    {
                        "x": _n(x),
                        "y": _n(y + offset),
                        "dy": "0.35em",
                        "text-anchor": "middle",
                        "font-size": 12,
                        "font-weight": "bold",
                        "fill": ink,
                    },
                    _text(word),
                )
            )
    frame: dict[str, object] = {
        "viewBox": f"0 0 {size} {size}",
        "width": "100%",
        "class": "rt-cycle",
        "aria-hidden": "true",
        "focusable": "false",
    }
    return _svg(frame, "".join(out))
