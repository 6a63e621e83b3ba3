"""The decisions API: the log (searched, filtered, paginated), awaiting my position and
notifications.

Requests sign in with a session, except where a test says it uses a personal API token.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from roundtable.decisions import services
from roundtable.decisions.models import Decision, Notification
from roundtable.decisions.tests.helpers import API, agree
from roundtable.forums import services as forum_services
from roundtable.forums.models import Forum, ForumKind
from roundtable.testing import System
from roundtable.tests.api import call, ok

pytestmark = pytest.mark.django_db


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
