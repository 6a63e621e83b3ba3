"""The API answers as its OpenAPI document says, whatever it is sent (schemathesis).

For every operation in /api/v1/openapi.json, schemathesis generates requests from the document:
bodies, query parameters and path parameters that fit it (positive) and that do not (negative).
They are sent, signed in with a personal API token, to the Django application in a small care
system (roundtable.testing, with forums, meetings, decisions, a budget, a person in care, an
offer, a concern and a support session). Ids in a request name that system's records most of the
time, and its dates are often near today, so that requests reach the services and not only "not
found" or "that date has passed".

Every answer must:

- never be a server error (5xx);
- have a status the operation documents, with the documented content type;
- match the documented schema for that status;
- for an error, be JSON with a `detail` message;
- for a request that does not fit the document, be a refusal (4xx): nothing outside the document
  is quietly accepted (such as `"owner": true` read as person 1, or `?kind=` read as any kind).

Generation is derandomised, so a run is the same every time (in CI too); each operation gets a
few examples of each kind (`EXAMPLES`). A failure prints the request to reproduce it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from roundtable.care import services as care_services
from roundtable.care.models import Stage
from roundtable.config.api import api
from roundtable.config.wsgi import application
from roundtable.decisions import services as decision_services
from roundtable.decisions.models import DecisionKind
from roundtable.directory.services import api_token_create
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind
from roundtable.learning import services as learning_services
from roundtable.learning.services import cycles as learning_cycles
from roundtable.learning.services import exchange as learning_exchange
from roundtable.learning.services import support as learning_support
from roundtable.safety import services as safety_services
from roundtable.testing import build_system, discipline
from roundtable.voice import services as voice_services
from roundtable.wellbeing import services as wellbeing_services

pytestmark = pytest.mark.django_db

# Examples a kind (positive, negative) for each operation: enough to meet each field's edges
# (empty, longest, zero, the largest number, the first and last dates…) in a few minutes. Set
# ROUNDTABLE_CONFORMANCE_EXAMPLES to search further (still derandomised).
EXAMPLES = int(os.environ.get("ROUNDTABLE_CONFORMANCE_EXAMPLES", "12"))

DOCUMENT = json.loads(json.dumps(api.get_openapi_schema()))
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
OPERATIONS = [
    (path, method.upper()) for path, methods in DOCUMENT["paths"].items() for method in methods
]


@schemathesis.check
def errors_are_json_with_detail(ctx: Any, response: Any, case: Case[Any] | None) -> bool | None:
    """Every error is JSON, `{"detail": "..."}`, whoever answered it."""
    if response.status_code < 400:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"A {response.status_code} that is not JSON") from None
    if not (isinstance(body, dict) and isinstance(body.get("detail"), str) and body["detail"]):
        raise AssertionError(f"A {response.status_code} without a `detail` message: {body}")
    return None


def test_the_error_check_refuses_an_error_that_is_not_json_with_detail() -> None:
    @dataclass
    class Answer:
        status_code: int
        content: bytes

    errors_are_json_with_detail(None, Answer(200, b"<html>"), None)  # not an error
    errors_are_json_with_detail(None, Answer(404, b'{"detail": "No team found."}'), None)
    for wrong in (b"<h1>Not Found</h1>", b'{"error": "x"}', b'{"detail": ""}', b"[]"):
        with pytest.raises(AssertionError):
            errors_are_json_with_detail(None, Answer(404, wrong), None)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    errors_are_json_with_detail,
]


@dataclass
class World:
    """The records requests may name, by the name of the field or parameter that names them."""

    token: str
    ids: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, names: str, *values: Any) -> None:
        for name in names.split():
            self.ids.setdefault(name, []).extend(values)


def build_world() -> World:
    """A care system, and everything in it that the person asking (a team leader of North CMHT,
    in its leadership team) can act on."""
    system = build_system()
    leader = system.team_leader_a
    _, token = api_token_create(actor=leader, name="Conformance")
    world = World(token=token)
    today = timezone.localdate()
    soon = timezone.now() + timedelta(days=2)

    huddle = forum_services.forum_create(
        actor=leader,
        name="North huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        members=[system.clinician_a, system.vcse],
    )
    front_door = forum_services.forum_create(
        actor=leader,
        name="Front door",
        kind=ForumKind.FRONT_DOOR,
        home_team=system.team_a,
        members=[system.clinician_a],
    )
    site = forum_services.site_create(
        actor=system.administrator, name="Hill House", teams=[system.team_a]
    )
    meeting = forum_services.meeting_create(
        actor=leader, forum=huddle, starts_at=soon, ends_at=soon + timedelta(hours=1), site=site
    )
    attendance = forum_services.attendance_record(
        actor=leader, meeting=meeting, person=system.clinician_a
    )
    budget = decision_services.budget_create(
        actor=leader,
        forum=huddle,
        name="Small grants",
        period_start=today,
        period_end=today + timedelta(days=365),
        total_pence=1_000_000,
    )
    funding = decision_services.decision_propose(
        actor=leader,
        forum=huddle,
        kind=DecisionKind.FUNDING,
        title="Peer support",
        proposal="Fund a peer support worker.",
        budget=budget,
        amount_requested_pence=400_000,
    )
    other = decision_services.decision_propose(
        actor=leader,
        forum=huddle,
        kind=DecisionKind.OTHER,
        method="advice",
        title="Rota",
        proposal="Weekend cover.",
    )
    advice = decision_services.advice_request(
        actor=leader, decision=other, adviser=system.clinician_a
    )
    draft = decision_services.decision_propose(
        actor=leader,
        forum=huddle,
        kind=DecisionKind.OTHER,
        title="Draft",
        proposal="Not yet.",
        open_now=False,
    )
    agreed = decision_services.decision_propose(
        actor=leader, forum=huddle, kind=DecisionKind.OTHER, title="Agreed", proposal="Done."
    )
    for member in (system.clinician_a, system.vcse):
        decision_services.position_take(actor=member, decision=agreed, stance="consent")
    agreed = decision_services.decision_decide(
        actor=leader, decision=agreed, agreed=True, outcome="Agreed", rationale="All consent."
    )
    second_funding = decision_services.decision_propose(
        actor=leader,
        forum=huddle,
        kind=DecisionKind.FUNDING,
        title="Walking group",
        proposal="Fund a walking group.",
        budget=budget,
        amount_requested_pence=200_000,
    )
    allocation = decision_services.allocation_round_create(
        actor=leader,
        budget=budget,
        title="Spring round",
        closes_at=soon,
        proposals=[funding, second_funding],
    )
    episode = care_services.person_refer(
        actor=leader,
        team=system.team_a,
        local_id="RT1",
        name="Sam Person",
        referral_source="gp",
        key_worker=leader,
        nhs_number="9991234578",
    )
    for stage in (Stage.OFFER_MADE, Stage.IN_SUPPORT):
        episode = care_services.episode_move(actor=leader, episode=episode, to_stage=stage)
    ready = care_services.person_refer(
        actor=leader, team=system.team_a, local_id="RT2", name="Ria Person", referral_source="gp"
    )
    for stage in (Stage.OFFER_MADE, Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON):
        ready = care_services.episode_move(actor=leader, episode=ready, to_stage=stage)
    referred = care_services.person_refer(
        actor=leader, team=system.team_a, local_id="RT3", name="Rob Person", referral_source="gp"
    )
    safety_services.safety_plan_save(
        actor=leader,
        person=episode.person,
        values={"warning_signs": "Not sleeping."},
        written_with="Sam and their key worker",
    )
    zones = care_services.zones_ensure(team=system.team_a)
    action = care_services.care_action_add(
        actor=leader, episode=episode, description="Call", owner=leader, due_on=today
    )
    offer = care_services.offer_create(
        actor=leader, name="Walking group", kind="peer_support", organisation=system.vcse_org
    )
    consent = care_services.consent_give(
        actor=leader, person=episode.person, organisation=system.vcse_org
    )
    concern, receipt = voice_services.concern_raise(
        actor=system.clinician_a,
        level="team",
        team=system.team_a,
        title="Rota gaps",
        body="Shifts left uncovered.",
        anonymous=True,
    )
    heard, _ = voice_services.concern_raise(
        actor=system.clinician_a,
        level="team",
        team=system.team_a,
        title="Parking",
        body="No spaces for visitors.",
        anonymous=False,
    )
    heard = voice_services.concern_acknowledge(actor=leader, concern=heard, expected_version=1)
    session = wellbeing_services.support_session_record(
        actor=leader, kind="reflective_practice", starts_at=soon, team=system.team_a
    )
    pulse = wellbeing_services.pulse_round_open(team=system.team_a)
    circles = [
        wellbeing_services.peer_circle_create(
            actor=system.administrator,
            name="Coaches",
            discipline=discipline("mental-health-coach"),
            members=[system.lone_coach],
        ),
        # One of the asker's own discipline, which they have not joined.
        wellbeing_services.peer_circle_create(
            actor=system.administrator, name="OTs", discipline=discipline("occupational-therapy")
        ),
    ]

    learned = learning_services.event_record(
        actor=leader,
        team=system.team_a,
        kind="near_miss",
        title="A missed call",
        what_happened="The follow-up call was not made.",
        happened_on=today,
        episode=episode,
    )
    unnamed = learning_services.event_record(
        actor=leader,
        team=system.team_a,
        kind="happened",
        title="Phones down",
        what_happened="The phones were down all morning.",
        happened_on=today,
    )
    swarm = learning_services.response_start(actor=leader, kind="swarm", events=[learned])
    factor = learning_services.factor_add(
        actor=leader, response=swarm, element="tools", note="The call list was on paper."
    )
    took_part = learning_services.participant_add(
        actor=leader, response=swarm, took_part_as="staff", person=system.clinician_a
    )
    learned_that = learning_services.statement_add(
        actor=leader, response=swarm, text="Follow-up calls belong on the board."
    )
    safety_action = learning_services.action_add(
        actor=leader,
        response=swarm,
        description="Add a follow-up column to the board",
        owner=system.clinician_a,
        due_on=today,
    )

    offered = learning_support.support_offer(
        actor=leader, event=learned, person=system.clinician_a, what="Time with me this week"
    )
    ramp = learning_cycles.ramp_start(
        actor=leader,
        team=system.team_a,
        aim="Follow-up calls never wait",
        change="A follow-up column on the board",
        prediction="No call waits more than a day",
        measure="Calls waiting, counted each Friday",
        plan="From Monday, for two weeks",
        statement=learned_that,
    )
    note = learning_exchange.note_write(
        actor=leader,
        title="A follow-up column on the board",
        what_we_tried="A column for follow-up calls.",
        what_happened="No call waited more than a day.",
        differently="Start on a Monday.",
        contact=leader,
        tags=["Huddles"],
    )

    people = [leader, system.clinician_a, system.vcse, system.clinician_b]
    world.add(
        "person owner key_worker adviser facilitator members present apologies attendees contact",
        *(p.pk for p in people),
    )
    world.add("person_id", *(p.pk for p in people), episode.person.pk)
    world.add("team team_id home_team", system.team_a.pk, system.team_b.pk)
    world.add(
        "organisation organisation_id guest_organisation gp_practice",
        system.vcse_org.pk,
        system.gp_practice.pk,
        system.trust.pk,
    )
    world.add("locality", system.north.pk)
    world.add("leadership_team_id", system.team_a_leadership.pk)
    world.add("forum forum_id", huddle.pk, front_door.pk)
    world.add("meeting meeting_id", meeting.pk)
    world.add("attendance_id", attendance.pk)
    world.add("membership_id", *huddle.memberships.values_list("pk", flat=True))
    world.add("site", site.pk)
    world.add("budget budget_id", budget.pk)
    world.add(
        "decision decision_id",
        *(d.pk for d in (funding, other, draft, agreed, second_funding)),
    )
    world.add("proposals approve", funding.pk, second_funding.pk)
    world.add("round_id", allocation.pk)
    world.add("advice_id", advice.pk)
    world.add("episode_id", episode.pk, ready.pk, referred.pk)
    world.add("zone zone_id", *(z.pk for z in zones))
    world.add("action_id", action.pk, safety_action.pk)  # a care action; a safety action
    world.add("event_id events", learned.pk, unnamed.pk)
    world.add("response_id", swarm.pk)
    world.add("factor_id", factor.pk)
    world.add("participant_id", took_part.pk)
    world.add("support_id", offered.pk)
    world.add("ramp_id", ramp.pk)
    world.add("cycle_id", *ramp.cycles.values_list("pk", flat=True))
    world.add("note_id earlier", note.pk)
    world.add("statement", learned_that.pk)
    world.add("offer offer_id", offer.pk)
    world.add("consent_id", consent.pk)
    world.add("concern_id", concern.pk, heard.pk)
    world.add("token", receipt)
    world.add("session_id session", session.pk)
    world.add("round_id", pulse.pk)  # a pulse round
    world.add("statement", *pulse.statements.values_list("pk", flat=True))
    world.add("circle_id peer_circle", *(c.pk for c in circles))
    world.add("version", 1, 2)
    now = timezone.now()
    world.add(
        DAYS,
        *(str(today + timedelta(days=n)) for n in (-1, 0, 1, 7, 30)),
    )
    world.add(MOMENTS, *((now + timedelta(hours=n)).isoformat() for n in (-2, 1, 2, 50)))
    return world


# Dates and times a request may give, often near today (else generated dates are mostly in other
# centuries, and a write that must be in the future, or within a year, is seldom reached).
DAYS = (
    "due_on action_due_on review_on reviewed_on period_start period_end starts_on ends_on since "
    "date_of_birth"
)
MOMENTS = "starts_at ends_at closes_at from to"


def naming_records(world: World, data: st.DataObject) -> Callable[[Any, str], Any]:
    """A function that replaces, some of the time, a generated id with one of the world's."""

    def replace(value: Any, name: str) -> Any:
        known = world.ids.get(name)
        if isinstance(value, dict):
            return {key: replace(item, key) for key, item in value.items()}
        if isinstance(value, list):
            return [replace(item, name) for item in value]
        if (
            known
            and isinstance(value, int | str)
            and not isinstance(value, bool)
            and not data.draw(st.booleans(), label=f"keep the generated {name}")
        ):
            return data.draw(st.sampled_from(known), label=name)
        return value

    return replace


@pytest.fixture
def connection_kept() -> Iterator[None]:
    """The application closes its database connection at the end of each request, which would
    end the test's transaction: as Django's test client does, not while the test runs."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def send(case: Case[Any], world: World) -> None:
    response = case.call(
        app=application,
        base_url="http://localhost",
        headers={"Authorization": f"Bearer {world.token}"},
    )
    case.validate_response(response, checks=CHECKS)


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
@pytest.mark.usefixtures("connection_kept")
def test_the_api_answers_as_its_document_says(path: str, method: str) -> None:
    world = build_world()
    operation = SCHEMA[path][method]
    positive = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
    negative = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)

    run = settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )

    @run
    @given(case=positive, data=st.data())
    def fits(case: Case[Any], data: st.DataObject) -> None:
        replace = naming_records(world, data)
        case.path_parameters = {
            name: replace(value, name) for name, value in (case.path_parameters or {}).items()
        }
        if case.query:
            case.query = {name: replace(value, name) for name, value in case.query.items()}
        if isinstance(case.body, dict):
            case.body = replace(case.body, "")
        send(case, world)

    @run
    @given(case=negative)
    def does_not_fit(case: Case[Any]) -> None:
        send(case, world)

    fits()
    if (
        operation.path_parameters
        or operation.query
        or "requestBody" in DOCUMENT["paths"][path][method.lower()]
    ):
        does_not_fit()


# ---------------------------------------------------------------------------------------------
# Values that are easy to read loosely, tried on every parameter and body field they could fit
# ---------------------------------------------------------------------------------------------


def resolved(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def kinds(schema: dict[str, Any]) -> set[str]:
    """What a schema takes: `integer`, `date-time`, `text`, `enum`, `boolean`, ..."""
    schema = resolved(schema)
    if "anyOf" in schema:
        return set().union(*(kinds(branch) for branch in schema["anyOf"]))
    if "enum" in schema:
        return {"enum"}
    if schema.get("type") == "string":
        return {schema.get("format", "text")}
    if schema.get("type") == "array":
        return {f"list of {kind}" for kind in kinds(schema["items"])}
    return {str(schema.get("type"))}


def address(path: str) -> str:
    """The path with an id in each of its parameters (a parameter is read before the record)."""
    return re.sub(r"\{[^}]+\}", "1", path)


EMPTY_QUERY = [
    (path, method, parameter["name"])
    for path, method in OPERATIONS
    for parameter in DOCUMENT["paths"][path][method.lower()].get("parameters", [])
    if parameter["in"] == "query" and not kinds(parameter["schema"]) <= {"text"}
]


@pytest.mark.parametrize(("path", "method", "name"), EMPTY_QUERY)
def test_an_empty_query_parameter_is_not_any_value(client_for, system, path, method, name) -> None:
    """`?kind=` is not "any kind", nor `?team=` "any team": it does not fit, and says so."""
    response = client_for(system.team_leader_a).generic(method, f"{address(path)}?{name}=")
    assert response.status_code == 422, response.content
    # A list's item is named with its place, after the list: ["query", "filters", "team", 0].
    assert any(
        error["loc"][0] == "query" and name in error["loc"] for error in response.json()["errors"]
    )


BIG_QUERY = [
    (path, method, parameter["name"])
    for path, method in OPERATIONS
    for parameter in DOCUMENT["paths"][path][method.lower()].get("parameters", [])
    if parameter["in"] == "query" and kinds(parameter["schema"]) & {"integer", "list of integer"}
]


@pytest.mark.parametrize(("path", "method", "name"), BIG_QUERY)
def test_a_query_number_beyond_what_the_database_holds_is_refused(
    client_for, system, path, method, name
) -> None:
    """`?organisation=99999999999999999999` is a 422 that says so, not a server error."""
    response = client_for(system.team_leader_a).generic(
        method, f"{address(path)}?{name}=99999999999999999999"
    )
    assert response.status_code == 422, response.content
    assert any(name in e["loc"] for e in response.json()["errors"])


def body_fields(kind: str) -> list[tuple[str, str, str]]:
    found = []
    for path, method in OPERATIONS:
        body = DOCUMENT["paths"][path][method.lower()].get("requestBody")
        if body is None:
            continue
        schema = resolved(body["content"]["application/json"]["schema"])
        for name, field_schema in schema.get("properties", {}).items():
            if kind in kinds(field_schema):
                found.append((path, method, name))
    return found


@pytest.mark.parametrize(
    ("path", "method", "name", "value", "problem"),
    [
        *((*where, True, "int_type") for where in body_fields("integer")),
        *((*where, 10**20, "less_than_equal") for where in body_fields("integer")),
        *((*where, 0, "datetime_type") for where in body_fields("date-time")),
        *((*where, 1767225600, "datetime_type") for where in body_fields("date-time")),
    ],
)
def test_a_body_field_is_not_read_loosely(
    client_for, system, path, method, name, value, problem
) -> None:
    """`"owner": true` is not person 1, `"person": 99999999999999999999` is not a server error,
    and `"starts_at": 0` is not 1 January 1970."""
    response = client_for(system.team_leader_a).generic(
        method, address(path), json.dumps({name: value}), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    errors = {(e["loc"][-1], e["type"]) for e in response.json()["errors"] if e["loc"][0] == "body"}
    assert (name, problem) in errors


@pytest.mark.parametrize(("path", "method", "name"), body_fields("date-time"))
@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:59-05:00", "2200-12-31T23:30:00-01:00", "1899-12-31T23:59:59Z"]
)
def test_a_time_beyond_what_the_pages_can_show_is_refused(
    client_for, system, path, method, name, value
) -> None:
    """`"closes_at": "9999-12-31T23:59:59-05:00"` is the year 10000 in UTC: once stored, it took
    the decision pages, the log and its export down for everyone. It is a 422 that says so."""
    response = client_for(system.team_leader_a).generic(
        method, address(path), json.dumps({name: value}), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    errors = {(e["loc"][-1], e["type"]) for e in response.json()["errors"] if e["loc"][0] == "body"}
    assert (name, "datetime_range") in errors
