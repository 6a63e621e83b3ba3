"""The learning API: each endpoint's success; 404 for an event, response or action the caller may
not see (and absence from every list); 403 outside the team; 409 for a stale version with the
version now; 422 for what a service refuses, naming the field, with nothing stored; and lists
read in the same number of queries however many rows they hold.

401 without credentials is checked for every operation, these included, by
roundtable/tests/test_api_credentials.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roundtable.directory.services import api_token_create
from roundtable.learning import services
from roundtable.learning.models import (
    ActionStatus,
    ContributoryFactor,
    EventKind,
    LearningEvent,
    LearningResponse,
    LearningStatement,
    Participant,
    ResponseKind,
    SafetyAction,
)
from roundtable.learning.tests.helpers import days_ago, event, swarm
from roundtable.tests.api import SESSION_QUERIES, call, forbidden, ok, refused

pytestmark = pytest.mark.django_db

API = "/api/v1/learning"


@pytest.fixture
def about_dee(system, episode):
    return event(system, episode=episode, title="A missed follow-up call")


def stored() -> tuple[int, ...]:
    return (
        LearningEvent.objects.count(),
        LearningResponse.objects.count(),
        ContributoryFactor.objects.count(),
        Participant.objects.count(),
        LearningStatement.objects.count(),
        SafetyAction.objects.count(),
    )


def event_body(system, **changes):
    return {
        "team": system.team_a.pk,
        "kind": EventKind.NEAR_MISS,
        "title": "A letter went to the wrong address",
        "what_happened": "The clinic letter was posted to an old address.",
        "happened_on": days_ago(1).isoformat(),
        "place": "The clinic",
        **changes,
    }


def agreed_action(system, response, **changes):
    values = {
        "actor": system.team_leader_a,
        "response": response,
        "description": "Put follow-up calls on the huddle board",
        "owner": system.clinician_a,
        "due_on": timezone.localdate() + timedelta(days=14),
        **changes,
    }
    return services.action_add(**values)


# -- Events -------------------------------------------------------------------------------------


def test_an_event_is_recorded_about_someone_and_read_back(system, client, episode):
    _, token = api_token_create(actor=system.clinician_a, name="Reporting script")
    answer = client.post(
        f"{API}/events",
        event_body(system, episode=episode.pk),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.json()
    made = answer.json()
    assert made["title"] == "A letter went to the wrong address"
    assert made["team"]["name"] == "North CMHT"
    assert made["kind"] == "near_miss"
    assert made["person"] == {"id": episode.person_id, "local_id": "S1", "name": "Dee Example"}
    assert made["episode"] == episode.pk
    assert made["recorded_by"]["full_name"] == "Amira Clinician"
    assert (made["version"], made["responses"]) == (1, [])
    stored_event = LearningEvent.objects.get()
    assert (stored_event.person_id, stored_event.place) == (episode.person_id, "The clinic")

    response = swarm(system, stored_event)
    read = ok(call(client, system.vcse, "get", f"{API}/events/{made['id']}"))
    assert read["what_happened"] == "The clinic letter was posted to an old address."
    assert read["responses"] == [response.pk]

    listed = ok(call(client, system.vcse, "get", f"{API}/events"))
    assert listed["count"] == 1
    assert listed["items"][0]["id"] == made["id"]
    assert listed["items"][0]["happened_on"] == days_ago(1).isoformat()
    south = ok(call(client, system.vcse, "get", f"{API}/events", {"team": system.team_b.pk}))
    assert south == {"items": [], "count": 0}


def test_an_event_too_long_is_refused_and_nothing_stored(system, client):
    answer = call(
        client,
        system.clinician_a,
        "post",
        f"{API}/events",
        event_body(system, what_happened="x" * 200_000),
    )
    refused(answer, "what_happened", "20,000 characters or fewer")
    assert stored() == (0, 0, 0, 0, 0, 0)


def test_an_event_in_the_future_is_refused_in_plain_words(system, client):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    answer = call(
        client,
        system.clinician_a,
        "post",
        f"{API}/events",
        event_body(system, happened_on=tomorrow),
    )
    body = refused(answer, "The date it happened cannot be in the future")
    assert body["errors"] == {"happened_on": ["The date it happened cannot be in the future"]}
    assert stored() == (0, 0, 0, 0, 0, 0)


def test_an_event_names_only_someone_the_recorder_may_see(system, client, episode):
    # Ben works in South CMHT: Dee, in North's care, is no one he may see. He is told only that
    # there is no such person, as for an id that names no one at all.
    hidden = call(
        client,
        system.clinician_b,
        "post",
        f"{API}/events",
        event_body(system, team=system.team_b.pk, person=episode.person_id),
    )
    refused(hidden)
    assert hidden.body["errors"] == {
        "person": [f"There is no person in care with id {episode.person_id}."]
    }
    nobody = call(
        client,
        system.clinician_b,
        "post",
        f"{API}/events",
        event_body(system, team=system.team_b.pk, person=999_999),
    )
    assert nobody.body["errors"] == {"person": ["There is no person in care with id 999999."]}
    assert stored() == (0, 0, 0, 0, 0, 0)


def test_only_the_team_and_its_leaders_record_its_events(system, client):
    forbidden(
        call(client, system.clinician_b, "post", f"{API}/events", event_body(system)),
        "Only members of North CMHT and those who lead it",
    )
    refused(
        call(client, system.clinician_a, "post", f"{API}/events", event_body(system, team=999_999)),
        "There is no team with id 999999.",
    )
    assert stored() == (0, 0, 0, 0, 0, 0)


# -- Need to know -------------------------------------------------------------------------------


def test_who_may_not_see_the_person_finds_nothing_of_them(system, client, about_dee, trust_leader):
    response = swarm(system, about_dee)
    action = agreed_action(system, response)
    plain = event(system, title="Phones down for a morning")

    # The caring team sees all of it.
    ok(call(client, system.clinician_a, "get", f"{API}/events/{about_dee.pk}"))
    ok(call(client, system.clinician_a, "get", f"{API}/responses/{response.pk}"))
    ok(call(client, system.clinician_a, "get", f"{API}/actions/{action.pk}"))

    # Jo leads North CMHT, so sees its learning about no one; not Dee's.
    events = ok(call(client, trust_leader, "get", f"{API}/events"))
    assert [e["id"] for e in events["items"]] == [plain.pk]
    assert ok(call(client, trust_leader, "get", f"{API}/responses")) == {"items": [], "count": 0}
    for path, missing in [
        (f"{API}/events/{about_dee.pk}", f"{API}/events/999999"),
        (f"{API}/responses/{response.pk}", f"{API}/responses/999999"),
        (f"{API}/actions/{action.pk}", f"{API}/actions/999999"),
    ]:
        hidden = call(client, trust_leader, "get", path)
        assert hidden.status_code == 404
        # The same answer as for a record that does not exist.
        assert hidden.body == call(client, trust_leader, "get", missing).body
    # Nor may she write to what she cannot see.
    before = stored()
    writes: list[tuple[str, str, dict[str, Any]]] = [
        ("put", f"{API}/responses/{response.pk}", {"what_happened": "x", "version": 1}),
        ("post", f"{API}/responses/{response.pk}/statements", {"text": "x"}),
        ("post", f"{API}/actions/{action.pk}/progress", {"to_status": "done", "version": 1}),
    ]
    for method, path, body in writes:
        assert call(client, trust_leader, method, path, body).status_code == 404
    assert stored() == before
    # Nor link Dee's event in a response of her own.
    refused(
        call(
            client,
            trust_leader,
            "post",
            f"{API}/responses",
            {"kind": "swarm", "events": [about_dee.pk]},
        ),
        f"There is no event you can see with id {about_dee.pk}.",
    )
    assert stored() == before


def test_another_team_finds_none_of_the_teams_learning(system, client):
    plain = event(system, title="Phones down for a morning")
    assert call(client, system.clinician_b, "get", f"{API}/events/{plain.pk}").status_code == 404
    assert ok(call(client, system.clinician_b, "get", f"{API}/events"))["count"] == 0


# -- Learning responses -------------------------------------------------------------------------


SWARM_ANSWERS = {
    "what_happened": "The follow-up call was not made.",
    "what_was_expected": "A call within 72 hours of discharge.",
    "why_different": "The list lived in one diary.",
    "what_now": "Calls go on the huddle board.",
}


def test_a_swarm_huddle_is_started_written_and_finished(system, client, about_dee):
    started = ok(
        call(
            client,
            system.clinician_a,
            "post",
            f"{API}/responses",
            {"kind": "swarm", "events": [about_dee.pk]},
        ),
        201,
    )
    path = f"{API}/responses/{started['id']}"
    assert (started["kind"], started["status"], started["version"]) == ("swarm", "open", 1)
    assert started["team"]["name"] == "North CMHT"
    assert started["held_on"] == timezone.localdate().isoformat()
    assert started["events"] == [
        {
            "id": about_dee.pk,
            "title": "A missed follow-up call",
            "happened_on": about_dee.happened_on.isoformat(),
        }
    ]
    # The toolkit's questions for a SWARM huddle, in its order.
    assert started["questions"] == [
        {"field": "what_happened", "question": "What happened?"},
        {"field": "what_was_expected", "question": "What was expected to happen?"},
        {"field": "why_different", "question": "Why was it different?"},
        {"field": "what_now", "question": "What do we do now?"},
    ]
    assert set(started["answers"].values()) == {""}
    assert [started[k] for k in ("factors", "participants", "statements", "actions")] == [[]] * 4

    # Finishing before every question is answered is refused, naming each.
    unanswered = refused(
        call(client, system.team_leader_a, "post", f"{path}/finish", {"version": 1}),
        "Answer “What happened?” before finishing",
    )
    assert set(unanswered["errors"]) == set(SWARM_ANSWERS)

    written = ok(
        call(client, system.vcse, "put", path, {**SWARM_ANSWERS, "version": 1}),
    )
    assert written["version"] == 2
    assert written["answers"]["why_different"] == "The list lived in one diary."
    assert written["held_on"] == timezone.localdate().isoformat()  # left out: kept

    # Someone writing over version 1 meanwhile is told the version now; nothing is overwritten.
    stale = call(client, system.clinician_a, "put", path, {"what_now": "Other", "version": 1})
    assert stale.status_code == 409
    assert stale.body["version"] == 2
    assert "Someone else changed" in stale.body["detail"]
    assert LearningResponse.objects.get().what_now == "Calls go on the huddle board."

    finished = ok(call(client, system.team_leader_a, "post", f"{path}/finish", {"version": 2}))
    assert (finished["status"], finished["version"]) == ("finished", 3)
    assert finished["finished_at"] is not None
    again = call(client, system.clinician_a, "put", path, {"what_now": "More", "version": 3})
    refused(again, "This response is finished")


def test_a_response_is_not_held_before_what_it_learns_from(system, client, about_dee):
    body = {"kind": "swarm", "events": [about_dee.pk], "held_on": days_ago(5).isoformat()}
    answer = call(client, system.clinician_a, "post", f"{API}/responses", body)
    assert refused(answer)["errors"] == {
        "held_on": ["A response is held on or after the day of what it learns from"]
    }
    assert LearningResponse.objects.count() == 0


def test_a_thematic_review_links_only_events_of_teams_the_caller_leads(
    system, client, trust_leader
):
    first = event(system, title="Phones down")
    second = event(system, title="Phones down again")
    south = event(system, team=system.team_b, actor=system.clinician_b, title="South near miss")
    thematic = {"kind": "thematic_review", "team": system.team_a.pk}

    # Amira is in North CMHT and sees its events, but leads no team.
    member = call(
        client,
        system.clinician_a,
        "post",
        f"{API}/responses",
        {**thematic, "events": [first.pk, second.pk]},
    )
    assert refused(member)["errors"] == {"events": ["Choose only events of teams you lead"]}
    # Gita leads North CMHT, not South: South's event is not hers to link (nor to see).
    leader = call(
        client,
        system.team_leader_a,
        "post",
        f"{API}/responses",
        {**thematic, "events": [first.pk, south.pk]},
    )
    refused(leader, f"There is no event you can see with id {south.pk}.")
    assert LearningResponse.objects.count() == 0

    # Jo leads both teams.
    review = ok(
        call(
            client,
            trust_leader,
            "post",
            f"{API}/responses",
            {**thematic, "events": [first.pk, south.pk, second.pk]},
        ),
        201,
    )
    assert review["kind"] == "thematic_review"
    assert review["team"]["name"] == "North CMHT"
    assert {e["id"] for e in review["events"]} == {first.pk, second.pk, south.pk}
    assert [q["field"] for q in review["questions"]] == [
        "what_happened",
        "why_different",
        "what_we_learn",
    ]
    assert ok(call(client, trust_leader, "get", f"{API}/events/{south.pk}"))["responses"] == [
        review["id"]
    ]


def test_what_a_response_records_is_added_and_removed(system, client, about_dee):
    response = swarm(system, about_dee)
    path = f"{API}/responses/{response.pk}"
    factor = ok(
        call(
            client,
            system.clinician_a,
            "post",
            f"{path}/factors",
            {"element": "tools", "note": "The follow-up list was on paper."},
        ),
        201,
    )
    assert (factor["element"], factor["note"]) == ("tools", "The follow-up list was on paper.")
    empty = call(client, system.clinician_a, "post", f"{path}/factors", {"element": "tasks"})
    assert empty.status_code == 422
    assert "body field note is missing" in empty.body["detail"]

    coach = ok(
        call(
            client,
            system.team_leader_a,
            "post",
            f"{path}/participants",
            {"took_part_as": "staff", "person": system.lone_coach.pk},
        ),
        201,
    )
    assert coach["person"]["full_name"] == "Hana Coach"
    assert coach["organisation"]["name"] == "Test Mind"
    assert coach["compassionate_engagement"] is False
    sister = ok(
        call(
            client,
            system.team_leader_a,
            "post",
            f"{path}/participants",
            {"took_part_as": "family", "described_as": "Her sister"},
        ),
        201,
    )
    assert (sister["person"], sister["described_as"]) == (None, "Her sister")
    assert sister["compassionate_engagement"] is True
    twice = call(
        client,
        system.team_leader_a,
        "post",
        f"{path}/participants",
        {"took_part_as": "staff", "person": system.lone_coach.pk},
    )
    assert refused(twice)["errors"] == {"person": ["Hana Coach is already recorded as taking part"]}

    statement = ok(
        call(
            client,
            system.clinician_a,
            "post",
            f"{path}/statements",
            {"text": "Follow-up calls are safest on a list the team shares."},
        ),
        201,
    )

    page = ok(call(client, system.vcse, "get", path))
    assert [f["id"] for f in page["factors"]] == [factor["id"]]
    assert [(p["described_as"], p["compassionate_engagement"]) for p in page["participants"]] == [
        ("", False),
        ("Her sister", True),
    ]
    assert page["statements"] == [statement]

    # A factor or participant of another response is not found under this one.
    other = swarm(system, event(system, title="Another"))
    elsewhere = f"{API}/responses/{other.pk}/factors/{factor['id']}"
    assert call(client, system.clinician_a, "delete", elsewhere).status_code == 404
    removed = call(client, system.clinician_a, "delete", f"{path}/factors/{factor['id']}")
    assert (removed.status_code, removed.body) == (204, None)
    gone = call(client, system.clinician_a, "delete", f"{path}/participants/{sister['id']}")
    assert gone.status_code == 204
    assert (ContributoryFactor.objects.count(), Participant.objects.count()) == (0, 1)
    # Another team does not find the response to add to.
    outside = call(client, system.clinician_b, "post", f"{path}/statements", {"text": "x"})
    assert outside.status_code == 404
    assert LearningStatement.objects.count() == 1


# -- Safety actions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left_out", "errors"),
    [
        ({"owner": None}, {"owner": ["Choose who owns the action"]}),
        ({"due_on": None}, {"due_on": ["Enter the date it is due"]}),
        (
            {"owner": None, "due_on": None},
            {"owner": ["Choose who owns the action"], "due_on": ["Enter the date it is due"]},
        ),
    ],
)
def test_an_action_without_an_owner_or_a_due_date_is_refused(
    system, client, about_dee, left_out, errors
):
    response = swarm(system, about_dee)
    body = {
        "description": "Put follow-up calls on the huddle board",
        "owner": system.clinician_a.pk,
        "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }
    for sent in ({**body, **left_out}, {k: v for k, v in body.items() if k not in left_out}):
        answer = call(
            client, system.team_leader_a, "post", f"{API}/responses/{response.pk}/actions", sent
        )
        assert refused(answer)["errors"] == errors
        for messages in errors.values():
            assert messages[0] in answer.body["detail"]
    assert SafetyAction.objects.count() == 0


def test_an_action_is_agreed_changed_and_moved_on_until_done(system, client, about_dee):
    response = swarm(system, about_dee)
    statement = services.statement_add(
        actor=system.clinician_a, response=response, text="Shared lists are safer."
    )
    due = timezone.localdate() + timedelta(days=14)
    made = ok(
        call(
            client,
            system.team_leader_a,
            "post",
            f"{API}/responses/{response.pk}/actions",
            {
                "description": "Put follow-up calls on the huddle board",
                "owner": system.clinician_a.pk,
                "due_on": due.isoformat(),
                "statement": statement.pk,
            },
        ),
        201,
    )
    assert made["owner"]["full_name"] == "Amira Clinician"
    assert (made["status"], made["due_on"], made["statement"]) == (
        "agreed",
        due.isoformat(),
        statement.pk,
    )
    assert (made["response"], made["team"], made["version"]) == (response.pk, system.team_a.pk, 1)
    path = f"{API}/actions/{made['id']}"
    assert ok(call(client, system.vcse, "get", path)) == made
    assert ok(call(client, system.vcse, "get", f"{API}/responses/{response.pk}"))["actions"] == [
        made
    ]

    changed = ok(
        call(
            client,
            system.team_leader_a,
            "put",
            path,
            {
                "description": "Add a follow-up column to the huddle board",
                "owner": system.vcse.pk,
                "due_on": due.isoformat(),
                "version": 1,
            },
        )
    )
    assert (changed["owner"]["full_name"], changed["version"]) == ("Chloe Practitioner", 2)
    no_owner = call(
        client,
        system.team_leader_a,
        "put",
        path,
        {"description": "x", "owner": None, "due_on": None, "version": 2},
    )
    assert refused(no_owner)["errors"] == {
        "owner": ["Choose who owns the action"],
        "due_on": ["Enter the date it is due"],
    }
    stale_change = call(
        client,
        system.team_leader_a,
        "put",
        path,
        {"description": "x", "owner": system.vcse.pk, "due_on": due.isoformat(), "version": 1},
    )
    assert (stale_change.status_code, stale_change.body["version"]) == (409, 2)

    no_evidence = call(
        client, system.vcse, "post", f"{path}/progress", {"to_status": "done", "version": 2}
    )
    assert refused(no_evidence)["errors"] == {"evidence": ["Say what shows the action is done"]}
    moving = ok(
        call(
            client,
            system.vcse,
            "post",
            f"{path}/progress",
            {"to_status": "in_progress", "version": 2},
        )
    )
    assert (moving["status"], moving["version"]) == ("in_progress", 3)
    stale = call(
        client,
        system.vcse,
        "post",
        f"{path}/progress",
        {"to_status": "done", "evidence": "Done", "version": 2},
    )
    assert stale.status_code == 409
    assert stale.body["version"] == 3
    assert "Someone else changed" in stale.body["detail"]
    assert SafetyAction.objects.get().status == ActionStatus.IN_PROGRESS

    done = ok(
        call(
            client,
            system.vcse,
            "post",
            f"{path}/progress",
            {"to_status": "done", "evidence": "The column is on the board.", "version": 3},
        )
    )
    assert (done["status"], done["evidence"], done["completed_on"], done["version"]) == (
        "done",
        "The column is on the board.",
        timezone.localdate().isoformat(),
        4,
    )
    back = call(
        client, system.vcse, "post", f"{path}/progress", {"to_status": "in_progress", "version": 4}
    )
    refused(back, "An action that is done cannot become in progress")


def test_overdue_actions_of_the_callers_teams(system, client, about_dee, trust_leader):
    response = services.response_start(
        actor=system.team_leader_a,
        kind=ResponseKind.SWARM,
        events=[about_dee],
        held_on=days_ago(2),
    )
    late = agreed_action(system, response, due_on=days_ago(1))
    agreed_action(system, response, description="Not due yet")
    plain = services.response_start(
        actor=system.team_leader_a,
        kind=ResponseKind.SWARM,
        events=[event(system, title="Phones down", happened_on=days_ago(3))],
        held_on=days_ago(3),
    )
    plain_late = agreed_action(system, plain, description="Fix the phones", due_on=days_ago(2))

    overdue = ok(call(client, system.clinician_a, "get", f"{API}/actions/overdue"))
    assert [a["id"] for a in overdue["items"]] == [plain_late.pk, late.pk]  # longest overdue first
    assert overdue["items"][1]["team"]["name"] == "North CMHT"
    assert overdue["items"][1]["owner"]["full_name"] == "Amira Clinician"
    # Jo leads North but may not see Dee: only the action about no one.
    assert [
        a["id"] for a in ok(call(client, trust_leader, "get", f"{API}/actions/overdue"))["items"]
    ] == [plain_late.pk]
    assert ok(call(client, system.clinician_b, "get", f"{API}/actions/overdue"))["count"] == 0


# -- Query counts -------------------------------------------------------------------------------


def queries(client: Client, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(path)
    assert answer.status_code == 200, answer.json()
    return len(captured.captured_queries), answer.json()["count"]


def grow(system, episode, many: int) -> None:
    """`many` events about Dee, each with a response held two days ago and an overdue action."""
    for n in range(many):
        about = event(system, episode=episode, title=f"Event {n}", happened_on=days_ago(3))
        response = services.response_start(
            actor=system.team_leader_a, kind=ResponseKind.SWARM, events=[about], held_on=days_ago(2)
        )
        agreed_action(system, response, due_on=days_ago(1))
        services.participant_add(
            actor=system.team_leader_a,
            response=response,
            took_part_as="staff",
            person=system.clinician_a,
        )


@pytest.mark.parametrize("path", ["/events", "/responses", "/actions/overdue"])
def test_lists_read_in_the_same_number_of_queries_however_many(system, client, episode, path):
    client.force_login(system.clinician_a)
    grow(system, episode, 1)
    few, one = queries(client, API + path)
    grow(system, episode, 4)
    many, five = queries(client, API + path)
    assert (one, five) == (1, 5)
    # The session and the person, then the list's count and its page.
    assert few == many == SESSION_QUERIES + 2
