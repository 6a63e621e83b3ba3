"""The forums API: forums and their members, who may change them, bad input and concurrency.

Requests sign in with a session, except where a test says it uses a personal API token.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from roundtable.forums import services
from roundtable.forums.models import Forum, ForumKind, ForumMembership, Meeting
from roundtable.forums.tests.helpers import API, assert_bad_field, at, counts
from roundtable.testing import System
from roundtable.tests.api import call, ok, refused

pytestmark = pytest.mark.django_db


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
