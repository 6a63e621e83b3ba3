"""The care API: the offer catalogue, and the front door queue with an offer as a shared decision.

Requests sign in with a session (see `roundtable.tests.api.call`).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from roundtable.care import services
from roundtable.care.models import Episode, Offer
from roundtable.care.tests.helpers import API, bad_field, conflict, counts, not_found, refer
from roundtable.decisions import services as decision_services
from roundtable.decisions.models import Decision
from roundtable.directory.models import TeamKind
from roundtable.directory.services import front_door_set
from roundtable.forums import services as forum_services
from roundtable.forums.models import Forum, ForumKind
from roundtable.testing import System
from roundtable.tests.api import call, forbidden, ok, refused

pytestmark = pytest.mark.django_db


# Unlike conftest.py's front door, Ben (South CMHT) is a member too.
@pytest.fixture
def front_door(system: System) -> Forum:
    return forum_services.forum_create(
        actor=system.team_leader_a,
        name="North front door",
        kind=ForumKind.FRONT_DOOR,
        home_team=system.team_a,
        members=[system.clinician_a, system.team_leader_a, system.vcse, system.clinician_b],
    )


@pytest.fixture
def peer_support(system: System) -> Offer:
    return services.offer_create(
        actor=system.team_leader_a,
        name="Peer support at Test Mind",
        kind="peer_support",
        organisation=system.vcse_org,
    )


# --- The offer catalogue and the front door --------------------------------------------------


def test_the_offer_catalogue(client: Client, system: System, peer_support: Offer) -> None:
    listed = ok(call(client, system.clinician_a, "get", f"{API}/offers"))
    assert listed["count"] == 1
    assert listed["items"][0] == {
        "id": peer_support.pk,
        "name": "Peer support at Test Mind",
        "kind": "peer_support",
        "organisation": {"id": system.vcse_org.pk, "name": "Test Mind", "kind": "vcse"},
        "description": "",
        "is_active": True,
        "version": 1,
    }
    leader = system.team_leader_a
    coaching = ok(
        call(
            client,
            leader,
            "post",
            f"{API}/offers",
            {
                "name": "Mental health coaching",
                "kind": "mental_health_coach",
                "organisation": system.vcse_org.pk,
                "description": "Six sessions with a coach.",
            },
        ),
        201,
    )
    assert (coaching["kind"], coaching["version"]) == ("mental_health_coach", 1)
    path = f"{API}/offers/{coaching['id']}"
    retired = ok(call(client, leader, "patch", path, {"is_active": False, "version": 1}))
    assert (retired["is_active"], retired["name"], retired["version"]) == (
        False,
        "Mental health coaching",
        2,
    )
    assert ok(call(client, leader, "get", f"{API}/offers"))["count"] == 1
    everything = ok(call(client, leader, "get", f"{API}/offers", {"include_inactive": "true"}))
    assert everything["count"] == 2

    before = counts()
    conflict(call(client, leader, "patch", path, {"name": "Coaching", "version": 1}), 2)
    body = refused(
        call(client, leader, "patch", path, {"name": "peer support at test mind", "version": 2}),
        "There is already an offer with this name",
    )
    assert list(body["errors"]) == ["name"]
    refused(
        call(client, leader, "patch", path, {"organisation": 9999, "version": 2}),
        "There is no organisation with id 9999.",
    )
    bad_field(call(client, leader, "patch", path, {"is_active": None, "version": 2}), "payload")
    bad_field(
        call(
            client,
            leader,
            "post",
            f"{API}/offers",
            {"name": "X", "kind": "pills", "organisation": system.vcse_org.pk},
        ),
        "kind",
    )
    # Changing the catalogue is for administrators and leaders.
    forbidden(
        call(
            client,
            system.clinician_a,
            "post",
            f"{API}/offers",
            {"name": "X", "kind": "other", "organisation": system.vcse_org.pk},
        ),
        "Only administrators and leaders can change the offer catalogue.",
    )
    forbidden(
        call(client, system.clinician_a, "patch", path, {"is_active": True, "version": 2}),
        "Only administrators and leaders",
    )
    not_found(
        call(client, leader, "patch", f"{API}/offers/9999", {"version": 1}), "No offer found."
    )
    assert counts() == before
    assert ok(call(client, system.administrator, "patch", path, {"is_active": True, "version": 2}))[
        "is_active"
    ]


def test_the_front_door_queue_and_an_offer_as_a_shared_decision(
    client: Client, system: System, front_door: Forum, peer_support: Offer
) -> None:
    referral = refer(system, "FD1", "D. E.")
    queue_path = f"{API}/front-door/{front_door.pk}/referrals"
    queue = ok(call(client, system.clinician_a, "get", queue_path))
    [row] = queue["items"]
    assert (row["episode"], row["person"]["name"], row["team"]["name"]) == (
        referral.pk,
        "D. E.",
        "North CMHT",
    )
    assert (row["referral_source"], row["days_waiting"], row["open_offer"]) == ("gp", 0, None)
    # Referred late yesterday evening, under 24 hours ago: a calendar day of waiting.
    evening = (timezone.localtime() - timedelta(days=1)).replace(hour=23, minute=59)
    Episode.objects.filter(pk=referral.pk).update(referred_at=evening)
    [row] = ok(call(client, system.clinician_a, "get", queue_path))["items"]
    assert row["days_waiting"] == 1

    path = f"{API}/episodes/{referral.pk}/offer-decision"
    decision = ok(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"offer": peer_support.pk, "forum": front_door.pk},
        ),
        201,
    )
    assert decision["kind"] == "front_door_offer"
    assert decision["status"] == "open"
    assert decision["forum"] == front_door.pk
    assert decision["title"] == "Offer Peer support at Test Mind to D. E."
    [row] = ok(call(client, system.clinician_a, "get", queue_path))["items"]
    assert row["open_offer"]["decision"]["id"] == decision["id"]
    assert row["open_offer"]["offer"] == {"id": peer_support.pk, "name": peer_support.name}

    before = counts()
    refused(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"offer": peer_support.pk, "forum": front_door.pk},
        ),
        "An offer for D. E. is already open for positions.",
    )
    body = refused(
        call(client, system.clinician_a, "post", path, {"offer": 9999, "forum": front_door.pk}),
        "There is no offer with id 9999.",
    )
    assert list(body["errors"]) == ["offer"]
    body = refused(
        call(
            client,
            system.lone_coach,
            "post",
            path,
            {"offer": peer_support.pk, "forum": front_door.pk},
        ),
        f"There is no front-door forum you are a member of with id {front_door.pk}.",
    )
    assert list(body["errors"]) == ["forum"]
    # Ivo is neither in North's team nor in its front-door forum: the referral is not found.
    not_found(
        call(
            client,
            system.south_coach,
            "post",
            path,
            {"offer": peer_support.pk, "forum": front_door.pk},
        ),
        "No episode found.",
    )
    # Ben sits in the front-door meeting, which shows him nobody: a forum grants no sight.
    assert ok(call(client, system.clinician_b, "get", queue_path))["count"] == 0
    not_found(call(client, system.lone_coach, "get", queue_path), "No front-door forum found.")
    assert counts() == before
    # Once an administrator makes his team the front door for North CMHT, he sees the
    # referral while it waits for an offer.
    system.team_b.kind = TeamKind.FRONT_DOOR
    system.team_b.save(update_fields=["kind"])
    front_door_set(actor=system.administrator, front_door=system.team_b, teams=[system.team_a])
    assert ok(call(client, system.clinician_b, "get", queue_path))["count"] == 1

    # Agreeing it in the forum makes the offer.
    agreed = Decision.objects.get(pk=decision["id"])
    decision_services.position_take(actor=system.vcse, decision=agreed, stance="consent")
    decision_services.decision_decide(
        actor=system.clinician_a, decision=agreed, agreed=True, outcome="Offer it", rationale="Fits"
    )
    made = ok(call(client, system.clinician_a, "get", f"{API}/episodes/{referral.pk}"))
    assert (made["stage"], made["offer"]["id"]) == ("offer_made", peer_support.pk)
    assert ok(call(client, system.clinician_a, "get", queue_path))["count"] == 0
