"""The care API: recording someone with their first referral, the person record and who may
see it, and consent to share with a VCSE partner.

Requests sign in with a session (see `roundtable.tests.api.call`).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.care import services
from roundtable.care.models import Episode, PathwayEvent, PersonInCare, Zone
from roundtable.care.tests.conftest import agree_move_on
from roundtable.care.tests.helpers import (
    API,
    bad_field,
    consent_for_test_mind,
    counts,
    not_found,
    ready,
)
from roundtable.forums.models import Forum
from roundtable.testing import System
from roundtable.tests.api import call, forbidden, ok, refused

pytestmark = pytest.mark.django_db


VALID_NHS_NUMBER = "999 123 4578"  # the 999 test range, Modulus 11 check digit 8


# --- People in care --------------------------------------------------------------------------


def test_recording_someone_with_their_first_referral(client: Client, system: System) -> None:
    body = ok(
        call(
            client,
            system.clinician_a,
            "post",
            f"{API}/people",
            {
                "local_id": "RIO-0001",
                "name": "A. B.",
                "nhs_number": VALID_NHS_NUMBER,
                "date_of_birth": "1990-05-01",
                "gp_practice": system.gp_practice.pk,
                "referral": {
                    "team": system.team_a.pk,
                    "referral_source": "gp",
                    "key_worker": system.clinician_a.pk,
                    "reason": "Low mood after a bereavement.",
                },
            },
        ),
        201,
    )
    person = PersonInCare.objects.get()
    assert body["person"] == {
        "id": person.pk,
        "local_id": "RIO-0001",
        "name": "A. B.",
        "nhs_number": "9991234578",
        "date_of_birth": "1990-05-01",
        "gp_practice": {"id": system.gp_practice.pk, "name": "Test Surgery", "kind": "gp_practice"},
        "version": 1,
    }
    episode = body["episode"]
    assert episode["person"] == {"id": person.pk, "local_id": "RIO-0001", "name": "A. B."}
    assert episode["team"] == {"id": system.team_a.pk, "name": "North CMHT", "kind": "cmht"}
    assert episode["key_worker"] == {"id": system.clinician_a.pk, "full_name": "Amira Clinician"}
    assert (episode["stage"], episode["referral_source"]) == ("referred", "gp")
    assert (episode["previous"], episode["came_back"], episode["destination"]) == (
        None,
        False,
        None,
    )
    assert PathwayEvent.objects.get().reason == "Low mood after a bereavement."

    listed = ok(call(client, system.clinician_a, "get", f"{API}/people"))
    assert listed["count"] == 1
    assert listed["items"][0]["local_id"] == "RIO-0001"
    assert ok(call(client, system.clinician_a, "get", f"{API}/people", {"q": "rio-0"}))["count"]
    assert ok(call(client, system.clinician_a, "get", f"{API}/people", {"q": "Z"}))["count"] == 0
    # Another team's clinician does not see them at all.
    assert ok(call(client, system.clinician_b, "get", f"{API}/people"))["count"] == 0


def person_body(system: System, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "local_id": "RIO-0002",
        "name": "C. D.",
        "referral": {"team": system.team_a.pk, "referral_source": "self"},
    }
    body.update(changes)
    return body


def test_recording_someone_is_refused_with_clear_messages_and_nothing_is_stored(
    client: Client, system: System, episode: Episode
) -> None:
    before = counts()
    path = f"{API}/people"
    me = system.clinician_a

    body = refused(
        call(client, me, "post", path, person_body(system, nhs_number="999 123 4579")),
        "This NHS number is not valid",
    )
    assert list(body["errors"]) == ["nhs_number"]
    body = refused(
        call(client, me, "post", path, person_body(system, local_id=" ", name=" ")),
        "Enter the local identifier",
        "Enter the person's name or initials",
    )
    assert set(body["errors"]) == {"local_id", "name"}
    # Someone the team already cares for is referred as they are: refused only because the
    # episode is already open.
    refused(
        call(client, me, "post", path, person_body(system, local_id=episode.person.local_id)),
        f"{episode.person.name} already has an open episode with North CMHT.",
    )
    body = refused(
        call(client, me, "post", path, person_body(system, gp_practice=system.vcse_org.pk)),
        "Choose a GP practice",
    )
    assert list(body["errors"]) == ["gp_practice"]
    body = refused(
        call(
            client,
            me,
            "post",
            path,
            person_body(system, referral={"team": 9999, "referral_source": "gp"}),
        ),
        "There is no team with id 9999.",
    )
    assert list(body["errors"]) == ["referral.team"]
    refused(
        call(
            client,
            me,
            "post",
            path,
            person_body(
                system,
                referral={"team": system.team_a.pk, "referral_source": "gp", "key_worker": 9999},
            ),
        ),
        "There is no person you can see with id 9999.",
    )
    bad_field(call(client, me, "post", path, {"local_id": "X", "referral": {}}), "name")
    errors = bad_field(
        call(
            client,
            me,
            "post",
            path,
            person_body(system, referral={"team": system.team_a.pk, "referral_source": "fax"}),
        ),
        "referral_source",
    )
    assert errors[0]["loc"] == ["body", "payload", "referral", "referral_source"]
    forbidden(
        call(client, system.clinician_b, "post", path, person_body(system)),
        "Only members of North CMHT can refer someone to it.",
    )
    assert counts() == before


def test_the_person_record_is_for_those_who_may_see_it_and_is_audited(
    client: Client, system: System, episode: Episode, zones: dict[str, Zone], huddle: Forum
) -> None:
    services.episode_zone_set(
        actor=system.clinician_a, episode=episode, zone=zones["Amber"], reason="Housing worry"
    )
    services.huddle_note_add(
        actor=system.clinician_a, episode=episode, situation="Eviction notice this week."
    )
    services.care_action_add(
        actor=system.clinician_a,
        episode=episode,
        description="Call the housing officer",
        owner=system.vcse,
        due_on=timezone.localdate(),
    )
    episode = ready(system, Episode.objects.get(pk=episode.pk))
    decision = agree_move_on(system, huddle, episode)
    consent_for_test_mind(system, episode)
    path = f"{API}/people/{episode.person_id}"

    reads = AuditEvent.objects.filter(action=AuditAction.READ).count()
    body = ok(call(client, system.clinician_a, "get", path))
    assert AuditEvent.objects.filter(action=AuditAction.READ).count() == reads + 1
    assert (body["id"], body["local_id"], body["name"]) == (episode.person_id, "H1", "Person 001")
    [brief] = body["episodes"]
    assert brief["id"] == episode.pk
    assert brief["stage"] == "ready"
    assert brief["zone"] == {"id": zones["Amber"].pk, "name": "Amber", "colour": "amber"}
    assert [(e["from_stage"], e["to_stage"]) for e in body["events"]] == [
        (None, "referred"),
        ("referred", "offer_made"),
        ("offer_made", "in_support"),
        ("in_support", "ready"),
    ]
    [change] = body["zone_changes"]
    assert (change["from_zone"], change["to_zone"]["name"], change["reason"]) == (
        None,
        "Amber",
        "Housing worry",
    )
    assert body["notes"][0]["situation"] == "Eviction notice this week."
    assert body["actions"][0]["owner"]["full_name"] == "Chloe Practitioner"
    [care_decision] = body["decisions"]
    assert care_decision["decision"]["id"] == decision.pk
    assert care_decision["decision"]["status"] == "agreed"
    assert (care_decision["destination"], care_decision["offer"]) == ("gp", None)
    [consent] = body["consents"]
    assert consent["organisation"]["name"] == "Test Mind"
    assert consent["withdrawn_at"] is None

    not_found(call(client, system.clinician_b, "get", path), "No person in care found.")
    not_found(call(client, system.administrator, "get", path), "No person in care found.")
    not_found(
        call(client, system.clinician_a, "get", f"{API}/people/9999"), "No person in care found."
    )


def test_a_vcse_partner_sees_someone_only_while_they_consent(
    client: Client, system: System, episode: Episode, zones: dict[str, Zone]
) -> None:
    """Ivo (Test Mind, in South CMHT) sees a North CMHT person only after they consent to share
    with Test Mind, and never changes their care."""
    coach = system.south_coach
    path = f"{API}/people/{episode.person_id}"
    not_found(call(client, coach, "get", path), "No person in care found.")
    not_found(call(client, coach, "get", f"{API}/episodes/{episode.pk}"), "No episode found.")

    not_found(
        call(client, coach, "post", f"{path}/consents", {"organisation": system.vcse_org.pk}),
        "No person in care found.",
    )

    consent = ok(
        call(
            client,
            system.clinician_a,
            "post",
            f"{path}/consents",
            {"organisation": system.vcse_org.pk},
        ),
        201,
    )
    assert consent["organisation"]["name"] == "Test Mind"
    assert consent["recorded_by"]["full_name"] == "Amira Clinician"
    assert consent["person"] == episode.person_id
    refused(
        call(
            client,
            system.clinician_a,
            "post",
            f"{path}/consents",
            {"organisation": system.vcse_org.pk},
        ),
        "Consent to share with Test Mind is already recorded.",
    )

    assert ok(call(client, coach, "get", path))["name"] == "Person 001"
    assert [p["id"] for p in ok(call(client, coach, "get", f"{API}/people"))["items"]] == [
        episode.person_id
    ]
    # Seeing is not caring: the partner cannot change their care or record their consent.
    before = counts()
    forbidden(
        call(
            client,
            coach,
            "post",
            f"{API}/episodes/{episode.pk}/zone",
            {"zone": zones["Green"].pk, "version": episode.version},
        ),
        "Only members of North CMHT, the team caring for Person 001, can change their zone.",
    )
    forbidden(
        call(
            client,
            coach,
            "post",
            f"{API}/episodes/{episode.pk}/stage",
            {"to_stage": "ready", "version": episode.version},
        ),
        "Only members of North CMHT",
    )
    forbidden(
        call(client, coach, "post", f"{API}/episodes/{episode.pk}/notes", {"situation": "S"}),
        "can write huddle notes about them",
    )
    forbidden(
        call(
            client,
            coach,
            "post",
            f"{path}/consents",
            {"organisation": system.lived_experience_network.pk},
        ),
        "Only the teams caring for Person 001 can record their consent.",
    )
    forbidden(
        call(client, coach, "post", f"{API}/consents/{consent['id']}/withdraw"),
        "Only the teams caring for Person 001",
    )
    assert counts() == before

    withdrawn = ok(
        call(client, system.clinician_a, "post", f"{API}/consents/{consent['id']}/withdraw")
    )
    assert withdrawn["withdrawn_at"] is not None
    refused(
        call(client, system.clinician_a, "post", f"{API}/consents/{consent['id']}/withdraw"),
        "This consent was already withdrawn.",
    )
    not_found(call(client, coach, "get", path), "No person in care found.")
    not_found(
        call(client, coach, "post", f"{API}/consents/{consent['id']}/withdraw"),
        "No consent found.",
    )


def test_consent_needs_a_known_organisation(
    client: Client, system: System, episode: Episode
) -> None:
    path = f"{API}/people/{episode.person_id}/consents"
    before = counts()
    body = refused(
        call(client, system.clinician_a, "post", path, {"organisation": 9999}),
        "There is no organisation with id 9999.",
    )
    assert list(body["errors"]) == ["organisation"]
    bad_field(call(client, system.clinician_a, "post", path, {"organisation": 0}), "organisation")
    not_found(
        call(client, system.clinician_b, "post", path, {"organisation": system.vcse_org.pk}),
        "No person in care found.",
    )
    assert counts() == before
