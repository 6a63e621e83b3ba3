"""The decisions API: proposing, amounts that fit the budget, votes and opening a draft.

Requests sign in with a session, except where a test says it uses a personal API token.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from roundtable.decisions import services
from roundtable.decisions.models import Budget, Decision, Notification
from roundtable.decisions.tests.helpers import API, agree, counts, later
from roundtable.forums import services as forum_services
from roundtable.forums.models import Forum, ForumKind
from roundtable.testing import System
from roundtable.tests.api import call, forbidden, ok, refused

pytestmark = pytest.mark.django_db


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
