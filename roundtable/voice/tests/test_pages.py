"""Voice pages: raising (named and anonymous), the receipt link, acting, replies, lists, board."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from roundtable.voice import services
from roundtable.voice.models import Concern, ConcernReply, ConcernStatus
from roundtable.voice.tests.helpers import raise_to_team

pytestmark = pytest.mark.django_db


def text(response) -> str:
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    return re.sub(r" ([,.;:])", r"\1", words)


def test_voice_home_and_raise_page_offer_teams_organisations_and_the_system(system, client_for):
    client = client_for(system.lone_coach)
    assert "Raise a concern" in text(client.get("/voice/"))
    page = text(client.get("/voice/raise/"))
    assert "North CMHT (your team): goes to North CMHT leadership" in page
    # The coach works for Test Mind, which has no leadership team: the system's receives it.
    assert "Test Mind (your organisation): goes to System leadership board" in page
    assert "The whole care system: goes to System leadership board" in page


def test_raising_anonymously_shows_the_receipt_once_and_stores_no_trace(system, client_for):
    client = client_for(system.lone_coach)
    sessions_before = list(Session.objects.values_list("session_key", "expire_date"))
    response = client.post(
        "/voice/raise/",
        {
            "send_to": f"team:{system.team_a.pk}",
            "anonymous": "yes",
            "title": "Nobody to talk to",
            "body": "After difficult visits there is nobody to talk it through with.",
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert "Keep this link: we cannot show it again" in page
    match = re.search(r"http://testserver(/voice/receipt/[\w-]+/)", response.content.decode())
    assert match
    assert response["Cache-Control"].startswith("max-age=0")
    assert response["Referrer-Policy"] == "same-origin"
    concern = Concern.objects.get()
    assert concern.raised_by_id is None
    # Nothing was written to the session (it would hold a time next to the person).
    assert list(Session.objects.values_list("session_key", "expire_date")) == sessions_before
    # The receipt works for whoever holds it, and records nothing about who opened it.
    audit_before = AuditEvent.objects.count()
    receipt = client.get(match.group(1), follow=True)
    assert receipt.redirect_chain == [("/voice/receipt/", 303)]
    assert receipt.status_code == 200
    assert "Nobody to talk to" in text(receipt)
    assert "Raised by" not in text(receipt)
    assert AuditEvent.objects.count() == audit_before
    # Someone else can follow it with the link too: the link is the key.
    other = client_for(system.clinician_b).get(match.group(1), follow=True)
    assert other.status_code == 200
    assert client.get("/voice/receipt/not-a-real-token/").status_code == 404


def test_the_raiser_replies_through_the_receipt_and_empty_replies_are_refused(system, client_for):
    _, token = raise_to_team(system)
    client = client_for(system.lone_coach)
    assert client.get(f"/voice/receipt/{token}/").status_code == 303
    url = "/voice/receipt/"
    empty = client.post(url, {"body": "  "})
    assert empty.status_code == 400
    assert "Write your reply" in text(empty)
    assert not ConcernReply.objects.exists()
    sent = client.post(url, {"body": "Thank you for listening."})
    assert sent.status_code == 303
    reply = ConcernReply.objects.get()
    assert reply.author_id is None
    assert reply.from_raiser


def test_an_empty_concern_gets_clear_errors_and_nothing_is_stored(system, client_for):
    client = client_for(system.lone_coach)
    response = client.post("/voice/raise/", {"send_to": "", "title": "", "body": ""})
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    for message in (
        "Choose who the concern goes to",
        "Choose whether to raise it anonymously or with your name",
        "Enter a short title for your concern",
        "Say what the concern is",
    ):
        assert message in page
    assert "Error: Raise a concern" in page
    assert not Concern.objects.exists()


def test_raising_to_a_team_that_is_not_yours_is_refused(system, client_for):
    response = client_for(system.lone_coach).post(
        "/voice/raise/",
        {"send_to": f"team:{system.team_b.pk}", "anonymous": "no", "title": "T", "body": "B"},
    )
    assert response.status_code == 400
    assert "Select your answer to “Who should this concern go to?” from the options given" in text(
        response
    )
    assert not Concern.objects.exists()


def test_a_named_concern_goes_to_its_page_and_the_leaders_take_it_through(system, client_for):
    client = client_for(system.lone_coach)
    response = client.post(
        "/voice/raise/",
        {
            "send_to": f"team:{system.team_a.pk}",
            "anonymous": "no",
            "title": "Supervision",
            "body": "I have had no supervision for two months.",
        },
    )
    concern = Concern.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("voice:concern", args=[concern.pk])
    page = text(client.get(response["Location"]))
    assert "Raised by Hana Coach" in page
    assert "Acknowledge it" not in page

    leader = client_for(system.team_leader_a)
    assert "Acknowledge it" in text(leader.get(f"/voice/concerns/{concern.pk}/"))
    assert (
        leader.post(
            f"/voice/concerns/{concern.pk}/acknowledge/", {"version": "1", "note": "Heard."}
        ).status_code
        == 302
    )
    bad = leader.post(
        f"/voice/concerns/{concern.pk}/action/",
        {"version": "2", "action": "", "action_due_on": "2001-01-01"},
    )
    assert bad.status_code == 400
    assert "Say what action is agreed" in text(bad)
    assert "must be in the future" in text(bad)
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    leader.post(
        f"/voice/concerns/{concern.pk}/action/",
        {"version": "2", "action": "Monthly restorative supervision", "action_due_on": due},
    )
    # A stale copy is refused with 409 and the concern as it is now.
    stale = leader.post(
        f"/voice/concerns/{concern.pk}/address/", {"version": "2", "what_we_did": "Done"}
    )
    assert stale.status_code == 409
    assert "Someone else changed this concern" in text(stale)
    done = leader.post(
        f"/voice/concerns/{concern.pk}/address/",
        {"version": "3", "what_we_did": "Supervision is booked monthly.", "on_board": "on"},
    )
    assert done.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ADDRESSED
    # The coach was told of each change (the test client signs in as one person at a time).
    client = client_for(system.lone_coach)
    home = text(client.get("/voice/"))
    assert "Your concern “Supervision” is addressed" in home
    assert client.post("/voice/notices/read/").status_code == 302
    assert "Updates on your concerns" not in text(client.get("/voice/"))
    # On the board, seen by someone else, the raiser is not named.
    board = text(
        client_for(system.clinician_a).get(f"/voice/you-said-we-did/?team={system.team_a.pk}")
    )
    assert "You said: Supervision" in board
    assert "Supervision is booked monthly." in board
    assert "Hana" not in board


def test_people_outside_the_leadership_team_cannot_see_or_act(system, client_for):
    concern, _ = raise_to_team(system)
    for outsider in (system.clinician_a, system.clinician_b, system.board_member):
        client = client_for(outsider)
        assert client.get(f"/voice/concerns/{concern.pk}/").status_code == 404
        assert client.get(f"/voice/concerns/{concern.pk}/acknowledge/").status_code == 404
        assert (
            client.post(f"/voice/concerns/{concern.pk}/acknowledge/", {"version": "1"}).status_code
            == 404
        )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.RAISED


def test_after_escalation_the_old_owners_still_read_but_cannot_act(system, client_for):
    concern, _ = raise_to_team(system)
    assert concern.due_on is not None
    services.concerns_escalate(today=concern.due_on + timedelta(days=1))
    leader = client_for(system.team_leader_a)
    assert leader.get(f"/voice/concerns/{concern.pk}/").status_code == 200
    assert leader.get(f"/voice/concerns/{concern.pk}/acknowledge/").status_code == 403
    board = client_for(system.board_member)
    assert "Acknowledge it" in text(board.get(f"/voice/concerns/{concern.pk}/"))


def test_leadership_list_filters_and_shows_anonymous_raisers_as_anonymous(system, client_for):
    raise_to_team(system, title="First")
    raise_to_team(system, title="Second", anonymous=False)
    page = text(client_for(system.team_leader_a).get("/voice/leadership/"))
    assert "2 concerns" in page
    assert "Anonymous" in page
    assert "Hana Coach" in page
    empty = text(client_for(system.team_leader_a).get("/voice/leadership/?status=addressed"))
    assert "No concern here" in empty
    not_leader = text(client_for(system.clinician_a).get("/voice/leadership/"))
    assert "You are not in a leadership team" in not_leader


def test_home_section_tells_leaders_what_is_waiting(system, client_for):
    raise_to_team(system)
    home = text(client_for(system.team_leader_a).get("/"))
    assert "1 concern is waiting for your leadership team" in home
    assert "waiting for your leadership team" not in text(client_for(system.clinician_a).get("/"))


def _queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/voice/leadership/", "/voice/you-said-we-did/?team={team}"])
def test_lists_read_in_the_same_number_of_queries_however_long(system, client_for, path):
    leader = system.team_leader_a
    path = path.format(team=system.team_a.pk)

    def add(count: int) -> None:
        for index in range(count):
            concern, _ = raise_to_team(system, title=f"Concern {index}", anonymous=index % 2 == 0)
            services.concern_acknowledge(actor=leader, concern=concern, expected_version=1)
            services.concern_not_take_forward(
                actor=leader, concern=concern, expected_version=2, reason="Because"
            )

    add(2)
    client = client_for(leader)
    few = _queries(client, path)
    add(6)
    assert _queries(client, path) == few
