"""The decisions API: the funding journey from proposal through objection, revision and consent
to the outcome and a hold.

Requests sign in with a session, except where a test says it uses a personal API token.
"""

from __future__ import annotations

import pytest
from django.test import Client

from roundtable.decisions.models import Decision
from roundtable.decisions.tests.helpers import API, counts
from roundtable.forums.models import Forum
from roundtable.testing import System
from roundtable.tests.api import call, ok, refused

pytestmark = pytest.mark.django_db


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
