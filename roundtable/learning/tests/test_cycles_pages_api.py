"""Tests of change, the pages and the API: the list (with its team filter and empty state),
starting one (from a learning statement too, linked both ways), a ramp's page and its forms
(write, try, close with study and act, plan the next), refusals (400 on a page, 422 in the API,
nothing stored), stale versions (409), who sees what (404 outside the team, absent from lists,
403 for a write to a team not yours), and lists read in the same number of queries however many
ramps there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roundtable.learning import services as learning_services
from roundtable.learning.models import Act, ChangeCycle, CycleStatus, Ramp
from roundtable.learning.services import cycles as services
from roundtable.learning.tests.helpers import event, swarm, text
from roundtable.learning.tests.test_cycles import PLAN, closed, first, start, tried
from roundtable.tests.api import SESSION_QUERIES, call, forbidden, ok, refused

pytestmark = pytest.mark.django_db

API = "/api/v1/learning"


def plan_form(prefix: str = "", **changes: str) -> dict[str, str]:
    named = f"{prefix}-" if prefix else ""
    return {f"{named}{name}": value for name, value in {**PLAN, **changes}.items()}


@pytest.fixture
def statement(system):
    response = swarm(system, event(system))
    return learning_services.statement_add(
        actor=system.team_leader_a, response=response, text="Friday discharges are missed"
    )


# -- Pages --------------------------------------------------------------------------------------


def test_the_list_says_when_there_is_nothing_yet_and_offers_to_start(system, client_for):
    page = client_for(system.clinician_a).get("/learning/tests-of-change/")
    assert page.status_code == 200
    said = text(page)
    assert "No tests of change in your teams yet." in said
    assert "Start a test of change" in said


def test_the_list_shows_ramps_newest_first_with_their_latest_cycle(system, client_for):
    older = start(system, aim="Fewer missed calls")
    closed(tried(first(older), system.clinician_a), system.clinician_a, act=Act.ADOPT)
    start(system, aim="Shorter waits at the front door")
    said = text(client_for(system.clinician_a).get("/learning/tests-of-change/"))
    assert "2 tests of change" in said
    assert said.index("Shorter waits at the front door") < said.index("Fewer missed calls")
    assert "Closed Adopt" in said
    assert "Planned" in said


def test_the_list_filters_by_team(system, client_for, trust_leader):
    start(system, aim="North's aim")
    start(system, actor=system.clinician_b, team=system.team_b, aim="South's aim")
    client = client_for(trust_leader)
    both = text(client.get("/learning/tests-of-change/"))
    assert "North's aim" in both
    assert "South's aim" in both
    south = text(client.get(f"/learning/tests-of-change/?team={system.team_b.pk}"))
    assert "South's aim" in south
    assert "North's aim" not in south


def test_starting_one_on_a_page(system, client_for):
    client = client_for(system.clinician_a)
    assert client.get("/learning/tests-of-change/new/").status_code == 200
    sent = client.post(
        "/learning/tests-of-change/new/",
        {"team": system.team_a.pk, "aim": "Everyone hears from us in two days", **plan_form()},
    )
    ramp = Ramp.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == f"/learning/tests-of-change/{ramp.pk}/#message"
    page = text(client.get(sent["Location"]))
    assert "The test of change is started. Cycle 1 is planned." in page
    assert "Everyone hears from us in two days" in page
    assert PLAN["prediction"] in page
    assert "Start trying cycle 1" in page


def test_starting_one_without_answers_says_what_to_fix(system, client_for):
    page = client_for(system.clinician_a).post(
        "/learning/tests-of-change/new/", {"team": system.team_a.pk, "aim": ""}
    )
    assert page.status_code == 400
    said = text(page)
    assert "There is a problem" in said
    assert "Say what the team is trying to achieve" in said
    assert "Say what you predict will happen" in said
    assert Ramp.objects.count() == 0


def test_a_learning_statement_starts_one_and_they_link_each_other(system, client_for, statement):
    client = client_for(system.clinician_a)
    response_page = client.get(f"/learning/responses/{statement.response_id}/")
    assert "Start a test of change from this" in text(response_page)
    link = f"/learning/tests-of-change/new/?statement={statement.pk}"
    assert link.replace("&", "&amp;") in response_page.content.decode()

    form = client.get(link)
    assert form.status_code == 200
    assert "Friday discharges are missed" in text(form)
    sent = client.post(
        "/learning/tests-of-change/new/",
        {
            "team": system.team_a.pk,
            "aim": "No Friday discharge is missed",
            "statement": statement.pk,
            **plan_form(),
        },
    )
    assert sent.status_code == 302
    ramp = Ramp.objects.get()
    assert ramp.statement == statement
    assert "It starts from what the team learned in SWARM huddle" in text(
        client.get(f"/learning/tests-of-change/{ramp.pk}/")
    )
    again = text(client.get(f"/learning/responses/{statement.response_id}/"))
    assert "Test of change: No Friday discharge is missed" in again


def test_a_statement_someone_may_not_see_starts_nothing(system, client_for, statement):
    client = client_for(system.clinician_b)
    link = f"/learning/tests-of-change/new/?statement={statement.pk}"
    assert client.get(link).status_code == 404
    page = client.post(
        "/learning/tests-of-change/new/",
        {"team": system.team_b.pk, "aim": "Aim", "statement": statement.pk, **plan_form()},
    )
    assert page.status_code == 400
    assert f"There is no learning statement you can see with id {statement.pk}" in text(page)
    assert Ramp.objects.count() == 0


def test_a_cycle_is_written_tried_closed_and_followed_on_its_page(system, client_for):
    ramp = start(system)
    cycle = first(ramp)
    client = client_for(system.vcse)
    base = f"/learning/tests-of-change/cycles/{cycle.pk}"

    sent = client.post(f"{base}/", {**plan_form("cycle", plan="Chloe calls"), "cycle-version": 1})
    assert sent.status_code == 302
    assert "Cycle 1 is saved." in text(client.get(sent["Location"]))
    sent = client.post(f"{base}/start/", {"start-version": 2})
    assert sent.status_code == 302
    page = text(client.get(sent["Location"]))
    assert "Cycle 1 is being tried." in page
    assert "Close cycle 1" in page

    # Closing without study or act: the page again, saying what to fix, nothing stored.
    refused_page = client.post(
        f"{base}/close/", {"close-what_happened": "Seven in ten", "close-version": 3}
    )
    assert refused_page.status_code == 400
    said = text(refused_page)
    assert "Say what you found when you compared what happened with your prediction" in said
    assert "Choose whether to adopt, adapt or abandon the change" in said
    cycle.refresh_from_db()
    assert (cycle.status, cycle.what_happened) == (CycleStatus.DOING, "")

    sent = client.post(
        f"{base}/close/",
        {
            "close-what_happened": "Seven in ten reached",
            "close-study": "Friday discharges were missed",
            "close-act": "adapt",
            "close-version": 3,
        },
    )
    assert sent.status_code == 302
    page = text(client.get(sent["Location"]))
    assert "Cycle 1 is closed: adapt." in page
    assert "Plan the next cycle" in page

    sent = client.post(
        f"/learning/tests-of-change/{ramp.pk}/cycles/",
        plan_form("next", change="Add Friday discharges to Monday's list"),
    )
    assert sent.status_code == 302
    page = text(client.get(sent["Location"]))
    assert "Cycle 2 is planned." in page
    assert "Add Friday discharges to Monday's list" in page
    assert list(ChangeCycle.objects.values_list("number", "status")) == [
        (1, "closed"),
        (2, "planned"),
    ]


def test_the_next_cycle_is_refused_on_the_page_while_one_is_open(system, client_for):
    ramp = start(system)
    page = client_for(system.clinician_a).post(
        f"/learning/tests-of-change/{ramp.pk}/cycles/", plan_form("next")
    )
    assert page.status_code == 400
    assert "Close cycle 1, with what you found" in text(page)
    assert ChangeCycle.objects.count() == 1


def test_a_stale_cycle_is_shown_beside_what_was_typed(system, client_for):
    cycle = first(start(system))
    services.cycle_update(
        actor=system.team_leader_a, cycle=cycle, expected_version=1, change="Gita's change"
    )
    page = client_for(system.clinician_a).post(
        f"/learning/tests-of-change/cycles/{cycle.pk}/",
        {**plan_form("cycle", change="Amira's change"), "cycle-version": 1},
    )
    assert page.status_code == 409
    said = text(page)
    assert "Someone else saved this cycle" in said
    assert "Gita's change" in said
    assert "Amira's change" in said
    cycle.refresh_from_db()
    assert cycle.change == "Gita's change"


def test_someone_outside_the_team_finds_no_ramp(system, client_for):
    ramp = start(system, aim="North's own aim")
    cycle = first(ramp)
    client = client_for(system.clinician_b)
    assert client.get(f"/learning/tests-of-change/{ramp.pk}/").status_code == 404
    base = f"/learning/tests-of-change/cycles/{cycle.pk}"
    assert client.post(f"{base}/start/", {"start-version": 1}).status_code == 404
    assert "North's own aim" not in text(client.get("/learning/tests-of-change/"))
    assert "North's own aim" not in text(client.get("/learning/"))
    cycle.refresh_from_db()
    assert cycle.status == "planned"


def test_the_start_page_shows_the_newest_tests_of_change(system, client_for):
    for n in range(4):
        start(system, aim=f"Aim number {n}")
    said = text(client_for(system.clinician_a).get("/learning/"))
    assert "Tests of change" in said
    assert "Aim number 3" in said
    assert "Aim number 1" in said
    assert "Aim number 0" not in said  # the newest three
    assert "All tests of change" in said


# -- The API ------------------------------------------------------------------------------------


def ramp_body(system, **changes):
    return {
        "team": system.team_a.pk,
        "aim": "Everyone hears from us in two days",
        **PLAN,
        **changes,
    }


def test_the_api_starts_and_reads_a_ramp(system, client, statement):
    body = ok(
        call(
            client,
            system.clinician_a,
            "post",
            f"{API}/tests-of-change",
            ramp_body(system, statement=statement.pk),
        ),
        201,
    )
    ramp = Ramp.objects.get()
    assert body["id"] == ramp.pk
    assert (body["statement"], body["response"]) == (statement.pk, statement.response_id)
    assert [(c["number"], c["status"], c["act"]) for c in body["cycles"]] == [(1, "planned", None)]
    assert body["cycles"][0]["version"] == 1
    detail = ok(call(client, system.vcse, "get", f"{API}/tests-of-change/{ramp.pk}"))
    assert detail["aim"] == "Everyone hears from us in two days"
    listed = ok(call(client, system.vcse, "get", f"{API}/tests-of-change"))
    assert listed["count"] == 1
    assert listed["items"][0]["cycle_count"] == 1
    assert listed["items"][0]["latest_status"] == "planned"


def test_the_api_refuses_what_is_wrong_with_nothing_stored(system, client, statement):
    answer = call(client, system.clinician_b, "post", f"{API}/tests-of-change", ramp_body(system))
    forbidden(answer, "Only members of North CMHT and those who lead it")
    answer = call(
        client,
        system.clinician_b,
        "post",
        f"{API}/tests-of-change",
        ramp_body(system, team=system.team_b.pk, statement=statement.pk),
    )
    refused(answer, f"There is no learning statement you can see with id {statement.pk}")
    answer = call(
        client, system.clinician_a, "post", f"{API}/tests-of-change", ramp_body(system, aim=" ")
    )
    assert refused(answer)["errors"] == {"aim": ["Say what the team is trying to achieve"]}
    assert Ramp.objects.count() == 0


def test_the_api_moves_a_cycle_through_plan_do_study_act(system, client):
    ramp = start(system)
    cycle = first(ramp)
    path = f"{API}/cycles/{cycle.pk}"
    person = system.clinician_a
    body = ok(call(client, person, "put", path, {"plan": "Chloe calls", "version": 1}))
    assert (body["plan"], body["change"], body["version"]) == ("Chloe calls", PLAN["change"], 2)
    # A stale version: 409 with the version now.
    answer = call(client, person, "put", path, {"plan": "Mine", "version": 1})
    assert answer.status_code == 409
    assert answer.body["version"] == 2
    body = ok(call(client, person, "post", f"{path}/start", {"version": 2}))
    assert body["status"] == "doing"

    # Not closed without study and act.
    answer = call(client, person, "post", f"{path}/close", {"what_happened": "Seven", "version": 3})
    assert refused(answer)["errors"] == {
        "study": ["Say what you found when you compared what happened with your prediction"],
        "act": ["Choose whether to adopt, adapt or abandon the change"],
    }
    cycle.refresh_from_db()
    assert cycle.status == "doing"

    # The next cycle waits.
    answer = call(client, person, "post", f"{API}/tests-of-change/{ramp.pk}/cycles", PLAN)
    refused(answer, "Close cycle 1")

    body = ok(
        call(
            client,
            person,
            "post",
            f"{path}/close",
            {"what_happened": "Seven", "study": "Fewer", "act": "abandon", "version": 3},
        )
    )
    assert (body["status"], body["act"], body["study"]) == ("closed", "abandon", "Fewer")
    body = ok(call(client, person, "post", f"{API}/tests-of-change/{ramp.pk}/cycles", PLAN), 201)
    assert (body["number"], body["status"]) == (2, "planned")
    assert ok(call(client, person, "get", f"{API}/cycles/{body['id']}"))["number"] == 2


def test_the_api_hides_other_teams_ramps(system, client):
    ramp = start(system)
    cycle = first(ramp)
    outsider = system.clinician_b
    assert call(client, outsider, "get", f"{API}/tests-of-change/{ramp.pk}").status_code == 404
    assert call(client, outsider, "get", f"{API}/cycles/{cycle.pk}").status_code == 404
    assert (
        call(client, outsider, "put", f"{API}/cycles/{cycle.pk}", {"version": 1}).status_code == 404
    )
    answer = call(client, outsider, "post", f"{API}/cycles/{cycle.pk}/start", {"version": 1})
    assert answer.status_code == 404
    answer = call(client, outsider, "post", f"{API}/tests-of-change/{ramp.pk}/cycles", PLAN)
    assert answer.status_code == 404
    assert ok(call(client, outsider, "get", f"{API}/tests-of-change"))["count"] == 0
    cycle.refresh_from_db()
    assert (cycle.status, cycle.version) == ("planned", 1)


# -- Lists read in a fixed number of queries ----------------------------------------------------


def grow(system, many: int) -> None:
    """`many` ramps, each with a closed cycle and an open one."""
    for n in range(many):
        ramp = start(system, aim=f"Aim {n}")
        closed(tried(first(ramp), system.clinician_a), system.clinician_a)
        services.cycle_next(actor=system.clinician_a, ramp=ramp, **PLAN)


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("path", ["/learning/tests-of-change/", "/learning/"])
def test_pages_read_in_the_same_number_of_queries_however_many(system, client_for, path):
    client = client_for(system.clinician_a)
    grow(system, 1)
    client.get(path)  # what is read once a process (sessions, content types) is read
    one = _queries(client, path)
    grow(system, 4)
    assert _queries(client, path) == one


def test_the_api_list_reads_in_the_same_number_of_queries_however_many(system, client):
    client.force_login(system.clinician_a)
    path = f"{API}/tests-of-change"
    grow(system, 1)
    client.get(path)
    one = _queries(client, path)
    grow(system, 4)
    assert _queries(client, path) == one
    assert client.get(path).json()["count"] == 5
    # The session and the person, then the list's count and its page.
    assert one == SESSION_QUERIES + 2
