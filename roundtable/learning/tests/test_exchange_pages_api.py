"""The practice exchange's pages and API: each renders or answers, a refusal is a 400 page or a
422 with nothing stored, a stale change is a 409, and the lists read the same number of queries
however many notes, tags and comments there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roundtable.learning.models import PracticeComment, PracticeNote, TriedToo
from roundtable.learning.services import exchange as services
from roundtable.learning.tests.helpers import text
from roundtable.learning.tests.test_exchange import (
    IDENTIFIES,
    closed_cycle,
    finished_response,
    share,
    stored,
)
from roundtable.tests.api import SESSION_QUERIES, call, forbidden, ok, refused

pytestmark = pytest.mark.django_db

API = "/api/v1/learning"


def form(system, **changes):
    return {
        "title": "A shared front door",
        "what_we_tried": "One phone number for every partner.",
        "what_happened": "People were offered help sooner.",
        "differently": "",
        "email": system.clinician_b.email,
        "tags": "Front door, huddles",
        "team": "",
        **changes,
    }


# -- Pages ----------------------------------------------------------------------------------------


def test_the_list_searches_filters_and_says_when_nothing_matches(system, client_for):
    share(system, title="Huddles without a care co-ordinator")
    share(system, actor=system.vcse, title="A shared front door", tags=["Front door"])
    client = client_for(system.board_member)
    said = text(client.get("/learning/practice/"))
    assert "Share a practice note" in said
    assert "Huddles without a care co-ordinator" in said
    assert "A shared front door" in said
    said = text(client.get("/learning/practice/", {"q": "FRONT"}))
    assert "A shared front door" in said
    assert "Huddles without" not in said
    said = text(client.get("/learning/practice/", {"tag": "huddles"}))
    assert "Huddles without a care co-ordinator" in said
    assert "A shared front door" not in said
    said = text(client.get("/learning/practice/", {"organisation": system.vcse_org.pk}))
    assert "A shared front door" in said
    assert "Huddles without" not in said
    said = text(client.get("/learning/practice/", {"q": "zebra"}))
    assert "No practice notes match “zebra”" in said


def test_the_list_says_when_there_are_no_notes(system, client_for):
    said = text(client_for(system.clinician_a).get("/learning/practice/"))
    assert "No practice notes have been shared yet." in said


def test_a_note_is_shared_from_the_page(system, client_for):
    client = client_for(system.clinician_a)
    assert client.get("/learning/practice/new/").status_code == 200
    answer = client.post("/learning/practice/new/", form(system, team=str(system.team_a.pk)))
    assert answer.status_code == 302
    note = PracticeNote.objects.get()
    assert (note.contact, note.team, note.organisation) == (
        system.clinician_b,
        system.team_a,
        system.trust,
    )
    said = text(client.get(answer["Location"]))
    assert "A shared front door" in said
    assert "Ben Clinician" in said
    assert "clinician.b@test.nhs.uk" in said
    assert "Front door" in said
    assert "huddles" in said
    assert "Change this note" in said


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Give the note a title"),
        ({"what_we_tried": "x" * 200_000}, "Keep what you tried to 20,000 characters or fewer"),
        ({"email": "nobody@test.nhs.uk"}, "Nobody in Roundtable has this e-mail address"),
        ({"tags": "a, b, c, d, e, f"}, "Choose 5 tags or fewer"),
        ({"what_happened": "Seen as 999 123 4578"}, IDENTIFIES),
        ({"team": "999999"}, "Choose one of your teams, or none"),
    ],
)
def test_a_refused_note_shows_the_page_again_and_stores_nothing(
    system, client_for, changes, message
):
    answer = client_for(system.clinician_a).post("/learning/practice/new/", form(system, **changes))
    assert answer.status_code == 400
    said = text(answer)
    assert "There is a problem" in said
    assert message in said
    assert stored() == (0, 0, 0, 0)


def test_a_note_is_drawn_from_a_finished_response(system, client_for, episode):
    response = finished_response(system, episode)
    client = client_for(system.team_leader_a)
    assert "Share what you learned as a practice note" in text(
        client.get(f"/learning/responses/{response.pk}/")
    )
    page = client.get("/learning/practice/new/", {"response": response.pk})
    assert page.status_code == 200
    said = text(page)
    assert "Friday discharges go on Monday's huddle." in said
    assert "Dee" not in said.split("Share a practice note", 1)[1]
    answer = client.post(
        "/learning/practice/new/",
        form(system, from_response=str(response.pk), what_happened="Dee Example was called."),
    )
    assert answer.status_code == 400
    assert IDENTIFIES in text(answer)
    answer = client.post("/learning/practice/new/", form(system, from_response=str(response.pk)))
    assert answer.status_code == 302
    assert PracticeNote.objects.get().from_response == response


def test_a_source_the_reader_may_not_use_is_not_found(system, client_for, episode):
    response = finished_response(system, episode)
    client = client_for(system.clinician_b)
    assert client.get("/learning/practice/new/", {"response": response.pk}).status_code == 404
    cycle = closed_cycle(system)
    assert client.get("/learning/practice/new/", {"cycle": cycle.pk}).status_code == 404
    answer = client.post("/learning/practice/new/", form(system, from_cycle=str(cycle.pk)))
    assert answer.status_code == 400
    assert f"There is no finished test of change you can see with id {cycle.pk}" in text(answer)
    assert stored() == (0, 0, 0, 0)


def test_comments_and_links_are_added_on_the_notes_page(system, client_for):
    earlier = share(system, title="Huddles")
    note = share(system, actor=system.clinician_b, contact=system.clinician_b, title="Ours")
    client = client_for(system.clinician_b)
    path = f"/learning/practice/{note.pk}/"
    assert client.post(path + "comments/", {"text": "Started in May."}).status_code == 302
    assert client.post(path + "tried-too/", {"earlier": str(earlier.pk)}).status_code == 302
    said = text(client.get(path))
    assert "Started in May." in said
    said = text(client.get(f"/learning/practice/{earlier.pk}/"))
    assert "Ours" in said  # we tried this too, seen from the earlier note
    answer = client.post(path + "comments/", {"text": "x" * 2_001})
    assert answer.status_code == 400
    assert "Keep a comment to 2,000 characters or fewer" in text(answer)
    answer = client.post(path + "tried-too/", {"earlier": str(earlier.pk)})
    assert answer.status_code == 400  # no longer offered: linked already
    assert (PracticeComment.objects.count(), TriedToo.objects.count()) == (1, 1)


def test_a_note_is_changed_by_its_writer_and_a_stale_change_shows_both(system, client_for):
    note = share(system)
    client = client_for(system.clinician_a)
    path = f"/learning/practice/{note.pk}/edit/"
    assert client.get(path).status_code == 200
    changed = form(system, title="Saved first", version="1", email=system.clinician_a.email)
    assert client.post(path, changed).status_code == 302
    stale = client.post(path, {**changed, "title": "Typed second"})
    assert stale.status_code == 409
    said = text(stale)
    assert "Someone else changed this note" in said
    assert "Saved first" in said
    assert "Typed second" in said
    assert PracticeNote.objects.get().title == "Saved first"
    assert client_for(system.clinician_b).get(path).status_code == 403


def test_the_learning_start_page_shows_the_newest_notes(system, client_for):
    for n in range(4):
        share(system, title=f"Note {n}")
    said = text(client_for(system.board_member).get("/learning/"))
    assert "Practice exchange" in said
    assert "Note 3" in said
    assert "Note 1" in said
    assert "Note 0" not in said


# -- API ------------------------------------------------------------------------------------------


def body(system, **changes):
    return {
        "title": "A shared front door",
        "what_we_tried": "One phone number for every partner.",
        "what_happened": "People were offered help sooner.",
        "contact": system.clinician_a.pk,
        "tags": ["Front door"],
        **changes,
    }


def test_a_note_is_shared_read_changed_commented_and_linked(system, client):
    made = ok(call(client, system.clinician_a, "post", f"{API}/practice-notes", body(system)), 201)
    assert made["organisation"]["name"] == "Test Mental Health Trust"
    assert made["tags"][0]["slug"] == "front-door"
    assert made["source"] is None
    path = f"{API}/practice-notes/{made['id']}"
    read = ok(call(client, system.vcse, "get", path))
    assert read["contact"]["full_name"] == "Amira Clinician"
    changed = ok(
        call(client, system.clinician_a, "put", path, body(system, title="Changed", version=1))
    )
    assert (changed["title"], changed["version"]) == ("Changed", 2)
    stale = call(client, system.clinician_a, "put", path, body(system, version=1))
    assert stale.status_code == 409
    assert stale.body["version"] == 2
    forbidden(call(client, system.vcse, "put", path, body(system, version=2)))
    comment = call(client, system.vcse, "post", path + "/comments", {"text": "We did too."})
    assert ok(comment, 201)["author"]["full_name"] == "Chloe Practitioner"
    other = share(system, actor=system.vcse, contact=system.vcse, title="Ours")
    link = call(
        client,
        system.vcse,
        "post",
        f"{API}/practice-notes/{other.pk}/tried-too",
        {"earlier": made["id"]},
    )
    assert ok(link, 201)["earlier"]["id"] == made["id"]
    again = call(
        client,
        system.vcse,
        "post",
        f"{API}/practice-notes/{other.pk}/tried-too",
        {"earlier": made["id"]},
    )
    refused(again, "This note is already linked to “Changed”")
    read = ok(call(client, system.clinician_b, "get", path))
    assert [n["id"] for n in read["echoed_by"]] == [other.pk]
    assert [c["text"] for c in read["comments"]] == ["We did too."]
    tags = ok(call(client, system.clinician_b, "get", f"{API}/practice-tags"))
    counts = {t["slug"]: t["note_count"] for t in tags["items"]}
    assert counts == {"front-door": 1, "huddles": 1, "replacing-care-co-ordination": 1}


def test_the_api_refuses_what_could_identify_someone_and_stores_nothing(system, client, episode):
    response = finished_response(system, episode)
    answer = call(
        client,
        system.team_leader_a,
        "post",
        f"{API}/practice-notes",
        body(system, from_response=response.pk, what_we_tried="Called Dee Example"),
    )
    assert IDENTIFIES in refused(answer)["errors"]["what_we_tried"][0]
    answer = call(
        client,
        system.clinician_b,
        "post",
        f"{API}/practice-notes",
        body(system, from_response=response.pk),
    )
    refused(answer, f"There is no finished learning response you can see with id {response.pk}")
    answer = call(
        client,
        system.clinician_a,
        "post",
        f"{API}/practice-notes",
        body(system, what_happened="x" * 200_000),
    )
    assert answer.status_code == 422
    assert stored()[0] == 0
    made = ok(
        call(
            client,
            system.team_leader_a,
            "post",
            f"{API}/practice-notes",
            body(system, from_response=response.pk),
        ),
        201,
    )
    assert made["source"] == {"kind": "response", "id": response.pk}
    # Ben may read the note, but not the response it came from.
    assert (
        ok(call(client, system.clinician_b, "get", f"{API}/practice-notes/{made['id']}"))["source"]
        is None
    )


def test_an_unknown_note_is_not_found(system, client):
    assert (
        call(client, system.clinician_a, "get", f"{API}/practice-notes/999999").status_code == 404
    )
    comment = call(
        client,
        system.clinician_a,
        "post",
        f"{API}/practice-notes/999999/comments",
        {"text": "Hello"},
    )
    assert comment.status_code == 404


def test_the_list_is_searched_and_filtered(system, client):
    share(system, title="Huddles")
    door = share(system, actor=system.vcse, title="Front door", tags=["Front door"])
    listed = ok(call(client, system.clinician_b, "get", f"{API}/practice-notes", {"q": "front"}))
    assert [n["id"] for n in listed["items"]] == [door.pk]
    listed = ok(
        call(
            client,
            system.clinician_b,
            "get",
            f"{API}/practice-notes",
            {"organisation": system.vcse_org.pk},
        )
    )
    assert [n["id"] for n in listed["items"]] == [door.pk]
    assert listed["items"][0]["tags"] == [
        {"id": door.tags.get().pk, "name": "Front door", "slug": "front-door"}
    ]


# -- Lists read in a fixed number of queries ------------------------------------------------------


def grow(system, many: int) -> None:
    """`many` notes from two organisations, each with two tags and two comments."""
    for n in range(many):
        actor = system.vcse if n % 2 else system.clinician_a
        note = share(
            system,
            actor=actor,
            contact=actor,
            team=system.team_a,
            title=f"Note {n}",
            tags=[f"Tag {n}", "Huddles"],
        )
        for words in ("One", "Two"):
            services.comment_add(actor=system.clinician_b, note=note, text=words)


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(path)
    assert answer.status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/learning/practice/", "/learning/practice/?tag=huddles"])
def test_the_list_page_reads_the_same_number_of_queries_however_many(system, client_for, path):
    client = client_for(system.board_member)
    grow(system, 1)
    client.get(path)  # what is read once a process (sessions, content types) is read
    one = _queries(client, path)
    grow(system, 4)
    assert text(client.get(path)).count("Note ") >= 5
    assert _queries(client, path) == one


@pytest.mark.parametrize("path", ["/practice-notes", "/practice-tags"])
def test_the_list_api_reads_the_same_number_of_queries_however_many(system, client, path):
    client.force_login(system.board_member)
    grow(system, 1)
    few = _queries(client, API + path)
    grow(system, 4)
    many = _queries(client, API + path)
    assert few == many
    assert many <= SESSION_QUERIES + 3  # the count, the page and, for notes, their tags
