"""What insights measures, each stated as its page states it: a definition, where it comes from,
which way is better and the unit — and how it is worked out, week by week and team by team, by
one grouped SQL query over the other apps' append-only records.

A measure's `weekly(start, end)` returns, for each team and week (the Monday it starts on) with
something to count between `start` and `end`, a total and how many it is over: a mean of days is
(sum of days, number of people), a share is (number that met it, number there were). Weeks and
teams with nothing to count are left out, not written as zero. Figures for an organisation or the
whole system add the totals and the counts of their teams, so they are exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from django.db.models import Count, Sum
from django.db.models.functions import TruncWeek

from roundtable.care.models import PathwayEvent, Stage
from roundtable.insights.spc import Direction


class WeekRow(NamedTuple):
    team_id: int
    week: date
    total: float
    n: int  # how many the total is over


Weekly = Callable[[datetime, datetime], Iterable[WeekRow]]


@dataclass(frozen=True)
class Measure:
    slug: str
    name: str
    unit: str
    definition: str
    source: str
    direction: Direction
    weekly: Weekly

    @property
    def higher_is_better(self) -> bool | None:
        if self.direction == Direction.NEUTRAL:
            return None
        return self.direction == Direction.INCREASE


def _week(value: object) -> date:
    """A truncated week as a date (SQLite and PostgreSQL give a datetime)."""
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]


def _days_to(stage: str, days_field: str) -> Weekly:
    """The mean whole days, by the week a person reached `stage`, of the episode's `days_field`
    (written by care when the stage changes)."""

    def weekly(start: datetime, end: datetime) -> Iterable[WeekRow]:
        rows = (
            PathwayEvent.objects.filter(
                to_stage=stage,
                at__gte=start,
                at__lt=end,
                **{f"episode__{days_field}__isnull": False},
            )
            .annotate(week=TruncWeek("at"))
            .values_list("episode__team_id", "week")
            .annotate(total=Sum(f"episode__{days_field}"), count=Count("*"))
            .order_by()
        )
        return [
            WeekRow(team, _week(week), float(total), count) for team, week, total, count in rows
        ]

    return weekly


READY_TO_MOVED_ON = Measure(
    slug="ready-to-moved-on",
    name="Ready to moved on",
    unit="days",
    definition="The mean number of whole days between someone being ready to move on and moving "
    "on, for the people who moved on that week.",
    source="Care: each move on, and the day the person became ready to move on.",
    direction=Direction.DECREASE,
    weekly=_days_to(Stage.MOVED_ON, "days_ready_to_moved_on"),
)
REFERRAL_TO_OFFER = Measure(
    slug="referral-to-offer",
    name="Referral to offer",
    unit="days",
    definition="The mean number of whole days between a referral and the first offer made, for "
    "the people offered something that week.",
    source="Care: each referral, and the first offer agreed at the front door.",
    direction=Direction.DECREASE,
    weekly=_days_to(Stage.OFFER_MADE, "days_to_offer"),
)

MEASURES: tuple[Measure, ...] = (REFERRAL_TO_OFFER, READY_TO_MOVED_ON)
BY_SLUG = {measure.slug: measure for measure in MEASURES}
