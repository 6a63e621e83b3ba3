"""The care API: the huddle board and its queries, and at the huddle: moving someone to another
zone, SBARD notes and actions.

Requests sign in with a session (see `roundtable.tests.api.call`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roundtable.care import services
from roundtable.care.models import Episode, Zone, ZoneChange
from roundtable.care.tests.helpers import (
    API,
    bad_field,
    conflict,
    consent_for_test_mind,
    counts,
    in_support,
    not_found,
    ready,
    refer,
)
from roundtable.forums import services as forum_services
from roundtable.forums.models import Forum, Meeting
from roundtable.testing import System
from roundtable.tests.api import SESSION_QUERIES, call, forbidden, ok, refused

pytestmark = pytest.mark.django_db


# The team, its zones, the episodes (with their latest notes and the ids of their move-on
# decisions), their open actions, the move-on decisions (the boards below have some), and the
# audit event naming the people shown.
BOARD_QUERIES = 5 + 1


# Unlike conftest.py's meeting, attendance is recorded person by person, with a guest.
@pytest.fixture
def meeting(system: System, huddle: Forum) -> Meeting:
    """Today's North huddle, with Amira, Chloe and a student present."""
    now = timezone.now()
    meeting = forum_services.meeting_create(
        actor=system.team_leader_a, forum=huddle, starts_at=now, ends_at=now + timedelta(hours=1)
    )
    for person in (system.clinician_a, system.vcse):
        forum_services.attendance_record(actor=system.team_leader_a, meeting=meeting, person=person)
    forum_services.attendance_record(
        actor=system.team_leader_a, meeting=meeting, guest_name="Sam Student"
    )
    return meeting


# --- The huddle board ------------------------------------------------------------------------


def test_the_huddle_board(
    client: Client,
    system: System,
    episode: Episode,
    zones: dict[str, Zone],
    huddle: Forum,
    meeting: Meeting,
) -> None:
    unzoned = in_support(system, 2)
    services.episode_zone_set(
        actor=system.clinician_a, episode=episode, zone=zones["Amber"], meeting=meeting
    )
    services.huddle_note_add(actor=system.clinician_a, episode=episode, recommendation="Visit")
    services.care_action_add(
        actor=system.clinician_a,
        episode=episode,
        description="Call the GP",
        owner=system.clinician_a,
        due_on=timezone.localdate(),
    )
    ready_one = in_support(system, 3)
    services.episode_zone_set(
        actor=system.clinician_a, episode=ready_one, zone=zones["Ready to move on"]
    )
    decision = services.move_on_propose(
        actor=system.clinician_a,
        episode=Episode.objects.get(pk=ready_one.pk),
        destination="vcse",
        forum=huddle,
        proposal="Peer support at Test Mind; comes back if need be.",
    )
    path = f"{API}/teams/{system.team_a.pk}/huddle"

    board = ok(call(client, system.vcse, "get", path, {"meeting": meeting.pk}))
    assert board["team"]["name"] == "North CMHT"
    assert board["meeting"]["id"] == meeting.pk
    assert [
        (a["person"] and a["person"]["full_name"], a["guest_name"]) for a in board["present"]
    ] == [
        ("Amira Clinician", ""),
        ("Chloe Practitioner", ""),
        (None, "Sam Student"),
    ]
    assert board["count"] == 3
    columns = [(c["zone"] and c["zone"]["name"], len(c["cards"])) for c in board["columns"]]
    assert columns == [
        (None, 1),
        ("Red", 0),
        ("Amber", 1),
        ("Green", 0),
        ("Blue", 0),
        ("Ready to move on", 1),
    ]
    assert board["columns"][0]["cards"][0]["episode"] == unzoned.pk
    [card] = board["columns"][2]["cards"]
    assert card["episode"] == episode.pk
    assert card["person"] == {"id": episode.person_id, "local_id": "H1", "name": "Person 001"}
    assert card["key_worker"]["full_name"] == "Amira Clinician"
    assert (card["zone"], card["days_in_zone"], card["stage"]) == (
        zones["Amber"].pk,
        0,
        "in_support",
    )
    assert [a["description"] for a in card["open_actions"]] == ["Call the GP"]
    assert card["overdue_actions"] == 0
    assert card["latest_note"]["recommendation"] == "Visit"
    assert card["move_on"] is None
    [ready_card] = board["columns"][5]["cards"]
    assert ready_card["stage"] == "ready"
    assert ready_card["move_on"]["decision"]["id"] == decision.pk
    assert ready_card["move_on"]["decision"]["status"] == "open"
    assert ready_card["move_on"]["destination"] == "vcse"

    errors = refused(
        call(client, system.vcse, "get", path, {"meeting": 9999}),
        "There is no meeting of North CMHT today with id 9999.",
    )["errors"]
    assert list(errors) == ["meeting"]
    not_found(call(client, system.clinician_b, "get", path), "No team found.")
    not_found(call(client, system.south_coach, "get", path), "No team found.")


def test_the_board_is_the_same_queries_for_3_and_15_people(
    client: Client, system: System, zones: dict[str, Zone], huddle: Forum
) -> None:
    def build(start: int, count: int) -> None:
        for i in range(start, start + count):
            episode = in_support(system, i)
            services.episode_zone_set(
                actor=system.clinician_a, episode=episode, zone=list(zones.values())[i % 4]
            )
            services.huddle_note_add(actor=system.clinician_a, episode=episode, situation="S")
            services.care_action_add(
                actor=system.clinician_a,
                episode=episode,
                description="Call",
                owner=system.vcse,
                due_on=timezone.localdate(),
            )
        ready_episode = ready(system, Episode.objects.get(pk=episode.pk))
        services.move_on_propose(
            actor=system.clinician_a,
            episode=ready_episode,
            destination="gp",
            forum=huddle,
            proposal="Back to the GP.",
        )

    def board() -> tuple[int, Any]:
        client.force_login(system.clinician_a)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{API}/teams/{system.team_a.pk}/huddle")
        assert response.status_code == 200
        return len(captured.captured_queries), response.json()

    build(0, 3)
    few_queries, few = board()
    build(3, 12)
    many_queries, many = board()
    assert (few["count"], many["count"]) == (3, 15)
    assert few_queries == many_queries == SESSION_QUERIES + BOARD_QUERIES


# --- At the huddle: zones, notes and actions -------------------------------------------------


def test_moving_someone_to_another_zone_at_the_huddle(
    client: Client,
    system: System,
    episode: Episode,
    zones: dict[str, Zone],
    meeting: Meeting,
) -> None:
    path = f"{API}/episodes/{episode.pk}/zone"
    card = ok(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {
                "zone": zones["Ready to move on"].pk,
                "reason": "The work we agreed is done.",
                "meeting": meeting.pk,
                "version": episode.version,
            },
        )
    )
    assert (card["episode"], card["zone"], card["stage"]) == (
        episode.pk,
        zones["Ready to move on"].pk,
        "ready",
    )
    change = ZoneChange.objects.get()
    assert change.meeting == meeting
    assert {p.full_name for p in change.present.all()} == {"Amira Clinician", "Chloe Practitioner"}
    assert change.guests == ["Sam Student"]

    # Only today's meetings: yesterday's attendance is not who is in the room now.
    yesterday = timezone.now() - timedelta(days=1)
    past = forum_services.meeting_create(
        actor=system.team_leader_a,
        forum=meeting.forum,
        starts_at=yesterday,
        ends_at=yesterday + timedelta(hours=1),
    )
    before = counts()
    errors = refused(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"zone": zones["Red"].pk, "meeting": past.pk, "version": card["version"]},
        ),
        f"There is no meeting of North CMHT today with id {past.pk}.",
    )["errors"]
    assert list(errors) == ["meeting"]
    assert counts() == before

    before = counts()
    conflict(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"zone": zones["Green"].pk, "version": episode.version},
        ),
        card["version"],
    )
    south_zone = services.zones_ensure(team=system.team_b)[0]
    body = refused(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"zone": south_zone.pk, "version": card["version"]},
        ),
        f"There is no zone of North CMHT with id {south_zone.pk}.",
    )
    assert list(body["errors"]) == ["zone"]
    refused(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"zone": zones["Ready to move on"].pk, "version": card["version"]},
        ),
        "Person 001 is already in Ready to move on",
    )
    new_referral = refer(system, "N1", "New Person")
    refused(
        call(
            client,
            system.clinician_a,
            "post",
            f"{API}/episodes/{new_referral.pk}/zone",
            {"zone": zones["Red"].pk, "version": new_referral.version},
        ),
        "Zones are for people the team is supporting: make the offer first.",
    )
    before = counts()
    not_found(
        call(client, system.clinician_b, "post", path, {"zone": zones["Red"].pk, "version": 1}),
        "No episode found.",
    )
    bad_field(call(client, system.clinician_a, "post", path, {"zone": zones["Red"].pk}), "version")
    assert counts() == before

    back = ok(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"zone": zones["Green"].pk, "version": card["version"]},
        )
    )
    assert (back["zone"], back["stage"]) == (zones["Green"].pk, "in_support")


def test_sbard_notes_and_actions(client: Client, system: System, episode: Episode) -> None:
    me = system.clinician_a
    note = ok(
        call(
            client,
            me,
            "post",
            f"{API}/episodes/{episode.pk}/notes",
            {
                "situation": "Missed two appointments.",
                "assessment": "Struggling since the move.",
                "decision": "Chloe to visit with the peer worker.",
            },
        ),
        201,
    )
    assert note["author"]["full_name"] == "Amira Clinician"
    assert (note["situation"], note["background"]) == ("Missed two appointments.", "")

    action = ok(
        call(
            client,
            me,
            "post",
            f"{API}/episodes/{episode.pk}/actions",
            {
                "description": "Visit with the peer worker",
                "owner": system.vcse.pk,
                "due_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
            },
        ),
        201,
    )
    assert (action["owner"]["full_name"], action["overdue"], action["done_at"]) == (
        "Chloe Practitioner",
        False,
        None,
    )

    before = counts()
    body = refused(
        call(client, me, "post", f"{API}/episodes/{episode.pk}/notes", {"situation": "  "}),
        "Write at least one part of the note",
    )
    assert list(body["errors"]) == ["situation"]
    body = refused(
        call(
            client,
            me,
            "post",
            f"{API}/episodes/{episode.pk}/actions",
            {
                "description": " ",
                "owner": system.vcse.pk,
                "due_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            },
        ),
        "Say what will be done",
        "The due date must be today or later",
    )
    assert set(body["errors"]) == {"description", "due_on"}
    refused(
        call(
            client,
            me,
            "post",
            f"{API}/episodes/{episode.pk}/actions",
            {"description": "Call", "owner": 9999, "due_on": timezone.localdate().isoformat()},
        ),
        "There is no person you can see with id 9999.",
    )
    # The page offers only the caring team's members; the API keeps the same rule.
    body = refused(
        call(
            client,
            me,
            "post",
            f"{API}/episodes/{episode.pk}/actions",
            {
                "description": "Call",
                "owner": system.clinician_b.pk,
                "due_on": timezone.localdate().isoformat(),
            },
        ),
        "Choose a member of North CMHT, the team caring for them",
    )
    assert list(body["errors"]) == ["owner"]
    bad_field(
        call(client, me, "post", f"{API}/episodes/{episode.pk}/actions", {"description": "x"}),
        "owner",
    )
    assert counts() == before

    done_path = f"{API}/actions/{action['id']}/done"
    not_found(
        call(client, system.clinician_b, "post", done_path, {"version": 1}), "No care action found."
    )
    consent_for_test_mind(system, episode)
    before = counts()
    forbidden(
        call(client, system.south_coach, "post", done_path, {"version": 1}),
        "Only members of North CMHT can complete its actions.",
    )
    assert counts() == before

    done = ok(call(client, system.vcse, "post", done_path, {"version": action["version"]}))
    assert done["done_at"] is not None
    assert done["version"] == action["version"] + 1
    before = counts()
    conflict(call(client, me, "post", done_path, {"version": action["version"]}), done["version"])
    refused(
        call(client, me, "post", done_path, {"version": done["version"]}),
        "This action is already done.",
    )
    not_found(
        call(client, me, "post", f"{API}/actions/9999/done", {"version": 1}),
        "No care action found.",
    )
    assert counts() == before
