"""The forums API: meetings and recurring series, scheduling, changing, cancelling and
facilitating them.

Requests sign in with a session, except where a test says it uses a personal API token.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from roundtable.forums import services
from roundtable.forums.models import Forum, Meeting, MeetingSeries, Site
from roundtable.forums.tests.helpers import API, LONDON, assert_bad_field, at, counts
from roundtable.testing import System
from roundtable.tests.api import call, ok, refused

pytestmark = pytest.mark.django_db


# --- Meetings --------------------------------------------------------------------------------


def test_a_member_schedules_a_meeting(
    client: Client, system: System, huddle: Forum, site: Site
) -> None:
    day = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = call(
        client,
        system.clinician_a,
        "post",
        f"{API}/forums/{huddle.pk}/meetings",
        {
            "starts_at": f"{day}T09:15:00+00:00",
            "ends_at": f"{day}T09:30:00Z",
            "site": site.pk,
            "agenda": "Who is waiting",
        },
    )
    body = ok(response, 201)
    meeting = Meeting.objects.get()
    assert body["id"] == meeting.pk
    assert meeting.starts_at == datetime.fromisoformat(f"{day}T09:15:00+00:00")
    assert body["site"] == {"id": site.pk, "name": "North base"}
    assert body["facilitator"]["full_name"] == "Amira Clinician"  # first in turn
    assert body["attendance"] == []
    assert body["is_cancelled"] is False
    assert body["version"] == 1


def test_a_meeting_that_ends_before_it_starts_is_refused_and_nothing_is_stored(
    client: Client, system: System, huddle: Forum
) -> None:
    path = f"{API}/forums/{huddle.pk}/meetings"
    before = counts()
    body = refused(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"starts_at": "2026-12-01T09:30:00Z", "ends_at": "2026-12-01T09:15:00Z"},
        ),
        "The meeting must end after it starts.",
    )
    assert body == {
        "detail": "The meeting must end after it starts.",
        "errors": {"ends_at": ["The meeting must end after it starts."]},
    }
    assert counts() == before


def test_a_meeting_time_without_an_offset_is_refused(
    client: Client, system: System, huddle: Forum
) -> None:
    before = counts()
    response = call(
        client,
        system.clinician_a,
        "post",
        f"{API}/forums/{huddle.pk}/meetings",
        {"starts_at": "2026-12-01T09:15:00", "ends_at": "2026-12-01T09:30:00Z"},
    )
    assert_bad_field(response, "starts_at", "body field starts_at must include its time zone")
    assert counts() == before


def test_a_meeting_at_an_unknown_site_or_a_bad_link_is_refused(
    client: Client, system: System, huddle: Forum
) -> None:
    path = f"{API}/forums/{huddle.pk}/meetings"
    times = {"starts_at": "2026-12-01T09:15:00Z", "ends_at": "2026-12-01T09:30:00Z"}
    before = counts()
    refused(
        call(client, system.clinician_a, "post", path, {**times, "site": 9999}),
        "There is no site with id 9999.",
    )
    body = refused(
        call(client, system.clinician_a, "post", path, {**times, "online_url": "not a link"})
    )
    assert list(body["errors"]) == ["online_url"]
    assert counts() == before


def test_non_members_cannot_schedule(client: Client, system: System, huddle: Forum) -> None:
    before = counts()
    response = call(
        client,
        system.clinician_b,
        "post",
        f"{API}/forums/{huddle.pk}/meetings",
        {"starts_at": "2026-12-01T09:15:00Z", "ends_at": "2026-12-01T09:30:00Z"},
    )
    assert response.status_code == 403
    response = call(
        client,
        system.clinician_b,
        "post",
        f"{API}/forums/{huddle.pk}/series",
        {"weekdays": [0], "start_time": "09:15", "duration_minutes": 15, "starts_on": "2026-12-01"},
    )
    assert response.status_code == 403
    assert counts() == before


def test_a_weekday_huddle_at_0915_makes_its_meetings(
    client: Client, system: System, huddle: Forum, site: Site
) -> None:
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    body = ok(
        call(
            client,
            system.team_leader_a,
            "post",
            f"{API}/forums/{huddle.pk}/series",
            {
                "weekdays": [4, 0, 1, 2, 3],
                "start_time": "09:15",
                "duration_minutes": 15,
                "starts_on": monday.isoformat(),
                "ends_on": (monday + timedelta(days=13)).isoformat(),
                "site": site.pk,
            },
        ),
        201,
    )
    assert body["meetings_made"] == 10  # two working weeks, no weekends
    series = MeetingSeries.objects.get()
    assert body["series"]["id"] == series.pk
    assert body["series"]["weekdays"] == [0, 1, 2, 3, 4]
    assert body["series"]["start_time"] == "09:15:00"
    assert body["series"]["site"] == {"id": site.pk, "name": "North base"}
    meetings = list(series.meetings.order_by("starts_at"))
    starts = [m.starts_at.astimezone(LONDON) for m in meetings]
    assert [s.date() for s in starts] == [
        monday + timedelta(days=d) for d in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11)
    ]
    assert {s.time() for s in starts} == {time(9, 15)}
    assert all(m.ends_at - m.starts_at == timedelta(minutes=15) for m in meetings)
    assert all(m.site == site for m in meetings)

    listed = ok(
        call(
            client,
            system.clinician_b,
            "get",
            f"{API}/forums/{huddle.pk}/meetings",
            {
                "from": at(monday + timedelta(days=7), 0).isoformat(),
                "to": at(monday + timedelta(days=9), 0).isoformat(),
            },
        )
    )
    assert listed["count"] == 2
    assert [item["series"] for item in listed["items"]] == [series.pk, series.pk]
    assert [item["id"] for item in listed["items"]] == [meetings[5].pk, meetings[6].pk]
    everything = ok(call(client, system.clinician_b, "get", f"{API}/forums/{huddle.pk}/meetings"))
    assert everything["count"] == 10


def test_a_series_with_bad_days_or_dates_is_refused(
    client: Client, system: System, huddle: Forum
) -> None:
    path = f"{API}/forums/{huddle.pk}/series"
    good = {
        "weekdays": [0],
        "start_time": "09:15",
        "duration_minutes": 15,
        "starts_on": "2026-12-07",
    }
    before = counts()
    response = call(client, system.team_leader_a, "post", path, {**good, "weekdays": [7]})
    assert_bad_field(response, "weekdays", "body field weekdays.0 must be 6 or less")
    response = call(client, system.team_leader_a, "post", path, {**good, "weekdays": []})
    assert response.status_code == 422
    refused(
        call(client, system.team_leader_a, "post", path, {**good, "ends_on": "2026-12-01"}),
        "The last day must be on or after the first day.",
    )
    assert counts() == before


def test_meeting_list_times_need_an_offset(client: Client, system: System, huddle: Forum) -> None:
    response = call(
        client,
        system.clinician_a,
        "get",
        f"{API}/forums/{huddle.pk}/meetings",
        {"from": "2026-12-01T09:00:00"},
    )
    assert response.status_code == 422
    assert "query parameter from" in response.body["detail"]


def test_meeting_detail_has_its_attendance(
    client: Client, system: System, huddle: Forum, meeting: Meeting
) -> None:
    services.attendance_set(
        actor=system.team_leader_a,
        meeting=meeting,
        present=[system.team_leader_a, system.clinician_a],
        apologies=[system.vcse],
    )
    services.attendance_record(
        actor=system.team_leader_a,
        meeting=meeting,
        guest_name="Helen Hughes",
        guest_organisation=system.icb,
    )
    body = ok(call(client, system.clinician_b, "get", f"{API}/meetings/{meeting.pk}"))
    assert body["agenda"] == "Referrals; anyone stuck"
    assert body["minutes"] == ""
    assert body["forum"]["id"] == huddle.pk
    assert body["present_count"] == 3
    assert [
        (a["person"]["full_name"] if a["person"] else a["guest_name"], a["status"], a["is_guest"])
        for a in body["attendance"]
    ] == [
        ("Amira Clinician", "present", False),
        ("Chloe Practitioner", "apologies", False),
        ("Gita Leader", "present", False),
        ("Helen Hughes", "present", True),
    ]
    assert body["attendance"][3]["guest_organisation"]["name"] == "Test ICB"
    response = call(client, system.clinician_b, "get", f"{API}/meetings/9999")
    assert response.status_code == 404
    assert response.body == {"detail": "No meeting found."}


def test_a_member_changes_a_meeting(
    client: Client, system: System, meeting: Meeting, site: Site
) -> None:
    new_start = meeting.starts_at + timedelta(hours=1)
    body = ok(
        call(
            client,
            system.vcse,
            "patch",
            f"{API}/meetings/{meeting.pk}",
            {
                "version": 1,
                "starts_at": new_start.isoformat(),
                "ends_at": (new_start + timedelta(minutes=30)).isoformat(),
                "site": site.pk,
                "minutes": "Agreed: Chloe rings the GP.",
            },
        )
    )
    assert body["minutes"] == "Agreed: Chloe rings the GP."
    assert body["site"]["id"] == site.pk
    assert body["version"] == 2
    meeting.refresh_from_db()
    assert meeting.starts_at == new_start
    assert meeting.agenda == "Referrals; anyone stuck"
    body = ok(
        call(
            client,
            system.vcse,
            "patch",
            f"{API}/meetings/{meeting.pk}",
            {"version": 2, "site": None},
        )
    )
    assert body["site"] is None


def test_a_meeting_moved_to_end_before_it_starts_is_refused(
    client: Client, system: System, meeting: Meeting
) -> None:
    before = counts()
    refused(
        call(
            client,
            system.vcse,
            "patch",
            f"{API}/meetings/{meeting.pk}",
            {"version": 1, "ends_at": (meeting.starts_at - timedelta(minutes=1)).isoformat()},
        ),
        "The meeting must end after it starts.",
    )
    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.ends_at, stored.version) == (meeting.ends_at, 1)
    assert counts() == before


def test_non_members_cannot_change_cancel_or_facilitate_a_meeting(
    client: Client, system: System, meeting: Meeting
) -> None:
    path = f"{API}/meetings/{meeting.pk}"
    before = counts()
    assert call(client, system.clinician_b, "patch", path, {"version": 1}).status_code == 403
    assert call(client, system.clinician_b, "post", f"{path}/cancel").status_code == 403
    response = call(client, system.administrator, "post", f"{path}/facilitate")
    assert response.status_code == 403
    assert response.body == {
        "detail": "Only members of North CMHT daily huddle can facilitate its meetings."
    }
    assert counts() == before
    meeting.refresh_from_db()
    assert meeting.facilitator == system.clinician_a
    assert not meeting.is_cancelled


def test_any_member_may_take_on_facilitating(
    client: Client, system: System, meeting: Meeting
) -> None:
    assert meeting.facilitator == system.clinician_a  # proposed in turn
    body = ok(call(client, system.lone_coach, "post", f"{API}/meetings/{meeting.pk}/facilitate"))
    assert body["facilitator"] == {"id": system.lone_coach.pk, "full_name": "Hana Coach"}
    meeting.refresh_from_db()
    assert meeting.facilitator == system.lone_coach


def test_a_member_cancels_a_meeting_once(client: Client, system: System, meeting: Meeting) -> None:
    path = f"{API}/meetings/{meeting.pk}/cancel"
    body = ok(call(client, system.vcse, "post", path, {"reason": "Team away day"}))
    assert body["is_cancelled"] is True
    assert body["cancel_reason"] == "Team away day"
    assert body["cancelled_at"] is not None
    refused(call(client, system.vcse, "post", path, {"reason": "Again"}), "already cancelled")
    meeting.refresh_from_db()
    assert meeting.cancel_reason == "Team away day"
    response = call(client, system.vcse, "post", f"{API}/meetings/9999/cancel")
    assert response.status_code == 404
