"""`roundtable demo`: the stories its insights tell. Harlow Vale's people move on sooner since
its leaders began holding move-on decisions; Loughton Forest's leaders stopped coming, and its
people have felt less held since."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone

from roundtable.care.models import ZoneColour
from roundtable.care.selectors.flow import datetime_at_start_of, zone_mix_by_day
from roundtable.decisions.models import Decision, DecisionKind, DecisionStatus
from roundtable.demo.care import HOLDING_SINCE_WEEKS
from roundtable.demo.forums import LAPSE_DAYS
from roundtable.directory.models import Team
from roundtable.insights import presenters, selectors
from roundtable.insights.measures import BY_SLUG
from roundtable.insights.selectors import Measured, Period, Scope
from roundtable.insights.spc import Variation

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR_AGO = TODAY - timedelta(weeks=52)


def measured(team_name: str, slug: str, period: Period, rebase_on: date | None = None) -> Measured:
    team = Team.objects.get(name=team_name)
    scope = Scope("team", team.name, team.pk, [team.pk])
    return selectors.measured(
        scope, BY_SLUG[slug], start=YEAR_AGO, end=TODAY, period=period, rebase_on=rebase_on
    )


def test_harlow_vale_moves_people_on_sooner_since_its_leaders_hold_the_decisions(built: str):
    since = TODAY - timedelta(days=TODAY.weekday(), weeks=HOLDING_SINCE_WEEKS)
    moves = Decision.objects.filter(
        kind=DecisionKind.MOVE_ON,
        status=DecisionStatus.AGREED,
        forum__home_team__name="Harlow Vale Community Mental Health Team",
    )
    before = moves.filter(decided_at__date__lt=since)
    after = moves.filter(decided_at__date__gte=since)
    assert before.count() >= 10
    assert after.count() >= 10
    assert not before.filter(holds__isnull=False).exists()
    assert not after.filter(holds__isnull=True).exists()

    flow = measured("Harlow Vale Community Mental Health Team", "ready-to-moved-on", Period.WEEK)
    assert flow.chart is not None
    assert len(flow.series) >= 20
    assert flow.chart.variation == Variation.IMPROVEMENT
    assert presenters.sentence(flow).startswith("Ready to moved on has improved since")

    rebased = measured(
        "Harlow Vale Community Mental Health Team", "ready-to-moved-on", Period.WEEK, since
    )
    assert rebased.chart is not None
    first, then = rebased.chart.periods
    assert then.mean < first.mean / 2
    assert "down from" in presenters.sentence(rebased)
    assert presenters.sentence(rebased).endswith("an improvement.")


def test_loughton_forest_feels_less_held_since_its_leaders_stopped_coming(built: str):
    team = "Loughton Forest Community Mental Health Team"
    presence = measured(team, "leadership-presence", Period.WEEK)
    assert presence.chart is not None
    fell = TODAY - timedelta(days=LAPSE_DAYS)
    weeks = dict(zip(presence.series.starts, presence.series.values, strict=True))
    assert all(value == 0 for start, value in weeks.items() if start > fell)
    assert all(value == 100 for start, value in weeks.items() if start < fell - timedelta(weeks=1))
    assert presence.chart.variation == Variation.CONCERN

    held = measured(team, "pulse-held", Period.MONTH)
    assert held.chart is not None
    assert held.chart.variation == Variation.CONCERN
    concerning = [
        start
        for start, point in zip(held.series.starts, held.chart.points, strict=True)
        if point.variation == Variation.CONCERN
    ]
    # Feeling held follows presence: every concerning month began after the leaders stopped.
    assert concerning
    assert min(concerning) > fell
    assert presenters.sentence(held).startswith("Feeling held is a concern")


def test_the_zone_mix_agrees_with_the_huddle_boards_own_by_day(built: str):
    """Insights' weekly zone mix and the flow page's daily one are worked out apart; at the end
    of each of the last four weeks, they count the same people in each colour."""
    this_monday = TODAY - timedelta(days=TODAY.weekday())
    for team in Team.objects.filter(zones__isnull=False).distinct():
        colour_of = dict(team.zones.values_list("name", "colour"))
        ends = [this_monday - timedelta(days=1 + 7 * n) for n in range(4)]
        by_day = dict(zone_mix_by_day(team_ids=[team.pk], start=min(ends), end=max(ends)))
        for end in ends:
            expected: Counter[str] = Counter()
            for name, n in by_day[end].items():
                expected[colour_of[name]] += n
            week = end - timedelta(days=6)
            for colour in ZoneColour:
                rows = list(
                    BY_SLUG[f"zone-mix-{colour.value}"].weekly(
                        datetime_at_start_of(week), datetime_at_start_of(week + timedelta(weeks=1))
                    )
                )
                found = {row.team_id: (row.total, row.n) for row in rows}
                total = sum(expected.values())
                if total:
                    assert found[team.pk] == (expected[colour], total), (team, end, colour)
                else:
                    assert team.pk not in found
