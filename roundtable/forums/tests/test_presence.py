"""Leadership presence: by leadership team, from meetings attended and buildings visited."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from roundtable.directory.models import LeadershipMembership, Membership, Team, TeamKind
from roundtable.forums import selectors, services
from roundtable.forums.models import ForumKind

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def huddle(system):
    return services.forum_create(
        actor=system.team_leader_a,
        name="North CMHT daily huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        members=[system.clinician_a, system.vcse],
    )


def meeting_on(system, forum, day: date, at: time = time(9, 15)):
    starts = datetime.combine(day, at, tzinfo=LONDON)
    return services.meeting_create(
        actor=system.team_leader_a,
        forum=forum,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=15),
    )


def coverage_by_name(presence):
    return {c.leadership_team.name: c for c in presence.coverage}


def test_a_team_is_covered_by_its_own_its_organisations_and_the_systems_leadership(system):
    presence = selectors.team_presence(system.team_a)
    assert set(coverage_by_name(presence)) == {
        "North CMHT leadership",
        "System leadership board",
    }
    assert presence.status == "not_reached"
    assert presence.last_present is None


def test_attending_the_teams_meeting_counts_for_the_leaders_teams(system, huddle):
    today = timezone.localdate()
    meeting = meeting_on(system, huddle, today - timedelta(days=3))
    services.attendance_set(
        actor=system.team_leader_a, meeting=meeting, present=[system.team_leader_a]
    )
    presence = selectors.team_presence(system.team_a, today=today)
    coverage = coverage_by_name(presence)
    assert coverage["North CMHT leadership"].last_present == today - timedelta(days=3)
    assert coverage["North CMHT leadership"].within_7
    assert coverage["System leadership board"].last_present is None
    assert presence.status == "week"


def test_a_leader_in_several_leadership_teams_counts_for_each(system, huddle):
    LeadershipMembership.objects.create(
        leadership_team=system.system_leadership, person=system.team_leader_a
    )
    today = timezone.localdate()
    meeting = meeting_on(system, huddle, today - timedelta(days=10))
    services.attendance_set(
        actor=system.team_leader_a, meeting=meeting, present=[system.team_leader_a]
    )
    coverage = coverage_by_name(selectors.team_presence(system.team_a, today=today))
    for name in ("North CMHT leadership", "System leadership board"):
        assert coverage[name].last_present == today - timedelta(days=10)
        assert not coverage[name].within_7
        assert coverage[name].within_28


def test_a_leader_attending_as_a_guest_counts_but_a_named_guest_does_not(system, huddle):
    today = timezone.localdate()
    meeting = meeting_on(system, huddle, today - timedelta(days=1))
    row = services.attendance_record(
        actor=system.team_leader_a, meeting=meeting, person=system.board_member
    )
    assert row.is_guest
    services.attendance_record(
        actor=system.team_leader_a, meeting=meeting, guest_name="Helen from the ICB"
    )
    coverage = coverage_by_name(selectors.team_presence(system.team_a, today=today))
    assert coverage["System leadership board"].last_present == today - timedelta(days=1)
    assert coverage["North CMHT leadership"].last_present is None


def test_cancelled_meetings_apologies_and_future_meetings_do_not_count(system, huddle):
    today = timezone.localdate()
    cancelled = meeting_on(system, huddle, today - timedelta(days=2))
    services.attendance_set(
        actor=system.team_leader_a, meeting=cancelled, present=[system.team_leader_a]
    )
    services.meeting_cancel(actor=system.team_leader_a, meeting=cancelled, reason="Moved")
    apologies = meeting_on(system, huddle, today - timedelta(days=1))
    services.attendance_set(
        actor=system.team_leader_a, meeting=apologies, present=[], apologies=[system.team_leader_a]
    )
    future = meeting_on(system, huddle, today + timedelta(days=2))
    services.attendance_set(
        actor=system.team_leader_a, meeting=future, present=[system.team_leader_a]
    )
    presence = selectors.team_presence(system.team_a, today=today)
    assert presence.last_present is None
    assert presence.status == "not_reached"


def test_presence_dates_are_london_dates_across_the_clock_change(system, huddle):
    # 00:30 on Sunday 25 October 2026, British Summer Time, is 23:30 on the 24th in UTC.
    meeting = meeting_on(system, huddle, date(2026, 10, 25), time(0, 30))
    assert meeting.starts_at.astimezone(ZoneInfo("UTC")).date() == date(2026, 10, 24)
    services.attendance_set(
        actor=system.team_leader_a, meeting=meeting, present=[system.team_leader_a]
    )
    today = date(2026, 11, 1)  # one week later, by the calendar
    coverage = coverage_by_name(selectors.team_presence(system.team_a, today=today))
    leadership = coverage["North CMHT leadership"]
    assert leadership.last_present == date(2026, 10, 25)
    assert leadership.days_since == 7
    assert not leadership.within_7  # seven days ago is outside "the last 7 days"
    assert leadership.within_28


def test_being_in_the_building_counts_for_every_team_based_there(system):
    other = Team.objects.create(
        name="North Primary Care MH",
        organisation=system.trust,
        locality=system.north,
        kind=TeamKind.PRIMARY_CARE,
    )
    site = services.site_create(
        actor=system.administrator, name="North base", teams=[system.team_a, other]
    )
    today = timezone.localdate()
    services.presence_visit_record(actor=system.board_member, site=site, on_date=today)
    for team in (system.team_a, other):
        coverage = coverage_by_name(selectors.team_presence(team, today=today))
        assert coverage["System leadership board"].last_present == today
    assert selectors.team_presence(system.team_b, today=today).last_present is None


def test_system_view_lists_teams_leaders_have_not_reached_and_leaders_backgrounds(system, huddle):
    today = timezone.localdate()
    meeting = meeting_on(system, huddle, today - timedelta(days=2))
    services.attendance_set(
        actor=system.team_leader_a, meeting=meeting, present=[system.team_leader_a]
    )
    site = services.site_create(actor=system.administrator, name="Board room", teams=[system.board])
    services.presence_visit_record(actor=system.lived_experience, site=site, on_date=today)
    view = selectors.system_presence(today=today)
    status = {p.team.name: p.status for p in view.teams}
    assert status == {"North CMHT": "week", "System Board": "week", "South CMHT": "not_reached"}
    assert [p.team.name for p in view.not_reached] == ["South CMHT"]
    assert view.teams[0].team.name == "South CMHT"  # the least visited first
    assert dict(view.backgrounds) == {
        "Occupational therapy": 1,
        "Lived-experience or public representative": 1,
    }


def test_system_view_uses_the_same_queries_whatever_the_size(
    system, huddle, django_assert_num_queries
):
    # Meetings an hour before now, and "today" taken from that moment, so that every meeting
    # has started whatever the time of day the test runs.
    base = timezone.localtime() - timedelta(hours=1)
    today = base.date()
    with django_assert_num_queries(5):
        selectors.system_presence(today=today)
    for i in range(30):
        team = Team.objects.create(
            name=f"Team {i}", organisation=system.trust, locality=system.south, kind=TeamKind.CMHT
        )
        # Only a team's members home a forum there.
        Membership.objects.create(person=system.team_leader_a, team=team)
        forum = services.forum_create(
            actor=system.team_leader_a,
            name=f"Huddle {i}",
            kind=ForumKind.DAILY_HUDDLE,
            home_team=team,
        )
        meeting = meeting_on(system, forum, today - timedelta(days=i), base.time())
        services.attendance_record(
            actor=system.team_leader_a, meeting=meeting, person=system.board_member
        )
    with django_assert_num_queries(5):
        view = selectors.system_presence(today=today)
    assert view.count("week") == 7  # meetings 0 to 6 days ago
    assert view.count("month") == 21  # 7 to 27 days ago
    assert view.count("not_reached") == 3 + 2  # 28 and 29 days ago, and the original three


def test_presence_counts_attendance_without_joining_every_person(system, huddle):
    """The aggregate over leaders' attendance groups by person id alone: the attendance's default
    ordering (by name) once joined every person to it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        selectors.system_presence()
    (aggregate,) = [
        query["sql"]
        for query in captured.captured_queries
        if "forums_attendance" in query["sql"] and "MAX(" in query["sql"]
    ]
    assert "directory_person" not in aggregate


def test_the_visit_form_lists_your_own_teams_sites_first(system):
    """A site is yours through a team you are a member of or lead; the rest follow by name."""
    add = services.site_create
    add(actor=system.administrator, name="North base", locality=system.north, teams=[system.team_a])
    add(
        actor=system.administrator,
        name="Aardvark House",
        locality=system.south,
        teams=[system.team_b],
    )
    add(actor=system.administrator, name="Zebra Court")

    def listed(person):
        return [site.name for site in selectors.sites_for(person)]

    assert listed(system.clinician_a) == ["North base", "Aardvark House", "Zebra Court"]
    assert listed(system.board_member) == ["Aardvark House", "North base", "Zebra Court"]
    # Leading North's team makes its site the board member's own too.
    LeadershipMembership.objects.create(
        leadership_team=system.team_a_leadership, person=system.board_member
    )
    assert listed(system.board_member) == ["North base", "Aardvark House", "Zebra Court"]
