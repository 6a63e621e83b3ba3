"""An SBARD note made only of invisible characters (zero-width space, byte order mark) is no note:
refused by the service, the page and the API with the message an empty note gets (issue 17)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from roundtable.care import services
from roundtable.care.models import Episode, HuddleNote, Stage
from roundtable.tests.api import call, ok, refused

pytestmark = pytest.mark.django_db

EMPTY_NOTE = "Write at least one part of the note"
INVISIBLE = "\u200b\ufeff"


@pytest.fixture
def episode(system) -> Episode:
    person = services.person_in_care_create(actor=system.clinician_a, local_id="P1", name="Ann")
    episode = services.episode_refer(
        actor=system.clinician_a, person=person, team=system.team_a, referral_source="gp"
    )
    for stage in (Stage.OFFER_MADE, Stage.IN_SUPPORT):
        episode = services.episode_move(actor=system.clinician_a, episode=episode, to_stage=stage)
    return episode


def test_the_service_refuses_a_note_of_invisible_characters(system, episode):
    with pytest.raises(ValidationError) as refusal:
        services.huddle_note_add(
            actor=system.clinician_a,
            episode=episode,
            situation=INVISIBLE,
            background="\u2060",
            assessment="\u00a0",
            recommendation="\u200b \u200c",
            decision="\ufeff\n",
        )
    assert EMPTY_NOTE in refusal.value.message_dict["situation"][0]
    assert not HuddleNote.objects.exists()


def test_the_service_keeps_what_is_visible_and_drops_invisible_ends(system, episode):
    note = services.huddle_note_add(
        actor=system.clinician_a,
        episode=episode,
        situation="\ufeffMissed two appointments.\u200b",
        background=INVISIBLE,
    )
    note.refresh_from_db()
    assert (note.situation, note.background) == ("Missed two appointments.", "")


def test_the_page_refuses_it(client_for, system, episode):
    client = client_for(system.clinician_a)
    response = client.post(
        reverse("care:note-add", args=[episode.pk]),
        {"situation": INVISIBLE, "recommendation": "\u200b"},
    )
    assert response.status_code == 400
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    assert "There is a problem" in words
    assert EMPTY_NOTE in words
    assert not HuddleNote.objects.exists()


def test_the_api_refuses_it(client, system, episode):
    path = f"/api/v1/care/episodes/{episode.pk}/notes"
    body = refused(
        call(client, system.clinician_a, "post", path, {"situation": INVISIBLE}), EMPTY_NOTE
    )
    assert list(body["errors"]) == ["situation"]
    assert not HuddleNote.objects.exists()
    # The same note with words in it is taken.
    note = ok(call(client, system.clinician_a, "post", path, {"situation": "Moved house."}), 201)
    assert note["situation"] == "Moved house."
