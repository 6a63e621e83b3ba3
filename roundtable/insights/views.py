"""Insights pages: the measures of a team, an organisation or the whole system, each with its
Making Data Count icons, a sparkline and a sentence; each measure's chart with its data table and
CSV; and where to start (`home`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from roundtable.core.pages import breadcrumbs, csv_download, me, renderer
from roundtable.directory.models import Team
from roundtable.insights import selectors, svg
from roundtable.insights.cycle import STAGES, Stage
from roundtable.insights.forms import ChartForm
from roundtable.insights.measures import BY_SLUG, MEASURES, ZONE_MIX, Measure
from roundtable.insights.presenters import (
    RULE_WORDS,
    assurance_sentence,
    figure,
    label,
    sentence,
)
from roundtable.insights.selectors import Measured, Period, Scope, Series
from roundtable.insights.spc import Chart, Limits, Point

_render = renderer("insights", {"figure": figure, "rule_words": RULE_WORDS})
SPARKLINE_POINTS = 26


def _url(scope: Scope, name: str, *more: object) -> str:
    return reverse(f"insights:{scope.kind}-{name}", args=[*scope.args(), *more])


def _crumbs(scope: Scope, *last: tuple[str, str]) -> list[dict[str, str]]:
    pairs = [("Insights", reverse("insights:home")), (scope.name, _url(scope, "measures"))]
    return breadcrumbs(*pairs[: 2 if last else 1], *(last or [(scope.name, "")]))


@dataclass(frozen=True)
class Row:
    """One measure on the measures page."""

    measure: Measure
    series: Series
    chart: Chart | None
    summary: str
    icon: SafeString
    sparkline: SafeString
    link: str

    @property
    def latest(self) -> float | None:
        return self.series.values[-1] if self.series.values else None


def _row(scope: Scope, measure: Measure, found: Series) -> Row:
    link = _url(scope, "chart", measure.slug)
    chart = found.chart() if len(found) >= 2 else None
    variation = chart.variation if chart else None
    if chart is None or variation is None:
        empty = SafeString("")
        return Row(measure, found, None, "Not enough weeks with figures yet.", empty, empty, link)
    icon = svg.variation_icon_svg(variation, direction=measure.direction)
    line = svg.sparkline_svg(
        found.values[-SPARKLINE_POINTS:], label=f"{measure.name}, week by week"
    )
    return Row(
        measure,
        found,
        chart,
        sentence(Measured(found, chart)),
        SafeString(icon if chart.variation else ""),
        SafeString(line),
        link,
    )


ZONE_MIX_WEEKS = 8


@dataclass(frozen=True)
class ZoneMix:
    """The zone mix of the last weeks: the colours in use, each linked to its chart, and each
    week's share in each of them."""

    colours: list[tuple[Measure, str]]
    weeks: list[tuple[str, list[str]]]


def _zone_mix(scope: Scope, found: dict[str, Series]) -> ZoneMix:
    used = [m for m in ZONE_MIX if found[m.slug].values]
    starts = sorted({start for m in used for start in found[m.slug].starts})[-ZONE_MIX_WEEKS:]
    shares = {
        m.slug: dict(zip(found[m.slug].starts, found[m.slug].values, strict=True)) for m in used
    }
    weeks = [
        (
            label(start, Period.WEEK),
            [figure(shares[m.slug].get(start, 0.0), m.unit) for m in used],
        )
        for start in starts
    ]
    return ZoneMix([(m, _url(scope, "chart", m.slug)) for m in used], weeks)


def _measures(request: HttpRequest, scope: Scope) -> HttpResponse:
    chosen = ChartForm(request.GET or None).range()
    found = selectors.all_series(
        [*MEASURES, *ZONE_MIX], team_ids=scope.team_ids, start=chosen.start, end=chosen.end
    )
    context = {
        "page_title": f"Insights: {scope.name}",
        "scope": scope,
        "rows": [_row(scope, m, found[m.slug]) for m in MEASURES],
        "zone_mix": _zone_mix(scope, found),
        "range": chosen,
        "breadcrumbs": _crumbs(scope),
    }
    return _render(request, "insights/measures.jinja", context)


def _measured(request: HttpRequest, scope: Scope, slug: str) -> tuple[ChartForm, Measured]:
    """The chart's choices from the query string, and the measure over them (the default dates
    when the choices are refused)."""
    measure = selectors.measure_get(slug)
    form = ChartForm(request.GET or None, unit=measure.unit)
    return form, form.range().measured(scope, measure)


def _chart(request: HttpRequest, scope: Scope, slug: str) -> HttpResponse:
    form, found = _measured(request, scope, slug)
    measure, chart = found.series.measure, found.chart
    drawn = None
    if chart is not None:
        labels = [label(start, found.series.period) for start in found.series.starts]
        drawn = SafeString(svg.spc_chart_svg(chart, labels, title=measure.name, unit=measure.unit))
    assurance = None
    if chart is not None and chart.assurance is not None and chart.options.target is not None:
        assurance = (
            SafeString(svg.assurance_icon_svg(chart.assurance)),
            assurance_sentence(chart.assurance, chart.options.target, measure.unit),
        )
    context = {
        "page_title": f"{measure.name}: {scope.name}",
        "page_has_errors": bool(form.errors),
        "scope": scope,
        "measure": measure,
        "form": form,
        "range": form.range(),
        "summary": sentence(found),
        "chart": chart,
        "drawn": drawn,
        "assurance": assurance,
        "rows": _table(found),
        "csv": f"{_url(scope, 'csv', measure.slug)}?{request.GET.urlencode()}",
        "breadcrumbs": _crumbs(scope, (measure.name, "")),
    }
    return _render(request, "insights/chart.jinja", context, status=400 if form.errors else 200)


@dataclass(frozen=True)
class TableRow:
    """A week (or month) of a chart's data table, and of its CSV."""

    start: date
    label: str
    value: float
    n: int
    period: Limits | None
    point: Point | None

    def cells(self) -> list[object]:
        period = self.period
        limits = [] if period is None else [period.mean, period.lower, period.upper]
        point = self.point
        return [
            self.start.isoformat(),
            round(self.value, 6),
            self.n,
            *(round(number, 6) for number in limits),
            *([""] * (3 - len(limits))),
            point.rule.value if point and point.rule else "",
            point.variation.value if point else "",
        ]


def _table(found: Measured) -> list[TableRow]:
    chart, weeks = found.chart, found.series
    rows = []
    for i, (start, value, n) in enumerate(
        zip(weeks.starts, weeks.values, weeks.counts, strict=True)
    ):
        point = chart.points[i] if chart else None
        period = chart.periods[point.period] if chart and point else None
        rows.append(TableRow(start, label(start, weeks.period), value, n, period, point))
    return rows


def _csv(request: HttpRequest, scope: Scope, slug: str) -> StreamingHttpResponse:
    form, found = _measured(request, scope, slug)
    measure, chosen = found.series.measure, form.range()
    header: list[object] = [
        chosen.period.value,
        f"{measure.name} ({measure.unit})",
        "over",
        "mean",
        "lower limit",
        "upper limit",
        "special cause",
        "variation",
    ]
    rows: list[list[object]] = [header, *(row.cells() for row in _table(found))]
    name = f"roundtable-{measure.slug}-{scope.kind}-{scope.pk or 'all'}-{chosen.end}.csv"
    return csv_download(rows, name)


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    row: Row | None  # None: the stage's measure is not worked out (yet)


def _cycle(request: HttpRequest, scope: Scope) -> HttpResponse:
    chosen = ChartForm(request.GET or None).range()
    measures = [BY_SLUG[stage.measure] for stage in STAGES if stage.measure in BY_SLUG]
    found = selectors.all_series(
        measures, team_ids=scope.team_ids, start=chosen.start, end=chosen.end
    )
    stages = [
        StageRow(stage, _row(scope, BY_SLUG[stage.measure], found[stage.measure]))
        if stage.measure in found
        else StageRow(stage, None)
        for stage in STAGES
    ]
    drawn = svg.cycle_svg(
        [(s.stage.name, s.row.chart.variation if s.row and s.row.chart else None) for s in stages]
    )
    context = {
        "page_title": f"The leadership cycle: {scope.name}",
        "scope": scope,
        "stages": stages,
        "drawn": SafeString(drawn),
        "range": chosen,
        "breadcrumbs": _crumbs(scope, ("The leadership cycle", "")),
    }
    return _render(request, "insights/cycle.jinja", context)


# -- The pages, for each kind of scope ------------------------------------------------------------


def _pages(
    scope_of: Callable[..., Scope],
) -> tuple[Callable[..., HttpResponseBase], ...]:
    @require_GET
    def measures(request: HttpRequest, **ids: int) -> HttpResponse:
        return _measures(request, scope_of(request.user, *ids.values()))

    @require_GET
    def cycle(request: HttpRequest, **ids: int) -> HttpResponse:
        return _cycle(request, scope_of(request.user, *ids.values()))

    @require_GET
    def chart(request: HttpRequest, slug: str, **ids: int) -> HttpResponse:
        return _chart(request, scope_of(request.user, *ids.values()), slug)

    @require_GET
    def csv(request: HttpRequest, slug: str, **ids: int) -> StreamingHttpResponse:
        return _csv(request, scope_of(request.user, *ids.values()), slug)

    return measures, cycle, chart, csv


team_measures, team_cycle, team_chart, team_csv = _pages(selectors.team_scope)
organisation_measures, organisation_cycle, organisation_chart, organisation_csv = _pages(
    selectors.organisation_scope
)
system_measures, system_cycle, system_chart, system_csv = _pages(selectors.system_scope)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    scopes = selectors.my_scopes(me(request))
    context = {
        "page_title": "Insights",
        "scopes": [(scope, _url(scope, "measures")) for scope in scopes],
        "breadcrumbs": breadcrumbs(("Insights", "")),
    }
    return _render(request, "insights/home.jinja", context)


# -- Links from the home page and a team's page -----------------------------------------------


def home_section(request: HttpRequest) -> SafeString:
    """On the home page: the insights the person may see, each linked to its leadership cycle."""
    scopes = selectors.my_scopes(me(request))
    if not scopes:
        return SafeString("")
    links = format_html_join(
        "",
        '<li><a href="{}">{}</a></li>',
        ((_url(scope, "cycle"), scope.name) for scope in scopes),
    )
    return format_html(
        "<h2>Insights</h2><p>The leadership cycle, and how flow, leadership and wellbeing are "
        'changing, as Making Data Count charts.</p><ul class="nhsuk-list">{}</ul>',
        links,
    )


def team_panel(request: HttpRequest, team: Team) -> str:
    """On a team's page, for those who may see its insights: a link to them."""
    if not selectors.may_see_team(request.user, team):
        return ""
    return format_html(
        '<p><a href="{}">Insights for {}</a>: the leadership cycle and the measures.</p>',
        reverse("insights:team-cycle", args=[team.pk]),
        team.name,
    )
