"""The decisions API: taking positions, and a consent round that records only the people present.

Requests sign in with a session, except where a test says it uses a personal API token.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from roundtable.decisions import services
from roundtable.decisions.models import Decision, PositionEvent
from roundtable.decisions.tests.helpers import API, counts
from roundtable.forums import services as forum_services
from roundtable.forums.models import Forum
from roundtable.testing import System
from roundtable.tests.api import call, forbidden, ok, refused

pytestmark = pytest.mark.django_db


LONDON = ZoneInfo("Europe/London")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


# --- Positions -------------------------------------------------------------------------------


def test_positions_need_a_reason_for_an_objection_and_an_open_decision(
    client: Client, system: System, funding: Decision
) -> None:
    path = f"{API}/decisions/{funding.pk}/position"
    before = counts()
    body = refused(
        call(client, system.vcse, "put", path, {"stance": "objection", "reason": " "}),
        "Say what your objection is",
    )
    assert list(body["errors"]) == ["reason"]
    forbidden(
        call(client, system.clinician_b, "put", path, {"stance": "consent"}),
        "Only members of System board can take a position",
    )
    assert call(client, system.vcse, "put", path, {"stance": "maybe"}).status_code == 422
    assert counts() == before

    changed = ok(call(client, system.vcse, "put", path, {"stance": "concern", "reason": "Cost"}))
    assert changed["my_position"]["reason"] == "Cost"
    changed = ok(call(client, system.vcse, "put", path, {"stance": "consent"}))
    assert changed["my_position"]["stance"] == "consent"
    assert changed["tally"]["consent"] == 1
    assert changed["tally"]["concern"] == 0
    # Both kept as history.
    assert list(PositionEvent.objects.values_list("stance", flat=True)) == ["concern", "consent"]

    services.decision_decide(
        actor=system.board_member,
        decision=funding,
        agreed=False,
        outcome="Not now",
        rationale="Wait for the new year",
    )
    before = counts()
    refused(
        call(client, system.clinician_a, "put", path, {"stance": "consent"}),
        "This decision is not agreed: positions can no longer be taken.",
    )
    assert counts() == before


def test_a_consent_round_records_only_people_present(
    client: Client, system: System, board: Forum, funding: Decision
) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    meeting = forum_services.meeting_create(
        actor=system.board_member,
        forum=board,
        starts_at=at(tomorrow, 10),
        ends_at=at(tomorrow, 11),
    )
    forum_services.attendance_set(
        actor=system.board_member,
        meeting=meeting,
        present=[system.board_member, system.vcse, system.lived_experience],
    )
    path = f"{API}/decisions/{funding.pk}/consent-round"
    before = counts()
    refused(
        call(
            client,
            system.board_member,
            "post",
            path,
            {
                "meeting": meeting.pk,
                "positions": [
                    {"person": system.vcse.pk, "stance": "consent"},
                    {"person": system.clinician_a.pk, "stance": "consent"},
                ],
            },
        ),
        "Amira Clinician was not recorded as present at this meeting",
    )
    body = refused(
        call(
            client,
            system.board_member,
            "post",
            path,
            {
                "meeting": meeting.pk,
                "positions": [
                    {"person": system.vcse.pk, "stance": "consent"},
                    {"person": system.vcse.pk, "stance": "abstain"},
                ],
            },
        ),
        "one position for each person",
    )
    assert list(body["errors"]) == ["positions"]
    for meeting_id, person_id, message in [
        (9999, system.vcse.pk, "There is no meeting with id 9999."),
        (meeting.pk, 9999, "There is no person you can see with id 9999."),
    ]:
        refused(
            call(
                client,
                system.board_member,
                "post",
                path,
                {"meeting": meeting_id, "positions": [{"person": person_id, "stance": "consent"}]},
            ),
            message,
        )
    refused(
        call(
            client,
            system.board_member,
            "post",
            path,
            {
                "meeting": meeting.pk,
                "positions": [
                    {"person": system.vcse.pk, "stance": "consent"},
                    {"person": system.lived_experience.pk, "stance": "objection"},
                ],
            },
        ),
        "Say what your objection is",
    )
    assert counts() == before

    body = ok(
        call(
            client,
            system.board_member,
            "post",
            path,
            {
                "meeting": meeting.pk,
                "positions": [
                    {"person": system.vcse.pk, "stance": "consent"},
                    {"person": system.lived_experience.pk, "stance": "stand_aside"},
                    {"person": system.board_member.pk, "stance": "consent"},
                ],
            },
        )
    )
    assert body["meeting"]["id"] == meeting.pk
    assert [(p["person"]["full_name"], p["stance"], p["meeting"]) for p in body["positions"]] == [
        ("Chloe Practitioner", "consent", meeting.pk),
        ("Dev Voice", "stand_aside", meeting.pk),
        ("Erin Board", "consent", meeting.pk),
    ]
    assert [p["full_name"] for p in body["present"]] == [
        "Chloe Practitioner",
        "Dev Voice",
        "Erin Board",
    ]
    assert [p["full_name"] for p in body["silent"]] == ["Amira Clinician"]
    assert set(PositionEvent.objects.values_list("recorded_by", flat=True)) == {
        system.board_member.pk
    }
