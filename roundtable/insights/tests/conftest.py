"""Figures the insights tests share: a team's ready-to-moved-on days, weekly, with a fall."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from roundtable.insights.measures import READY_TO_MOVED_ON
from roundtable.insights.models import WeeklyFigure

# Twenty weeks around 30 days, then ten around 12: the fall is a special cause of improvement.
VALUES = [30, 31, 29, 30, 32, 30, 29, 31, 30, 30, 31, 29, 30, 30, 31, 29, 30, 31, 30, 29]
VALUES += [12, 11, 13, 12, 11, 12, 13, 12, 11, 12]


def mondays(n: int) -> list[date]:
    this_monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    return [this_monday - timedelta(weeks=n - 1 - i) for i in range(n)]


@pytest.fixture
def figures(system):
    weeks = mondays(len(VALUES))
    WeeklyFigure.objects.bulk_create(
        WeeklyFigure(
            measure=READY_TO_MOVED_ON.slug, team=system.team_a, week=week, total=value * 2, count=2
        )
        for week, value in zip(weeks, VALUES, strict=True)
    )
    return weeks
