"""The decisions API: the funding journey, every endpoint, bad input, concurrency and queries.

Requests sign in with a session, except where a test says it uses a personal API token.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.decisions import services
from roundtable.decisions.models import (
    AdviceRequest,
    AllocationRound,
    Approval,
    Budget,
    Comment,
    Decision,
    DecisionEvent,
    Hold,
    Notification,
    Position,
    PositionEvent,
    Revision,
)
from roundtable.directory.services import api_token_create
from roundtable.directory.tests.helpers import add_members
from roundtable.forums import services as forum_services
from roundtable.forums.models import Forum, ForumKind, ForumMembership
from roundtable.testing import System
from roundtable.tests.api import SESSION_QUERIES, Answer, call, forbidden, ok, refused

pytestmark = pytest.mark.django_db

API = "/api/v1/decisions"
LONDON = ZoneInfo("Europe/London")
POUNDS = 100  # pence
# Decision, revisions, positions, members, holds, comments, advice, events, budget committed.
DECISION_QUERIES = 9


def conflict(response: Answer, version: int) -> None:
    """A 409 that says the decision's version now, so that the client can read it again."""
    assert response.status_code == 409, response.body
    assert "Someone else changed this decision" in response.body["detail"]
    assert response.body["version"] == version


def counts() -> tuple[int, ...]:
    """Everything a refused write might have left behind."""
    return (
        Budget.objects.count(),
        Decision.objects.count(),
        Revision.objects.count(),
        Position.objects.count(),
        PositionEvent.objects.count(),
        DecisionEvent.objects.count(),
        Hold.objects.count(),
        Comment.objects.count(),
        AdviceRequest.objects.count(),
        AllocationRound.objects.count(),
        Approval.objects.count(),
        Notification.objects.count(),
        Notification.objects.filter(read_at__isnull=True).count(),
        # Signing in is audited, and each request here signs in.
        AuditEvent.objects.exclude(action=AuditAction.SIGN_IN).count(),
    )


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def later(days: int = 7) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


@pytest.fixture
def board(system: System) -> Forum:
    """The system board: decisions need two disciplines, a VCSE and a lived-experience voice."""
    return forum_services.forum_create(
        actor=system.board_member,
        name="System board",
        kind=ForumKind.BOARD,
        home_team=system.board,
        min_disciplines=2,
        required_organisation_kinds=["vcse"],
        lived_experience_required=True,
        members=[system.lived_experience, system.vcse, system.clinician_a],
    )


@pytest.fixture
def budget(system: System, board: Forum) -> Budget:
    return services.budget_create(
        actor=system.board_member,
        forum=board,
        name="Community transformation 2026/27",
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),
        total_pence=200_000 * POUNDS,
    )


@pytest.fixture
def funding(system: System, board: Forum, budget: Budget) -> Decision:
    return services.decision_propose(
        actor=system.board_member,
        forum=board,
        kind="funding",
        title="Peer-support service at Test Mind",
        proposal="Fund a VCSE peer-support service for a year.",
        budget=budget,
        amount_requested_pence=45_000 * POUNDS,
    )


def agree(system: System, decision: Decision) -> Decision:
    """Everyone in the board consents and the proposer records it as agreed."""
    for person in (system.lived_experience, system.vcse, system.clinician_a):
        services.position_take(actor=person, decision=decision, stance="consent")
    return services.decision_decide(
        actor=system.board_member,
        decision=decision,
        agreed=True,
        outcome="Agreed",
        rationale="Everyone consents.",
    )


# --- Authentication and the schema -----------------------------------------------------------

ENDPOINTS = [
    ("get", "/decisions"),
    ("post", "/decisions"),
    ("get", "/decisions/1"),
    ("post", "/decisions/1/open"),
    ("post", "/decisions/1/revisions"),
    ("put", "/decisions/1/position"),
    ("post", "/decisions/1/consent-round"),
    ("post", "/decisions/1/outcome"),
    ("post", "/decisions/1/withdraw"),
    ("post", "/decisions/1/review"),
    ("post", "/decisions/1/holds"),
    ("post", "/decisions/1/comments"),
    ("post", "/decisions/1/advice"),
    ("post", "/decisions/1/advice/1"),
    ("get", "/forums/1/budgets"),
    ("post", "/forums/1/budgets"),
    ("get", "/budgets/1"),
    ("post", "/allocation-rounds"),
    ("get", "/allocation-rounds/1"),
    ("put", "/allocation-rounds/1/approvals"),
    ("get", "/awaiting"),
    ("get", "/notifications"),
    ("post", "/notifications/read"),
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
    assert {tag for _, _, operation in documented for tag in operation["tags"]} == {"decisions"}
    operation_ids = {operation["operationId"] for _, _, operation in documented}
    assert {"decisions_decision_list", "decisions_position_take"} <= operation_ids


def test_a_personal_token_can_take_a_position(
    client: Client, system: System, funding: Decision
) -> None:
    _, token = api_token_create(actor=system.vcse, name="Phone")
    response = client.put(
        f"{API}/decisions/{funding.pk}/position",
        data=json.dumps({"stance": "consent"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["my_position"]["stance"] == "consent"
    assert Position.objects.get().person == system.vcse


# --- The journey -----------------------------------------------------------------------------


def test_the_funding_journey_objection_revision_consent_outcome_and_hold(
    client: Client, system: System, board: Forum
) -> None:
    """A board member proposes £45,000 for a VCSE peer-support service from a £200,000 budget;
    the lived-experience representative objects; agreeing is refused; the proposer integrates
    the objection; everyone consents; it is agreed with its rationale and a leader holds it."""
    erin, dev = system.board_member, system.lived_experience

    budget = ok(
        call(
            client,
            erin,
            "post",
            f"{API}/forums/{board.pk}/budgets",
            {
                "name": "Community transformation 2026/27",
                "period_start": "2026-04-01",
                "period_end": "2027-03-31",
                "total_pence": 20_000_000,
            },
        ),
        201,
    )
    assert budget["committed_pence"] == 0
    assert budget["remaining_pence"] == 20_000_000

    proposed = ok(
        call(
            client,
            erin,
            "post",
            f"{API}/decisions",
            {
                "forum": board.pk,
                "kind": "funding",
                "title": "Peer-support service at Test Mind",
                "proposal": "Fund a VCSE peer-support service for a year.",
                "budget": budget["id"],
                "amount_requested_pence": 4_500_000,
            },
        ),
        201,
    )
    path = f"{API}/decisions/{proposed['id']}"
    assert proposed["status"] == "open"
    assert proposed["method"] == "consent"
    assert proposed["proposer"] == {"id": erin.pk, "full_name": "Erin Board"}
    assert proposed["proposal"]["number"] == 1
    assert proposed["amount_requested_pence"] == 4_500_000
    assert proposed["budget"]["remaining_pence"] == 20_000_000
    assert proposed["verdict"] == {
        "can_agree": False,
        "reason": "Nobody has consented yet. Silence is not consent.",
    }
    assert [p["full_name"] for p in proposed["silent"]] == [
        "Amira Clinician",
        "Chloe Practitioner",
        "Dev Voice",
        "Erin Board",
    ]

    objected = ok(
        call(
            client,
            dev,
            "put",
            f"{path}/position",
            {"stance": "objection", "reason": "People with lived experience must co-design it."},
        )
    )
    [objection] = objected["positions"]
    assert objection["stance"] == "objection"
    assert objection["person"]["discipline"]["slug"] == "lived-experience"
    assert objection["person"]["organisation"]["kind"] == "lived_experience"
    assert objected["my_position"] == objection
    ok(call(client, system.vcse, "put", f"{path}/position", {"stance": "consent"}))

    before = counts()
    body = refused(
        call(
            client,
            erin,
            "post",
            f"{path}/outcome",
            {
                "agreed": True,
                "outcome": "Fund it.",
                "rationale": "It meets the gap.",
                "version": proposed["version"],
            },
        ),
        "There is an objection on the current proposal",
        "objections are never overruled",
    )
    assert list(body["errors"]) == ["__all__"]
    assert counts() == before
    assert Decision.objects.get().status == "open"

    current = ok(call(client, erin, "get", path))
    revised = ok(
        call(
            client,
            erin,
            "post",
            f"{path}/revisions",
            {
                "proposal": "Fund it for a year, co-designed with the lived-experience network.",
                "change_note": "Integrates Dev's objection: co-design.",
                "version": current["version"],
            },
        ),
        201,
    )
    assert revised["current_revision"] == 2
    assert [r["number"] for r in revised["revisions"]] == [1, 2]
    assert revised["proposal"]["change_note"] == "Integrates Dev's objection: co-design."
    assert revised["positions"] == []
    assert [(p["person"]["full_name"], p["revision"]) for p in revised["earlier_positions"]] == [
        ("Chloe Practitioner", 1),
        ("Dev Voice", 1),
    ]

    for person in (dev, system.vcse, system.clinician_a, erin):
        ok(call(client, person, "put", f"{path}/position", {"stance": "consent"}))
    ready = ok(call(client, erin, "get", path))
    assert ready["tally"] == {
        "consent": 4,
        "concern": 0,
        "objection": 0,
        "stand_aside": 0,
        "abstain": 0,
        "total": 4,
    }
    assert ready["verdict"] == {"can_agree": True, "reason": ""}
    assert ready["silent"] == []
    assert ready["representation"]["met"] is True
    assert ready["representation"]["missing"] == []
    assert ready["representation"]["lived_experience"] is True
    assert {"vcse", "lived_experience", "nhs_trust", "icb"} == set(
        ready["representation"]["organisation_kinds"]
    )

    agreed = ok(
        call(
            client,
            erin,
            "post",
            f"{path}/outcome",
            {
                "agreed": True,
                "outcome": "Fund the peer-support service: £45,000 for a year.",
                "rationale": "It meets the gap in peer support, and is co-designed.",
                "version": ready["version"],
            },
        )
    )
    assert agreed["status"] == "agreed"
    assert agreed["rationale"] == "It meets the gap in peer support, and is co-designed."
    assert agreed["amount_agreed_pence"] == 4_500_000
    assert agreed["decided_by"] == {"id": erin.pk, "full_name": "Erin Board"}
    assert agreed["budget"]["remaining_pence"] == 15_500_000

    hold = ok(
        call(
            client,
            dev,
            "post",
            f"{path}/holds",
            {"message": "I stand behind this with you."},
        ),
        201,
    )
    assert hold["leader"]["full_name"] == "Dev Voice"
    assert hold["leadership_team"]["name"] == "System leadership board"

    budgets = ok(call(client, system.clinician_a, "get", f"{API}/forums/{board.pk}/budgets"))
    assert budgets["count"] == 1
    [listed] = budgets["items"]
    assert (listed["total_pence"], listed["committed_pence"], listed["remaining_pence"]) == (
        20_000_000,
        4_500_000,
        15_500_000,
    )
    one = ok(call(client, system.clinician_a, "get", f"{API}/budgets/{budget['id']}"))
    assert one["remaining_pence"] == 15_500_000

    final = ok(call(client, system.clinician_a, "get", path))
    assert [(h["leader"]["full_name"], h["message"]) for h in final["holds"]] == [
        ("Dev Voice", "I stand behind this with you.")
    ]
    assert [(e["from_status"], e["to_status"]) for e in final["events"]] == [
        (None, "draft"),
        ("draft", "open"),
        ("open", "open"),
        ("open", "agreed"),
    ]
    notices = ok(call(client, system.vcse, "get", f"{API}/notifications"))
    assert {n["kind"] for n in notices["items"]} == {"outcome", "held"}


# --- Proposing -------------------------------------------------------------------------------


def test_a_proposal_that_is_not_from_a_member_is_refused_and_nothing_is_stored(
    client: Client, system: System, board: Forum
) -> None:
    before = counts()
    body = forbidden(
        call(
            client,
            system.clinician_b,
            "post",
            f"{API}/decisions",
            {"forum": board.pk, "kind": "other", "title": "Rota", "proposal": "Weekend cover"},
        ),
        "Only members of System board can propose decisions there.",
    )
    assert body == {"detail": "Only members of System board can propose decisions there."}
    assert counts() == before


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0, "The amount must be more than £0."),
        (20_000_001, "£200,000.01 is more than the £200,000 remaining in"),
        (None, "Enter the amount."),
    ],
)
def test_a_funding_amount_must_fit_the_budget(
    client: Client, system: System, board: Forum, budget: Budget, amount: int | None, message: str
) -> None:
    before = counts()
    body = refused(
        call(
            client,
            system.board_member,
            "post",
            f"{API}/decisions",
            {
                "forum": board.pk,
                "kind": "funding",
                "title": "Peer support",
                "proposal": "Fund it",
                "budget": budget.pk,
                "amount_requested_pence": amount,
            },
        ),
        message,
    )
    assert list(body["errors"]) == ["amount_requested_pence"]
    assert counts() == before


def test_a_negative_amount_is_not_a_number_of_pence(
    client: Client, system: System, board: Forum, budget: Budget
) -> None:
    before = counts()
    body = {
        "forum": board.pk,
        "kind": "funding",
        "title": "Peer support",
        "proposal": "Fund it",
        "budget": budget.pk,
        "amount_requested_pence": -100,
    }
    refused(
        call(client, system.board_member, "post", f"{API}/decisions", body),
        "body field amount_requested_pence must be 0 or more",
    )
    assert counts() == before


def test_the_remaining_budget_counts_what_is_already_committed(
    client: Client, system: System, board: Forum, budget: Budget, funding: Decision
) -> None:
    agree(system, funding)
    before = counts()
    refused(
        call(
            client,
            system.vcse,
            "post",
            f"{API}/decisions",
            {
                "forum": board.pk,
                "kind": "funding",
                "title": "A bigger one",
                "proposal": "Fund it",
                "budget": budget.pk,
                "amount_requested_pence": 16_000_000,
            },
        ),
        "£160,000 is more than the £155,000 remaining",
    )
    assert counts() == before


def test_a_proposal_naming_unknown_records_or_badly_formed_is_refused(
    client: Client, system: System, board: Forum, budget: Budget
) -> None:
    base = {"forum": board.pk, "kind": "other", "title": "Rota", "proposal": "Weekend cover"}
    before = counts()
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"forum": 9999}, "forum", "There is no forum with id 9999."),
        ({"meeting": 9999}, "meeting", "There is no meeting with id 9999."),
        ({"kind": "funding", "budget": 9999}, "budget", "There is no budget with id 9999."),
        ({"title": "  "}, "title", "Enter a title for the decision"),
        ({"closes_at": "2020-01-01T09:00:00Z"}, "closes_at", "must be in the future"),
    ]
    for change, field, message in cases:
        body = refused(
            call(client, system.board_member, "post", f"{API}/decisions", {**base, **change}),
            message,
        )
        assert list(body["errors"]) == [field], body
    # Outside what the schema says: refused before any service sees it.
    vote = {**base, "method": "vote", "vote_threshold_percent": 100}
    body = refused(
        call(client, system.board_member, "post", f"{API}/decisions", vote),
        "body field vote_threshold_percent must be 99 or less",
    )
    assert [e["loc"] for e in body["errors"]] == [["body", "payload", "vote_threshold_percent"]]
    other_board = forum_services.forum_create(
        actor=system.vcse, name="Other board", kind=ForumKind.BOARD
    )
    foreign = services.budget_create(
        actor=system.vcse,
        forum=other_board,
        name="Theirs",
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),
        total_pence=100,
    )
    before = counts()
    refused(
        call(
            client,
            system.board_member,
            "post",
            f"{API}/decisions",
            {**base, "kind": "funding", "budget": foreign.pk, "amount_requested_pence": 50},
        ),
        "Choose one of this forum's budgets",
    )
    # Checked against the schema before any service is called: a list of errors.
    bad_bodies: list[dict[str, Any]] = [
        {"kind": "pub"},
        {"method": "coin toss"},
        {"closes_at": "2030-01-01T09:00:00"},
        # The year 10000 once in UTC: stored, it took the decision pages down for everyone.
        {"closes_at": "9999-12-31T23:59:59-05:00"},
        {"closes_at": 1767225600},
    ]
    for bad in bad_bodies:
        response = call(client, system.board_member, "post", f"{API}/decisions", {**base, **bad})
        assert response.status_code == 422
        assert isinstance(response.body["errors"], list)
    assert counts() == before
    client.force_login(system.board_member)
    assert client.get("/decisions/").status_code == 200
    assert call(client, system.board_member, "get", f"{API}/decisions").status_code == 200


def test_a_vote_has_a_threshold_and_a_quorum(client: Client, system: System, board: Forum) -> None:
    body = ok(
        call(
            client,
            system.vcse,
            "post",
            f"{API}/decisions",
            {
                "forum": board.pk,
                "kind": "service_change",
                "method": "vote",
                "title": "Open on Saturdays",
                "proposal": "Open the hub on Saturday mornings.",
                "vote_threshold_percent": 60,
                "vote_quorum": 3,
                "closes_at": later(),
                "review_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
            },
        ),
        201,
    )
    assert (body["vote_threshold_percent"], body["vote_quorum"]) == (60, 3)
    assert body["verdict"]["reason"] == "The quorum is 3 positions; 0 taken so far."
    assert body["budget"] is None
    assert body["amount_requested_pence"] is None


def test_a_draft_is_opened_by_its_proposer(client: Client, system: System, board: Forum) -> None:
    draft = ok(
        call(
            client,
            system.vcse,
            "post",
            f"{API}/decisions",
            {
                "forum": board.pk,
                "kind": "front_door_offer",
                "title": "Same-day offer",
                "proposal": "Offer a same-day conversation to everyone referred.",
                "open": False,
            },
        ),
        201,
    )
    assert draft["status"] == "draft"
    assert Notification.objects.count() == 0
    path = f"{API}/decisions/{draft['id']}/open"
    forbidden(call(client, system.clinician_a, "post", path), "Only the proposer")
    opened = ok(call(client, system.vcse, "post", path))
    assert opened["status"] == "open"
    refused(call(client, system.vcse, "post", path), "A decision that is open for positions")


# --- Positions -------------------------------------------------------------------------------


def test_positions_need_a_reason_for_an_objection_and_an_open_decision(
    client: Client, system: System, funding: Decision
) -> None:
    path = f"{API}/decisions/{funding.pk}/position"
    before = counts()
    body = refused(
        call(client, system.vcse, "put", path, {"stance": "objection", "reason": " "}),
        "Say what your objection is",
    )
    assert list(body["errors"]) == ["reason"]
    forbidden(
        call(client, system.clinician_b, "put", path, {"stance": "consent"}),
        "Only members of System board can take a position",
    )
    assert call(client, system.vcse, "put", path, {"stance": "maybe"}).status_code == 422
    assert counts() == before

    changed = ok(call(client, system.vcse, "put", path, {"stance": "concern", "reason": "Cost"}))
    assert changed["my_position"]["reason"] == "Cost"
    changed = ok(call(client, system.vcse, "put", path, {"stance": "consent"}))
    assert changed["my_position"]["stance"] == "consent"
    assert changed["tally"]["consent"] == 1
    assert changed["tally"]["concern"] == 0
    # Both kept as history.
    assert list(PositionEvent.objects.values_list("stance", flat=True)) == ["concern", "consent"]

    services.decision_decide(
        actor=system.board_member,
        decision=funding,
        agreed=False,
        outcome="Not now",
        rationale="Wait for the new year",
    )
    before = counts()
    refused(
        call(client, system.clinician_a, "put", path, {"stance": "consent"}),
        "This decision is not agreed: positions can no longer be taken.",
    )
    assert counts() == before


def test_a_consent_round_records_only_people_present(
    client: Client, system: System, board: Forum, funding: Decision
) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    meeting = forum_services.meeting_create(
        actor=system.board_member,
        forum=board,
        starts_at=at(tomorrow, 10),
        ends_at=at(tomorrow, 11),
    )
    forum_services.attendance_set(
        actor=system.board_member,
        meeting=meeting,
        present=[system.board_member, system.vcse, system.lived_experience],
    )
    path = f"{API}/decisions/{funding.pk}/consent-round"
    before = counts()
    refused(
        call(
            client,
            system.board_member,
            "post",
            path,
            {
                "meeting": meeting.pk,
                "positions": [
                    {"person": system.vcse.pk, "stance": "consent"},
                    {"person": system.clinician_a.pk, "stance": "consent"},
                ],
            },
        ),
        "Amira Clinician was not recorded as present at this meeting",
    )
    body = refused(
        call(
            client,
            system.board_member,
            "post",
            path,
            {
                "meeting": meeting.pk,
                "positions": [
                    {"person": system.vcse.pk, "stance": "consent"},
                    {"person": system.vcse.pk, "stance": "abstain"},
                ],
            },
        ),
        "one position for each person",
    )
    assert list(body["errors"]) == ["positions"]
    for meeting_id, person_id, message in [
        (9999, system.vcse.pk, "There is no meeting with id 9999."),
        (meeting.pk, 9999, "There is no person you can see with id 9999."),
    ]:
        refused(
            call(
                client,
                system.board_member,
                "post",
                path,
                {"meeting": meeting_id, "positions": [{"person": person_id, "stance": "consent"}]},
            ),
            message,
        )
    refused(
        call(
            client,
            system.board_member,
            "post",
            path,
            {
                "meeting": meeting.pk,
                "positions": [
                    {"person": system.vcse.pk, "stance": "consent"},
                    {"person": system.lived_experience.pk, "stance": "objection"},
                ],
            },
        ),
        "Say what your objection is",
    )
    assert counts() == before

    body = ok(
        call(
            client,
            system.board_member,
            "post",
            path,
            {
                "meeting": meeting.pk,
                "positions": [
                    {"person": system.vcse.pk, "stance": "consent"},
                    {"person": system.lived_experience.pk, "stance": "stand_aside"},
                    {"person": system.board_member.pk, "stance": "consent"},
                ],
            },
        )
    )
    assert body["meeting"]["id"] == meeting.pk
    assert [(p["person"]["full_name"], p["stance"], p["meeting"]) for p in body["positions"]] == [
        ("Chloe Practitioner", "consent", meeting.pk),
        ("Dev Voice", "stand_aside", meeting.pk),
        ("Erin Board", "consent", meeting.pk),
    ]
    assert [p["full_name"] for p in body["present"]] == [
        "Chloe Practitioner",
        "Dev Voice",
        "Erin Board",
    ]
    assert [p["full_name"] for p in body["silent"]] == ["Amira Clinician"]
    assert set(PositionEvent.objects.values_list("recorded_by", flat=True)) == {
        system.board_member.pk
    }


# --- Revisions, outcomes and concurrency -----------------------------------------------------


def test_a_stale_version_is_a_conflict_and_nothing_is_overwritten(
    client: Client, system: System, funding: Decision
) -> None:
    path = f"{API}/decisions/{funding.pk}"
    read = ok(call(client, system.board_member, "get", path))
    ok(
        call(
            client,
            system.board_member,
            "post",
            f"{path}/revisions",
            {"proposal": "Revised once", "version": read["version"]},
        ),
        201,
    )
    ok(call(client, system.vcse, "put", f"{path}/position", {"stance": "consent"}))
    before = counts()
    conflict(
        call(
            client,
            system.board_member,
            "post",
            f"{path}/revisions",
            {"proposal": "Revised from a stale copy", "version": read["version"]},
        ),
        read["version"] + 1,
    )
    conflict(
        call(
            client,
            system.board_member,
            "post",
            f"{path}/outcome",
            {"agreed": True, "outcome": "Fund it", "rationale": "Need", "version": read["version"]},
        ),
        read["version"] + 1,
    )
    assert counts() == before
    funding.refresh_from_db()
    assert funding.status == "open"
    assert funding.current_revision == 2
    assert list(Revision.objects.values_list("proposal", flat=True)) == [
        "Fund a VCSE peer-support service for a year.",
        "Revised once",
    ]
    # With the version just read, the outcome is recorded.
    current = ok(call(client, system.board_member, "get", path))
    agreed = ok(
        call(
            client,
            system.board_member,
            "post",
            f"{path}/outcome",
            {
                "agreed": True,
                "outcome": "Fund it",
                "rationale": "Need",
                "version": current["version"],
            },
        )
    )
    assert agreed["version"] == current["version"] + 1
    assert call(client, system.board_member, "post", f"{path}/revisions", {}).status_code == 422


def test_only_the_proposer_revises_and_not_after_the_outcome(
    client: Client, system: System, funding: Decision
) -> None:
    path = f"{API}/decisions/{funding.pk}/revisions"
    before = counts()
    forbidden(
        call(client, system.vcse, "post", path, {"proposal": "Mine", "version": funding.version}),
        "Only the proposer can revise the proposal.",
    )
    agree(system, funding)
    funding.refresh_from_db()
    before = counts()
    body = refused(
        call(
            client,
            system.board_member,
            "post",
            path,
            {"proposal": "Too late", "version": funding.version},
        ),
        "This decision has an outcome or was withdrawn: its proposal can no longer be revised.",
    )
    assert list(body["errors"]) == ["__all__"]
    assert counts() == before
    assert Revision.objects.count() == 1


def test_an_outcome_needs_a_rationale_and_an_amount_within_the_budget(
    client: Client, system: System, budget: Budget, funding: Decision
) -> None:
    for person in (system.vcse, system.lived_experience):
        services.position_take(actor=person, decision=funding, stance="consent")
    path = f"{API}/decisions/{funding.pk}/outcome"
    base = {"agreed": True, "outcome": "Fund it", "rationale": "Need", "version": funding.version}
    before = counts()
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"rationale": " "}, "rationale", "Give the rationale"),
        ({"amount_agreed_pence": 0}, "amount_agreed_pence", "The amount must be more than £0."),
        ({"amount_agreed_pence": 4_500_001}, "amount_agreed_pence", "cannot be more than was"),
    ]
    for change, field, message in cases:
        body = refused(call(client, system.board_member, "post", path, {**base, **change}), message)
        assert list(body["errors"]) == [field]
    forbidden(
        call(client, system.clinician_b, "post", path, base),
        "Only members of this forum can record the outcome.",
    )
    assert counts() == before
    body = ok(
        call(client, system.board_member, "post", path, {**base, "amount_agreed_pence": 3_000_000})
    )
    assert body["amount_agreed_pence"] == 3_000_000
    assert body["budget"]["committed_pence"] == 3_000_000
    assert body["budget"]["remaining_pence"] == 17_000_000
    before = counts()
    refused(
        call(client, system.board_member, "post", path, {**base, "version": body["version"]}),
        "This decision is agreed: it is not open for an outcome.",
    )
    assert counts() == before


def test_withdraw_and_review(client: Client, system: System, funding: Decision) -> None:
    path = f"{API}/decisions/{funding.pk}"
    forbidden(call(client, system.vcse, "post", f"{path}/withdraw"), "Only the proposer")
    refused(
        call(client, system.board_member, "post", f"{path}/review", {"note": "Went well"}),
        "A decision that is open for positions cannot become reviewed.",
    )
    agree(system, funding)
    refused(
        call(client, system.board_member, "post", f"{path}/withdraw", {"note": "Changed my mind"}),
        "A decision that is agreed cannot become withdrawn.",
    )
    before = counts()
    body = refused(
        call(client, system.vcse, "post", f"{path}/review", {"note": " "}), "Say what the review"
    )
    assert list(body["errors"]) == ["note"]
    assert counts() == before
    reviewed = ok(
        call(client, system.vcse, "post", f"{path}/review", {"note": "Waiting times halved."})
    )
    assert reviewed["status"] == "reviewed"
    assert reviewed["events"][-1]["note"] == "Waiting times halved."
    # Reviewed funding stays committed.
    assert reviewed["budget"]["remaining_pence"] == 15_500_000

    other = services.decision_propose(
        actor=system.vcse, forum=funding.forum, kind="other", title="T", proposal="P"
    )
    withdrawn = ok(
        call(client, system.vcse, "post", f"{API}/decisions/{other.pk}/withdraw", {"note": "Dup"})
    )
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["events"][-1]["note"] == "Dup"


# --- Holds, comments and advice --------------------------------------------------------------


def test_only_a_covering_leader_holds_an_agreed_decision(
    client: Client, system: System, funding: Decision
) -> None:
    path = f"{API}/decisions/{funding.pk}/holds"
    before = counts()
    refused(
        call(client, system.board_member, "post", path, {"message": "Early"}),
        "Only an agreed decision can be held.",
    )
    agree(system, funding)
    before = counts()
    for person in (system.clinician_a, system.team_leader_a):
        forbidden(
            call(client, person, "post", path, {"message": "With you"}),
            "Only members of a leadership team that covers this forum",
        )
    too_long = call(client, system.board_member, "post", path, {"message": "x" * 281})
    assert too_long.status_code == 422
    assert counts() == before
    hold = ok(call(client, system.board_member, "post", path), 201)
    assert hold["message"] == "I stand behind this with you."
    refused(call(client, system.board_member, "post", path), "You already hold this decision.")


def test_members_comment(client: Client, system: System, funding: Decision) -> None:
    path = f"{API}/decisions/{funding.pk}/comments"
    body = ok(call(client, system.vcse, "post", path, {"body": "  Who refers in?  "}), 201)
    assert body["body"] == "Who refers in?"
    assert body["revision"] == 1
    assert body["author"] == {
        "id": system.vcse.pk,
        "full_name": "Chloe Practitioner",
        "organisation": {"id": system.vcse_org.pk, "name": "Test Mind", "kind": "vcse"},
    }
    before = counts()
    refused(call(client, system.vcse, "post", path, {"body": " "}), "Write a comment")
    forbidden(
        call(client, system.clinician_b, "post", path, {"body": "Hi"}),
        "Only members of this forum can comment",
    )
    assert counts() == before
    detail = ok(call(client, system.clinician_b, "get", f"{API}/decisions/{funding.pk}"))
    assert [c["body"] for c in detail["comments"]] == ["Who refers in?"]


def test_the_advice_process(
    client: Client, system: System, board: Forum, funding: Decision
) -> None:
    decision = services.decision_propose(
        actor=system.vcse,
        forum=board,
        kind="positive_risk",
        method="advice",
        title="Peer worker lone visits",
        proposal="Peer workers may visit alone after a risk conversation.",
    )
    path = f"{API}/decisions/{decision.pk}"
    before = counts()
    refused(
        call(
            client, system.vcse, "post", f"{API}/decisions/{funding.pk}/advice", {"adviser": 99999}
        ),
        "There is no person you can see with id 99999.",
    )
    refused(
        call(
            client,
            system.board_member,
            "post",
            f"{API}/decisions/{funding.pk}/advice",
            {"adviser": system.clinician_b.pk},
        ),
        "Advice is sought only in the advice process.",
    )
    refused(
        call(client, system.board_member, "post", f"{path}/advice", {"adviser": system.vcse.pk}),
        "The proposer seeks the advice.",
    )
    refused(
        call(
            client,
            system.vcse,
            "post",
            f"{path}/outcome",
            {"agreed": True, "outcome": "Go", "rationale": "Safe", "version": decision.version},
        ),
        "Seek advice, and record at least one piece, before deciding.",
    )
    assert counts() == before

    asked = ok(
        call(client, system.vcse, "post", f"{path}/advice", {"adviser": system.clinician_b.pk}),
        201,
    )
    assert asked["adviser"] == {"id": system.clinician_b.pk, "full_name": "Ben Clinician"}
    assert asked["given_at"] is None
    refused(
        call(client, system.vcse, "post", f"{path}/advice", {"adviser": system.clinician_b.pk}),
        "Advice was already sought from Ben Clinician.",
    )
    advice_path = f"{path}/advice/{asked['id']}"
    forbidden(
        call(client, system.clinician_a, "post", advice_path, {"advice": "Fine"}),
        "Only the person asked can give this advice.",
    )
    given = ok(
        call(client, system.clinician_b, "post", advice_path, {"advice": "Agree a check-in call."})
    )
    assert given["advice"] == "Agree a check-in call."
    assert given["given_at"] is not None
    # Another decision's advice is not found under this one.
    missing = call(
        client,
        system.clinician_b,
        "post",
        f"{API}/decisions/{funding.pk}/advice/{asked['id']}",
        {"advice": "x"},
    )
    assert missing.status_code == 404
    assert missing.body == {"detail": "No advice request found."}

    current = ok(call(client, system.vcse, "get", path))
    assert current["verdict"]["can_agree"] is True
    outcome = {
        "agreed": True,
        "outcome": "Lone visits with a check-in call.",
        "rationale": "Advice taken from psychology.",
        "version": current["version"],
    }
    refused(
        call(client, system.board_member, "post", f"{path}/outcome", outcome),
        "In the advice process the proposer makes the decision.",
    )
    decided = ok(call(client, system.vcse, "post", f"{path}/outcome", outcome))
    assert decided["status"] == "agreed"
    assert [a["advice"] for a in decided["advice"]] == ["Agree a check-in call."]


# --- The log, awaiting and notifications -----------------------------------------------------


def test_the_log_is_searched_filtered_and_paginated(
    client: Client, system: System, board: Forum, funding: Decision
) -> None:
    rota = services.decision_propose(
        actor=system.clinician_a, forum=board, kind="other", title="Rota", proposal="Weekend cover"
    )
    services.decision_revise(
        actor=system.board_member, decision=funding, proposal="Co-designed peer support"
    )
    huddle = forum_services.forum_create(
        actor=system.clinician_b, name="South huddle", kind=ForumKind.DAILY_HUDDLE
    )
    services.decision_propose(
        actor=system.clinician_b, forum=huddle, kind="move_on", title="Move on", proposal="To GP"
    )
    agree(system, funding)

    def titles(**query: Any) -> list[str]:
        body = ok(call(client, system.vcse, "get", f"{API}/decisions", query))
        return [d["title"] for d in body["items"]]

    assert titles() == ["Move on", "Rota", "Peer-support service at Test Mind"]
    assert titles(forum=board.pk) == ["Rota", "Peer-support service at Test Mind"]
    assert titles(kind="funding") == ["Peer-support service at Test Mind"]
    assert titles(status="open") == ["Move on", "Rota"]
    assert titles(mine="true") == ["Rota", "Peer-support service at Test Mind"]
    assert titles(q="co-designed") == ["Peer-support service at Test Mind"]
    assert titles(q="weekend cover") == ["Rota"]
    assert titles(q="weekend  peer") == []
    # An empty value is not "any": leave the parameter out for that.
    empty = call(client, system.vcse, "get", f"{API}/decisions", {"kind": "", "forum": ""})
    assert empty.status_code == 422
    assert [e["loc"] for e in empty.body["errors"]] == [["query", "forum"], ["query", "kind"]]
    paged = ok(call(client, system.vcse, "get", f"{API}/decisions", {"page_size": 1, "page": 2}))
    assert paged["count"] == 3
    assert [d["id"] for d in paged["items"]] == [rota.pk]
    first = ok(call(client, system.vcse, "get", f"{API}/decisions", {"kind": "funding"}))["items"]
    assert first[0] == {
        "id": funding.pk,
        "title": "Peer-support service at Test Mind",
        "forum": {"id": board.pk, "name": "System board", "kind": "board"},
        "kind": "funding",
        "method": "consent",
        "status": "agreed",
        "current_revision": 2,
        "closes_at": None,
        "proposer": {"id": system.board_member.pk, "full_name": "Erin Board"},
        "review_on": None,
        "budget": {"id": funding.budget_id, "name": "Community transformation 2026/27"},
        "amount_requested_pence": 4_500_000,
        "amount_agreed_pence": 4_500_000,
        "outcome": "Agreed",
        "decided_at": first[0]["decided_at"],
        "created_at": first[0]["created_at"],
        "hold_count": 0,
        "missing_voices": [],
        "version": Decision.objects.get(pk=funding.pk).version,
    }
    for bad in [{"kind": "pub"}, {"status": "closed"}, {"forum": "x"}]:
        assert call(client, system.vcse, "get", f"{API}/decisions", bad).status_code == 422


def test_awaiting_my_position_and_notifications(
    client: Client, system: System, funding: Decision
) -> None:
    awaiting = ok(call(client, system.vcse, "get", f"{API}/awaiting"))
    assert [d["id"] for d in awaiting] == [funding.pk]
    assert awaiting[0]["forum"]["name"] == "System board"
    assert ok(call(client, system.clinician_b, "get", f"{API}/awaiting")) == []

    notices = ok(call(client, system.vcse, "get", f"{API}/notifications"))
    assert notices["unread"] == 1
    [notice] = notices["items"]
    assert notice["kind"] == "awaiting_position"
    assert notice["decision"]["title"] == "Peer-support service at Test Mind"
    assert notice["read_at"] is None

    theirs = Notification.objects.get(person=system.lived_experience)
    marked = ok(
        call(
            client,
            system.vcse,
            "post",
            f"{API}/notifications/read",
            {"ids": [notice["id"], theirs.pk]},
        )
    )
    assert marked == {"marked": 1, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None  # someone else's is left alone
    assert ok(call(client, system.vcse, "get", f"{API}/notifications"))["items"] == []
    every = ok(call(client, system.vcse, "get", f"{API}/notifications", {"unread_only": "false"}))
    assert every["items"][0]["read_at"] is not None
    bad = call(client, system.vcse, "post", f"{API}/notifications/read", {"ids": []})
    assert bad.status_code == 422

    ok(
        call(
            client,
            system.vcse,
            "put",
            f"{API}/decisions/{funding.pk}/position",
            {"stance": "abstain"},
        )
    )
    assert ok(call(client, system.vcse, "get", f"{API}/awaiting")) == []


# --- Budgets and participatory allocation ----------------------------------------------------


def test_budgets_are_set_up_by_members(client: Client, system: System, board: Forum) -> None:
    path = f"{API}/forums/{board.pk}/budgets"
    body = {
        "name": "Winter fund",
        "period_start": "2026-10-01",
        "period_end": "2027-03-31",
        "total_pence": 1_000_000,
    }
    before = counts()
    forbidden(call(client, system.clinician_b, "post", path, body), "Only members of this forum")
    refused(call(client, system.vcse, "post", path, {**body, "total_pence": 0}), "more than £0")
    refused(
        call(client, system.vcse, "post", path, {**body, "total_pence": -1}),
        "body field total_pence must be 0 or more",
    )
    refused(
        call(client, system.vcse, "post", path, {**body, "period_end": "2026-01-01"}),
        "The period must end on or after it starts.",
    )
    assert counts() == before
    made = ok(call(client, system.vcse, "post", path, body), 201)
    assert made["forum"] == board.pk
    assert made["period_start"] == "2026-10-01"
    refused(
        call(client, system.vcse, "post", path, body),
        "There is already a budget with this forum and name",
    )


def test_a_participatory_allocation_round(
    client: Client, system: System, board: Forum, budget: Budget, funding: Decision
) -> None:
    def propose(title: str, pounds: int) -> Decision:
        return services.decision_propose(
            actor=system.vcse,
            forum=board,
            kind="funding",
            title=title,
            proposal=title,
            budget=budget,
            amount_requested_pence=pounds * POUNDS,
        )

    big = propose("Crisis café", 180_000)
    small = propose("Walking group", 30_000)
    rota = services.decision_propose(
        actor=system.vcse, forum=board, kind="other", title="Rota", proposal="Rota"
    )
    before = counts()
    for proposals, message in [
        ([funding.pk], "Choose at least two funding proposals"),
        ([funding.pk, 9999], "There is no decision with id 9999."),
        ([funding.pk, rota.pk], "“Rota” is not an open proposal for this budget"),
    ]:
        body = refused(
            call(
                client,
                system.vcse,
                "post",
                f"{API}/allocation-rounds",
                {
                    "budget": budget.pk,
                    "title": "Spring round",
                    "closes_at": later(),
                    "proposals": proposals,
                },
            ),
            message,
        )
        assert list(body["errors"]) == ["proposals"]
    assert counts() == before

    made = ok(
        call(
            client,
            system.vcse,
            "post",
            f"{API}/allocation-rounds",
            {
                "budget": budget.pk,
                "title": "Spring round",
                "closes_at": later(),
                "proposals": [funding.pk, big.pk, small.pk],
            },
        ),
        201,
    )
    path = f"{API}/allocation-rounds/{made['id']}"
    assert made["forum"]["name"] == "System board"
    assert made["funded_total_pence"] == 0
    assert all(not r["funded"] for r in made["results"])

    ok(call(client, system.vcse, "put", f"{path}/approvals", {"approve": [funding.pk, big.pk]}))
    ok(call(client, system.clinician_a, "put", f"{path}/approvals", {"approve": [funding.pk]}))
    mine = ok(
        call(client, system.lived_experience, "put", f"{path}/approvals", {"approve": [small.pk]})
    )
    assert mine["my_approvals"] == [small.pk]
    # Most approvals first; at one approval each, the smaller amount first; the café no longer
    # fits in what is left after the other two.
    assert [(r["decision"]["title"], r["approvals"], r["funded"]) for r in mine["results"]] == [
        ("Peer-support service at Test Mind", 2, True),
        ("Walking group", 1, True),
        ("Crisis café", 1, False),
    ]
    assert mine["funded_total_pence"] == 7_500_000
    assert mine["budget"]["remaining_pence"] == 20_000_000

    before = counts()
    refused(
        call(client, system.vcse, "put", f"{path}/approvals", {"approve": [rota.pk]}),
        "Approve only proposals in this round.",
    )
    forbidden(
        call(client, system.clinician_b, "put", f"{path}/approvals", {"approve": [small.pk]}),
        "Only members of this forum",
    )
    assert counts() == before
    seen = ok(call(client, system.vcse, "get", path))
    assert seen["my_approvals"] == sorted([funding.pk, big.pk])
    cleared = ok(call(client, system.vcse, "put", f"{path}/approvals", {"approve": []}))
    assert cleared["my_approvals"] == []

    # Agreed at £40,000: settled, committed once, and no longer approvable.
    ok(call(client, system.vcse, "put", f"{path}/approvals", {"approve": [funding.pk, big.pk]}))
    for person in (system.lived_experience, system.vcse, system.clinician_a):
        services.position_take(actor=person, decision=funding, stance="consent")
    services.decision_decide(
        actor=system.board_member,
        decision=funding,
        agreed=True,
        outcome="Fund it.",
        rationale="Everyone consents.",
        amount_agreed_pence=40_000 * POUNDS,
    )
    settled = ok(call(client, system.vcse, "get", path))
    assert settled["budget"]["remaining_pence"] == 16_000_000
    assert [
        (r["decision"]["title"], r["outcome"], r["funded"], r["amount_pence"])
        for r in settled["results"]
    ] == [
        ("Peer-support service at Test Mind", "agreed", True, 4_000_000),
        ("Walking group", "funded", True, 3_000_000),
        ("Crisis café", "does_not_fit", False, 18_000_000),
    ]
    assert settled["funded_total_pence"] == 7_000_000
    before = counts()
    refused(
        call(client, system.clinician_a, "put", f"{path}/approvals", {"approve": [funding.pk]}),
        "A proposal that has already been decided cannot be approved",
    )
    assert counts() == before


# --- Not found -------------------------------------------------------------------------------


def test_unknown_records_are_json_404s(client: Client, system: System, funding: Decision) -> None:
    version = {"version": 1}
    cases: list[tuple[str, str, dict[str, Any], str]] = [
        ("get", "/decisions/9999", {}, "No decision found."),
        ("post", "/decisions/9999/open", {}, "No decision found."),
        ("post", "/decisions/9999/revisions", {"proposal": "P", **version}, "No decision found."),
        ("put", "/decisions/9999/position", {"stance": "consent"}, "No decision found."),
        (
            "post",
            "/decisions/9999/consent-round",
            {"meeting": 1, "positions": [{"person": 1, "stance": "consent"}]},
            "No decision found.",
        ),
        (
            "post",
            "/decisions/9999/outcome",
            {"agreed": False, "outcome": "O", "rationale": "R", **version},
            "No decision found.",
        ),
        ("post", "/decisions/9999/withdraw", {}, "No decision found."),
        ("post", "/decisions/9999/review", {"note": "N"}, "No decision found."),
        ("post", "/decisions/9999/holds", {}, "No decision found."),
        ("post", "/decisions/9999/comments", {"body": "B"}, "No decision found."),
        ("post", "/decisions/9999/advice", {"adviser": 1}, "No decision found."),
        ("post", "/decisions/9999/advice/1", {"advice": "A"}, "No decision found."),
        ("post", f"/decisions/{funding.pk}/advice/9999", {"advice": "A"}, "No advice request"),
        ("get", "/forums/9999/budgets", {}, "No forum found."),
        (
            "post",
            "/forums/9999/budgets",
            {
                "name": "B",
                "period_start": "2026-04-01",
                "period_end": "2027-03-31",
                "total_pence": 1,
            },
            "No forum found.",
        ),
        ("get", "/budgets/9999", {}, "No budget found."),
        ("get", "/allocation-rounds/9999", {}, "No allocation round found."),
        ("put", "/allocation-rounds/9999/approvals", {"approve": []}, "No allocation round found."),
        ("get", "/no-such-thing", {}, "There is no API endpoint"),
    ]
    for method, path, body, detail in cases:
        response = call(client, system.administrator, method, f"{API}{path}", body)
        assert response.status_code == 404, (method, path, response.body)
        assert detail in response.body["detail"], (method, path, response.body)
    refused(
        call(
            client,
            system.vcse,
            "post",
            f"{API}/allocation-rounds",
            {"budget": 9999, "title": "T", "closes_at": later(), "proposals": [1, 2]},
        ),
        "There is no budget with id 9999.",
    )


# --- Queries ---------------------------------------------------------------------------------


def grow(system: System, board: Forum, decision: Decision) -> None:
    """300 more members with positions on the decision, 200 comments, advice and events."""
    people = add_members(system.board, 300, prefix="grow")
    ForumMembership.objects.bulk_create(ForumMembership(forum=board, person=p) for p in people)
    Position.objects.bulk_create(
        Position(decision=decision, revision=1, person=p, stance="consent") for p in people
    )
    Comment.objects.bulk_create(
        Comment(decision=decision, author=people[i], body=f"Comment {i}", revision=1)
        for i in range(200)
    )
    services.decision_revise(actor=system.board_member, decision=decision, proposal="Again")
    for person in people[:40]:
        services.position_take(actor=person, decision=decision, stance="consent")
    services.position_take(actor=system.vcse, decision=decision, stance="concern", reason="Cost")


def test_the_decision_page_uses_the_same_queries_whatever_its_size(
    client: Client,
    system: System,
    board: Forum,
    funding: Decision,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client.force_login(system.clinician_a)
    path = f"{API}/decisions/{funding.pk}"
    with django_assert_num_queries(SESSION_QUERIES + DECISION_QUERIES):
        small = client.get(path).json()
    grow(system, board, funding)
    with django_assert_num_queries(SESSION_QUERIES + DECISION_QUERIES):
        large = client.get(path).json()
    assert (len(small["positions"]), len(small["comments"])) == (0, 0)
    assert len(large["positions"]) == 41
    assert len(large["earlier_positions"]) == 300
    assert len(large["comments"]) == 200
    assert len(large["silent"]) == 300 - 40 + 3


READ_QUERIES = [
    # Count and page; once a decision on the page is decided (in a forum with representation
    # rules), the positions it was reached with, for the voices it was reached without.
    ("/decisions", (2, 3)),
    ("/forums/{forum}/budgets", 3),  # forum, budgets, committed
    ("/budgets/{budget}", 2),  # budget, committed
    ("/allocation-rounds/{round}", 5),  # round, proposals, approvals, committed, mine
    ("/awaiting", 1),
    ("/notifications", 2),  # unread count, latest
]


@pytest.mark.parametrize(("path", "queries"), READ_QUERIES, ids=[p for p, _ in READ_QUERIES])
def test_reads_use_the_same_queries_whatever_the_size(
    client: Client,
    system: System,
    board: Forum,
    budget: Budget,
    funding: Decision,
    django_assert_num_queries: DjangoAssertNumQueries,
    path: str,
    queries: int | tuple[int, int],
) -> None:
    before, after = queries if isinstance(queries, tuple) else (queries, queries)
    other = services.decision_propose(
        actor=system.vcse,
        forum=board,
        kind="funding",
        title="Walking group",
        proposal="Walking group",
        budget=budget,
        amount_requested_pence=100,
    )
    allocation = services.allocation_round_create(
        actor=system.vcse,
        budget=budget,
        title="Round",
        closes_at=timezone.now() + timedelta(days=3),
        proposals=[funding, other],
    )
    url = API + path.format(forum=board.pk, budget=budget.pk, round=allocation.pk)
    client.force_login(system.clinician_a)
    with django_assert_num_queries(SESSION_QUERIES + before):
        small = client.get(url)
    for i in range(5):
        services.budget_create(
            actor=system.board_member,
            forum=board,
            name=f"Fund {i}",
            period_start=date(2026, 4, 1),
            period_end=date(2027, 3, 31),
            total_pence=1_000_000,
        )
        services.decision_propose(
            actor=system.board_member,
            forum=board,
            kind="funding",
            title=f"Bid {i}",
            proposal="Bid",
            budget=budget,
            amount_requested_pence=1_000 + i,
        )
    agree(system, funding)
    for person in (system.vcse, system.clinician_a, system.lived_experience):
        services.approval_set(actor=person, allocation=allocation, approve=[other])
    with django_assert_num_queries(SESSION_QUERIES + after):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert large.json() != small.json()


@pytest.mark.django_db(transaction=True)
def test_a_write_whose_answer_cannot_be_read_is_undone(system: System, funding: Decision) -> None:
    """The position and the page it answers with are one transaction: if reading the page back
    fails, the position is not kept either, so a retry cannot double it and no error follows a
    change that stood."""
    client = Client(raise_request_exception=False)
    client.force_login(system.vcse)
    with mock.patch(
        "roundtable.decisions.selectors.decision_detail", side_effect=RuntimeError("lost")
    ):
        response = client.put(
            f"{API}/decisions/{funding.pk}/position",
            data=json.dumps({"stance": "consent"}),
            content_type="application/json",
        )
    assert response.status_code == 500
    assert response.json()["detail"].startswith("Sorry, there is a problem with the service.")
    assert Position.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE, summary__contains="osition")
    retried = client.put(
        f"{API}/decisions/{funding.pk}/position",
        data=json.dumps({"stance": "consent"}),
        content_type="application/json",
    )
    assert retried.status_code == 200
    assert Position.objects.count() == 1
