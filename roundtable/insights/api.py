"""Insights under /api/v1/insights/: a measure's series for a team, an organisation or the whole
system, with its XmR chart (limits, rule hits, icons) and its one-sentence summary. Read only.

A team, organisation or measure the caller may not see, or that does not exist, is a 404; the
choices of dates are checked as the chart page checks them (422 with what to fix)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router

from roundtable.core.api import NOT_FOUND, REFUSED
from roundtable.core.schemas import PathId
from roundtable.insights import selectors
from roundtable.insights.forms import ChartForm
from roundtable.insights.presenters import sentence
from roundtable.insights.schemas import ChartOut, ChartQuery
from roundtable.insights.selectors import Scope
from roundtable.insights.spc import Variation

router = Router(tags=["insights"])


def _chart(scope: Scope, slug: str, query: ChartQuery) -> dict[str, Any]:
    measure = selectors.measure_get(slug)
    given = {name: value for name, value in query.dict().items() if value is not None}
    form = ChartForm({name: str(value) for name, value in given.items()}, unit=measure.unit)
    if not form.is_valid():
        raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
    found = form.range().measured(scope, measure)
    chart, weeks = found.chart, found.series
    return {
        "measure": measure,
        "scope": scope.name,
        "period": weeks.period,
        "points": [
            {
                "start": start,
                "value": value,
                "n": n,
                "period": chart.points[i].period if chart else 0,
                "rule": chart.points[i].rule if chart else None,
                "variation": chart.points[i].variation if chart else Variation.COMMON_CAUSE,
            }
            for i, (start, value, n) in enumerate(
                zip(weeks.starts, weeks.values, weeks.counts, strict=True)
            )
        ],
        "periods": list(chart.periods) if chart else [],
        "variation": chart.variation if chart else None,
        "target": chart.options.target if chart else None,
        "assurance": chart.assurance if chart else None,
        "summary": sentence(found),
    }


@router.get("/teams/{team_id}/measures/{slug}", response={200: ChartOut, **NOT_FOUND, **REFUSED})
def team_chart(
    request: HttpRequest, team_id: PathId, slug: str, query: Query[ChartQuery]
) -> dict[str, Any]:
    """A measure for a team you are in or lead."""
    return _chart(selectors.team_scope(request.user, team_id), slug, query)


@router.get(
    "/organisations/{organisation_id}/measures/{slug}",
    response={200: ChartOut, **NOT_FOUND, **REFUSED},
)
def organisation_chart(
    request: HttpRequest, organisation_id: PathId, slug: str, query: Query[ChartQuery]
) -> dict[str, Any]:
    """A measure for every team of an organisation whose leadership you are in."""
    scope = selectors.organisation_scope(request.user, organisation_id)
    return _chart(scope, slug, query)


@router.get("/system/measures/{slug}", response={200: ChartOut, **NOT_FOUND, **REFUSED})
def system_chart(request: HttpRequest, slug: str, query: Query[ChartQuery]) -> dict[str, Any]:
    """A measure for the whole system: for its leadership."""
    return _chart(selectors.system_scope(request.user), slug, query)
