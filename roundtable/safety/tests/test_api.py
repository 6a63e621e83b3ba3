"""The safety API: each endpoint's success, 401 without credentials, 404 for someone of another
team, 409 for a stale save and 422 for bad input, with nothing stored."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from roundtable.care import services as care_services
from roundtable.decisions.models import Decision, DecisionKind
from roundtable.forums import services as forum_services
from roundtable.safety import services
from roundtable.safety.models import (
    PositiveRiskPlan,
    ReviewFrequency,
    SafetyFormulation,
    SafetyFormulationVersion,
    SafetyPlan,
    SafetyPlanVersion,
    SafetyReview,
)
from roundtable.safety.tests.helpers import PLAN, in_support, north_mdt
from roundtable.tests.api import call, forbidden, ok, refused

pytestmark = pytest.mark.django_db

API = "/api/v1/safety"


@pytest.fixture
def episode(system):
    return in_support(system, name="Dee Example")


@pytest.fixture
def person(episode):
    return episode.person


@pytest.fixture
def plan(system, person):
    return services.safety_plan_save(
        actor=system.clinician_a, person=person, values=PLAN, written_with="Dee and her key worker"
    )


@pytest.fixture
def partner(system, person):
    """Ivo Coach works for Test Mind, which Dee consented to share with: reads, never writes."""
    care_services.consent_give(
        actor=system.clinician_a, person=person, organisation=system.vcse_org
    )
    return system.south_coach


def stored() -> tuple[int, ...]:
    return (
        SafetyPlan.objects.count(),
        SafetyPlanVersion.objects.count(),
        SafetyFormulation.objects.count(),
        SafetyFormulationVersion.objects.count(),
        SafetyReview.objects.count(),
        PositiveRiskPlan.objects.count(),
        Decision.objects.count(),
        ReviewFrequency.objects.count(),
    )


def anonymous(method: str, path: str, body: dict[str, Any] | None = None) -> int:
    client = Client()
    if method == "get":
        return client.get(path).status_code
    response = getattr(client, method)(
        path, data=json.dumps(body or {}), content_type="application/json"
    )
    return int(response.status_code)


# -- The safety record ---------------------------------------------------------------------------


def test_the_safety_record(system, client, person, plan):
    services.safety_formulation_save(
        actor=system.clinician_a, person=person, values={"protective": "Her dog."}
    )
    body = ok(call(client, system.clinician_a, "get", f"{API}/people/{person.pk}"))
    assert body["person"] == {"id": person.pk, "name": "Dee Example"}
    assert body["can_write"] is True
    assert body["plan"]["warning_signs"] == PLAN["warning_signs"]
    assert body["plan"]["written_with"] == "Dee and her key worker"
    assert body["plan"]["written_by"]["full_name"] == "Amira Clinician"
    assert body["plan"]["version"] == 1
    assert body["last_reviewed_on"] == timezone.localdate().isoformat()
    assert body["formulation"]["protective"] == "Her dog."
    assert [r["plan_version"] for r in body["reviews"]] == [1]
    assert body["positive_risk_plans"] == []
    assert anonymous("get", f"{API}/people/{person.pk}") == 401
    other = call(client, system.clinician_b, "get", f"{API}/people/{person.pk}")
    assert other.status_code == 404
    assert other.body == {"detail": "No person in care found."}


def test_a_partner_with_consent_reads_but_may_not_write(client, person, plan, partner):
    body = ok(call(client, partner, "get", f"{API}/people/{person.pk}"))
    assert body["can_write"] is False
    before = stored()
    answer = call(
        client,
        partner,
        "put",
        f"{API}/people/{person.pk}/plan",
        {**PLAN, "written_with": "Dee", "version": 1},
    )
    forbidden(answer, "not on the caseload of any of your teams")
    assert stored() == before


# -- The plan ------------------------------------------------------------------------------------


def test_writing_the_plan(system, client, person):
    path = f"{API}/people/{person.pk}/plan"
    review_on = (timezone.localdate() + timedelta(days=30)).isoformat()
    first = ok(
        call(
            client,
            system.clinician_a,
            "put",
            path,
            {**PLAN, "written_with": "Dee and her key worker", "review_on": review_on},
        )
    )
    assert (first["version"], first["review_on"]) == (1, review_on)
    second = ok(
        call(
            client,
            system.vcse,
            "put",
            path,
            {**PLAN, "what_matters": "My dog.", "written_with": "Dee", "version": 1},
        )
    )
    assert (second["version"], second["what_matters"], second["written_by"]["full_name"]) == (
        2,
        "My dog.",
        "Chloe Practitioner",
    )
    versions = ok(call(client, system.clinician_a, "get", f"{path}/versions"))
    assert versions["count"] == 2
    assert [(v["number"], v["what_matters"]) for v in versions["items"]] == [
        (2, "My dog."),
        (1, ""),
    ]
    assert anonymous("put", path, {**PLAN, "written_with": "Dee"}) == 401
    assert anonymous("get", f"{path}/versions") == 401
    before = stored()
    other = call(client, system.clinician_b, "put", path, {**PLAN, "written_with": "Dee"})
    assert other.status_code == 404
    assert call(client, system.clinician_b, "get", f"{path}/versions").status_code == 404
    assert stored() == before


def test_bad_plans_are_refused_and_nothing_is_stored(system, client, person):
    path = f"{API}/people/{person.pk}/plan"
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    body = refused(
        call(
            client,
            system.clinician_a,
            "put",
            path,
            {"warning_signs": " ", "written_with": " ", "review_on": yesterday},
        ),
        "Write at least one step of the plan",
    )
    assert set(body["errors"]) == {"warning_signs", "written_with", "review_on"}
    not_a_date = call(
        client,
        system.clinician_a,
        "put",
        path,
        {**PLAN, "written_with": "Dee", "review_on": "soon"},
    )
    assert not_a_date.status_code == 422
    assert "review_on" in not_a_date.body["detail"]
    assert stored() == (0, 0, 0, 0, 0, 0, 0, 0)


def test_a_stale_save_answers_409_with_the_stored_plan(system, client, person, plan):
    path = f"{API}/people/{person.pk}/plan"
    services.safety_plan_save(
        actor=system.clinician_a,
        person=person,
        values={**PLAN, "warning_signs": "Amira's words"},
        written_with="Dee",
        expected_version=1,
    )
    before = stored()
    answer = call(
        client,
        system.vcse,
        "put",
        path,
        {**PLAN, "warning_signs": "Chloe's words", "written_with": "Dee", "version": 1},
    )
    assert answer.status_code == 409, answer.body
    assert "Nothing has been lost" in answer.body["detail"]
    assert answer.body["plan"]["version"] == 2
    assert answer.body["plan"]["warning_signs"] == "Amira's words"
    assert stored() == before
    # A first plan sent when one exists is a conflict too, not an overwrite.
    fresh = call(client, system.vcse, "put", path, {**PLAN, "written_with": "Dee"})
    assert fresh.status_code == 409
    assert stored() == before


# -- The formulation -----------------------------------------------------------------------------


def test_writing_the_formulation(system, client, person):
    path = f"{API}/people/{person.pk}/formulation"
    first = ok(call(client, system.clinician_a, "put", path, {"presenting": "Low mood."}))
    assert (first["version"], first["presenting"]) == (1, "Low mood.")
    stale_before = stored()
    ok(call(client, system.vcse, "put", path, {"presenting": "Lifting.", "version": 1}))
    conflict = call(client, system.clinician_a, "put", path, {"presenting": "Worse.", "version": 1})
    assert conflict.status_code == 409
    assert conflict.body["formulation"]["presenting"] == "Lifting."
    assert SafetyFormulationVersion.objects.count() == stale_before[3] + 1
    before = stored()
    refused(call(client, system.clinician_a, "put", path, {"version": 2}), "at least one part")
    assert anonymous("put", path, {"presenting": "x"}) == 401
    assert call(client, system.clinician_b, "put", path, {"presenting": "x"}).status_code == 404
    assert stored() == before


# -- Reviews -------------------------------------------------------------------------------------


def test_recording_a_review(system, client, person):
    path = f"{API}/people/{person.pk}/reviews"
    refused(call(client, system.clinician_a, "post", path, {}), "no safety plan yet")
    services.safety_plan_save(
        actor=system.clinician_a, person=person, values=PLAN, written_with="Dee"
    )
    before = stored()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    refused(
        call(client, system.clinician_a, "post", path, {"reviewed_on": tomorrow}),
        "cannot be in the future",
    )
    assert anonymous("post", path) == 401
    assert call(client, system.clinician_b, "post", path, {}).status_code == 404
    assert stored() == before
    review = ok(call(client, system.clinician_a, "post", path, {"note": "Still fits."}), 201)
    assert review["note"] == "Still fits."
    assert review["plan_version"] == 1
    assert review["reviewed_by"]["full_name"] == "Amira Clinician"


# -- Positive risk-taking ------------------------------------------------------------------------

PROPOSAL = {
    "wants_to": "Go walking alone on the moors",
    "benefits": "Confidence, fitness, her own time",
    "possible_harms": "Getting lost",
    "safeguards": "Phone charged; tells her sister the route",
    "who_does_what": "Key worker plans routes with her",
}


def test_proposing_a_positive_risk_taking_plan(system, client, person, partner):
    mdt = north_mdt(system)
    path = f"{API}/people/{person.pk}/positive-risk"
    review_on = (timezone.localdate() + timedelta(days=28)).isoformat()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    south = forum_services.forum_create(
        actor=system.clinician_b, name="South MDT", kind="mdt", home_team=system.team_b
    )
    before = stored()
    body = refused(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {
                "forum": south.pk,
                "wants_to": " ",
                "benefits": " ",
                "possible_harms": " ",
                "safeguards": " ",
                "who_does_what": "\u200b",
                "review_on": yesterday,
            },
        )
    )
    assert set(body["errors"]) == {
        "forum",
        "wants_to",
        "benefits",
        "possible_harms",
        "safeguards",
        "who_does_what",
        "review_on",
    }
    forbidden(
        call(client, partner, "post", path, {**PROPOSAL, "forum": mdt.pk, "review_on": review_on}),
        "not on the caseload of any of your teams",
    )
    refused(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {**PROPOSAL, "forum": 99999, "review_on": review_on},
        ),
        "There is no forum with id 99999",
    )
    assert anonymous("post", path, {**PROPOSAL, "forum": mdt.pk}) == 401
    other = call(
        client,
        system.clinician_b,
        "post",
        path,
        {**PROPOSAL, "forum": mdt.pk, "review_on": review_on},
    )
    assert other.status_code == 404
    assert stored() == before
    created = ok(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {**PROPOSAL, "forum": mdt.pk, "review_on": review_on},
        ),
        201,
    )
    decision = Decision.objects.get(pk=created["decision"])
    assert decision.kind == DecisionKind.POSITIVE_RISK
    assert (created["status"], created["forum"]["name"], created["review_on"]) == (
        "open",
        "North MDT",
        review_on,
    )
    record = ok(call(client, system.clinician_a, "get", f"{API}/people/{person.pk}"))
    assert [p["decision"] for p in record["positive_risk_plans"]] == [decision.pk]


# -- A team's reviews ----------------------------------------------------------------------------


def test_the_teams_reviews_due(system, client, episode, plan):
    zones = {z.name: z for z in care_services.zones_ensure(team=system.team_a)}
    care_services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zones["Red"])
    path = f"{API}/teams/{system.team_a.pk}/reviews-due"
    # Reviewed today, and red is weekly: due in a week, not overdue; nothing due in 6 days.
    week = ok(call(client, system.team_leader_a, "get", path))
    assert [(r["due_on"], r["overdue"]) for r in week] == [
        ((timezone.localdate() + timedelta(days=7)).isoformat(), False)
    ]
    assert ok(call(client, system.team_leader_a, "get", path, {"within_days": 6})) == []
    SafetyReview.objects.update(reviewed_on=timezone.localdate() - timedelta(days=10))
    rows = ok(call(client, system.team_leader_a, "get", path))
    assert [
        (r["person"]["name"], r["zone"]["colour"], r["every_days"], r["days_overdue"]) for r in rows
    ] == [("Dee Example", "red", 7, 3)]
    assert rows[0]["overdue"] is True
    assert rows[0]["key_worker"]["full_name"] == "Amira Clinician"
    mine = ok(call(client, system.team_leader_a, "get", path, {"key_worker": system.vcse.pk}))
    assert mine == []
    refused(
        call(client, system.team_leader_a, "get", path, {"key_worker": system.clinician_b.pk}),
        "There is no member of North CMHT",
    )
    assert anonymous("get", path) == 401
    assert call(client, system.clinician_b, "get", path).status_code == 404


def test_review_frequencies(system, client):
    zones = {z.name: z for z in care_services.zones_ensure(team=system.team_a)}
    path = f"{API}/teams/{system.team_a.pk}/review-frequencies"
    rows = {r["zone"]["name"]: r for r in ok(call(client, system.clinician_a, "get", path))}
    assert (rows["Red"]["every_days"], rows["Red"]["chosen_days"], rows["Red"]["default_days"]) == (
        7,
        None,
        7,
    )
    body = refused(
        call(
            client,
            system.clinician_a,
            "put",
            path,
            {
                "frequencies": [
                    {"zone": zones["Red"].pk, "every_days": 3},
                    {"zone": zones["Amber"].pk, "every_days": 400},
                ]
            },
        ),
        "body field frequencies.1.every_days must be 366 or less",
    )
    assert [error["loc"] for error in body["errors"]] == [
        ["body", "payload", "frequencies", 1, "every_days"]
    ]
    assert ReviewFrequency.objects.count() == 0
    put = {"frequencies": [{"zone": zones["Red"].pk, "every_days": 3}]}
    rows = {r["zone"]["name"]: r for r in ok(call(client, system.clinician_a, "put", path, put))}
    assert (rows["Red"]["every_days"], rows["Red"]["chosen_days"]) == (3, 3)
    assert anonymous("get", path) == 401
    assert anonymous("put", path, put) == 401
    assert call(client, system.clinician_b, "get", path).status_code == 404
    assert call(client, system.clinician_b, "put", path, put).status_code == 404
    assert dict(ReviewFrequency.objects.values_list("zone__name", "every_days")) == {"Red": 3}
