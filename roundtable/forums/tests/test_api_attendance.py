"""The forums API: who was at a meeting, guests from other organisations, and what is refused.

Requests sign in with a session, except where a test says it uses a personal API token.
"""

from __future__ import annotations

import pytest
from django.test import Client

from roundtable.forums import services
from roundtable.forums.models import Attendance, AttendanceStatus, Meeting
from roundtable.forums.tests.helpers import API, counts
from roundtable.testing import System
from roundtable.tests.api import call, ok, refused

pytestmark = pytest.mark.django_db


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
