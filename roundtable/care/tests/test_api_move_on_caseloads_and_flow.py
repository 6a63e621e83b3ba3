"""The care API: a move-on decision and the ready list, caseloads, and flow for my teams.

Requests sign in with a session (see `roundtable.tests.api.call`).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from roundtable.care import services
from roundtable.care.models import Episode, Zone
from roundtable.care.tests.conftest import agree_move_on
from roundtable.care.tests.helpers import (
    API,
    bad_field,
    consent_for_test_mind,
    counts,
    in_support,
    not_found,
    ready,
    refer,
)
from roundtable.decisions import services as decision_services
from roundtable.decisions.models import Decision
from roundtable.forums.models import Forum
from roundtable.testing import System
from roundtable.tests.api import call, forbidden, ok, refused

pytestmark = pytest.mark.django_db


# --- Moving on and the ready list ------------------------------------------------------------


def test_a_move_on_decision_and_the_ready_list(
    client: Client, system: System, episode: Episode, huddle: Forum
) -> None:
    path = f"{API}/episodes/{episode.pk}/move-on-decision"
    body = {
        "destination": "gp",
        "forum": huddle.pk,
        "proposal": "Back to the GP with a plan; comes back if need be.",
    }
    before = counts()
    refused(
        call(client, system.clinician_a, "post", path, body),
        "Person 001 is not ready to move on",
    )
    errors = refused(
        call(client, system.clinician_a, "post", path, {**body, "proposal": " ", "forum": 9999}),
        "There is no forum with id 9999.",
    )["errors"]
    assert list(errors) == ["forum"]
    bad_field(
        call(client, system.clinician_a, "post", path, {**body, "destination": "moon"}),
        "destination",
    )
    assert counts() == before

    episode = ready(system, episode)
    ready_path = f"{API}/teams/{system.team_a.pk}/ready"
    [row] = ok(call(client, system.clinician_a, "get", ready_path))["items"]
    assert (row["episode"], row["days_ready"], row["move_on"], row["shared"], row["held"]) == (
        episode.pk,
        0,
        None,
        False,
        False,
    )

    consent_for_test_mind(system, episode)
    before = counts()
    forbidden(
        call(client, system.south_coach, "post", path, body),
        "can raise a move-on decision about them",
    )
    not_found(call(client, system.clinician_b, "post", path, body), "No episode found.")
    assert counts() == before

    raised = ok(call(client, system.clinician_a, "post", path, body), 201)
    assert (raised["kind"], raised["status"], raised["forum"]) == ("move_on", "open", huddle.pk)
    [row] = ok(call(client, system.clinician_a, "get", ready_path))["items"]
    assert row["move_on"]["decision"]["id"] == raised["id"]
    assert (row["shared"], row["held"]) == (False, False)

    decision = Decision.objects.get(pk=raised["id"])
    decision_services.position_take(actor=system.vcse, decision=decision, stance="consent")
    decision = decision_services.decision_decide(
        actor=system.clinician_a,
        decision=decision,
        agreed=True,
        outcome="Moves on to the GP",
        rationale="The work we agreed is done.",
    )
    decision_services.hold_add(actor=system.team_leader_a, decision=decision, message="")
    [row] = ok(call(client, system.clinician_a, "get", ready_path))["items"]
    assert row["move_on"]["decision"]["status"] == "agreed"
    assert row["move_on"]["hold_count"] == 1
    assert (row["shared"], row["held"]) == (True, True)
    not_found(call(client, system.clinician_b, "get", ready_path), "No team found.")


# --- Caseloads and flow ----------------------------------------------------------------------


def test_caseloads(client: Client, system: System, episode: Episode) -> None:
    mine = ok(call(client, system.clinician_a, "get", f"{API}/caseload"))
    [row] = mine["items"]
    assert (row["id"], row["person"]["name"], row["team"]["name"], row["stage"]) == (
        episode.pk,
        "Person 001",
        "North CMHT",
        "in_support",
    )
    assert ok(call(client, system.vcse, "get", f"{API}/caseload"))["count"] == 0
    colleague = ok(call(client, system.vcse, "get", f"{API}/caseload/{system.clinician_a.pk}"))
    assert [r["id"] for r in colleague["items"]] == [episode.pk]
    not_found(
        call(client, system.clinician_b, "get", f"{API}/caseload/{system.clinician_a.pk}"),
        "No colleague found.",
    )


def test_flow_is_for_my_teams(
    client: Client, system: System, huddle: Forum, zones: dict[str, Zone]
) -> None:
    first = in_support(system, 1)
    services.episode_zone_set(actor=system.clinician_a, episode=first, zone=zones["Red"])
    second = in_support(system, 2)
    services.episode_zone_set(
        actor=system.clinician_a, episode=second, zone=zones["Ready to move on"]
    )
    second = Episode.objects.get(pk=second.pk)
    decision = agree_move_on(system, huddle, second)
    services.episode_move(
        actor=system.clinician_a,
        episode=second,
        to_stage="moved_on",
        destination="gp",
        decision=decision,
    )
    # A key worker is a member of the team (Ben is in South CMHT).
    refer(system, "S1", "Sam South", team=system.team_b, key_worker=system.clinician_b)

    flow = ok(call(client, system.clinician_a, "get", f"{API}/flow", {"zone_days": 2}))
    assert flow["teams"] == [system.team_a.pk]
    assert flow["referral_to_offer"] == {
        "count": 2,
        "median": 0.0,
        "histogram": [{"days": 0, "count": 2}],
    }
    assert flow["ready_to_moved_on"]["count"] == 1
    assert (flow["moved_on"], flow["came_back"]) == (1, 0)
    assert flow["caseload_by_key_worker"] == [{"key_worker": "Amira Clinician", "count": 1}]
    assert [day["zones"] for day in flow["zone_mix"]] == [{}, {"Red": 1}]
    assert flow["zone_mix"][-1]["day"] == timezone.localdate().isoformat()

    explicit = ok(
        call(client, system.clinician_a, "get", f"{API}/flow?team={system.team_a.pk}&zone_days=0")
    )
    assert (explicit["teams"], explicit["zone_mix"]) == ([system.team_a.pk], [])
    later = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert (
        ok(call(client, system.clinician_a, "get", f"{API}/flow", {"since": later}))[
            "referral_to_offer"
        ]["count"]
        == 0
    )
    south = ok(call(client, system.clinician_b, "get", f"{API}/flow"))
    assert (south["teams"], south["moved_on"]) == ([system.team_b.pk], 0)
    assert south["caseload_by_key_worker"] == [{"key_worker": "Ben Clinician", "count": 1}]
    not_found(
        call(
            client,
            system.clinician_a,
            "get",
            f"{API}/flow?team={system.team_a.pk}&team={system.team_b.pk}",
        ),
        "No team found.",
    )
    nobody = ok(call(client, system.administrator, "get", f"{API}/flow"))
    assert (nobody["teams"], nobody["referral_to_offer"]["count"]) == ([], 0)
    bad_field(
        call(client, system.clinician_a, "get", f"{API}/flow", {"zone_days": 999}), "zone_days"
    )
