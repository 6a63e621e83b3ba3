"""The care API: every endpoint's answer, who may see and do what, bad input, concurrency and
the huddle board's queries.

Requests sign in with a session (see `roundtable.tests.api.call`).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.care import services
from roundtable.care.models import (
    CareAction,
    CareDecision,
    ConsentToShare,
    Episode,
    HuddleNote,
    Offer,
    PathwayEvent,
    PersonInCare,
    Stage,
    Zone,
    ZoneChange,
)
from roundtable.care.tests.conftest import agree_move_on
from roundtable.decisions import services as decision_services
from roundtable.decisions.models import Decision
from roundtable.directory.models import TeamKind
from roundtable.directory.services import front_door_set
from roundtable.forums import services as forum_services
from roundtable.forums.models import Forum, ForumKind, Meeting
from roundtable.testing import System
from roundtable.tests.api import SESSION_QUERIES, Answer, call, forbidden, ok, refused

pytestmark = pytest.mark.django_db

API = "/api/v1/care"
VALID_NHS_NUMBER = "999 123 4578"  # the 999 test range, Modulus 11 check digit 8
# The team, its zones, the episodes (with their latest notes and the ids of their move-on
# decisions), their open actions, the move-on decisions (the boards below have some), and the
# audit event naming the people shown.
BOARD_QUERIES = 5 + 1


def counts() -> tuple[int, ...]:
    """Everything a refused write might have left behind."""
    return (
        PersonInCare.objects.count(),
        Episode.objects.count(),
        PathwayEvent.objects.count(),
        ConsentToShare.objects.count(),
        ConsentToShare.objects.filter(withdrawn_at__isnull=True).count(),
        Zone.objects.count(),
        Zone.objects.filter(is_archived=True).count(),
        ZoneChange.objects.count(),
        HuddleNote.objects.count(),
        CareAction.objects.count(),
        CareAction.objects.filter(done_at__isnull=True).count(),
        Offer.objects.count(),
        Decision.objects.count(),
        CareDecision.objects.count(),
        # Signing in is audited, and each request here signs in.
        AuditEvent.objects.exclude(action=AuditAction.SIGN_IN).count(),
    )


def conflict(response: Answer, version: int) -> None:
    assert response.status_code == 409, response.body
    assert "Someone else changed this" in response.body["detail"]
    assert response.body["version"] == version


def not_found(response: Answer, detail: str) -> None:
    assert response.status_code == 404, response.body
    assert response.body["detail"] == detail


def bad_field(response: Answer, field: str) -> list[dict[str, Any]]:
    """A 422 from the schema that names `field`; the errors."""
    assert response.status_code == 422, response.body
    errors: list[dict[str, Any]] = response.body["errors"]
    assert any(e["loc"][-1] == field for e in errors), errors
    return errors


def refer(
    system: System, local_id: str, name: str, team: Any = None, key_worker: Any = None
) -> Episode:
    person = services.person_in_care_create(actor=system.clinician_a, local_id=local_id, name=name)
    return services.episode_refer(
        actor=system.clinician_a,
        person=person,
        team=team or system.team_a,
        referral_source="gp",
        key_worker=key_worker or system.clinician_a,
    )


def in_support(system: System, index: int) -> Episode:
    episode = refer(system, f"H{index}", f"Person {index:03d}")
    for stage in (Stage.OFFER_MADE, Stage.IN_SUPPORT):
        episode = services.episode_move(actor=system.clinician_a, episode=episode, to_stage=stage)
    return episode


def ready(system: System, episode: Episode) -> Episode:
    return services.episode_move(
        actor=system.clinician_a, episode=episode, to_stage=Stage.READY_TO_MOVE_ON
    )


@pytest.fixture
def zones(system: System) -> dict[str, Zone]:
    return {z.name: z for z in services.zones_ensure(team=system.team_a)}


@pytest.fixture
def episode(system: System) -> Episode:
    """A. B., referred to North CMHT by their GP and now in support, with Amira as key worker."""
    return in_support(system, 1)


@pytest.fixture
def front_door(system: System) -> Forum:
    return forum_services.forum_create(
        actor=system.team_leader_a,
        name="North front door",
        kind=ForumKind.FRONT_DOOR,
        home_team=system.team_a,
        members=[system.clinician_a, system.team_leader_a, system.vcse, system.clinician_b],
    )


@pytest.fixture
def peer_support(system: System) -> Offer:
    return services.offer_create(
        actor=system.team_leader_a,
        name="Peer support at Test Mind",
        kind="peer_support",
        organisation=system.vcse_org,
    )


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


def consent_for_test_mind(system: System, episode: Episode) -> ConsentToShare:
    return services.consent_give(
        actor=system.clinician_a, person=episode.person, organisation=system.vcse_org
    )


# --- Authentication and the schema -----------------------------------------------------------

ENDPOINTS = [
    ("get", "/people"),
    ("post", "/people"),
    ("get", "/people/1"),
    ("post", "/people/1/consents"),
    ("post", "/consents/1/withdraw"),
    ("post", "/people/1/referrals"),
    ("get", "/episodes/1"),
    ("post", "/episodes/1/stage"),
    ("get", "/teams/1/zones"),
    ("post", "/teams/1/zones"),
    ("patch", "/zones/1"),
    ("post", "/zones/1/archive"),
    ("get", "/teams/1/huddle"),
    ("post", "/episodes/1/zone"),
    ("post", "/episodes/1/notes"),
    ("post", "/episodes/1/actions"),
    ("post", "/actions/1/done"),
    ("get", "/offers"),
    ("post", "/offers"),
    ("patch", "/offers/1"),
    ("get", "/front-door/1/referrals"),
    ("post", "/episodes/1/offer-decision"),
    ("post", "/episodes/1/move-on-decision"),
    ("get", "/teams/1/ready"),
    ("get", "/caseload"),
    ("get", "/caseload/1"),
    ("get", "/flow"),
]


def test_every_endpoint_is_in_the_openapi_schema(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    documented = [
        (method, re.sub(r"\{[a-z_]+\}", "1", path.removeprefix(API)), operation)
        for path, operations in paths.items()
        if path.startswith(f"{API}/")
        for method, operation in operations.items()
    ]
    assert sorted((method, path) for method, path, _ in documented) == sorted(ENDPOINTS)
    assert {tag for _, _, operation in documented for tag in operation["tags"]} == {"care"}
    operation_ids = [operation["operationId"] for _, _, operation in documented]
    assert len(set(operation_ids)) == len(operation_ids)
    assert {"care_person_create", "care_huddle_board", "care_episode_move"} <= set(operation_ids)
    stage = paths[f"{API}/episodes/{{episode_id}}/stage"]["post"]["responses"]
    assert {"200", "403", "404", "409", "422"} <= set(stage)


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


# --- Episodes, referrals and the path --------------------------------------------------------


def test_an_episode_is_for_those_who_may_see_it(
    client: Client, system: System, episode: Episode
) -> None:
    path = f"{API}/episodes/{episode.pk}"
    reads = AuditEvent.objects.filter(action=AuditAction.READ).count()
    body = ok(call(client, system.clinician_a, "get", path))
    assert AuditEvent.objects.filter(action=AuditAction.READ).count() == reads + 1
    assert body["id"] == episode.pk
    assert body["person"]["name"] == "Person 001"
    assert (body["stage"], body["version"], body["zone"], body["offer"]) == (
        "in_support",
        episode.version,
        None,
        None,
    )
    not_found(call(client, system.clinician_b, "get", path), "No episode found.")
    not_found(call(client, system.clinician_a, "get", f"{API}/episodes/9999"), "No episode found.")


def test_coming_back_within_the_window_goes_straight_back_into_support(
    client: Client, system: System, episode: Episode, huddle: Forum, zones: dict[str, Zone]
) -> None:
    services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zones["Green"])
    episode = ready(system, Episode.objects.get(pk=episode.pk))
    decision = agree_move_on(system, huddle, episode)
    moved = ok(
        call(
            client,
            system.clinician_a,
            "post",
            f"{API}/episodes/{episode.pk}/stage",
            {
                "to_stage": "moved_on",
                "destination": "gp",
                "decision": decision.pk,
                "reason": "Back to the GP with a plan.",
                "version": episode.version,
            },
        )
    )
    assert (moved["stage"], moved["destination"]) == ("moved_on", "gp")
    assert moved["closed_at"] is not None

    path = f"{API}/people/{episode.person_id}/referrals"
    back = ok(
        call(
            client,
            system.team_leader_a,
            "post",
            path,
            {"team": system.team_a.pk, "referral_source": "gp"},
        ),
        201,
    )
    assert back["stage"] == "in_support"
    assert (back["previous"], back["came_back"]) == (episode.pk, True)
    assert back["referral_source"] == "re_referral"
    assert back["key_worker"]["full_name"] == "Amira Clinician"
    assert back["zone"]["name"] == "Green"
    event = PathwayEvent.objects.filter(episode_id=back["id"]).get()
    assert event.reason.startswith("Came back 0 days after moving on")

    before = counts()
    refused(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"team": system.team_a.pk, "referral_source": "gp"},
        ),
        "Person 001 already has an open episode with North CMHT.",
    )
    forbidden(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"team": system.team_b.pk, "referral_source": "gp"},
        ),
        "Only members of South CMHT can refer someone to it.",
    )
    not_found(
        call(
            client,
            system.clinician_b,
            "post",
            path,
            {"team": system.team_b.pk, "referral_source": "gp"},
        ),
        "No person in care found.",
    )
    bad_field(
        call(client, system.clinician_a, "post", path, {"team": system.team_a.pk}),
        "referral_source",
    )
    assert counts() == before


def test_moving_along_the_path_with_versions_and_clear_refusals(
    client: Client, system: System, huddle: Forum
) -> None:
    episode = refer(system, "P1", "A. B.")
    path = f"{API}/episodes/{episode.pk}/stage"
    me = system.clinician_a

    offered = ok(
        call(client, me, "post", path, {"to_stage": "offer_made", "version": episode.version})
    )
    assert (offered["stage"], offered["version"]) == ("offer_made", episode.version + 1)
    assert offered["days_to_offer"] == 0

    before = counts()
    # A second client still holding the first version is refused, and told the version now.
    conflict(
        call(client, me, "post", path, {"to_stage": "in_support", "version": episode.version}),
        offered["version"],
    )
    body = refused(
        call(client, me, "post", path, {"to_stage": "ready", "version": offered["version"]}),
        "Someone who is offer made cannot move to ready to move on.",
    )
    assert list(body["errors"]) == ["__all__"]
    refused(
        call(
            client,
            me,
            "post",
            path,
            {"to_stage": "waiting", "destination": "gp", "version": offered["version"]},
        ),
        "A destination is only for moving on",
    )
    bad_field(call(client, me, "post", path, {"to_stage": "lost", "version": 2}), "to_stage")
    bad_field(call(client, me, "post", path, {"to_stage": "waiting"}), "version")
    assert counts() == before
    assert Episode.objects.get(pk=episode.pk).stage == Stage.OFFER_MADE

    version = offered["version"]
    for stage in ("in_support", "ready"):
        version = ok(call(client, me, "post", path, {"to_stage": stage, "version": version}))[
            "version"
        ]
    before = counts()
    body = refused(
        call(
            client,
            me,
            "post",
            path,
            {"to_stage": "moved_on", "destination": "gp", "version": version},
        ),
        "Moving on needs an agreed move-on decision about this person",
    )
    assert list(body["errors"]) == ["decision"]
    body = refused(
        call(
            client,
            me,
            "post",
            path,
            {"to_stage": "moved_on", "destination": "gp", "decision": 9999, "version": version},
        ),
        "There is no decision with id 9999.",
    )
    assert list(body["errors"]) == ["decision"]
    not_found(
        call(client, system.clinician_b, "post", path, {"to_stage": "in_support", "version": 1}),
        "No episode found.",
    )
    assert counts() == before


# --- Zones -----------------------------------------------------------------------------------


def test_a_team_configures_its_zones(client: Client, system: System) -> None:
    me = system.clinician_a
    listed = ok(call(client, me, "get", f"{API}/teams/{system.team_a.pk}/zones"))
    assert [z["name"] for z in listed["items"]] == [
        "Red",
        "Amber",
        "Green",
        "Blue",
        "Ready to move on",
    ]
    assert [z["marks_ready"] for z in listed["items"]] == [False] * 4 + [True]
    assert listed["items"][0]["meaning"].startswith("Intensive input")

    joint = ok(
        call(
            client,
            me,
            "post",
            f"{API}/teams/{system.team_a.pk}/zones",
            {"name": "Joint work", "colour": "grey", "meaning": "Joint work with the crisis team."},
        ),
        201,
    )
    assert (joint["team"], joint["position"], joint["version"]) == (system.team_a.pk, 5, 1)
    path = f"{API}/zones/{joint['id']}"
    renamed = ok(call(client, me, "patch", path, {"name": "With the crisis team", "version": 1}))
    assert (renamed["name"], renamed["colour"], renamed["version"]) == (
        "With the crisis team",
        "grey",
        2,
    )
    assert renamed["meaning"] == "Joint work with the crisis team."

    before = counts()
    conflict(call(client, me, "patch", path, {"position": 0, "version": 1}), 2)
    body = refused(
        call(client, me, "patch", path, {"name": "Amber", "version": 2}),
        "The team already has a zone with this name",
    )
    assert list(body["errors"]) == ["name"]
    bad_field(call(client, me, "patch", path, {"name": None, "version": 2}), "payload")
    bad_field(call(client, me, "patch", path, {"colour": "pink", "version": 2}), "colour")
    body = refused(
        call(
            client,
            me,
            "post",
            f"{API}/teams/{system.team_a.pk}/zones",
            {"name": "Red", "colour": "red", "meaning": " "},
        ),
        "The team already has a zone with this name",
    )
    assert set(body["errors"]) == {"name", "meaning"}
    ready_zone = listed["items"][4]["id"]
    refused(
        call(client, me, "post", f"{API}/zones/{ready_zone}/archive"),
        "The ready-to-move-on zone is needed: rename it instead.",
    )
    assert counts() == before

    archived = ok(call(client, me, "post", f"{path}/archive"))
    assert archived["name"] == "With the crisis team"
    not_found(call(client, me, "post", f"{path}/archive"), "No zone found.")
    assert len(ok(call(client, me, "get", f"{API}/teams/{system.team_a.pk}/zones"))["items"]) == 5


def test_another_teams_zones_are_not_found(
    client: Client, system: System, zones: dict[str, Zone]
) -> None:
    other = system.clinician_b
    before = counts()
    not_found(call(client, other, "get", f"{API}/teams/{system.team_a.pk}/zones"), "No team found.")
    not_found(
        call(
            client,
            other,
            "post",
            f"{API}/teams/{system.team_a.pk}/zones",
            {"name": "Mine", "colour": "red", "meaning": "M"},
        ),
        "No team found.",
    )
    red = zones["Red"].pk
    not_found(call(client, other, "patch", f"{API}/zones/{red}", {"version": 1}), "No zone found.")
    not_found(call(client, other, "post", f"{API}/zones/{red}/archive"), "No zone found.")
    not_found(call(client, system.clinician_a, "get", f"{API}/teams/9999/zones"), "No team found.")
    assert counts() == before


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


# --- The offer catalogue and the front door --------------------------------------------------


def test_the_offer_catalogue(client: Client, system: System, peer_support: Offer) -> None:
    listed = ok(call(client, system.clinician_a, "get", f"{API}/offers"))
    assert listed["count"] == 1
    assert listed["items"][0] == {
        "id": peer_support.pk,
        "name": "Peer support at Test Mind",
        "kind": "peer_support",
        "organisation": {"id": system.vcse_org.pk, "name": "Test Mind", "kind": "vcse"},
        "description": "",
        "is_active": True,
        "version": 1,
    }
    leader = system.team_leader_a
    coaching = ok(
        call(
            client,
            leader,
            "post",
            f"{API}/offers",
            {
                "name": "Mental health coaching",
                "kind": "mental_health_coach",
                "organisation": system.vcse_org.pk,
                "description": "Six sessions with a coach.",
            },
        ),
        201,
    )
    assert (coaching["kind"], coaching["version"]) == ("mental_health_coach", 1)
    path = f"{API}/offers/{coaching['id']}"
    retired = ok(call(client, leader, "patch", path, {"is_active": False, "version": 1}))
    assert (retired["is_active"], retired["name"], retired["version"]) == (
        False,
        "Mental health coaching",
        2,
    )
    assert ok(call(client, leader, "get", f"{API}/offers"))["count"] == 1
    everything = ok(call(client, leader, "get", f"{API}/offers", {"include_inactive": "true"}))
    assert everything["count"] == 2

    before = counts()
    conflict(call(client, leader, "patch", path, {"name": "Coaching", "version": 1}), 2)
    body = refused(
        call(client, leader, "patch", path, {"name": "peer support at test mind", "version": 2}),
        "There is already an offer with this name",
    )
    assert list(body["errors"]) == ["name"]
    refused(
        call(client, leader, "patch", path, {"organisation": 9999, "version": 2}),
        "There is no organisation with id 9999.",
    )
    bad_field(call(client, leader, "patch", path, {"is_active": None, "version": 2}), "payload")
    bad_field(
        call(
            client,
            leader,
            "post",
            f"{API}/offers",
            {"name": "X", "kind": "pills", "organisation": system.vcse_org.pk},
        ),
        "kind",
    )
    # Changing the catalogue is for administrators and leaders.
    forbidden(
        call(
            client,
            system.clinician_a,
            "post",
            f"{API}/offers",
            {"name": "X", "kind": "other", "organisation": system.vcse_org.pk},
        ),
        "Only administrators and leaders can change the offer catalogue.",
    )
    forbidden(
        call(client, system.clinician_a, "patch", path, {"is_active": True, "version": 2}),
        "Only administrators and leaders",
    )
    not_found(
        call(client, leader, "patch", f"{API}/offers/9999", {"version": 1}), "No offer found."
    )
    assert counts() == before
    assert ok(call(client, system.administrator, "patch", path, {"is_active": True, "version": 2}))[
        "is_active"
    ]


def test_the_front_door_queue_and_an_offer_as_a_shared_decision(
    client: Client, system: System, front_door: Forum, peer_support: Offer
) -> None:
    referral = refer(system, "FD1", "D. E.")
    queue_path = f"{API}/front-door/{front_door.pk}/referrals"
    queue = ok(call(client, system.clinician_a, "get", queue_path))
    [row] = queue["items"]
    assert (row["episode"], row["person"]["name"], row["team"]["name"]) == (
        referral.pk,
        "D. E.",
        "North CMHT",
    )
    assert (row["referral_source"], row["days_waiting"], row["open_offer"]) == ("gp", 0, None)
    # Referred late yesterday evening, under 24 hours ago: a calendar day of waiting.
    evening = (timezone.localtime() - timedelta(days=1)).replace(hour=23, minute=59)
    Episode.objects.filter(pk=referral.pk).update(referred_at=evening)
    [row] = ok(call(client, system.clinician_a, "get", queue_path))["items"]
    assert row["days_waiting"] == 1

    path = f"{API}/episodes/{referral.pk}/offer-decision"
    decision = ok(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"offer": peer_support.pk, "forum": front_door.pk},
        ),
        201,
    )
    assert decision["kind"] == "front_door_offer"
    assert decision["status"] == "open"
    assert decision["forum"] == front_door.pk
    assert decision["title"] == "Offer Peer support at Test Mind to D. E."
    [row] = ok(call(client, system.clinician_a, "get", queue_path))["items"]
    assert row["open_offer"]["decision"]["id"] == decision["id"]
    assert row["open_offer"]["offer"] == {"id": peer_support.pk, "name": peer_support.name}

    before = counts()
    refused(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"offer": peer_support.pk, "forum": front_door.pk},
        ),
        "An offer for D. E. is already open for positions.",
    )
    body = refused(
        call(client, system.clinician_a, "post", path, {"offer": 9999, "forum": front_door.pk}),
        "There is no offer with id 9999.",
    )
    assert list(body["errors"]) == ["offer"]
    body = refused(
        call(
            client,
            system.lone_coach,
            "post",
            path,
            {"offer": peer_support.pk, "forum": front_door.pk},
        ),
        f"There is no front-door forum you are a member of with id {front_door.pk}.",
    )
    assert list(body["errors"]) == ["forum"]
    # Ivo is neither in North's team nor in its front-door forum: the referral is not found.
    not_found(
        call(
            client,
            system.south_coach,
            "post",
            path,
            {"offer": peer_support.pk, "forum": front_door.pk},
        ),
        "No episode found.",
    )
    # Ben sits in the front-door meeting, which shows him nobody: a forum grants no sight.
    assert ok(call(client, system.clinician_b, "get", queue_path))["count"] == 0
    not_found(call(client, system.lone_coach, "get", queue_path), "No front-door forum found.")
    assert counts() == before
    # Once an administrator makes his team the front door for North CMHT, he sees the
    # referral while it waits for an offer.
    system.team_b.kind = TeamKind.FRONT_DOOR
    system.team_b.save(update_fields=["kind"])
    front_door_set(actor=system.administrator, front_door=system.team_b, teams=[system.team_a])
    assert ok(call(client, system.clinician_b, "get", queue_path))["count"] == 1

    # Agreeing it in the forum makes the offer.
    agreed = Decision.objects.get(pk=decision["id"])
    decision_services.position_take(actor=system.vcse, decision=agreed, stance="consent")
    decision_services.decision_decide(
        actor=system.clinician_a, decision=agreed, agreed=True, outcome="Offer it", rationale="Fits"
    )
    made = ok(call(client, system.clinician_a, "get", f"{API}/episodes/{referral.pk}"))
    assert (made["stage"], made["offer"]["id"]) == ("offer_made", peer_support.pk)
    assert ok(call(client, system.clinician_a, "get", queue_path))["count"] == 0


def test_a_move_on_decision_and_the_ready_list(
    client: Client, system: System, episode: Episode, huddle: Forum
) -> None:
    path = f"{API}/episodes/{episode.pk}/move-on-decision"
    body = {
        "destination": "gp",
        "forum": huddle.pk,
        "proposal": "Back to the GP with a plan; comes back if need be.",
    }
    before = counts()
    refused(
        call(client, system.clinician_a, "post", path, body),
        "Person 001 is not ready to move on",
    )
    errors = refused(
        call(client, system.clinician_a, "post", path, {**body, "proposal": " ", "forum": 9999}),
        "There is no forum with id 9999.",
    )["errors"]
    assert list(errors) == ["forum"]
    bad_field(
        call(client, system.clinician_a, "post", path, {**body, "destination": "moon"}),
        "destination",
    )
    assert counts() == before

    episode = ready(system, episode)
    ready_path = f"{API}/teams/{system.team_a.pk}/ready"
    [row] = ok(call(client, system.clinician_a, "get", ready_path))["items"]
    assert (row["episode"], row["days_ready"], row["move_on"], row["shared"], row["held"]) == (
        episode.pk,
        0,
        None,
        False,
        False,
    )

    consent_for_test_mind(system, episode)
    before = counts()
    forbidden(
        call(client, system.south_coach, "post", path, body),
        "can raise a move-on decision about them",
    )
    not_found(call(client, system.clinician_b, "post", path, body), "No episode found.")
    assert counts() == before

    raised = ok(call(client, system.clinician_a, "post", path, body), 201)
    assert (raised["kind"], raised["status"], raised["forum"]) == ("move_on", "open", huddle.pk)
    [row] = ok(call(client, system.clinician_a, "get", ready_path))["items"]
    assert row["move_on"]["decision"]["id"] == raised["id"]
    assert (row["shared"], row["held"]) == (False, False)

    decision = Decision.objects.get(pk=raised["id"])
    decision_services.position_take(actor=system.vcse, decision=decision, stance="consent")
    decision = decision_services.decision_decide(
        actor=system.clinician_a,
        decision=decision,
        agreed=True,
        outcome="Moves on to the GP",
        rationale="The work we agreed is done.",
    )
    decision_services.hold_add(actor=system.team_leader_a, decision=decision, message="")
    [row] = ok(call(client, system.clinician_a, "get", ready_path))["items"]
    assert row["move_on"]["decision"]["status"] == "agreed"
    assert row["move_on"]["hold_count"] == 1
    assert (row["shared"], row["held"]) == (True, True)
    not_found(call(client, system.clinician_b, "get", ready_path), "No team found.")


# --- Caseloads and flow ----------------------------------------------------------------------


def test_caseloads(client: Client, system: System, episode: Episode) -> None:
    mine = ok(call(client, system.clinician_a, "get", f"{API}/caseload"))
    [row] = mine["items"]
    assert (row["id"], row["person"]["name"], row["team"]["name"], row["stage"]) == (
        episode.pk,
        "Person 001",
        "North CMHT",
        "in_support",
    )
    assert ok(call(client, system.vcse, "get", f"{API}/caseload"))["count"] == 0
    colleague = ok(call(client, system.vcse, "get", f"{API}/caseload/{system.clinician_a.pk}"))
    assert [r["id"] for r in colleague["items"]] == [episode.pk]
    not_found(
        call(client, system.clinician_b, "get", f"{API}/caseload/{system.clinician_a.pk}"),
        "No colleague found.",
    )


def test_flow_is_for_my_teams(
    client: Client, system: System, huddle: Forum, zones: dict[str, Zone]
) -> None:
    first = in_support(system, 1)
    services.episode_zone_set(actor=system.clinician_a, episode=first, zone=zones["Red"])
    second = in_support(system, 2)
    services.episode_zone_set(
        actor=system.clinician_a, episode=second, zone=zones["Ready to move on"]
    )
    second = Episode.objects.get(pk=second.pk)
    decision = agree_move_on(system, huddle, second)
    services.episode_move(
        actor=system.clinician_a,
        episode=second,
        to_stage="moved_on",
        destination="gp",
        decision=decision,
    )
    # A key worker is a member of the team (Ben is in South CMHT).
    refer(system, "S1", "Sam South", team=system.team_b, key_worker=system.clinician_b)

    flow = ok(call(client, system.clinician_a, "get", f"{API}/flow", {"zone_days": 2}))
    assert flow["teams"] == [system.team_a.pk]
    assert flow["referral_to_offer"] == {
        "count": 2,
        "median": 0.0,
        "histogram": [{"days": 0, "count": 2}],
    }
    assert flow["ready_to_moved_on"]["count"] == 1
    assert (flow["moved_on"], flow["came_back"]) == (1, 0)
    assert flow["caseload_by_key_worker"] == [{"key_worker": "Amira Clinician", "count": 1}]
    assert [day["zones"] for day in flow["zone_mix"]] == [{}, {"Red": 1}]
    assert flow["zone_mix"][-1]["day"] == timezone.localdate().isoformat()

    explicit = ok(
        call(client, system.clinician_a, "get", f"{API}/flow?team={system.team_a.pk}&zone_days=0")
    )
    assert (explicit["teams"], explicit["zone_mix"]) == ([system.team_a.pk], [])
    later = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert (
        ok(call(client, system.clinician_a, "get", f"{API}/flow", {"since": later}))[
            "referral_to_offer"
        ]["count"]
        == 0
    )
    south = ok(call(client, system.clinician_b, "get", f"{API}/flow"))
    assert (south["teams"], south["moved_on"]) == ([system.team_b.pk], 0)
    assert south["caseload_by_key_worker"] == [{"key_worker": "Ben Clinician", "count": 1}]
    not_found(
        call(
            client,
            system.clinician_a,
            "get",
            f"{API}/flow?team={system.team_a.pk}&team={system.team_b.pk}",
        ),
        "No team found.",
    )
    nobody = ok(call(client, system.administrator, "get", f"{API}/flow"))
    assert (nobody["teams"], nobody["referral_to_offer"]["count"]) == ([], 0)
    bad_field(
        call(client, system.clinician_a, "get", f"{API}/flow", {"zone_days": 999}), "zone_days"
    )
