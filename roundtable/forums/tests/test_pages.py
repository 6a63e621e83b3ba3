"""Forum, meeting, attendance, presence and calendar pages."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from roundtable.directory.models import Team, TeamKind
from roundtable.forums import services
from roundtable.forums.models import Attendance, Forum, ForumKind, Meeting, PresenceVisit

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


@pytest.fixture
def meeting(system, huddle):
    starts = datetime.combine(timezone.localdate(), time(9, 15), tzinfo=LONDON)
    return services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=15),
    )


def text(response) -> str:
    return str(unescape(response.content.decode()))


def feed_path(page: str) -> str:
    match = re.search(r'id="feed-url">([^<]+)<', page)
    assert match is not None
    return match.group(1).replace("http://testserver", "")


# -- Forums ---------------------------------------------------------------------------------------


def test_forum_list_shows_mine_and_all(client_for, system, huddle):
    html = text(client_for(system.clinician_a).get(reverse("forums:list")))
    assert "North CMHT daily huddle" in html
    assert "You are not a member of any forum yet" not in html
    other = text(client_for(system.board_member).get(reverse("forums:list")))
    assert "You are not a member of any forum yet" in other
    assert "North CMHT daily huddle" in other


def test_anyone_sets_up_a_cross_organisation_forum_with_a_representation_rule(client_for, system):
    client = client_for(system.vcse)
    response = client.post(
        reverse("forums:new"),
        {
            "name": "Peer support project group",
            "purpose": "Set up the new peer-support service",
            "kind": "project_group",
            "home_team": "",
            "min_disciplines": "2",
            "required_organisation_kinds": ["vcse", "nhs_trust"],
            "lived_experience_required": "on",
        },
    )
    assert response.status_code == 302
    forum = Forum.objects.get(name="Peer support project group")
    assert forum.required_organisation_kinds == ["nhs_trust", "vcse"]
    assert forum.lived_experience_required
    html = text(client.get(reverse("forums:forum", args=[forum.pk])))
    assert "2 or more disciplines" in html
    assert "a lived-experience voice" in html
    assert "Chloe Practitioner" in html  # the creator is a member


def test_forum_form_errors_are_explained(client_for, system, huddle):
    response = client_for(system.vcse).post(
        reverse("forums:new"),
        {"name": "north cmht daily huddle", "min_disciplines": "twenty"},
    )
    html = text(response)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "There is already a forum with this name" in html
    assert "Select the kind of forum" in html
    assert "Enter a whole number, like 2" in html


def test_only_members_change_a_forum(client_for, system, huddle):
    edit = reverse("forums:edit", args=[huddle.pk])
    assert client_for(system.clinician_b).get(edit).status_code == 403
    assert client_for(system.clinician_a).get(edit).status_code == 200
    assert client_for(system.administrator).get(edit).status_code == 200


def test_add_a_member_by_e_mail_and_unknown_e_mails_are_explained(client_for, system, huddle):
    client = client_for(system.team_leader_a)
    url = reverse("forums:member-add", args=[huddle.pk])
    assert client.post(url, {"email": "Ben.Clinician@example.invalid"}).status_code == 400
    response = client.post(url, {"email": "nobody@test.nhs.uk"})
    assert "Nobody in Roundtable has this e-mail address" in text(response)
    response = client.post(url, {"email": "clinician.b@test.nhs.uk"})
    assert response.status_code == 302
    assert huddle.memberships.filter(person=system.clinician_b).exists()
    again = client.post(url, {"email": "clinician.b@test.nhs.uk"})
    assert "already a member" in text(again)


def test_remove_a_member_after_confirming(client_for, system, huddle):
    client = client_for(system.team_leader_a)
    membership = huddle.memberships.get(person=system.vcse)
    url = reverse("forums:member-remove", args=[huddle.pk, membership.pk])
    assert "Remove Chloe Practitioner" in text(client.get(url))
    assert huddle.memberships.filter(person=system.vcse).exists()
    client.post(url)
    assert not huddle.memberships.filter(person=system.vcse).exists()


# -- Meetings -------------------------------------------------------------------------------------


def test_schedule_a_meeting_and_one_that_ends_before_it_starts_is_refused(
    client_for, system, huddle
):
    client = client_for(system.team_leader_a)
    url = reverse("forums:meeting-new", args=[huddle.pk])
    day = timezone.localdate() + timedelta(days=7)
    bad = client.post(url, {"on_date": day.isoformat(), "start_time": "10:00", "end_time": "09:30"})
    assert bad.status_code == 400
    assert "The meeting must end after it starts" in text(bad)
    assert 'href="#id_end_time"' in text(bad)
    assert not Meeting.objects.exists()
    good = client.post(
        url,
        {
            "on_date": day.isoformat(),
            "start_time": "10:00",
            "end_time": "11:00",
            "agenda": "New referrals",
        },
    )
    assert good.status_code == 302
    made = Meeting.objects.get()
    assert made.starts_at == datetime.combine(day, time(10, 0), tzinfo=LONDON)
    assert made.agenda == "New referrals"


def test_weekday_huddle_at_09_15(client_for, system, huddle):
    client = client_for(system.team_leader_a)
    page = text(client.get(reverse("forums:series-new", args=[huddle.pk])))
    assert 'value="15"' in page  # a daily huddle suggests 15 minutes
    response = client.post(
        reverse("forums:series-new", args=[huddle.pk]),
        {
            "weekdays": ["0", "1", "2", "3", "4"],
            "start_time": "09:15",
            "duration_minutes": "15",
            "interval_weeks": "1",
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    meetings = list(Meeting.objects.filter(forum=huddle))
    assert len(meetings) >= 55  # twelve weeks of weekdays
    assert {m.starts_at.astimezone(LONDON).time() for m in meetings} == {time(9, 15)}
    assert {m.starts_at.astimezone(LONDON).weekday() for m in meetings} <= {0, 1, 2, 3, 4}


def test_series_form_explains_what_is_missing(client_for, system, huddle):
    response = client_for(system.team_leader_a).post(
        reverse("forums:series-new", args=[huddle.pk]),
        {
            "duration_minutes": "2",
            "interval_weeks": "1",
            "starts_on": "2026-12-10",
            "ends_on": "2026-12-01",
        },
    )
    html = text(response)
    assert response.status_code == 400
    assert "Select at least one day of the week" in html
    assert "Enter when the meetings start" in html
    assert "A meeting lasts at least 5 minutes" in html
    assert "The last day must be on or after the first day" in html


def test_meeting_page_and_taking_on_facilitation(client_for, system, meeting):
    client = client_for(system.lone_coach)
    url = reverse("forums:meeting", args=[meeting.pk])
    html = text(client.get(url))
    assert "Facilitator" in html
    assert "I'll facilitate this meeting" in html
    client.post(reverse("forums:facilitate", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.facilitator == system.lone_coach


def test_record_attendance_in_one_form(client_for, system, huddle, meeting):
    client = client_for(system.team_leader_a)
    url = reverse("forums:meeting-attendance", args=[meeting.pk])
    form = text(client.get(url))
    assert "Amira Clinician" in form
    response = client.post(
        url,
        {
            f"member_{system.team_leader_a.pk}": "present",
            f"member_{system.clinician_a.pk}": "present",
            f"member_{system.vcse.pk}": "apologies",
            f"member_{system.lone_coach.pk}": "",
        },
    )
    assert response.status_code == 302
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("person_id", "status"))
    assert statuses == {
        system.team_leader_a.pk: "present",
        system.clinician_a.pk: "present",
        system.vcse.pk: "apologies",
    }


def test_add_guests_by_e_mail_or_by_name_and_refuse_duplicates(client_for, system, meeting):
    client = client_for(system.team_leader_a)
    url = reverse("forums:guest-add", args=[meeting.pk])
    assert client.post(url, {"email": "vcse@test.org.uk"}).status_code == 302
    by_name = client.post(
        url, {"guest_name": "Sam from Housing", "guest_organisation": system.vcse_org.pk}
    )
    assert by_name.status_code == 302
    duplicate = client.post(url, {"guest_name": "sam from housing"})
    assert duplicate.status_code == 400
    assert "already recorded for this meeting" in text(duplicate)
    empty = client.post(url, {})
    assert "Enter the guest's work e-mail or their name" in text(empty)
    assert Attendance.objects.filter(meeting=meeting).count() == 2


def test_cancel_after_confirming_then_no_attendance(client_for, system, meeting):
    client = client_for(system.team_leader_a)
    cancel = reverse("forums:meeting-cancel", args=[meeting.pk])
    assert "Cancel the meeting on" in text(client.get(cancel))
    client.post(cancel, {"reason": "Team away day"})
    meeting.refresh_from_db()
    assert meeting.is_cancelled
    assert "Team away day" in text(client.get(reverse("forums:meeting", args=[meeting.pk])))
    blocked = client.post(
        reverse("forums:meeting-attendance", args=[meeting.pk]),
        {f"member_{system.clinician_a.pk}": "present"},
    )
    assert blocked.status_code == 302
    guest = client.post(reverse("forums:guest-add", args=[meeting.pk]), {"guest_name": "X"})
    assert "cancelled" in text(guest)
    assert not Attendance.objects.exists()


def test_minutes_with_optimistic_concurrency(client_for, system, meeting):
    url = reverse("forums:meeting-notes", args=[meeting.pk])
    first = client_for(system.team_leader_a)
    assert first.post(url, {"agenda": "A", "minutes": "First", "version": 1}).status_code == 302
    from django.test import Client

    second = Client()
    second.force_login(system.clinician_a)
    stale = second.post(url, {"agenda": "A", "minutes": "Second", "version": 1})
    assert stale.status_code == 409
    assert "Someone else saved the minutes" in text(stale)
    meeting.refresh_from_db()
    assert meeting.minutes == "First"


def test_non_members_cannot_schedule_or_record(client_for, system, huddle, meeting):
    client = client_for(system.clinician_b)
    for url in (
        reverse("forums:meeting-new", args=[huddle.pk]),
        reverse("forums:series-new", args=[huddle.pk]),
        reverse("forums:meeting-attendance", args=[meeting.pk]),
        reverse("forums:meeting-cancel", args=[meeting.pk]),
        reverse("forums:meeting-notes", args=[meeting.pk]),
    ):
        assert client.get(url).status_code == 403, url


# -- Presence and home ----------------------------------------------------------------------------


def test_presence_view_and_one_tap_visit(client_for, system):
    site = services.site_create(
        actor=system.administrator, name="North base", teams=[system.team_a]
    )
    client = client_for(system.team_leader_a)
    page = text(client.get(reverse("forums:presence")))
    assert "3 not reached in 28 days" in page
    assert "I'm in the building today" in page
    client.post(reverse("forums:visit"), {"site": site.pk})
    assert PresenceVisit.objects.filter(person=system.team_leader_a, site=site).exists()
    page = text(client.get(reverse("forums:presence")))
    assert "2 not reached in 28 days" in page
    assert "Occupational therapy" in page  # the team leader's background
    team_page = text(client.get(reverse("forums:team-presence", args=[system.team_a.pk])))
    assert "North CMHT leadership" in team_page
    assert "Today" in team_page


def test_people_who_are_not_leaders_get_no_visit_button(client_for, system):
    services.site_create(actor=system.administrator, name="North base", teams=[system.team_a])
    page = text(client_for(system.clinician_a).get(reverse("forums:presence")))
    assert "I'm in the building today" not in page


def test_presence_page_queries_do_not_grow_with_teams(
    client_for, system, django_assert_num_queries
):
    client = client_for(system.clinician_a)
    # Session, person, is-leader check, and the five presence queries.
    with django_assert_num_queries(8):
        client.get(reverse("forums:presence"))
    Team.objects.bulk_create(
        Team(name=f"Extra {i}", organisation=system.trust, kind=TeamKind.CMHT) for i in range(50)
    )
    with django_assert_num_queries(8):
        response = client.get(reverse("forums:presence"))
    assert "53 not reached in 28 days" in text(response)


def test_home_shows_my_forums_and_next_meetings(client_for, system, huddle):
    tomorrow = datetime.combine(
        timezone.localdate() + timedelta(days=1), time(9, 15), tzinfo=LONDON
    )
    services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=tomorrow,
        ends_at=tomorrow + timedelta(minutes=15),
    )
    html = text(client_for(system.clinician_a).get(reverse("directory:home")))
    assert "My forums" in html
    assert "North CMHT daily huddle" in html
    assert "Your next meetings" in html


# -- Calendar -------------------------------------------------------------------------------------


def test_calendar_feed_is_valid_icalendar_with_my_meetings(client, client_for, system, meeting):
    page = text(client_for(system.clinician_a).get(reverse("forums:calendar")))
    feed_url = feed_path(page)
    assert "webcal://" in page
    client.logout()
    response = client.get(feed_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == "North CMHT daily huddle"
    assert event.decoded("DTSTART") == meeting.starts_at
    assert str(event["STATUS"]) == "CONFIRMED"
    services.meeting_cancel(actor=system.team_leader_a, meeting=meeting, reason="Snow")
    cancelled = Calendar.from_ical(client.get(feed_url).content)
    assert str(next(iter(cancelled.walk("VEVENT")))["STATUS"]) == "CANCELLED"


def test_a_new_calendar_address_retires_the_old_one(client, client_for, system, meeting):
    signed_in = client_for(system.clinician_a)
    page = text(signed_in.get(reverse("forums:calendar")))
    old = feed_path(page)
    signed_in.post(reverse("forums:calendar"))
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_calendar_feed_of_someone_who_has_left_stops(client, system, meeting):
    feed = services.calendar_feed_get_or_create(actor=system.clinician_a)
    system.clinician_a.is_active = False
    system.clinician_a.save()
    assert client.get(reverse("forums:calendar-feed", args=[feed.token])).status_code == 404


def test_date_of_the_meeting_uses_london_time(client_for, system, huddle):
    starts = datetime.combine(date(2026, 10, 25), time(0, 30), tzinfo=LONDON)
    made = services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    html = text(client_for(system.clinician_a).get(reverse("forums:meeting", args=[made.pk])))
    assert "Meeting on 25 October 2026" in html
    assert "25 October 2026 at 12:30am" in html
