"""Series read from the weekly roll-up: summed over teams exactly, by week or month, and who may
see a team's, an organisation's or the system's."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404

from roundtable.insights import selectors
from roundtable.insights.measures import READY_TO_MOVED_ON
from roundtable.insights.models import WeeklyFigure
from roundtable.insights.selectors import Period
from roundtable.insights.spc import Direction, Variation

pytestmark = pytest.mark.django_db

MONDAYS = [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19), date(2026, 2, 2)]


def figure(team, week, total, count, measure=READY_TO_MOVED_ON.slug):
    return WeeklyFigure.objects.create(
        measure=measure, team=team, week=week, total=total, count=count
    )


def test_a_series_adds_up_the_teams_totals_and_counts(system):
    figure(system.team_a, MONDAYS[0], 30, 3)  # a mean of 10 days over 3 people
    figure(system.team_b, MONDAYS[0], 20, 1)  # 20 days for 1
    figure(system.team_a, MONDAYS[1], 12, 2)
    figure(system.team_a, MONDAYS[1], 1, 1, measure="referral-to-offer")  # another measure
    both = selectors.series(READY_TO_MOVED_ON, team_ids=None, start=MONDAYS[0], end=MONDAYS[-1])
    assert both.starts == (MONDAYS[0], MONDAYS[1])
    assert both.values == (50 / 4, 6.0)  # not the mean of the means (15.0)
    assert both.counts == (4, 2)
    one = selectors.series(
        READY_TO_MOVED_ON, team_ids=[system.team_b.pk], start=MONDAYS[0], end=MONDAYS[-1]
    )
    assert one.values == (20.0,)


def test_by_month(system):
    for week, total in zip(MONDAYS, (10, 20, 30, 40), strict=True):
        figure(system.team_a, week, total, 1)
    months = selectors.series(
        READY_TO_MOVED_ON,
        team_ids=[system.team_a.pk],
        start=MONDAYS[0],
        end=MONDAYS[-1],
        period=Period.MONTH,
    )
    assert months.starts == (date(2026, 1, 1), date(2026, 2, 1))
    assert months.values == (20.0, 40.0)


def test_a_series_is_read_in_one_query(system, django_assert_num_queries):
    for week in MONDAYS:
        figure(system.team_a, week, 10, 1)
        figure(system.team_b, week, 10, 1)
    with django_assert_num_queries(1):
        selectors.series(READY_TO_MOVED_ON, team_ids=None, start=MONDAYS[0], end=MONDAYS[-1])


def test_the_chart_of_a_series_is_rebased_on_a_day(system):
    values = [30, 31, 29, 30, 32, 30, 29, 31, 30, 30, 12, 11, 13, 12, 11, 12, 13, 12]
    weeks = [date.fromordinal(MONDAYS[0].toordinal() + 7 * i) for i in range(len(values))]
    for week, value in zip(weeks, values, strict=True):
        figure(system.team_a, week, value, 1)
    found = selectors.series(
        READY_TO_MOVED_ON, team_ids=[system.team_a.pk], start=weeks[0], end=weeks[-1]
    )
    assert found.measure.direction == Direction.DECREASE
    whole = found.chart()
    # Fewer days is better: the fall is a special cause of improvement.
    assert whole.variation == Variation.IMPROVEMENT
    rebased = found.chart(rebase_on=weeks[10])
    assert [p.start for p in rebased.periods] == [0, 10]
    assert rebased.periods[1].mean == pytest.approx(12.0)


def test_who_may_see_which(system):
    team = system.team_a
    assert selectors.team_get(system.clinician_a, team.pk) == team  # a member
    assert selectors.team_get(system.team_leader_a, team.pk) == team  # its leader
    with pytest.raises(Http404):
        selectors.team_get(system.clinician_b, team.pk)  # another team's
    with pytest.raises(Http404):
        selectors.team_get(system.clinician_a, 999_999)
    assert not selectors.may_see_system(system.clinician_a)
    # The system's leadership sees every team, every organisation and the system.
    assert selectors.team_get(system.board_member, team.pk) == team
    assert selectors.organisation_get(system.board_member, system.trust.pk) == system.trust
    assert selectors.may_see_system(system.board_member)
    with pytest.raises(Http404):
        selectors.organisation_get(system.clinician_a, system.trust.pk)
    with pytest.raises(Http404):
        selectors.measure_get("waiting-list-risk")


def test_a_share_is_shown_as_a_percentage(system):
    from roundtable.insights.measures import BY_SLUG

    share = BY_SLUG["learning-actions-on-time"]
    assert share.unit == "%"
    figure(system.team_a, MONDAYS[0], 3, 4, measure=share.slug)  # 3 of 4 on time
    found = selectors.series(share, team_ids=None, start=MONDAYS[0], end=MONDAYS[0])
    assert found.values == (75.0,)
