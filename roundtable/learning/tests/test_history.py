"""Decision history on a learning response about a person: the shared decisions and zone changes,
who took part in each and which leader held it, read through the access rules."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roundtable.directory.services import api_token_create
from roundtable.learning import selectors, services
from roundtable.learning.models import ResponseKind
from roundtable.learning.tests.helpers import (
    event,
    plan_held,
    swarm,
    text,
    zone_change_in_huddle,
)
from roundtable.safety.tests.helpers import in_support, north_mdt


def test_a_response_shows_who_decided_together_and_who_held_it(system, client, client_for, episode):
    forum = north_mdt(system)
    decision = plan_held(system, episode, forum)
    zone_change_in_huddle(system, episode, forum)
    response = swarm(system, event(system, episode=episode))

    page = selectors.response_page(system.team_leader_a, response.pk)
    [(person, history)] = page.histories
    assert person == episode.person
    assert [h.what for h in history] == ["Positive risk-taking", "Zone change"]
    plan, zone = history
    assert plan.link == reverse("decisions:decision", args=[decision.pk])
    assert {v.name for v in plan.took_part} == {
        system.vcse.full_name,
        system.team_leader_a.full_name,
    }
    assert [v.name for v in plan.held_by] == [system.team_leader_a.full_name]
    assert zone.title.endswith("Amber")
    assert {v.name for v in zone.took_part} == {system.vcse.full_name, system.clinician_a.full_name}

    body = text(
        client_for(system.team_leader_a).get(reverse("learning:response", args=[response.pk]))
    )
    assert "Decisions made together about Dee Example" in body
    assert "Held by: " + system.team_leader_a.full_name in body
    assert "Two missed visits" in body

    # The API gives the same history with the response.
    _, token = api_token_create(actor=system.team_leader_a, name="Learning review")
    answer = client.get(
        f"/api/v1/learning/responses/{response.pk}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.json()
    [about] = answer.json()["decision_history"]
    assert about["person_name"] == "Dee Example"
    plan_out, zone_out = about["entries"]
    assert plan_out["what"] == "Positive risk-taking"
    assert plan_out["held_by"] == [
        {"name": system.team_leader_a.full_name, "role": plan.held_by[0].role}
    ]
    assert {v["name"] for v in zone_out["took_part"]} == {
        system.vcse.full_name,
        system.clinician_a.full_name,
    }


def test_no_history_is_read_for_a_response_about_no_one(system, client_for):
    response = swarm(system, event(system))
    assert selectors.response_page(system.team_leader_a, response.pk).histories == []
    body = text(
        client_for(system.team_leader_a).get(reverse("learning:response", args=[response.pk]))
    )
    assert "Decisions made together" not in body


def test_an_empty_history_says_so(system, client_for, episode):
    response = swarm(system, event(system, episode=episode))
    body = text(
        client_for(system.team_leader_a).get(reverse("learning:response", args=[response.pk]))
    )
    assert "No shared decisions or zone changes are recorded about Dee Example" in body


def test_the_history_reads_a_fixed_number_of_queries(system, episode):
    forum = north_mdt(system)
    response = swarm(system, event(system, episode=episode))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.response_page(system.team_leader_a, response.pk)
        return len(captured)

    plan_held(system, episode, forum)
    zone_change_in_huddle(system, episode, forum)
    one_each = queries()
    for n in range(3):
        plan_held(system, episode, forum, wants_to=f"Walk number {n}")
    assert queries() == one_each


def test_a_thematic_review_shows_each_persons_history(system, episode):
    other = in_support(system, "S2", "Eli Example")
    forum = north_mdt(system)
    plan_held(system, other, forum)
    first = event(system, episode=episode)
    second = event(system, episode=other, title="A second missed call")
    review = services.response_start(
        actor=system.team_leader_a,
        kind=ResponseKind.THEMATIC_REVIEW,
        events=[first, second],
        team=system.team_a,
    )
    page = selectors.response_page(system.team_leader_a, review.pk)
    assert [(p.name, len(h)) for p, h in page.histories] == [("Dee Example", 0), ("Eli Example", 1)]
