"""The wellbeing API: the pulse, results with suppression, support, isolation and circles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.testing import discipline
from roundtable.tests.api import call, forbidden, ok, refused
from roundtable.wellbeing import services
from roundtable.wellbeing.models import PulseAnswer, PulseResponseMarker, SupportSession
from roundtable.wellbeing.tests.helpers import add_people, answer_all

pytestmark = pytest.mark.django_db

BASE = "/api/v1/wellbeing"


def test_answer_the_current_round_once(system, client: Client):
    current = ok(call(client, system.lone_coach, "get", BASE + "/pulse/current"))
    assert len(current) == 1
    round_ = current[0]
    assert round_["team"]["name"] == "North CMHT"
    assert round_["answered"] is False
    assert len(round_["statements"]) == 5
    path = f"{BASE}/pulse/{round_['id']}/answers"
    body = {"answers": [{"statement": s["id"], "value": 4} for s in round_["statements"]]}

    out_of_range = {
        "answers": [
            *body["answers"][:-1],
            {"statement": body["answers"][-1]["statement"], "value": 6},
        ]
    }
    bad = call(client, system.lone_coach, "post", path, out_of_range)
    assert bad.status_code == 422
    assert "body field answers.4.value must be 5 or less" in bad.body["detail"]
    refused(
        call(client, system.lone_coach, "post", path, {"answers": body["answers"][:-1]}),
        "Choose an answer for",
    )
    refused(
        call(
            client,
            system.lone_coach,
            "post",
            path,
            {"answers": [*body["answers"], body["answers"][0]]},
        ),
        "once",
    )
    assert not PulseAnswer.objects.exists()
    assert not PulseResponseMarker.objects.exists()

    answered = ok(call(client, system.lone_coach, "post", path, {**body, "comment": "Fine"}), 201)
    assert "without your name" in answered["detail"]
    assert (
        ok(call(client, system.lone_coach, "get", BASE + "/pulse/current"))[0]["answered"] is True
    )
    refused(call(client, system.lone_coach, "post", path, body), "already answered")
    assert PulseAnswer.objects.count() == 5
    # Someone outside the team cannot answer its round.
    assert call(client, system.clinician_b, "post", path, body).status_code == 404


def test_results_suppress_small_groups(system, client: Client):
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=5)
    pulse_round = services.pulse_round_open(team=system.team_b, day=last_month)
    answer_all(add_people(system.team_b, 6), pulse_round, day=last_month)
    path = f"{BASE}/pulse/teams/{system.team_b.pk}/results"
    results = ok(call(client, system.clinician_b, "get", path))
    assert results[0]["responses"] == 6
    assert results[0]["shown"] is False
    assert results[0]["statements"] == []
    assert results[0]["message"].startswith("Not enough answers to show")
    assert call(client, system.clinician_a, "get", path).status_code == 404
    assert (
        call(client, system.clinician_b, "get", f"{BASE}/pulse/teams/99999/results").status_code
        == 404
    )
    assert ok(call(client, system.clinician_b, "get", BASE + "/pulse/system")) == []
    answer_all(add_people(system.team_b, 1, prefix="seventh"), pulse_round, day=last_month)
    shown = ok(call(client, system.clinician_b, "get", path))[0]
    assert shown["shown"] is True
    assert shown["statements"][0]["distribution"] == [0, 0, 0, 7, 0]
    trend = ok(call(client, system.clinician_b, "get", BASE + "/pulse/system"))
    assert trend[0]["responses"] == 7


def test_support_sessions(system, client: Client):
    starts = (timezone.now() - timedelta(days=1)).isoformat()
    body = {
        "kind": "restorative_supervision",
        "team": system.team_a.pk,
        "starts_at": starts,
        "facilitator": system.team_leader_a.pk,
        "attendees": [system.lone_coach.pk],
    }
    made = ok(call(client, system.team_leader_a, "post", BASE + "/support-sessions", body), 201)
    assert made["kind"] == "restorative_supervision"
    assert made["facilitator"]["full_name"] == "Gita Leader"
    assert SupportSession.objects.get().attendances.count() == 1
    forbidden(
        call(client, system.clinician_b, "post", BASE + "/support-sessions", body), "Only members"
    )
    refused(
        call(
            client, system.team_leader_a, "post", BASE + "/support-sessions", {**body, "team": None}
        ),
        "Choose a team",
    )
    refused(
        call(
            client,
            system.team_leader_a,
            "post",
            BASE + "/support-sessions",
            {**body, "attendees": [99999]},
        ),
        "99999",
    )
    bad_kind = call(
        client,
        system.team_leader_a,
        "post",
        BASE + "/support-sessions",
        {**body, "kind": "therapy"},
    )
    assert bad_kind.status_code == 422
    assert SupportSession.objects.count() == 1
    assert ok(call(client, system.lone_coach, "get", BASE + "/support-sessions"))["count"] == 1
    assert ok(call(client, system.clinician_b, "get", BASE + "/support-sessions"))["count"] == 0


def test_isolation_is_403_for_people_who_lead_no_team(system, client: Client):
    denied = call(client, system.lone_coach, "get", BASE + "/isolation")
    assert denied.status_code == 403
    listed = ok(call(client, system.team_leader_a, "get", BASE + "/isolation"))
    coach = next(e for e in listed if e["person"]["full_name"] == "Hana Coach")
    assert "The only mental health coach in North CMHT" in coach["reasons"]
    assert all(e["person"]["full_name"] != "Ivo Coach" for e in listed)


def test_peer_circles_list_and_join(system, client: Client):
    circle = services.peer_circle_create(
        actor=system.south_coach, name="Coaches", discipline=discipline("mental-health-coach")
    )
    listed = ok(call(client, system.lone_coach, "get", BASE + "/peer-circles"))
    assert listed == [
        {
            "id": circle.pk,
            "name": "Coaches",
            "discipline": "Mental health coach",
            "forum": circle.forum_id,
            "members": 1,
            "localities": ["South"],
            "is_member": False,
        }
    ]
    joined = ok(
        call(client, system.lone_coach, "post", f"{BASE}/peer-circles/{circle.pk}/join"), 201
    )
    assert joined["members"] == 2
    assert joined["is_member"] is True
    refused(
        call(client, system.lone_coach, "post", f"{BASE}/peer-circles/{circle.pk}/join"),
        "already in",
    )
    refused(
        call(client, system.clinician_a, "post", f"{BASE}/peer-circles/{circle.pk}/join"),
        "discipline",
    )
    assert (
        call(client, system.lone_coach, "post", f"{BASE}/peer-circles/99999/join").status_code
        == 404
    )


def test_support_sessions_are_put_right_and_cancelled(system, client: Client):
    starts = timezone.now() + timedelta(days=1)
    made = ok(
        call(
            client,
            system.team_leader_a,
            "post",
            BASE + "/support-sessions",
            {
                "kind": "reflective_practice",
                "team": system.team_a.pk,
                "starts_at": starts.isoformat(),
            },
        ),
        201,
    )
    path = f"{BASE}/support-sessions/{made['id']}"
    assert made["version"] == 1

    def audited(action: str) -> int:
        return AuditEvent.objects.filter(action=action, object_id=str(made["id"])).count()

    # Its making is audited; showing what was made is not another read.
    assert (audited(AuditAction.CREATE), audited(AuditAction.READ)) == (1, 0)
    assert made["cancelled_at"] is None
    # Only what is sent changes.
    changed = ok(
        call(
            client,
            system.team_leader_a,
            "patch",
            path,
            {"duration_minutes": 90, "facilitator": system.team_leader_a.pk, "version": 1},
        )
    )
    assert (changed["kind"], changed["duration_minutes"], changed["version"]) == (
        "reflective_practice",
        90,
        2,
    )
    assert changed["facilitator"]["full_name"] == "Gita Leader"
    # One read to change it (checked as any read is), one change; none to show the result.
    assert (audited(AuditAction.READ), audited(AuditAction.UPDATE)) == (1, 1)
    cleared = ok(
        call(client, system.team_leader_a, "patch", path, {"facilitator": None, "version": 2})
    )
    assert cleared["facilitator"] is None
    stale = call(
        client, system.team_leader_a, "patch", path, {"duration_minutes": 30, "version": 2}
    )
    assert stale.status_code == 409
    assert stale.body["version"] == 3
    refused(
        call(client, system.team_leader_a, "patch", path, {"facilitator": 99999, "version": 3}),
        "There is no person you can see with id 99999",
    )
    assert call(client, system.clinician_b, "patch", path, {"version": 3}).status_code == 404
    assert SupportSession.objects.get().duration_minutes == 90

    cancel = path + "/cancel"
    refused(
        call(client, system.team_leader_a, "post", cancel, {"reason": " ", "version": 3}),
        "Say why the session is cancelled",
    )
    gone = ok(
        call(client, system.team_leader_a, "post", cancel, {"reason": "Off sick", "version": 3})
    )
    assert gone["cancelled_at"] is not None
    assert gone["cancel_reason"] == "Off sick"
    # A read for each change asked for (six, three of them refused); none to show the result.
    assert audited(AuditAction.READ) == 6
    refused(
        call(client, system.team_leader_a, "post", cancel, {"reason": "Again", "version": 4}),
        "already cancelled",
    )
