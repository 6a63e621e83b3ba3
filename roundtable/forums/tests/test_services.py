"""Forums, meetings, recurrence, attendance and facilitation rules."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.forums import selectors, services
from roundtable.forums.models import Attendance, ForumKind, Meeting, local_datetime

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def huddle(system):
    return services.forum_create(
        actor=system.team_leader_a,
        name="North CMHT daily huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        members=[system.clinician_a, system.vcse, system.lone_coach],
    )


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def test_forum_creator_and_members_join_and_it_is_audited(system, huddle):
    members = set(huddle.memberships.values_list("person__email", flat=True))
    assert members == {
        "leader.a@test.nhs.uk",
        "clinician.a@test.nhs.uk",
        "vcse@test.org.uk",
        "coach@test.org.uk",
    }
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="forums.forum", object_id=str(huddle.pk)
    ).exists()


def test_representation_rule_only_takes_known_organisation_kinds(system):
    with pytest.raises(ValidationError):
        services.forum_create(
            actor=system.board_member,
            name="Board",
            kind=ForumKind.BOARD,
            required_organisation_kinds=["vcse", "astrologers"],
        )
    board = services.forum_create(
        actor=system.board_member,
        name="Board",
        kind=ForumKind.BOARD,
        min_disciplines=2,
        required_organisation_kinds=["vcse", "nhs_trust", "vcse"],
        lived_experience_required=True,
    )
    assert board.required_organisation_kinds == ["nhs_trust", "vcse"]


def test_a_meeting_that_ends_before_it_starts_is_refused(system, huddle):
    start = at(date(2026, 12, 1), 9, 15)
    with pytest.raises(ValidationError, match="end after it starts"):
        services.meeting_create(
            actor=system.team_leader_a, forum=huddle, starts_at=start, ends_at=start
        )
    with pytest.raises(ValidationError):
        services.meeting_create(
            actor=system.team_leader_a,
            forum=huddle,
            starts_at=start,
            ends_at=start - timedelta(minutes=5),
        )
    assert not Meeting.objects.exists()


def test_weekday_huddle_series_keeps_local_time_across_the_clock_change(system, huddle):
    # Clocks go back on Sunday 25 October 2026.
    series = services.meeting_series_create(
        actor=system.team_leader_a,
        forum=huddle,
        weekdays=[0, 1, 2, 3, 4],
        start_time=time(9, 15),
        duration_minutes=15,
        starts_on=date(2026, 10, 19),
        ends_on=date(2026, 10, 30),
        today=date(2026, 10, 19),
    )
    meetings = list(series.meetings.order_by("starts_at"))
    assert len(meetings) == 10  # two working weeks, no weekends
    assert {m.starts_at.astimezone(LONDON).time() for m in meetings} == {time(9, 15)}
    assert meetings[0].starts_at.utcoffset() is not None
    utc_hours = {m.starts_at.astimezone(ZoneInfo("UTC")).hour for m in meetings}
    assert utc_hours == {8, 9}  # 08:15 UTC in summer time, 09:15 UTC after
    assert all(m.ends_at - m.starts_at == timedelta(minutes=15) for m in meetings)


def test_series_extends_without_duplicates(system, huddle):
    series = services.meeting_series_create(
        actor=system.team_leader_a,
        forum=huddle,
        weekdays=[2],
        start_time=time(14, 0),
        duration_minutes=60,
        starts_on=date(2026, 11, 4),
        today=date(2026, 11, 4),
    )
    first = series.meetings.count()
    assert first == 13  # 84 days ahead, weekly on Wednesdays
    assert services.meeting_series_extend(series=series, today=date(2026, 11, 4)) == 0
    services.meeting_series_extend(series=series, today=date(2026, 11, 18))
    assert series.meetings.count() == first + 2
    assert series.meetings.values("starts_at").distinct().count() == series.meetings.count()


def test_fortnightly_series(system, huddle):
    series = services.meeting_series_create(
        actor=system.team_leader_a,
        forum=huddle,
        weekdays=[3],
        interval_weeks=2,
        start_time=time(10, 0),
        duration_minutes=90,
        starts_on=date(2026, 11, 5),
        ends_on=date(2026, 12, 31),
        today=date(2026, 11, 5),
    )
    days = [m.starts_at.astimezone(LONDON).date() for m in series.meetings.order_by("starts_at")]
    assert days == [
        date(2026, 11, 5),
        date(2026, 11, 19),
        date(2026, 12, 3),
        date(2026, 12, 17),
        date(2026, 12, 31),
    ]


def test_series_needs_a_weekday_and_a_sensible_length(system, huddle):
    common = {
        "actor": system.team_leader_a,
        "forum": huddle,
        "start_time": time(9, 0),
        "starts_on": date(2026, 11, 2),
    }
    with pytest.raises(ValidationError, match="at least one day"):
        services.meeting_series_create(weekdays=[], duration_minutes=15, **common)
    with pytest.raises(ValidationError, match="5 minutes to 24 hours"):
        services.meeting_series_create(weekdays=[0], duration_minutes=2, **common)
    with pytest.raises(ValidationError, match="on or after the first day"):
        services.meeting_series_create(
            weekdays=[0], duration_minutes=15, ends_on=date(2026, 11, 1), **common
        )
    assert not Meeting.objects.exists()


def test_tick_extends_every_series_and_is_safe_to_repeat(system, huddle):
    services.meeting_series_create(
        actor=system.team_leader_a,
        forum=huddle,
        weekdays=[0],
        start_time=time(9, 0),
        duration_minutes=30,
        starts_on=date(2026, 11, 2),
        today=date(2026, 11, 2),
    )
    before = Meeting.objects.count()
    call_command("tick", "--today", "2026-11-30", stdout=StringIO())
    after = Meeting.objects.count()
    assert after == before + 4
    call_command("tick", "--today", "2026-11-30", stdout=StringIO())
    assert Meeting.objects.count() == after


def test_attendance_members_guests_and_bad_input(system, huddle):
    meeting = services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=at(date(2026, 11, 2), 9, 15),
        ends_at=at(date(2026, 11, 2), 9, 30),
    )
    services.attendance_set(
        actor=system.team_leader_a,
        meeting=meeting,
        present=[system.team_leader_a, system.clinician_a, system.vcse],
        apologies=[system.lone_coach],
    )
    guest = services.attendance_record(
        actor=system.team_leader_a, meeting=meeting, person=system.clinician_b
    )
    assert guest.is_guest
    named = services.attendance_record(
        actor=system.team_leader_a,
        meeting=meeting,
        guest_name="Pat from the housing team",
        guest_organisation=system.vcse_org,
    )
    assert named.is_guest
    assert named.person is None
    with pytest.raises(ValidationError, match="already recorded"):
        services.attendance_record(
            actor=system.team_leader_a, meeting=meeting, person=system.clinician_b
        )
    with pytest.raises(ValidationError, match="already recorded"):
        services.attendance_record(
            actor=system.team_leader_a, meeting=meeting, guest_name="pat from the housing team"
        )
    with pytest.raises(ValidationError, match="not both"):
        services.attendance_record(
            actor=system.team_leader_a, meeting=meeting, person=system.board_member, guest_name="X"
        )
    with pytest.raises(ValidationError, match="guests"):
        services.attendance_set(
            actor=system.team_leader_a, meeting=meeting, present=[system.board_member]
        )
    with pytest.raises(ValidationError, match="both present and"):
        services.attendance_set(
            actor=system.team_leader_a,
            meeting=meeting,
            present=[system.clinician_a],
            apologies=[system.clinician_a],
        )
    assert Attendance.objects.filter(meeting=meeting).count() == 6


def test_no_attendance_for_a_cancelled_meeting(system, huddle):
    meeting = services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=at(date(2026, 11, 3), 9, 15),
        ends_at=at(date(2026, 11, 3), 9, 30),
    )
    services.meeting_cancel(actor=system.team_leader_a, meeting=meeting, reason="Bank holiday")
    with pytest.raises(ValidationError, match="cancelled"):
        services.attendance_record(
            actor=system.team_leader_a, meeting=meeting, person=system.clinician_a
        )
    with pytest.raises(ValidationError, match="cancelled"):
        services.attendance_set(
            actor=system.team_leader_a, meeting=meeting, present=[system.clinician_a]
        )
    with pytest.raises(ValidationError, match="already cancelled"):
        services.meeting_cancel(actor=system.team_leader_a, meeting=meeting)
    assert not Attendance.objects.exists()


def test_facilitation_rotates_and_anyone_may_take_it(system, huddle):
    first = services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=at(date(2026, 11, 2), 9, 15),
        ends_at=at(date(2026, 11, 2), 9, 30),
    )
    # Nobody has facilitated yet: the first member by name.
    assert first.facilitator == system.clinician_a  # Amira
    second = services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=at(date(2026, 11, 3), 9, 15),
        ends_at=at(date(2026, 11, 3), 9, 30),
    )
    assert second.facilitator == system.vcse  # Chloe, who has not had a turn
    services.meeting_facilitate(actor=system.lone_coach, meeting=second)
    second.refresh_from_db()
    assert second.facilitator == system.lone_coach
    with pytest.raises(ValidationError, match="Only members"):
        services.meeting_facilitate(actor=system.clinician_b, meeting=second)


def test_presence_visit_once_a_day_and_not_in_the_future(system):
    site = services.site_create(
        actor=system.administrator, name="North base", teams=[system.team_a]
    )
    _, created = services.presence_visit_record(actor=system.team_leader_a, site=site)
    assert created
    _, again = services.presence_visit_record(actor=system.team_leader_a, site=site)
    assert not again
    with pytest.raises(ValidationError, match="today or earlier"):
        services.presence_visit_record(
            actor=system.team_leader_a, site=site, on_date=date.today() + timedelta(days=2)
        )


def test_local_datetime_on_clock_change_days():
    # Spring forward: 01:30 does not exist on 29 March 2026.
    spring = local_datetime(date(2026, 3, 29), time(1, 30))
    assert spring.astimezone(ZoneInfo("UTC")).hour == 1
    # Fall back: 01:30 happens twice on 25 October 2026; the first (BST) is taken.
    autumn = local_datetime(date(2026, 10, 25), time(1, 30))
    assert autumn.astimezone(ZoneInfo("UTC")).hour == 0


def test_a_guest_who_joins_the_forum_can_then_be_recorded_as_a_member(system, huddle):
    meeting = services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=at(date(2026, 11, 4), 9, 15),
        ends_at=at(date(2026, 11, 4), 9, 30),
    )
    services.attendance_record(
        actor=system.team_leader_a, meeting=meeting, person=system.clinician_b
    )
    services.forum_member_add(actor=system.team_leader_a, forum=huddle, person=system.clinician_b)
    services.attendance_set(
        actor=system.team_leader_a, meeting=meeting, present=[system.clinician_b]
    )
    row = Attendance.objects.get(meeting=meeting, person=system.clinician_b)
    assert not row.is_guest
    assert row.status == "present"
    named = services.attendance_record(
        actor=system.team_leader_a, meeting=meeting, guest_name="Visitor"
    )
    services.attendance_set(actor=system.team_leader_a, meeting=meeting, present=[])
    assert list(Attendance.objects.filter(meeting=meeting)) == [named]


def test_only_leaders_record_being_in_a_building(system):
    site = services.site_create(
        actor=system.administrator, name="South base", teams=[system.team_b]
    )
    with pytest.raises(ValidationError, match="Only members of a leadership team"):
        services.presence_visit_record(actor=system.clinician_a, site=site)


def test_todays_meetings_are_the_local_day_even_when_the_clocks_go_back(system, huddle):
    day = date(2026, 10, 25)  # 25 hours long in London
    made = {
        name: services.meeting_create(
            actor=system.team_leader_a,
            forum=huddle,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=30),
        )
        for name, starts in [
            ("late the night before", at(day - timedelta(days=1), 23, 30)),
            ("first thing", at(day, 0, 0)),
            ("last thing", at(day, 23, 30)),
            ("the next morning", at(day + timedelta(days=1), 0, 0)),
            ("called off", at(day, 12)),
        ]
    }
    services.meeting_cancel(actor=system.team_leader_a, meeting=made["called off"])
    today = selectors.meetings_today(now=at(day, 9))
    assert list(today) == [made["first thing"], made["last thing"]]
    assert list(today.filter(forum__home_team=system.team_b)) == []
