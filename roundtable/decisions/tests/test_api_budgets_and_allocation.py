"""The decisions API: budgets and participatory allocation rounds.

Requests sign in with a session, except where a test says it uses a personal API token.
"""

from __future__ import annotations

import pytest
from django.test import Client

from roundtable.decisions import services
from roundtable.decisions.models import Budget, Decision
from roundtable.decisions.tests.helpers import API, POUNDS, counts, later
from roundtable.forums.models import Forum
from roundtable.testing import System
from roundtable.tests.api import call, forbidden, ok, refused

pytestmark = pytest.mark.django_db


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
