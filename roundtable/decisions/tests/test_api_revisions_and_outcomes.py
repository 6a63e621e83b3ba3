"""The decisions API: revisions, outcomes, withdrawing and reviewing, and stale versions.

Requests sign in with a session, except where a test says it uses a personal API token.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from roundtable.decisions import services
from roundtable.decisions.models import Budget, Decision, Revision
from roundtable.decisions.tests.helpers import API, agree, counts
from roundtable.testing import System
from roundtable.tests.api import Answer, call, forbidden, ok, refused

pytestmark = pytest.mark.django_db


def conflict(response: Answer, version: int) -> None:
    """A 409 that says the decision's version now, so that the client can read it again."""
    assert response.status_code == 409, response.body
    assert "Someone else changed this decision" in response.body["detail"]
    assert response.body["version"] == version


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
