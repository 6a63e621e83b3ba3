"""Keeping the weekly roll-up up to date: `refresh` rewrites the figures of some weeks from the
other apps' records; `roundtable tick` rewrites the weeks that can still change (each measure's
`settles_weeks`); `roundtable insights_rebuild` rewrites every week.

A refresh of a measure locks that measure's `Refresh` row first, so a tick and a rebuild (or two
rebuilds) never interleave their deletes and inserts; each measure's weeks are rewritten in one
transaction, so a page reads either the old figures or the new, never half of each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from roundtable.insights.measures import ALL, Measure
from roundtable.insights.models import Refresh, WeeklyFigure


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone())


def refresh_measure(measure: Measure, *, start: date, end: date) -> int:
    """Rewrite `measure`'s figures for the weeks from the one holding `start` to the one holding
    `end`; how many figures there are now."""
    first, last = monday(start), monday(end) + timedelta(days=7)
    with transaction.atomic():
        Refresh.objects.get_or_create(measure=measure.slug)
        Refresh.objects.select_for_update().filter(measure=measure.slug).get()
        WeeklyFigure.objects.filter(measure=measure.slug, week__gte=first, week__lt=last).delete()
        figures = [
            WeeklyFigure(
                measure=measure.slug,
                team_id=row.team_id,
                week=row.week,
                total=row.total,
                count=row.n,
            )
            for row in measure.weekly(_midnight(first), _midnight(last))
            if row.n
        ]
        WeeklyFigure.objects.bulk_create(figures, batch_size=2_000)
        Refresh.objects.filter(measure=measure.slug).update(refreshed_at=timezone.now())
    return len(figures)


def refresh(
    *,
    start: date,
    end: date,
    measures: Iterable[Measure] = ALL,
    progress: Callable[[Measure, int], None] | None = None,
) -> int:
    """Rewrite every measure's figures for the weeks from `start` to `end`."""
    written = 0
    for measure in measures:
        count = refresh_measure(measure, start=start, end=end)
        written += count
        if progress is not None:
            progress(measure, count)
    return written


def tick(today: date) -> str:
    """The periodic job: each measure's figures of the weeks that can still change (this week
    and last for most; a pulse's for the last months), worked out again."""
    written = sum(
        refresh_measure(
            measure, start=today - timedelta(weeks=measure.settles_weeks - 1), end=today
        )
        for measure in ALL
    )
    return f"{written} weekly figures refreshed"
