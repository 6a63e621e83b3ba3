"""The forums API: every endpoint, who may write, bad input, concurrency and query counts.

Requests sign in with a session, except where a test says it uses a personal API token.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.directory.models import (
    LeadershipLevel,
    LeadershipMembership,
    LeadershipTeam,
    Membership,
    Team,
    TeamKind,
)
from roundtable.directory.services import api_token_create
from roundtable.directory.tests.helpers import add_members
from roundtable.forums import services
from roundtable.forums.models import (
    Attendance,
    AttendanceStatus,
    Forum,
    ForumKind,
    ForumMembership,
    Meeting,
    MeetingSeries,
    PresenceVisit,
    Site,
)
from roundtable.testing import System
from roundtable.tests.api import SESSION_QUERIES, Answer, call, ok, refused

pytestmark = pytest.mark.django_db

API = "/api/v1/forums"
LONDON = ZoneInfo("Europe/London")


def assert_bad_field(response: Answer, field: str, message: str) -> None:
    """A 422 from checking the body against its schema, about `field` alone."""
    assert response.status_code == 422, response.body
    assert message in response.body["detail"]
    [error] = response.body["errors"]
    assert error["loc"][0] == "body"
    assert field in error["loc"]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def counts() -> tuple[int, ...]:
    """Everything a refused write might have left behind."""
    return (
        Forum.objects.count(),
        ForumMembership.objects.count(),
        Meeting.objects.count(),
        MeetingSeries.objects.count(),
        Attendance.objects.count(),
        PresenceVisit.objects.count(),
        # Signing in is audited, and each request here signs in.
        AuditEvent.objects.exclude(action=AuditAction.SIGN_IN).count(),
    )


@pytest.fixture
def huddle(system: System) -> Forum:
    return services.forum_create(
        actor=system.team_leader_a,
        name="North CMHT daily huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        members=[system.clinician_a, system.vcse, system.lone_coach],
    )


@pytest.fixture
def meeting(system: System, huddle: Forum) -> Meeting:
    tomorrow = timezone.localdate() + timedelta(days=1)
    return services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=at(tomorrow, 9, 15),
        ends_at=at(tomorrow, 9, 30),
        agenda="Referrals; anyone stuck",
    )


@pytest.fixture
def site(system: System) -> Site:
    return services.site_create(
        actor=system.administrator, name="North base", locality=system.north, teams=[system.team_a]
    )


# --- Authentication --------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/forums"),
    ("post", "/forums"),
    ("get", "/forums/1"),
    ("patch", "/forums/1"),
    ("post", "/forums/1/members"),
    ("delete", "/forums/1/members/1"),
    ("get", "/forums/1/meetings"),
    ("post", "/forums/1/meetings"),
    ("post", "/forums/1/series"),
    ("get", "/meetings/1"),
    ("patch", "/meetings/1"),
    ("post", "/meetings/1/cancel"),
    ("post", "/meetings/1/facilitate"),
    ("put", "/meetings/1/attendance"),
    ("post", "/meetings/1/guests"),
    ("delete", "/meetings/1/attendance/1"),
    ("get", "/presence"),
    ("get", "/presence/teams/1"),
    ("post", "/presence/visits"),
    ("get", "/sites"),
]


def test_every_endpoint_is_in_the_openapi_schema(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    documented = [
        (method, re.sub(r"\{[a-z_]+\}", "1", path.removeprefix(API)), operation)
        for path, operations in paths.items()
        if path.startswith(f"{API}/")
        for method, operation in operations.items()
    ]
    assert sorted((method, path) for method, path, _ in documented) == sorted(ENDPOINTS)
    assert {tag for _, _, operation in documented for tag in operation["tags"]} == {"forums"}
    operation_ids = {operation["operationId"] for _, _, operation in documented}
    assert {"forums_forum_list", "forums_attendance_set", "forums_presence"} <= operation_ids


def test_a_personal_token_can_write(client: Client, system: System, site: Site) -> None:
    _, token = api_token_create(actor=system.board_member, name="Presence app")
    response = client.post(
        f"{API}/presence/visits",
        data=json.dumps({"site": site.pk}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    assert PresenceVisit.objects.get().person == system.board_member


# --- Forums ----------------------------------------------------------------------------------


def test_forums_are_listed_by_name_and_filtered(
    client: Client, system: System, huddle: Forum
) -> None:
    services.forum_create(actor=system.board_member, name="Board", kind=ForumKind.BOARD)
    body = ok(call(client, system.clinician_a, "get", f"{API}/forums"))
    assert body["count"] == 2
    assert [f["name"] for f in body["items"]] == ["Board", "North CMHT daily huddle"]
    item = body["items"][1]
    assert item == {
        "id": huddle.pk,
        "name": "North CMHT daily huddle",
        "kind": "daily_huddle",
        "purpose": "",
        "home_team": {"id": system.team_a.pk, "name": "North CMHT", "kind": "cmht"},
        "representation": {
            "min_disciplines": 0,
            "required_organisation_kinds": [],
            "lived_experience_required": False,
        },
        "member_count": 4,
    }
    boards = ok(call(client, system.clinician_a, "get", f"{API}/forums", {"kind": "board"}))
    assert [f["name"] for f in boards["items"]] == ["Board"]
    mine = ok(call(client, system.clinician_a, "get", f"{API}/forums", {"mine": "true"}))
    assert [f["name"] for f in mine["items"]] == ["North CMHT daily huddle"]
    # An empty kind is not "any kind" (leave it out for that): it does not fit the enum.
    empty = call(client, system.clinician_a, "get", f"{API}/forums", {"kind": ""})
    assert empty.status_code == 422
    paged = ok(call(client, system.clinician_a, "get", f"{API}/forums", {"page_size": 5}))
    assert paged["count"] == 2
    unknown_kind = call(client, system.clinician_a, "get", f"{API}/forums", {"kind": "pub"})
    assert unknown_kind.status_code == 422


def test_anyone_may_set_up_a_forum_with_members_from_any_organisation(
    client: Client, system: System
) -> None:
    response = call(
        client,
        system.board_member,
        "post",
        f"{API}/forums",
        {
            "name": "Community mental health board",
            "kind": "board",
            "purpose": "Decide together across the system.",
            "min_disciplines": 3,
            "required_organisation_kinds": ["vcse", "nhs_trust", "vcse"],
            "lived_experience_required": True,
            "members": [system.vcse.pk, system.lived_experience.pk, system.vcse.pk],
        },
    )
    body = ok(response, 201)
    forum = Forum.objects.get(name="Community mental health board")
    assert body["id"] == forum.pk
    assert body["representation"] == {
        "min_disciplines": 3,
        "required_organisation_kinds": ["nhs_trust", "vcse"],
        "lived_experience_required": True,
    }
    assert body["is_member"] is True
    assert body["version"] == 1
    assert [
        (m["person"]["full_name"], m["person"]["organisation"]["kind"]) for m in body["members"]
    ] == [
        ("Chloe Practitioner", "vcse"),
        ("Dev Voice", "lived_experience"),
        ("Erin Board", "icb"),  # whoever sets it up joins it
    ]


def test_a_forum_is_homed_only_at_a_team_one_is_in_or_leads(client: Client, system: System) -> None:
    """A front-door forum homed at someone else's team was a way to see their new referrals;
    forums grant no such sight now, and a home team is claimed only by its own people."""
    before = counts()
    body = refused(
        call(
            client,
            system.lived_experience,
            "post",
            f"{API}/forums",
            {"name": "My front door", "kind": "front_door", "home_team": system.team_a.pk},
        ),
        "Choose a team you are a member or leader of, not North CMHT",
    )
    assert list(body["errors"]) == ["home_team"]
    assert counts() == before
    forum = ok(
        call(
            client,
            system.clinician_a,
            "post",
            f"{API}/forums",
            {"name": "North front door", "kind": "front_door", "home_team": system.team_a.pk},
        ),
        201,
    )
    refused(
        call(
            client,
            system.clinician_a,
            "patch",
            f"{API}/forums/{forum['id']}",
            {"version": forum["version"], "home_team": system.team_b.pk},
        ),
        "Choose a team you are a member or leader of, not South CMHT",
    )


def test_a_forum_with_an_unknown_member_or_team_is_refused_and_nothing_is_stored(
    client: Client, system: System
) -> None:
    before = counts()
    body = refused(
        call(
            client,
            system.board_member,
            "post",
            f"{API}/forums",
            {"name": "Board", "kind": "board", "members": [system.vcse.pk, 9999]},
        ),
        "no person you can see with id 9999",
    )
    assert body["errors"] == {"members": ["There is no person you can see with id 9999."]}
    refused(
        call(
            client,
            system.board_member,
            "post",
            f"{API}/forums",
            {"name": "Board", "kind": "board", "home_team": 9999},
        ),
        "no team with id 9999",
    )
    refused(call(client, system.board_member, "post", f"{API}/forums", {"kind": "board"}), "name")
    assert counts() == before


def test_a_forum_name_is_unique(client: Client, system: System, huddle: Forum) -> None:
    before = counts()
    body = refused(
        call(
            client,
            system.clinician_b,
            "post",
            f"{API}/forums",
            {"name": "North CMHT daily huddle", "kind": "mdt"},
        ),
        "There is already a forum with this name",
    )
    assert list(body["errors"]) == ["name"]
    assert counts() == before


def test_forum_detail_has_members_next_facilitator_and_meetings(
    client: Client, system: System, huddle: Forum
) -> None:
    today = timezone.localdate()
    past = services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=at(today - timedelta(days=1), 9, 15),
        ends_at=at(today - timedelta(days=1), 9, 30),
    )
    upcoming = services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=at(today + timedelta(days=1), 9, 15),
        ends_at=at(today + timedelta(days=1), 9, 30),
    )
    body = ok(call(client, system.clinician_b, "get", f"{API}/forums/{huddle.pk}"))
    assert body["name"] == "North CMHT daily huddle"
    assert body["is_member"] is False
    members = {m["person"]["full_name"]: m for m in body["members"]}
    assert list(members) == ["Amira Clinician", "Chloe Practitioner", "Gita Leader", "Hana Coach"]
    chloe = members["Chloe Practitioner"]["person"]
    assert chloe["discipline"]["slug"] == "vcse-practitioner"
    assert chloe["organisation"] == {
        "id": system.vcse_org.pk,
        "name": "Test Mind",
        "kind": "vcse",
    }
    # Facilitation rotates in name order: Amira, then Chloe. Chloe facilitates the next
    # meeting, so she is next (not Gita, whose turn comes after hers).
    assert past.facilitator == system.clinician_a
    assert upcoming.facilitator == system.vcse
    assert body["next_facilitator"] == {"id": system.vcse.pk, "full_name": "Chloe Practitioner"}
    assert [m["id"] for m in body["upcoming"]] == [upcoming.pk]
    assert [m["id"] for m in body["recent"]] == [past.pk]
    assert body["upcoming"][0]["facilitator"]["full_name"] == "Chloe Practitioner"
    assert datetime.fromisoformat(body["upcoming"][0]["starts_at"]) == upcoming.starts_at


def test_an_unknown_forum_is_a_json_404(client: Client, system: System) -> None:
    for method, path in [
        ("get", "/forums/9999"),
        ("patch", "/forums/9999"),
        ("post", "/forums/9999/members"),
        ("get", "/forums/9999/meetings"),
        ("post", "/forums/9999/meetings"),
        ("post", "/forums/9999/series"),
    ]:
        body: dict[str, Any] = {"version": 1, "person": system.vcse.pk}
        if path.endswith("/meetings") and method == "post":
            body = {"starts_at": "2026-12-01T09:15:00Z", "ends_at": "2026-12-01T09:30:00Z"}
        if path.endswith("/series"):
            body = {
                "weekdays": [0],
                "start_time": "09:15",
                "duration_minutes": 15,
                "starts_on": "2026-12-01",
            }
        response = call(client, system.administrator, method, f"{API}{path}", body)
        assert response.status_code == 404, (method, path, response.body)
        assert response.body == {"detail": "No forum found."}


def test_a_member_changes_a_forum(client: Client, system: System, huddle: Forum) -> None:
    body = ok(
        call(
            client,
            system.clinician_a,
            "patch",
            f"{API}/forums/{huddle.pk}",
            {
                "version": 1,
                "purpose": "Who needs what today",
                "required_organisation_kinds": ["vcse"],
                "home_team": None,
            },
        )
    )
    assert body["purpose"] == "Who needs what today"
    assert body["home_team"] is None
    assert body["representation"]["required_organisation_kinds"] == ["vcse"]
    assert body["version"] == 2
    huddle.refresh_from_db()
    assert huddle.name == "North CMHT daily huddle"  # not sent, so not changed
    assert huddle.home_team is None
    assert huddle.version == 2


def test_only_members_or_administrators_change_a_forum(
    client: Client, system: System, huddle: Forum
) -> None:
    before = counts()
    response = call(
        client,
        system.clinician_b,
        "patch",
        f"{API}/forums/{huddle.pk}",
        {"version": 1, "name": "X"},
    )
    assert response.status_code == 403
    assert "Only members of North CMHT daily huddle" in response.body["detail"]
    assert counts() == before
    body = ok(
        call(
            client,
            system.administrator,
            "patch",
            f"{API}/forums/{huddle.pk}",
            {"version": 1, "name": "North huddle"},
        )
    )
    assert body["name"] == "North huddle"


def test_a_stale_version_is_a_409_and_nothing_is_overwritten(
    client: Client, system: System, huddle: Forum, meeting: Meeting
) -> None:
    ok(
        call(
            client,
            system.clinician_a,
            "patch",
            f"{API}/forums/{huddle.pk}",
            {"version": 1, "purpose": "First"},
        )
    )
    before = counts()
    response = call(
        client,
        system.vcse,
        "patch",
        f"{API}/forums/{huddle.pk}",
        {"version": 1, "purpose": "Second"},
    )
    assert response.status_code == 409
    assert "Someone else changed this forum" in response.body["detail"]
    assert response.body["version"] == 2  # the version now: read it again, then retry
    huddle.refresh_from_db()
    assert (huddle.purpose, huddle.version) == ("First", 2)

    ok(
        call(
            client,
            system.clinician_a,
            "patch",
            f"{API}/meetings/{meeting.pk}",
            {"version": 1, "minutes": "Agreed to call Mr B."},
        )
    )
    response = call(
        client,
        system.vcse,
        "patch",
        f"{API}/meetings/{meeting.pk}",
        {"version": 1, "minutes": "Nothing agreed."},
    )
    assert response.status_code == 409
    assert "Someone else changed this meeting" in response.body["detail"]
    assert response.body["version"] == 2
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.version) == ("Agreed to call Mr B.", 2)
    assert counts()[:-1] == before[:-1]
    assert counts()[-1] == before[-1] + 1  # only the first meeting change was audited


def test_a_change_must_name_the_version_and_may_not_null_a_required_field(
    client: Client, system: System, huddle: Forum
) -> None:
    path = f"{API}/forums/{huddle.pk}"
    response = call(client, system.clinician_a, "patch", path, {"purpose": "No version"})
    assert_bad_field(response, "version", "body field version is missing")
    response = call(client, system.clinician_a, "patch", path, {"version": 1, "name": None})
    assert response.status_code == 422
    assert "name cannot be null" in response.body["detail"]
    huddle.refresh_from_db()
    assert huddle.version == 1


# --- Members ---------------------------------------------------------------------------------


def test_a_member_adds_and_removes_members(client: Client, system: System, huddle: Forum) -> None:
    path = f"{API}/forums/{huddle.pk}/members"
    body = ok(
        call(
            client,
            system.vcse,
            "post",
            path,
            {"person": system.south_coach.pk, "takes_turn_facilitating": False},
        ),
        201,
    )
    membership = ForumMembership.objects.get(forum=huddle, person=system.south_coach)
    assert body == {
        "id": membership.pk,
        "person": {
            "id": system.south_coach.pk,
            "full_name": "Ivo Coach",
            "job_title": "",
            "discipline": body["person"]["discipline"],
            "organisation": {"id": system.vcse_org.pk, "name": "Test Mind", "kind": "vcse"},
        },
        "takes_turn_facilitating": False,
    }
    before = counts()
    refused(
        call(client, system.vcse, "post", path, {"person": system.south_coach.pk}),
        "Ivo Coach is already a member of North CMHT daily huddle.",
    )
    refused(call(client, system.vcse, "post", path, {"person": 9999}), "id 9999")
    assert counts() == before

    response = call(client, system.vcse, "delete", f"{path}/{membership.pk}")
    assert response.status_code == 204
    assert not ForumMembership.objects.filter(pk=membership.pk).exists()
    response = call(client, system.vcse, "delete", f"{path}/{membership.pk}")
    assert response.status_code == 404
    assert response.body == {"detail": "No such member of this forum."}


def test_non_members_cannot_add_or_remove_members(
    client: Client, system: System, huddle: Forum
) -> None:
    path = f"{API}/forums/{huddle.pk}/members"
    before = counts()
    response = call(client, system.clinician_b, "post", path, {"person": system.clinician_b.pk})
    assert response.status_code == 403
    vcse = ForumMembership.objects.get(forum=huddle, person=system.vcse)
    response = call(client, system.clinician_b, "delete", f"{path}/{vcse.pk}")
    assert response.status_code == 403
    assert counts() == before


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


# --- Attendance ------------------------------------------------------------------------------


def test_a_member_records_who_was_there_in_one_go(
    client: Client, system: System, meeting: Meeting
) -> None:
    path = f"{API}/meetings/{meeting.pk}/attendance"
    body = ok(
        call(
            client,
            system.clinician_a,
            "put",
            path,
            {
                "present": [system.clinician_a.pk, system.team_leader_a.pk],
                "apologies": [system.vcse.pk],
            },
        )
    )
    assert body["present_count"] == 2
    statuses = {a["person"]["id"]: a["status"] for a in body["attendance"]}
    assert statuses == {
        system.clinician_a.pk: "present",
        system.team_leader_a.pk: "present",
        system.vcse.pk: "apologies",
    }
    # Sending it again replaces the members' attendance.
    body = ok(call(client, system.clinician_a, "put", path, {"present": [system.vcse.pk]}))
    assert [(a["person"]["id"], a["status"]) for a in body["attendance"]] == [
        (system.vcse.pk, "present")
    ]
    assert Attendance.objects.filter(meeting=meeting).count() == 1


def test_attendance_for_a_cancelled_meeting_is_refused_and_nothing_is_stored(
    client: Client, system: System, meeting: Meeting
) -> None:
    services.meeting_cancel(actor=system.team_leader_a, meeting=meeting, reason="Snow")
    before = counts()
    message = "This meeting was cancelled, so no attendance can be recorded."
    body = refused(
        call(
            client,
            system.clinician_a,
            "put",
            f"{API}/meetings/{meeting.pk}/attendance",
            {"present": [system.clinician_a.pk]},
        ),
        message,
    )
    assert body["errors"] == {"__all__": [message]}
    refused(
        call(
            client,
            system.clinician_a,
            "post",
            f"{API}/meetings/{meeting.pk}/guests",
            {"guest_name": "Helen Hughes"},
        ),
        message,
    )
    assert counts() == before


def test_duplicate_attendance_is_refused_and_nothing_is_stored(
    client: Client, system: System, meeting: Meeting
) -> None:
    guests = f"{API}/meetings/{meeting.pk}/guests"
    ok(call(client, system.clinician_a, "post", guests, {"person": system.board_member.pk}), 201)
    ok(call(client, system.clinician_a, "post", guests, {"guest_name": "Helen Hughes"}), 201)
    before = counts()
    refused(
        call(client, system.clinician_a, "post", guests, {"person": system.board_member.pk}),
        "Erin Board is already recorded for this meeting.",
    )
    refused(
        call(client, system.clinician_a, "post", guests, {"guest_name": "helen hughes"}),
        "helen hughes is already recorded for this meeting.",
    )
    refused(
        call(
            client,
            system.clinician_a,
            "put",
            f"{API}/meetings/{meeting.pk}/attendance",
            {"present": [system.vcse.pk], "apologies": [system.vcse.pk]},
        ),
        "Someone cannot be both present and sending apologies.",
    )
    assert counts() == before


def test_attendance_for_non_members_is_refused(
    client: Client, system: System, meeting: Meeting
) -> None:
    before = counts()
    refused(
        call(
            client,
            system.clinician_a,
            "put",
            f"{API}/meetings/{meeting.pk}/attendance",
            {"present": [system.clinician_b.pk]},
        ),
        "Record people who are not members of this forum as guests.",
    )
    refused(
        call(
            client,
            system.clinician_a,
            "put",
            f"{API}/meetings/{meeting.pk}/attendance",
            {"present": [9999]},
        ),
        "id 9999",
    )
    response = call(
        client,
        system.clinician_b,
        "put",
        f"{API}/meetings/{meeting.pk}/attendance",
        {"present": [system.clinician_b.pk]},
    )
    assert response.status_code == 403
    assert counts() == before


def test_guests_from_other_organisations(client: Client, system: System, meeting: Meeting) -> None:
    path = f"{API}/meetings/{meeting.pk}/guests"
    body = ok(call(client, system.vcse, "post", path, {"person": system.board_member.pk}), 201)
    assert body["person"]["organisation"]["kind"] == "icb"
    assert body["is_guest"] is True
    assert body["status"] == "present"
    body = ok(
        call(
            client,
            system.vcse,
            "post",
            path,
            {
                "guest_name": "Helen Hughes",
                "guest_organisation": system.gp_practice.pk,
                "status": "apologies",
            },
        ),
        201,
    )
    assert body["person"] is None
    assert body["guest_name"] == "Helen Hughes"
    assert body["guest_organisation"] == {
        "id": system.gp_practice.pk,
        "name": "Test Surgery",
        "kind": "gp_practice",
    }
    assert body["status"] == "apologies"
    row = Attendance.objects.get(pk=body["id"])
    assert (row.is_guest, row.status, row.recorded_by) == (
        True,
        AttendanceStatus.APOLOGIES,
        system.vcse,
    )

    before = counts()
    refused(call(client, system.vcse, "post", path, {}), "Choose a person, or give a guest's name")
    refused(
        call(client, system.vcse, "post", path, {"guest_name": "Ola", "guest_organisation": 9999}),
        "There is no organisation with id 9999.",
    )
    assert call(client, system.clinician_b, "post", path, {"guest_name": "Ola"}).status_code == 403
    assert counts() == before


def test_a_member_removes_an_attendance_record(
    client: Client, system: System, meeting: Meeting
) -> None:
    row = services.attendance_record(
        actor=system.team_leader_a, meeting=meeting, guest_name="Helen Hughes"
    )
    path = f"{API}/meetings/{meeting.pk}/attendance/{row.pk}"
    assert call(client, system.clinician_b, "delete", path).status_code == 403
    assert Attendance.objects.filter(pk=row.pk).exists()
    response = call(client, system.clinician_a, "delete", path)
    assert response.status_code == 204
    assert not Attendance.objects.filter(pk=row.pk).exists()
    response = call(client, system.clinician_a, "delete", path)
    assert response.status_code == 404
    assert response.body == {"detail": "No such attendance record."}


# --- Presence and sites ----------------------------------------------------------------------


def test_the_system_view_shows_teams_not_reached_and_leaders_backgrounds(
    client: Client, system: System, meeting: Meeting, site: Site
) -> None:
    today = timezone.localdate()
    yesterday = services.meeting_create(
        actor=system.team_leader_a,
        forum=meeting.forum,
        starts_at=at(today - timedelta(days=1), 9, 15),
        ends_at=at(today - timedelta(days=1), 9, 30),
    )
    services.attendance_set(
        actor=system.team_leader_a, meeting=yesterday, present=[system.team_leader_a]
    )
    board_room = services.site_create(
        actor=system.administrator, name="Board room", teams=[system.board]
    )
    services.presence_visit_record(
        actor=system.lived_experience, site=board_room, on_date=today - timedelta(days=10)
    )
    body = ok(call(client, system.clinician_b, "get", f"{API}/presence"))
    assert body["today"] == today.isoformat()
    assert body["counts"] == {"week": 1, "month": 1, "not_reached": 1}
    assert body["not_reached"] == [{"id": system.team_b.pk, "name": "South CMHT", "kind": "cmht"}]
    assert [(t["team"]["name"], t["status"], t["days_since"]) for t in body["teams"]] == [
        ("South CMHT", "not_reached", None),
        ("System Board", "month", 10),
        ("North CMHT", "week", 1),
    ]
    north = body["teams"][2]
    assert north["team"]["locality"]["name"] == "North"
    assert north["coverage"] == [
        {
            "leadership_team": {
                "id": system.team_a_leadership.pk,
                "name": "North CMHT leadership",
                "level": "team",
            },
            "last_present": (today - timedelta(days=1)).isoformat(),
            "days_since": 1,
            "within_7": True,
            "within_28": True,
        },
        {
            "leadership_team": {
                "id": system.system_leadership.pk,
                "name": "System leadership board",
                "level": "system",
            },
            "last_present": None,
            "days_since": None,
            "within_7": False,
            "within_28": False,
        },
    ]
    assert body["backgrounds"] == [
        {"discipline": "Lived-experience or public representative", "count": 1},
        {"discipline": "Occupational therapy", "count": 1},
    ]


def test_the_system_view_uses_the_same_queries_whatever_the_size(
    client: Client,
    system: System,
    huddle: Forum,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client.force_login(system.clinician_a)
    path = f"{API}/presence"
    # Leadership teams, their members, meetings attended, buildings visited, teams.
    with django_assert_num_queries(SESSION_QUERIES + 5):
        small = client.get(path).json()
    today = timezone.localdate()
    organisation = LeadershipTeam.objects.create(
        name="Trust executive", level=LeadershipLevel.ORGANISATION, organisation=system.trust
    )
    for leader in add_members(system.team_a, 12, prefix="leader"):
        LeadershipMembership.objects.create(leadership_team=organisation, person=leader)
    for i in range(12):
        team = Team.objects.create(
            name=f"Team {i:02d}",
            organisation=system.trust,
            locality=system.south,
            kind=TeamKind.CMHT,
        )
        # Only a team's members home a forum there.
        Membership.objects.create(person=system.team_leader_a, team=team)
        forum = services.forum_create(
            actor=system.team_leader_a, name=f"Huddle {i}", kind=ForumKind.MDT, home_team=team
        )
        held = services.meeting_create(
            actor=system.team_leader_a,
            forum=forum,
            starts_at=at(today - timedelta(days=i * 3), 0, 5),
            ends_at=at(today - timedelta(days=i * 3), 0, 20),
        )
        services.attendance_record(
            actor=system.team_leader_a, meeting=held, person=system.board_member
        )
        site = services.site_create(actor=system.administrator, name=f"Base {i}", teams=[team])
        services.presence_visit_record(actor=system.lived_experience, site=site, on_date=today)
    with django_assert_num_queries(SESSION_QUERIES + 5):
        large = client.get(path).json()
    assert len(small["teams"]) == 3
    assert len(large["teams"]) == 15
    assert large["counts"]["not_reached"] == 3


def test_one_teams_presence(client: Client, system: System, site: Site) -> None:
    services.presence_visit_record(actor=system.team_leader_a, site=site)
    body = ok(call(client, system.clinician_b, "get", f"{API}/presence/teams/{system.team_a.pk}"))
    assert body["team"]["name"] == "North CMHT"
    assert body["status"] == "week"
    assert body["days_since"] == 0
    assert [(c["leadership_team"]["name"], c["within_7"]) for c in body["coverage"]] == [
        ("North CMHT leadership", True),
        ("System leadership board", False),
    ]
    response = call(client, system.clinician_b, "get", f"{API}/presence/teams/9999")
    assert response.status_code == 404
    assert response.body == {"detail": "No team found."}


def test_in_the_building_today_in_one_tap(client: Client, system: System, site: Site) -> None:
    path = f"{API}/presence/visits"
    body = ok(call(client, system.board_member, "post", path, {"site": site.pk}), 201)
    visit = PresenceVisit.objects.get()
    assert body == {
        "id": visit.pk,
        "site": {"id": site.pk, "name": "North base"},
        "on_date": timezone.localdate().isoformat(),
        "created": True,
    }
    assert visit.person == system.board_member
    again = ok(call(client, system.board_member, "post", path, {"site": site.pk}), 200)
    assert again == {**body, "created": False}
    assert PresenceVisit.objects.count() == 1

    before = counts()
    refused(call(client, system.board_member, "post", path, {"site": 9999}), "no site with id 9999")
    assert call(client, system.board_member, "post", path, {}).status_code == 422
    assert counts() == before


def test_sites_list_your_own_teams_sites_first(client: Client, system: System, site: Site) -> None:
    services.site_create(
        actor=system.administrator,
        name="Aardvark House",
        locality=system.south,
        teams=[system.team_b],
    )
    services.site_create(actor=system.administrator, name="Zebra Court")
    body = ok(call(client, system.vcse, "get", f"{API}/sites"))
    assert body["count"] == 3
    assert [(s["name"], s["is_own"]) for s in body["items"]] == [
        ("North base", True),
        ("Aardvark House", False),
        ("Zebra Court", False),
    ]
    assert body["items"][0]["teams"] == [
        {"id": system.team_a.pk, "name": "North CMHT", "kind": "cmht"}
    ]
    assert body["items"][0]["locality"] == {"id": system.north.pk, "name": "North"}
    # Leading a team counts as yours too.
    leader = [
        s["name"] for s in ok(call(client, system.team_leader_a, "get", f"{API}/sites"))["items"]
    ]
    assert leader[0] == "North base"
    south = [
        s["name"] for s in ok(call(client, system.clinician_b, "get", f"{API}/sites"))["items"]
    ]
    assert south[0] == "Aardvark House"


def grow(system: System, huddle: Forum, meeting: Meeting) -> None:
    """More forums, meetings, members, attendance and sites, to compare query counts by size."""
    today = timezone.localdate()
    people = add_members(system.team_b, 8, prefix="grow")
    for i in range(8):
        forum = services.forum_create(
            actor=system.clinician_b, name=f"MDT {i}", kind=ForumKind.MDT, members=people
        )
        services.meeting_create(
            actor=system.clinician_b,
            forum=forum,
            starts_at=at(today + timedelta(days=i), 14),
            ends_at=at(today + timedelta(days=i), 15),
        )
        site = services.site_create(
            actor=system.administrator, name=f"Site {i}", teams=[system.team_a, system.team_b]
        )
        held = services.meeting_create(
            actor=system.team_leader_a,
            forum=huddle,
            starts_at=at(today - timedelta(days=i + 1), 9, 15),
            ends_at=at(today - timedelta(days=i + 1), 9, 30),
            site=site,
        )
        services.attendance_record(actor=system.team_leader_a, meeting=held, person=people[i])
    for person in people:
        services.forum_member_add(actor=system.team_leader_a, forum=huddle, person=person)
    LeadershipMembership.objects.create(leadership_team=system.team_a_leadership, person=people[0])
    services.presence_visit_record(actor=people[0], site=site)
    services.attendance_set(actor=system.team_leader_a, meeting=meeting, present=people[:4])
    for person in people[4:]:
        services.attendance_record(
            actor=system.team_leader_a, meeting=meeting, guest_name=person.full_name
        )


READ_QUERIES = [
    ("/forums", 2),  # count, page
    # Forum, members, upcoming, recent, and the next meeting with its facilitator.
    ("/forums/{huddle}", 5),
    ("/forums/{huddle}/meetings", 3),  # forum, count, page
    ("/meetings/{meeting}", 3),  # meeting, members, attendance
    ("/sites", 3),  # count, page, their teams
    # Team, leadership teams, their members, meetings attended, buildings visited.
    ("/presence/teams/{team}", 5),
]


@pytest.mark.parametrize(("path", "queries"), READ_QUERIES, ids=[p for p, _ in READ_QUERIES])
def test_reads_use_the_same_queries_whatever_the_size(
    client: Client,
    system: System,
    huddle: Forum,
    meeting: Meeting,
    site: Site,
    django_assert_num_queries: DjangoAssertNumQueries,
    path: str,
    queries: int,
) -> None:
    url = API + path.format(huddle=huddle.pk, meeting=meeting.pk, team=system.team_a.pk)
    client.force_login(system.clinician_a)
    with django_assert_num_queries(SESSION_QUERIES + queries):
        small = client.get(url)
    grow(system, huddle, meeting)
    with django_assert_num_queries(SESSION_QUERIES + queries):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert large.json() != small.json()
