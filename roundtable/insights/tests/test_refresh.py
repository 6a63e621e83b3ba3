"""Writing the weekly roll-up: `services.refresh` rewrites the weeks it is given and no others,
the same every time; `roundtable insights_rebuild` says how far it has got; `services.tick`
rewrites this week and last."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from roundtable.care import services as care_services
from roundtable.insights import services
from roundtable.insights.measures import ALL, BY_SLUG
from roundtable.insights.models import Refresh, WeeklyFigure
from roundtable.wellbeing import services as wellbeing_services
from roundtable.wellbeing.models import SupportKind

TODAY = timezone.localdate()
THIS_MONDAY = TODAY - timedelta(days=TODAY.weekday())
W1 = THIS_MONDAY - timedelta(weeks=10)
W2 = W1 + timedelta(weeks=1)
SUPPORT = BY_SLUG["support-attendance"]


def at(day: date, hour: int = 14) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def session(system, day: date, people, team=None):
    return wellbeing_services.support_session_record(
        actor=system.team_leader_a,
        kind=SupportKind.REFLECTIVE_PRACTICE,
        starts_at=at(day),
        team=team or system.team_a,
        attendees=people,
    )


def figures(measure: str = SUPPORT.slug) -> list[tuple[int, date, float, int]]:
    return list(
        WeeklyFigure.objects.filter(measure=measure)
        .order_by("team_id", "week")
        .values_list("team_id", "week", "total", "count")
    )


def test_a_refresh_rewrites_its_weeks_and_leaves_the_others(system):
    a = system.team_a.pk
    session(system, W1 + timedelta(days=1), [system.clinician_a, system.vcse])
    session(system, W2 + timedelta(days=2), [system.lone_coach])
    # Figures already there: an earlier week of the same measure, a week in range that no
    # longer has anything to count, and another measure's week in range.
    earlier = W1 - timedelta(weeks=3)
    WeeklyFigure.objects.create(measure=SUPPORT.slug, team_id=a, week=earlier, total=9, count=3)
    WeeklyFigure.objects.create(measure=SUPPORT.slug, team=system.team_b, week=W2, total=4, count=1)
    WeeklyFigure.objects.create(measure="days-to-hold", team_id=a, week=W1, total=5, count=1)

    seen = []
    written = services.refresh(
        start=W1 + timedelta(days=3),
        end=W2 + timedelta(days=6),
        measures=[SUPPORT],
        progress=lambda measure, count: seen.append((measure.slug, count)),
    )

    assert written == 2
    assert seen == [(SUPPORT.slug, 2)]
    assert figures() == [(a, earlier, 9.0, 3), (a, W1, 2.0, 1), (a, W2, 1.0, 1)]
    assert figures("days-to-hold") == [(a, W1, 5.0, 1)]
    assert Refresh.objects.get(measure=SUPPORT.slug).refreshed_at is not None

    # Again: the same figures, not twice.
    assert services.refresh(start=W1, end=W2, measures=[SUPPORT]) == 2
    assert figures() == [(a, earlier, 9.0, 3), (a, W1, 2.0, 1), (a, W2, 1.0, 1)]

    # Something more to count in the second week: only its figure changes.
    session(system, W2 + timedelta(days=3), [system.clinician_a, system.vcse, system.lone_coach])
    services.refresh(start=W2, end=W2, measures=[SUPPORT])
    assert figures() == [(a, earlier, 9.0, 3), (a, W1, 2.0, 1), (a, W2, 4.0, 2)]


def test_the_rebuild_says_how_far_it_has_got(system):
    session(system, W1 + timedelta(days=1), [system.clinician_a])
    session(system, W2 + timedelta(days=1), [system.clinician_a, system.vcse])
    out = StringIO()
    call_command(
        "insights_rebuild",
        "--since",
        W1.isoformat(),
        "--measure",
        SUPPORT.slug,
        "--measure",
        "days-to-hold",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == f"Working out 2 measures from {W1} to {TODAY}:"
    assert lines[1].startswith("  [1/2] Support session attendance: 2 weekly figures (")
    assert lines[2].startswith("  [2/2] Days to hold: 0 weekly figures (")
    assert lines[3].startswith("2 weekly figures in ")
    assert len(lines) == 4
    assert figures() == [(system.team_a.pk, W1, 1.0, 1), (system.team_a.pk, W2, 2.0, 1)]


def test_the_rebuild_starts_from_the_first_referral_by_default(system):
    first = W2 - timedelta(days=3)
    person = care_services.person_in_care_create(
        actor=system.clinician_a, local_id="R1", name="First Referral"
    )
    care_services.episode_refer(
        actor=system.clinician_a,
        person=person,
        team=system.team_a,
        referral_source="gp",
        at=at(first),
    )
    session(system, W1 + timedelta(days=1), [system.clinician_a])  # before the first referral
    out = StringIO()
    call_command("insights_rebuild", "--measure", SUPPORT.slug, stdout=out)
    assert out.getvalue().splitlines()[0] == f"Working out 1 measures from {first} to {TODAY}:"
    # The week of the first referral is rewritten whole, from its Monday.
    assert figures() == [(system.team_a.pk, W1, 1.0, 1)]


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("1 April", "--since must be a date like 2024-04-01 (got '1 April')"),
        ((TODAY + timedelta(days=1)).isoformat(), "--since cannot be in the future"),
    ],
)
def test_the_rebuild_refuses_a_bad_start(db, since, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("insights_rebuild", "--since", since, stdout=StringIO())
    assert not WeeklyFigure.objects.exists()


def test_the_tick_rewrites_this_week_and_last(system):
    a = system.team_a.pk
    last_week = THIS_MONDAY - timedelta(weeks=1)
    session(system, last_week + timedelta(days=2), [system.clinician_a, system.vcse])
    session(system, W1, [system.clinician_a])  # long ago: the tick leaves it to a rebuild

    message = services.tick(TODAY)

    # Leadership presence counts every team each week (none had a leader): 3 teams, 2 weeks.
    teams = sorted([system.team_a.pk, system.team_b.pk, system.board.pk])
    assert figures("leadership-presence") == [
        (team, week, 0.0, 1) for team in teams for week in (last_week, THIS_MONDAY)
    ]
    assert figures() == [(a, last_week, 2.0, 1)]
    assert message == "7 weekly figures refreshed"
    assert {r.measure for r in Refresh.objects.all()} == {m.slug for m in ALL}


def test_the_tick_writes_a_pulse_once_its_round_has_closed(system):
    from roundtable.insights.tests.test_measures import (
        first_monday,
        months_ago,
        pulse,
        team_of_seven,
    )

    month = months_ago(2)
    people = team_of_seven(system, system.team_a, "north")
    pulse(system.team_a, month, people, [5, 4, 4, 3, 2, 1, 4], [4, 5, 1, 1, 2, 2, 3])
    services.tick(TODAY)
    week = first_monday(month)
    # Weeks before this one and last: only a measure that settles later is written back there.
    assert figures("pulse-held") == [(system.team_a.pk, week, 4.0, 7)]
    assert figures("pulse-isolated") == [(system.team_a.pk, week, 2.0, 7)]
