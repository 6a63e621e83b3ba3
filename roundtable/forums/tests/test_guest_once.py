"""A named guest is recorded once at a meeting whatever the case of their name: the service says
so, the database holds to it, and the migration that made the rule a constraint kept the first
row of each guest recorded twice before. Attendance, member lists and calendar feeds written
twice in a row come out the same as written once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from roundtable.forums import services
from roundtable.forums.models import (
    Attendance,
    AttendanceStatus,
    CalendarFeed,
    Forum,
    ForumKind,
    Meeting,
)
from roundtable.testing import System


@pytest.fixture
def meeting(system: System) -> Meeting:
    forum = services.forum_create(
        actor=system.team_leader_a,
        name="North huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        members=[system.clinician_a, system.vcse],
    )
    start = timezone.now() + timedelta(hours=1)
    return services.meeting_create(
        actor=system.team_leader_a, forum=forum, starts_at=start, ends_at=start + timedelta(hours=1)
    )


def guest(meeting: Meeting, name: str) -> Attendance:
    """A named guest written straight to the database, as a second request at the same moment
    would after passing the service's check."""
    return Attendance.objects.create(meeting=meeting, guest_name=name, is_guest=True)


@pytest.mark.django_db
def test_the_service_refuses_the_same_guest_whatever_the_case_and_spaces(
    system: System, meeting: Meeting
) -> None:
    services.attendance_record(actor=system.vcse, meeting=meeting, guest_name="Helen Hughes")
    for again, said in [
        ("helen hughes", "helen hughes"),
        ("  HELEN HUGHES\u200b", "HELEN HUGHES"),
        ("Helen Hughes", "Helen Hughes"),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.attendance_record(actor=system.vcse, meeting=meeting, guest_name=again)
        assert refused.value.messages == [f"{said} is already recorded for this meeting."]
    services.attendance_record(actor=system.vcse, meeting=meeting, guest_name="Helen Hughes-Ali")
    assert Attendance.objects.filter(meeting=meeting, person__isnull=True).count() == 2


@pytest.mark.django_db
def test_the_database_holds_a_guest_to_once_a_meeting(system: System, meeting: Meeting) -> None:
    guest(meeting, "Helen Hughes")
    with pytest.raises(IntegrityError), transaction.atomic():
        guest(meeting, "HELEN HUGHES")
    # Another meeting may have her too, and people with an account are not named guests.
    other = services.meeting_create(
        actor=system.team_leader_a,
        forum=meeting.forum,
        starts_at=meeting.starts_at + timedelta(days=1),
        ends_at=meeting.ends_at + timedelta(days=1),
    )
    guest(other, "Helen Hughes")
    services.attendance_record(actor=system.vcse, meeting=meeting, person=system.clinician_a)
    assert Attendance.objects.filter(guest_name__iexact="helen hughes").count() == 2


@pytest.mark.django_db
def test_the_whole_list_twice_is_the_same_as_once(system: System, meeting: Meeting) -> None:
    for _ in range(2):
        services.attendance_set(
            actor=system.vcse,
            meeting=meeting,
            present=[system.clinician_a],
            apologies=[system.vcse],
        )
    rows = Attendance.objects.filter(meeting=meeting).values_list("person_id", "status")
    assert sorted(rows) == sorted(
        [
            (system.clinician_a.pk, AttendanceStatus.PRESENT),
            (system.vcse.pk, AttendanceStatus.APOLOGIES),
        ]
    )


@pytest.mark.django_db
def test_a_member_added_twice_is_refused_in_words(system: System, meeting: Meeting) -> None:
    forum = Forum.objects.get(pk=meeting.forum_id)
    with pytest.raises(ValidationError) as refused:
        services.forum_member_add(actor=system.team_leader_a, forum=forum, person=system.vcse)
    assert refused.value.messages == ["Chloe Practitioner is already a member of North huddle."]


@pytest.mark.django_db
def test_a_calendar_feed_reset_twice_keeps_one_feed_with_a_new_address(system: System) -> None:
    first = services.calendar_feed_get_or_create(actor=system.clinician_a).token
    second = services.calendar_feed_reset(actor=system.clinician_a).token
    third = services.calendar_feed_reset(actor=system.clinician_a).token
    assert len({first, second, third}) == 3
    assert list(CalendarFeed.objects.values_list("token", flat=True)) == [third]


BEFORE = [("forums", "0004_attendance_guest_details")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_first_of_each_guest_recorded_twice(
    system: System, meeting: Meeting
) -> None:
    other = services.meeting_create(
        actor=system.team_leader_a,
        forum=meeting.forum,
        starts_at=meeting.starts_at + timedelta(days=1),
        ends_at=meeting.ends_at + timedelta(days=1),
    )
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()  # every app: going back unapplies dependents
    executor.migrate(BEFORE)
    try:
        Old = (
            MigrationExecutor(connection)
            .loader.project_state(BEFORE[0])
            .apps.get_model("forums", "Attendance")
        )

        def add(at: Meeting, name: str = "", person_id: int | None = None) -> int:
            row = Old.objects.create(
                meeting_id=at.pk, guest_name=name, person_id=person_id, is_guest=not person_id
            )
            return int(row.pk)

        first = add(meeting, "Helen Hughes")
        add(meeting, "helen hughes")
        add(meeting, " HELEN HUGHES ")
        sam = add(meeting, "Sam Student")
        elsewhere = add(other, "helen hughes")
        member = add(meeting, person_id=system.clinician_a.pk)
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert sorted(Attendance.objects.values_list("pk", flat=True)) == sorted(
        [first, sam, elsewhere, member]
    )
