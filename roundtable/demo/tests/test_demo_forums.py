"""`roundtable demo`: buildings, forums, a year of meetings and a story of leadership presence.

These tests only read, so they share one build of the demo (the `built` fixture).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count, Max, Min
from django.utils import timezone

from roundtable.demo.forums import FORUMS, LAPSE_DAYS
from roundtable.demo.tests.conftest import run_demo
from roundtable.demo.tests.story import EXPECTED_STATUS, LOUGHTON_CMHT, LOUGHTON_PRIMARY_CARE
from roundtable.directory.models import OrganisationKind, Person, Team, TeamKind
from roundtable.forums import selectors, services
from roundtable.forums.models import (
    Attendance,
    AttendanceStatus,
    Forum,
    ForumKind,
    Meeting,
    MeetingSeries,
    PresenceVisit,
    Site,
)

pytestmark = pytest.mark.django_db


def statuses() -> dict[str, str]:
    return {p.team.name: p.status for p in selectors.system_presence().teams}


def test_every_team_has_a_forum_in_a_building(built: str) -> None:
    assert not Team.objects.filter(forums__isnull=True).exists()
    assert not Team.objects.filter(sites__isnull=True).exists()
    # Besides these, each peer circle has a forum of its own (see `roundtable.demo.voice`).
    assert Forum.objects.filter(peer_circle__isnull=True).count() == len(FORUMS)
    kinds = Counter(Forum.objects.values_list("kind", flat=True))
    assert set(kinds) == set(ForumKind.values)
    assert kinds[ForumKind.DAILY_HUDDLE] == Team.objects.filter(kind=TeamKind.CMHT).count() + 1
    for cmht in Team.objects.filter(kind=TeamKind.CMHT):
        huddle = cmht.forums.get(kind=ForumKind.DAILY_HUDDLE)
        series = huddle.series.get()
        assert series.weekdays == [0, 1, 2, 3, 4]
        assert f"{series.start_time:%H:%M}" == "09:15"
        assert series.duration_minutes == 15
        assert cmht.forums.filter(kind=ForumKind.MDT).exists()
    # A community team and the primary care team of its locality share a base.
    base = Site.objects.get(name="Loughton Forest Community Base")
    assert {t.kind for t in base.teams.all()} == {TeamKind.CMHT, TeamKind.PRIMARY_CARE}
    for model in (Site, Forum, MeetingSeries):
        for obj in model.objects.all():
            obj.full_clean()


def test_forums_bring_in_other_organisations_and_lived_experience(built: str) -> None:
    board = Forum.objects.get(kind=ForumKind.BOARD)
    assert board.lived_experience_required
    assert {OrganisationKind.NHS_TRUST, OrganisationKind.VCSE} <= set(
        board.required_organisation_kinds
    )
    for forum in Forum.objects.all():
        # Each forum's own members can meet its representation rule.
        kinds = set(forum.members.values_list("organisation__kind", flat=True))
        assert set(forum.required_organisation_kinds) <= kinds, forum.name
        disciplines = forum.members.values("discipline").distinct().count()
        assert disciplines >= forum.min_disciplines, forum.name
        if forum.lived_experience_required:
            assert forum.members.filter(discipline__slug="lived-experience").exists()
    mdt = Forum.objects.get(name="Harlow Vale MDT")
    assert len(set(mdt.members.values_list("organisation__kind", flat=True))) >= 4
    # Partners from other organisations come to the MDT but do not take turns facilitating it.
    assert mdt.memberships.filter(takes_turn_facilitating=False).exists()
    # Each forum was set up by the person who convenes it, through the services (audited).
    huddle = Forum.objects.get(name="Harlow Vale daily huddle")
    assert huddle.memberships.filter(person__email="rachel.adeyemi@example.nhs.uk").exists()


def test_a_year_of_meetings_with_attendance_and_weeks_ahead(built: str) -> None:
    today = timezone.localdate()
    for series in MeetingSeries.objects.all():
        assert series.starts_on == today - timedelta(weeks=52)
        assert series.generated_until == today + timedelta(weeks=12, days=-1)
    huddle = Forum.objects.get(name="Harlow Vale daily huddle")
    span = huddle.meetings.aggregate(first=Min("starts_at"), last=Max("starts_at"))
    # The huddle meets on weekdays: its first meeting is the first weekday of the year shown.
    year_ago = today - timedelta(weeks=52)
    days = (year_ago + timedelta(days=n) for n in range(3))
    first_weekday = next(day for day in days if day.weekday() < 5)
    assert timezone.localdate(span["first"]) == first_weekday
    past = huddle.meetings.filter(starts_at__date__lt=today)
    assert past.count() == 52 * 5
    assert huddle.meetings.filter(starts_at__date__gte=today).count() == 12 * 5
    # Members are present most days and some send apologies; cancelled meetings have nobody.
    held = past.filter(cancelled_at__isnull=True)
    by_status = Counter(
        Attendance.objects.filter(meeting__in=held).values_list("status", flat=True)
    )
    assert by_status[AttendanceStatus.PRESENT] / held.count() > huddle.memberships.count() * 0.6
    assert by_status[AttendanceStatus.APOLOGIES] > held.count()
    assert not held.annotate(n=Count("attendances")).filter(n=0).exists()
    cancelled = Meeting.objects.filter(cancelled_at__isnull=False)
    assert 10 <= cancelled.count() <= 60
    assert all(m.cancel_reason for m in cancelled)
    assert cancelled.filter(starts_at__date__gt=today).exists()  # an away day ahead
    assert not Attendance.objects.filter(meeting__cancelled_at__isnull=False).exists()
    assert not Attendance.objects.filter(meeting__starts_at__date__gte=today).exists()
    assert Attendance.objects.count() > 15_000
    for row in Attendance.objects.order_by("pk")[:: max(1, Attendance.objects.count() // 200)]:
        row.full_clean()


def test_guests_from_other_organisations_and_named_guests(built: str) -> None:
    guests = Attendance.objects.filter(is_guest=True)
    named = guests.filter(person__isnull=True)
    assert named.count() >= 20
    assert not named.filter(guest_organisation__isnull=True).exists()
    person_guests = guests.filter(person__isnull=False)
    assert person_guests.count() >= 50
    member_pairs = set(Forum.members.through.objects.values_list("forum_id", "person_id"))
    for pair in person_guests.values_list("meeting__forum_id", "person_id"):
        assert pair not in member_pairs
    # The trust's director of community services joins the Harlow Vale huddle every week.
    director = Person.objects.get(job_title="Director of community services")
    weekly = person_guests.filter(meeting__forum__name="Harlow Vale daily huddle", person=director)
    assert 48 <= weekly.count() <= 52


def test_facilitation_rotates_among_those_present(built: str) -> None:
    today = timezone.localdate()
    for forum in Forum.objects.all():
        held = forum.meetings.filter(cancelled_at__isnull=True, starts_at__date__lt=today)
        facilitators = Counter(held.values_list("facilitator_id", flat=True))
        assert len(facilitators) >= 3, forum.name
        assert None not in facilitators, forum.name
        # Upcoming meetings already say whose turn it is.
        upcoming = forum.meetings.filter(starts_at__date__gte=today)
        assert upcoming.values("facilitator").distinct().count() >= 2, forum.name
    huddle = Forum.objects.get(name="Epping North daily huddle")
    for meeting in huddle.meetings.filter(
        starts_at__date__lt=today, cancelled_at__isnull=True
    ).select_related("facilitator")[:60]:
        assert meeting.attendances.filter(
            person=meeting.facilitator, status=AttendanceStatus.PRESENT
        ).exists()
    assert services.next_facilitator(huddle) is not None


def test_leadership_presence_tells_a_story(built: str) -> None:
    assert statuses() == EXPECTED_STATUS
    view = selectors.system_presence()
    not_reached = {p.team.name: p for p in view.not_reached}
    assert set(not_reached) == {LOUGHTON_CMHT, LOUGHTON_PRIMARY_CARE}
    days_since = not_reached[LOUGHTON_CMHT].days_since
    assert days_since is not None
    assert days_since > LAPSE_DAYS
    # Leaders of many backgrounds were present lately, VCSE and peer support among them.
    backgrounds = dict(view.backgrounds)
    assert len(backgrounds) >= 5
    assert {"Peer support", "VCSE practitioner"} <= set(backgrounds)
    assert PresenceVisit.objects.count() > 300
    assert PresenceVisit.objects.values("site").distinct().count() >= 5
    assert not PresenceVisit.objects.filter(on_date__gte=timezone.localdate()).exists()


def test_prints_what_it_made_and_the_teams_leaders_have_not_reached(built: str) -> None:
    for line in ("sites", "forums", "meetings", "attendance records", "visits to buildings"):
        assert line in built
    for output in (built, run_demo()):  # and again when the demo is already loaded
        assert "6 teams reached by a leader within 7 days, 2 within 28 days" in output
        assert f"    {LOUGHTON_CMHT}: last " in output
        assert f"    {LOUGHTON_PRIMARY_CARE}: last " in output
