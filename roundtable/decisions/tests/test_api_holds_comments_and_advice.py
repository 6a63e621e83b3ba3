"""The decisions API: holding an agreed decision, comments and the advice process.

Requests sign in with a session, except where a test says it uses a personal API token.
"""

from __future__ import annotations

import pytest
from django.test import Client

from roundtable.decisions import services
from roundtable.decisions.models import Decision
from roundtable.decisions.tests.helpers import API, agree, counts
from roundtable.forums.models import Forum
from roundtable.testing import System
from roundtable.tests.api import call, forbidden, ok, refused

pytestmark = pytest.mark.django_db


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
