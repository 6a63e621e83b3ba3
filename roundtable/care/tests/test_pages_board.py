"""Care pages: the huddle board, its card forms (with and without htmx) and a card's own page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from roundtable.care import services
from roundtable.care.models import CareAction, CareDecision, Episode, HuddleNote, Stage, ZoneChange
from roundtable.care.tests.conftest import agree_move_on
from roundtable.care.tests.helpers import person_in, raw, text
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind

pytestmark = pytest.mark.django_db


HTMX = {"HX-Request": "true"}


# -- The huddle board ----------------------------------------------------------------------------


def test_the_board_is_for_the_team(client_for, system, zones, meeting):
    episode = person_in(system, 1, name="Ann Example")
    url = reverse("care:board", args=[system.team_a.pk])
    response = client_for(system.clinician_a).get(url)
    assert response.status_code == 200
    html = text(response)
    assert "Not yet zoned (1 person)" in html
    assert html.index("Not yet zoned") < html.index("Red Colour: Red")
    assert "Steady input: the plan is working" in html
    assert "Ann Example" in html
    # A compact card: the name opens the card (its page, or in place: the list boosts links).
    card = reverse("care:card", args=[system.team_a.pk, episode.pk])
    assert f'<a href="{card}">Ann Example</a>' in raw(response)
    assert 'hx-boost="true" hx-target="closest li" hx-swap="outerHTML"' in raw(response)
    assert "Change zone for Ann Example" not in html
    assert 'id="note-situation-' not in raw(response)
    assert client_for(system.clinician_b).get(url).status_code == 404
    # The meeting chosen: who is in the room.
    response = client_for(system.clinician_a).get(url, {"meeting": meeting.pk})
    html = text(response)
    assert "Recording in North huddle" in html
    assert f'href="{card}?meeting={meeting.pk}"' in raw(response)
    assert "In the room: Amira Clinician, Chloe Practitioner, Gita Leader." in html
    south = forum_services.forum_create(
        actor=system.clinician_b,
        name="South huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_b,
    )
    now = timezone.now()
    other = forum_services.meeting_create(
        actor=system.clinician_b, forum=south, starts_at=now, ends_at=now + timedelta(hours=1)
    )
    assert client_for(system.clinician_a).get(url, {"meeting": other.pk}).status_code == 404
    assert f'id="card-{episode.pk}"' in raw(client_for(system.vcse).get(url))


def test_the_board_escapes_what_people_wrote(client_for, system, zones):
    """The cards are written in Python (presenters.CardWriter), not by the template: every value
    from the database is escaped there."""
    episode = person_in(system, 1, name="Ann <b>Example</b>")
    services.huddle_note_add(actor=system.clinician_a, episode=episode, situation='"<i>S</i>')
    services.care_action_add(
        actor=system.clinician_a,
        episode=episode,
        description="Call <u>GP</u>",
        owner=system.clinician_a,
        due_on=timezone.localdate(),
    )
    client = client_for(system.clinician_a)
    html = client.get(reverse("care:board", args=[system.team_a.pk])).content.decode()
    card = reverse("care:card", args=[system.team_a.pk, episode.pk])
    html += client.get(card, headers=HTMX).content.decode()  # the card opened on the board
    for written in ("<b>Example", "<i>S", "<u>GP"):
        assert written not in html
    for escaped in ("Ann &lt;b&gt;Example&lt;/b&gt;", "&quot;&lt;i&gt;S", "Call &lt;u&gt;GP"):
        assert escaped in html


def test_the_board_empty_state(client_for, system):
    html = text(client_for(system.clinician_a).get(reverse("care:board", args=[system.team_a.pk])))
    assert "Nobody is on the board yet." in html
    assert "None of the team's forums meets today" in html


def test_changing_zone_without_javascript_redirects_to_the_card(client_for, system, zones, meeting):
    episode = person_in(system, 1, name="Ann Example")
    client = client_for(system.clinician_a)
    response = client.post(
        reverse("care:zone-set", args=[episode.pk]),
        {
            "zone": str(zones["Amber"].pk),
            "reason": "Housing worries",
            "meeting": str(meeting.pk),
            "version": str(episode.version),
        },
    )
    assert response.status_code == 302
    board = reverse("care:board", args=[system.team_a.pk])
    assert response["Location"] == f"{board}?meeting={meeting.pk}#card-{episode.pk}"
    change = ZoneChange.objects.get()
    assert change.to_zone == zones["Amber"]
    assert set(change.present.all()) == {system.clinician_a, system.vcse, system.team_leader_a}
    assert "Ann Example moved to Amber." in text(client.get(response["Location"]))


def test_changing_zone_with_htmx_returns_the_board(client_for, system, zones):
    episode = person_in(system, 1, name="Ann Example")
    response = client_for(system.clinician_a).post(
        reverse("care:zone-set", args=[episode.pk]),
        {"zone": str(zones["Green"].pk), "version": str(episode.version)},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = raw(response)
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="board"')
    assert '<div id="board-status" hx-swap-oob="innerHTML">' in html
    assert "Ann Example moved to Green." in html
    assert f'id="card-{episode.pk}-name" tabindex="-1" autofocus' in html
    assert "Green Colour: Green (1 person)" in text(response)
    assert Episode.objects.get(pk=episode.pk).zone == zones["Green"]


def test_a_bad_zone_change_shows_the_problem_and_stores_nothing(client_for, system, zones):
    episode = person_in(system, 1, name="Ann Example")
    client = client_for(system.clinician_a)
    url = reverse("care:zone-set", args=[episode.pk])
    response = client.post(url, {"zone": "", "version": str(episode.version)})
    assert response.status_code == 400
    html = raw(response)
    assert "There is a problem" in html
    assert f'href="#zone-zone-{episode.pk}"' in html
    assert f'id="zone-zone-{episode.pk}-error"' in html
    # Without JavaScript the problem is shown on the card's own page, not the whole board.
    assert "<h1>Ann Example</h1>" in html
    assert "Error: Ann Example: huddle card" in html
    response = client.post(url, {"zone": "", "version": str(episode.version)}, headers=HTMX)
    assert response.status_code == 200
    assert "There is a problem: Choose a zone" in text(response)
    # A stale card: someone else moved them meanwhile.
    response = client.post(
        url, {"zone": str(zones["Red"].pk), "version": str(episode.version - 1)}, headers=HTMX
    )
    assert "Someone else changed Ann Example's card" in text(response)
    assert ZoneChange.objects.count() == 0
    # Another team's clinician cannot see the person; a consented partner cannot change them.
    data = {"zone": str(zones["Red"].pk), "version": str(episode.version)}
    assert client_for(system.clinician_b).post(url, data).status_code == 404
    services.consent_give(
        actor=system.clinician_a, person=episode.person, organisation=system.vcse_org
    )
    assert client_for(system.south_coach).post(url, data).status_code == 403
    assert ZoneChange.objects.count() == 0


def test_changes_are_recorded_only_in_one_of_todays_meetings(client_for, system, zones, huddle):
    episode = person_in(system, 1, name="Ann Example")
    yesterday = timezone.now() - timedelta(days=1)
    past = forum_services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=yesterday,
        ends_at=yesterday + timedelta(hours=1),
    )
    forum_services.attendance_set(actor=system.team_leader_a, meeting=past, present=[system.vcse])
    client = client_for(system.clinician_a)
    board = reverse("care:board", args=[system.team_a.pk])
    assert "None of the team's forums meets today" in text(client.get(board))
    assert client.get(f"{board}?meeting={past.pk}").status_code == 404
    response = client.post(
        reverse("care:zone-set", args=[episode.pk]),
        {"zone": str(zones["Amber"].pk), "meeting": str(past.pk), "version": str(episode.version)},
    )
    assert response.status_code == 404
    assert not ZoneChange.objects.exists()


def test_sbard_notes_actions_and_done_from_the_board(client_for, system, zones, meeting):
    episode = person_in(system, 1, name="Ann Example")
    client = client_for(system.clinician_a)
    note = reverse("care:note-add", args=[episode.pk])
    response = client.post(note, {"situation": " ", "meeting": str(meeting.pk)}, headers=HTMX)
    assert "Write at least one part of the note" in text(response)
    # The board comes back with the card's forms open, as posted.
    assert f'id="note-situation-{episode.pk}"' in raw(response)
    assert f'hx-post="{note}"' in raw(response)
    assert HuddleNote.objects.count() == 0
    response = client.post(
        note,
        {"situation": "Missed two appointments.", "recommendation": "Peer worker to call."},
        headers=HTMX,
    )
    assert "SBARD note added for Ann Example." in text(response)
    assert "Situation Missed two appointments." in text(response)
    add = reverse("care:action-add", args=[episode.pk])
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(add, {"description": "", "owner": "", "due_on": yesterday.isoformat()})
    assert response.status_code == 400
    for message in ("Say what will be done", "Choose who will do it"):
        assert message in text(response)
    assert f'href="#action-description-{episode.pk}"' in raw(response)
    assert f'id="action-owner-{episode.pk}-error"' in raw(response)
    assert f'value="{yesterday.isoformat()}"' in raw(response)  # what was posted is kept
    assert "Change zone for Ann Example" in text(response)  # the card's page, not the board
    assert 'id="board"' not in raw(response)
    response = client.post(
        add,
        {
            "description": "Call about appointments",
            "owner": str(system.vcse.pk),
            "due_on": yesterday.isoformat(),
        },
    )
    assert "The due date must be today or later" in text(response)
    assert CareAction.objects.count() == 0
    response = client.post(
        add,
        {
            "description": "Call about appointments",
            "owner": str(system.vcse.pk),
            "due_on": timezone.localdate().isoformat(),
            "meeting": str(meeting.pk),
        },
    )
    assert response.status_code == 302
    action = CareAction.objects.get()
    assert action.meeting == meeting
    # An action that is overdue is marked so: on the compact card, and on the card opened.
    CareAction.objects.filter(pk=action.pk).update(due_on=yesterday)
    html = text(client.get(reverse("care:board", args=[system.team_a.pk])))
    assert "1 overdue" in html
    card = reverse("care:card", args=[system.team_a.pk, episode.pk])
    html = text(client.get(card, headers=HTMX))
    assert "Call about appointments" in html
    assert "Chloe Practitioner, due" in html
    assert "Overdue" in html
    done = reverse("care:action-done", args=[action.pk])
    response = client.post(done, {"version": str(action.version)}, headers=HTMX)
    assert "Done: Call about appointments (Ann Example)." in text(response)
    assert CareAction.objects.get().done_at is not None
    assert client_for(system.clinician_b).post(done).status_code == 404


def test_raising_a_move_on_decision_from_the_card(client_for, system, zones, huddle):
    episode = person_in(system, 1, name="Ann Example")
    client = client_for(system.clinician_a)
    card = reverse("care:card", args=[system.team_a.pk, episode.pk])
    html = text(client.get(card))
    assert "Raise move-on decision for Ann Example" not in html
    assert "Once the team moves Ann Example to a zone that means ready to move on" in html
    episode = services.episode_zone_set(
        actor=system.clinician_a, episode=episode, zone=zones["Ready to move on"]
    )
    html = text(client.get(card))
    assert "Raise move-on decision for Ann Example" in html
    assert "Ready to move on (now)" in html
    url = reverse("care:move-on", args=[episode.pk])
    response = client.post(url, {"destination": "", "forum": "", "proposal": ""})
    assert response.status_code == 400
    for message in (
        "Choose where the person is moving on to",
        "Choose one of the team's forums",
        "Say what the move on is",
    ):
        assert message in text(response)
    assert "Raise move-on decision for Ann Example" in text(response)
    response = client.post(
        url,
        {"destination": "gp", "forum": str(huddle.pk), "proposal": "Back to the GP."},
        headers=HTMX,
    )
    assert "The move-on decision for Ann Example is open" in text(response)
    decision = CareDecision.objects.get().decision
    assert decision.title == "Ann Example moves on: GP and primary care"
    # The card stays open on the board, with the decision.
    assert "Shared: not yet. Held: not yet." in text(response)
    board = reverse("care:board", args=[system.team_a.pk])
    assert "Move on: open for positions" in text(client.get(board))
    html = text(client.get(card))
    assert "Raise move-on decision for Ann Example" not in html
    assert "The move-on decision is already raised: Ann Example moves on" in html


def test_the_card_page_has_the_bigger_forms(client_for, system, zones, huddle, meeting):
    episode = person_in(system, 1, name="Ann Example")
    url = reverse("care:card", args=[system.team_a.pk, episode.pk])
    client = client_for(system.clinician_a)
    response = client.get(url, {"meeting": meeting.pk})
    assert response.status_code == 200
    assert response["Vary"].count("HX-Request") == 1
    html = text(response)
    assert "Recording in North huddle" in html
    for label in (
        "Change zone for Ann Example",
        "Situation (SBARD note for Ann Example)",
        "What will be done for Ann Example",
        "Add action for Ann Example",
    ):
        assert label in html
    page = raw(response)
    assert f'<input type="hidden" name="meeting" value="{meeting.pk}">' in page
    assert "hx-post" not in page  # plain forms: each comes back to the card on the board
    assert " autofocus" not in page
    board = reverse("care:board", args=[system.team_a.pk])
    assert f'href="{board}?meeting={meeting.pk}#card-{episode.pk}">Back to the board' in page
    # htmx gets the card itself, open, to replace the compact card on the board; its name
    # takes the focus, and its forms update the board.
    fragment = raw(client.get(url, {"meeting": meeting.pk}, headers=HTMX))
    assert "<html" not in fragment
    assert fragment.startswith(f'<li class="rt-card rt-card--open" id="card-{episode.pk}"')
    assert fragment.count(" autofocus") == 1
    assert f'id="card-{episode.pk}-name" tabindex="-1" autofocus' in fragment
    assert 'hx-target="#board"' in fragment
    assert f'id="note-situation-{episode.pk}"' in fragment
    assert 'Close the card<span class="nhsuk-u-visually-hidden"> for Ann Example' in fragment
    # Closed again: the compact card, its name focused.
    closed = raw(client.get(url, {"meeting": meeting.pk, "view": "compact"}, headers=HTMX))
    assert closed.startswith(f'<li class="rt-card" id="card-{episode.pk}">')
    assert 'id="note-situation-' not in closed
    # Only the team: another team's clinician, or this team's URL with another team's card.
    assert client_for(system.clinician_b).get(url).status_code == 404
    other = services.person_in_care_create(actor=system.clinician_b, local_id="S1", name="Bo")
    elsewhere = services.episode_refer(
        actor=system.clinician_b, person=other, team=system.team_b, referral_source="gp"
    )
    assert (
        client_for(system.clinician_b)
        .get(reverse("care:card", args=[system.team_b.pk, elsewhere.pk]))
        .status_code
        == 200
    )
    client = client_for(system.clinician_a)  # the same test client, signed in again
    mixed = reverse("care:card", args=[system.team_a.pk, elsewhere.pk])
    assert client.get(mixed).status_code == 404
    # A note with nothing written: the card's page with the problem, and nothing stored.
    note = reverse("care:note-add", args=[episode.pk])
    response = client.post(note, {"situation": " ", "decision": "  "})
    assert response.status_code == 400
    page = raw(response)
    assert "There is a problem" in page
    assert "Write at least one part of the note" in text(response)
    assert f'href="#note-situation-{episode.pk}"' in page
    assert f'id="note-situation-{episode.pk}-error"' in page
    assert 'id="board"' not in page
    assert HuddleNote.objects.count() == 0
    # A note without JavaScript: back to the card on the board.
    response = client.post(note, {"situation": "Moved house.", "meeting": str(meeting.pk)})
    assert response.status_code == 302
    assert response["Location"] == f"{board}?meeting={meeting.pk}#card-{episode.pk}"
    assert HuddleNote.objects.get().situation == "Moved house."


def test_the_board_page_is_a_fixed_number_of_queries(client_for, system, zones, huddle, meeting):
    client = client_for(system.clinician_a)
    url = reverse("care:board", args=[system.team_a.pk])

    def build(start: int, count: int) -> None:
        for i in range(start, start + count):
            episode = person_in(system, i)
            episode = services.episode_zone_set(
                actor=system.clinician_a, episode=episode, zone=list(zones.values())[i % 5]
            )
            services.huddle_note_add(actor=system.clinician_a, episode=episode, situation="S")
            services.care_action_add(
                actor=system.clinician_a,
                episode=episode,
                description="Call",
                owner=system.clinician_a,
                due_on=timezone.localdate(),
            )
            if episode.stage == Stage.READY_TO_MOVE_ON:
                agree_move_on(system, huddle, episode)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"meeting": meeting.pk})
        assert response.status_code == 200
        return len(captured.captured_queries)

    build(2, 3)  # one of them ready to move on, with a move-on decision
    few = queries()
    # The session and user; the team, the meeting and the zones; the episodes with their latest
    # notes, the ids of their move-on decisions and what the safety badges read; their open
    # actions; the move-on decisions; the audit event naming the people shown; who is present;
    # today's meetings to choose from.
    assert few == 11
    build(5, 12)
    html = raw(client.get(url))
    assert html.count('<li class="rt-card" id="card-') == 15
    assert 'id="zone-submit-' not in html  # the forms are in the card, opened on demand
    assert queries() == few
