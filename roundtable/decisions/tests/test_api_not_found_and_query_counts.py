"""The decisions API: unknown records are JSON 404s, reads use the same queries whatever the
size, and a write whose answer cannot be read is undone.

Requests sign in with a session, except where a test says it uses a personal API token.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.decisions import services
from roundtable.decisions.models import Budget, Comment, Decision, Position
from roundtable.decisions.tests.helpers import API, agree, later
from roundtable.directory.tests.helpers import add_members
from roundtable.forums.models import Forum, ForumMembership
from roundtable.testing import System
from roundtable.tests.api import SESSION_QUERIES, call, refused

pytestmark = pytest.mark.django_db


# Decision, revisions, positions, members, holds, comments, advice, events, budget committed.
DECISION_QUERIES = 9


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
