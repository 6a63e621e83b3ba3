"""The voice API: every endpoint, 401/403/404/409/422, and what an anonymous concern leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from roundtable.directory.services import api_token_create
from roundtable.tests.api import call, ok, refused
from roundtable.voice.models import Concern, ConcernReply, ConcernStatus
from roundtable.voice.tests.helpers import raise_to_team

pytestmark = pytest.mark.django_db

BASE = "/api/v1/voice"


def raise_body(system, **changes):
    body = {
        "to": "team",
        "team": system.team_a.pk,
        "title": "Lone working",
        "body": "There is only me in this role.",
        "anonymous": True,
    }
    return {**body, **changes}


def test_raise_anonymously_follow_by_receipt_and_the_full_loop(system, client: Client):
    raised = ok(
        call(client, system.lone_coach, "post", BASE + "/concerns", raise_body(system)), 201
    )
    token = raised["receipt_token"]
    assert raised["receipt_url"].endswith(f"/voice/receipt/{token}/")
    concern = raised["concern"]
    assert concern["anonymous"] is True
    assert concern["raised_by"] is None
    assert concern["status"] == "raised"
    assert concern["owner"]["name"] == "North CMHT leadership"
    assert Concern.objects.get().raised_by_id is None

    # The raiser follows and replies by token.
    followed = ok(call(client, system.lone_coach, "get", f"{BASE}/receipts/{token}"))
    assert followed["id"] == concern["id"]
    reply = ok(
        call(client, system.lone_coach, "post", f"{BASE}/receipts/{token}/replies", {"body": "Hi"}),
        201,
    )
    assert reply == {"from_raiser": True, "author": None, "body": "Hi", "on": reply["on"]}
    refused(
        call(client, system.lone_coach, "post", f"{BASE}/receipts/{token}/replies", {"body": " "}),
        "Write your reply",
    )
    assert call(client, system.lone_coach, "get", f"{BASE}/receipts/nope").status_code == 404

    leader = system.team_leader_a
    pk = concern["id"]
    listed = ok(call(client, leader, "get", BASE + "/concerns", {"open": "true"}))
    assert listed["count"] == 1
    assert listed["items"][0]["raised_by"] is None
    acknowledged = ok(
        call(
            client,
            leader,
            "post",
            f"{BASE}/concerns/{pk}/acknowledge",
            {"version": 1, "note": "Heard"},
        )
    )
    assert acknowledged["status"] == "acknowledged"
    # Stale version: 409, nothing changed.
    stale = call(
        client,
        leader,
        "post",
        f"{BASE}/concerns/{pk}/action",
        {
            "version": 1,
            "action": "x",
            "action_due_on": str(timezone.localdate() + timedelta(days=9)),
        },
    )
    assert stale.status_code == 409
    assert "Someone else changed this concern" in stale.body["detail"]
    assert stale.body["version"] == acknowledged["version"]
    due = str(timezone.localdate() + timedelta(days=9))
    agreed = ok(
        call(
            client,
            leader,
            "post",
            f"{BASE}/concerns/{pk}/action",
            {"version": 2, "action": "A peer circle", "action_due_on": due},
        )
    )
    assert agreed["action_due_on"] == due
    reply = ok(
        call(client, leader, "post", f"{BASE}/concerns/{pk}/replies", {"body": "On it"}), 201
    )
    assert reply["author"]["full_name"] == "Gita Leader"
    addressed = ok(
        call(
            client,
            leader,
            "post",
            f"{BASE}/concerns/{pk}/address",
            {"version": 3, "what_we_did": "The coaches meet monthly."},
        )
    )
    assert addressed["status"] == "addressed"
    assert [e["kind"] for e in addressed["events"]] == [
        "raised",
        "acknowledged",
        "action_agreed",
        "addressed",
    ]
    assert next(e["actor"] for e in addressed["events"]) is None
    # It is on the team's board, for anyone, without the raiser.
    board = ok(
        call(
            client, system.clinician_b, "get", BASE + "/you-said-we-did", {"team": system.team_a.pk}
        )
    )
    assert board["count"] == 1
    item = board["items"][0]
    assert item["title"] == "Lone working"
    assert item["outcome"] == "The coaches meet monthly."
    assert set(item) == {
        "id",
        "title",
        "status",
        "outcome",
        "level",
        "team",
        "organisation",
        "raised_on",
        "closed_on",
    }
    organisation_board = ok(
        call(
            client,
            system.clinician_b,
            "get",
            BASE + "/you-said-we-did",
            {"organisation": system.trust.pk},
        )
    )
    assert organisation_board["count"] == 1
    assert ok(call(client, system.clinician_b, "get", BASE + "/you-said-we-did"))["count"] == 0
    refused(
        call(client, system.clinician_b, "get", BASE + "/you-said-we-did", {"team": 99999}),
        "There is no team with id 99999.",
    )
    # Closed: the receipt takes no more replies.
    refused(
        call(
            client, system.lone_coach, "post", f"{BASE}/receipts/{token}/replies", {"body": "More"}
        ),
        "closed",
    )
    assert ConcernReply.objects.count() == 2


def test_raise_refusals_are_422_and_store_nothing(system, client: Client):
    coach = system.lone_coach
    refused(
        call(client, coach, "post", BASE + "/concerns", raise_body(system, title="  ")),
        "Enter a short title",
    )
    refused(
        call(client, coach, "post", BASE + "/concerns", raise_body(system, body="\n")),
        "Say what the concern is",
    )
    refused(
        call(client, coach, "post", BASE + "/concerns", raise_body(system, team=system.team_b.pk)),
        "one of your own teams",
    )
    refused(
        call(client, coach, "post", BASE + "/concerns", raise_body(system, team=None)),
        "Give the team",
    )
    refused(
        call(client, coach, "post", BASE + "/concerns", raise_body(system, team=99999)),
        "no team with id 99999",
    )
    schema = call(client, coach, "post", BASE + "/concerns", raise_body(system, to="galaxy"))
    assert schema.status_code == 422
    assert "body field to" in schema.body["detail"]
    assert not Concern.objects.exists()


def test_named_concerns_are_listed_for_their_raiser(system, client: Client):
    ok(
        call(
            client,
            system.lone_coach,
            "post",
            BASE + "/concerns",
            raise_body(system, anonymous=False, to="system", team=None),
        ),
        201,
    )
    mine = ok(call(client, system.lone_coach, "get", BASE + "/concerns/mine"))
    assert mine["count"] == 1
    assert mine["items"][0]["raised_by"]["full_name"] == "Hana Coach"
    assert mine["items"][0]["owner"]["name"] == "System leadership board"
    # A concern raised to the system goes to the system's leaders.
    assert ok(call(client, system.board_member, "get", BASE + "/concerns"))["count"] == 1


def test_who_may_read_and_act_404_and_403(system, client: Client):
    concern, _ = raise_to_team(system)
    path = f"{BASE}/concerns/{concern.pk}"
    assert call(client, system.clinician_a, "get", path).status_code == 404
    assert (
        call(client, system.clinician_a, "post", path + "/acknowledge", {"version": 1}).status_code
        == 404
    )
    assert (
        call(client, system.clinician_a, "post", path + "/replies", {"body": "x"}).status_code
        == 404
    )
    assert call(client, system.team_leader_a, "get", f"{BASE}/concerns/99999").status_code == 404
    # After escalation the team's leaders still read it, but may not act: 403.
    from roundtable.voice import services

    assert concern.due_on is not None
    services.concerns_escalate(today=concern.due_on + timedelta(days=1))
    assert (
        ok(call(client, system.team_leader_a, "get", path))["owner"]["name"]
        == "System leadership board"
    )
    forbidden = call(client, system.team_leader_a, "post", path + "/acknowledge", {"version": 2})
    assert forbidden.status_code == 403
    assert "System leadership board" in forbidden.body["detail"]
    assert (
        call(client, system.team_leader_a, "post", path + "/replies", {"body": "x"}).status_code
        == 403
    )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.RAISED


def test_bad_transitions_and_missing_fields_are_422(system, client: Client):
    concern, _ = raise_to_team(system)
    path = f"{BASE}/concerns/{concern.pk}"
    leader = system.team_leader_a
    refused(
        call(client, leader, "post", path + "/address", {"version": 1, "what_we_did": "x"}),
        "cannot become addressed",
    )
    ok(call(client, leader, "post", path + "/acknowledge", {"version": 1}))
    refused(
        call(client, leader, "post", path + "/not-taken-forward", {"version": 2, "reason": " "}),
        "Give the reason",
    )
    past = call(
        client,
        leader,
        "post",
        path + "/action",
        {"version": 2, "action": "x", "action_due_on": "2001-01-01"},
    )
    refused(past, "must be in the future")
    missing = call(client, leader, "post", path + "/acknowledge", {})
    assert missing.status_code == 422
    closed = ok(
        call(
            client,
            leader,
            "post",
            path + "/not-taken-forward",
            {"version": 2, "reason": "Not ours", "on_board": False},
        )
    )
    assert closed["status"] == "not_taken_forward"
    assert closed["on_board"] is False


def test_a_personal_token_works(system, client: Client):
    raise_to_team(system)
    _, token = api_token_create(actor=system.team_leader_a, name="script")
    response = client.get(BASE + "/concerns", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["count"] == 1
