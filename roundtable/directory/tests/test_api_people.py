"""The directory API: people, people who have left, and the person asking (`/me`).

Requests here sign in with a session; token authentication is tested in
`roundtable/core/tests/test_api_auth.py`.
"""

from __future__ import annotations

import pytest
from django.test import Client

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.directory.models import (
    LeadershipLevel,
    LeadershipMembership,
    LeadershipTeam,
    Person,
)
from roundtable.directory.tests.helpers import API, assert_unprocessable, get, names
from roundtable.testing import System

pytestmark = pytest.mark.django_db


# --- People ----------------------------------------------------------------------------------


def test_people_are_listed_by_name_with_their_teams(client: Client, system: System) -> None:
    body = get(client, system.clinician_a, f"{API}/people")
    assert body["count"] == 9
    assert names(body["items"], "full_name") == [
        "Amira Clinician",
        "Ben Clinician",
        "Chloe Practitioner",
        "Dev Voice",
        "Erin Board",
        "Fola Admin",
        "Gita Leader",
        "Hana Coach",
        "Ivo Coach",
    ]
    gita = body["items"][6]
    assert gita == {
        "id": system.team_leader_a.pk,
        "full_name": "Gita Leader",
        "job_title": "",
        "discipline": {
            "id": system.team_leader_a.discipline_id,
            "slug": "occupational-therapy",
            "name": "Occupational therapy",
        },
        "organisation": {
            "id": system.trust.pk,
            "name": "Test Mental Health Trust",
            "kind": "nhs_trust",
        },
        "email": "leader.a@test.nhs.uk",
        "teams": [
            {
                "team": {
                    "id": system.team_a.pk,
                    "name": "North CMHT",
                    "kind": "cmht",
                    "organisation": {
                        "id": system.trust.pk,
                        "name": "Test Mental Health Trust",
                        "kind": "nhs_trust",
                    },
                    "locality": {"id": system.north.pk, "name": "North"},
                },
                "role": "team_leader",
            }
        ],
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "clinician"}, ["Amira Clinician", "Ben Clinician"]),
        ({"q": " CoAcH "}, ["Hana Coach", "Ivo Coach"]),
        ({"discipline": "nursing"}, ["Amira Clinician"]),
        ({"discipline": "pharmacy"}, []),
        ({"organisation_kind": "vcse"}, ["Chloe Practitioner", "Hana Coach", "Ivo Coach"]),
        ({"organisation_kind": "icb", "q": "erin"}, ["Erin Board"]),
        ({}, None),
    ],
)
def test_people_filter(
    client: Client, system: System, params: dict[str, str], expected: list[str] | None
) -> None:
    body = get(client, system.clinician_a, f"{API}/people", **params)
    if expected is None:
        assert body["count"] == 9
    else:
        assert names(body["items"], "full_name") == expected


def test_people_filter_by_job_title(client: Client, system: System) -> None:
    Person.objects.filter(pk=system.clinician_b.pk).update(job_title="Clinical psychologist")
    body = get(client, system.clinician_a, f"{API}/people", q="psycholog")
    assert names(body["items"], "full_name") == ["Ben Clinician"]


def test_people_filter_by_locality_and_organisation(client: Client, system: System) -> None:
    south = get(client, system.clinician_a, f"{API}/people", locality=system.south.pk)
    assert names(south["items"], "full_name") == ["Ben Clinician", "Ivo Coach"]
    mind = get(client, system.clinician_a, f"{API}/people", organisation=system.vcse_org.pk)
    assert names(mind["items"], "full_name") == ["Chloe Practitioner", "Hana Coach", "Ivo Coach"]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("locality", "south"),
        ("locality", "-1"),
        ("organisation", "trust"),
        ("organisation_kind", "NHS trust"),
        ("discipline", "Nursing & midwifery"),
    ],
)
def test_bad_people_filters_are_422(
    client: Client, system: System, parameter: str, value: str
) -> None:
    client.force_login(system.clinician_a)
    assert_unprocessable(client.get(f"{API}/people", {parameter: value}), parameter)


def test_person_detail_has_teams_and_leadership_teams(client: Client, system: System) -> None:
    body = get(client, system.clinician_a, f"{API}/people/{system.board_member.pk}")
    assert body["full_name"] == "Erin Board"
    assert body["email"] == "board@test.nhs.uk"
    assert body["is_active"] is True
    assert body["organisation"]["name"] == "Test ICB"
    assert [(m["team"]["name"], m["role"]) for m in body["teams"]] == [("System Board", "member")]
    assert body["teams"][0]["team"]["locality"] is None
    assert body["leadership_teams"] == [
        {
            "leadership_team": {
                "id": system.system_leadership.pk,
                "name": "System leadership board",
                "level": "system",
            },
            "role": "",
        }
    ]


def test_reading_a_person_is_audited(client: Client, system: System) -> None:
    get(client, system.clinician_a, f"{API}/people/{system.lone_coach.pk}")
    event = AuditEvent.objects.get(action=AuditAction.READ)
    assert event.actor_id == system.clinician_a.pk
    assert (event.object_type, event.object_id) == ("directory.person", str(system.lone_coach.pk))


def test_an_unknown_person_is_404(client: Client, system: System) -> None:
    client.force_login(system.clinician_a)
    response = client.get(f"{API}/people/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "No person found."}


# --- People who have left --------------------------------------------------------------------


@pytest.fixture
def ben_has_left(system: System) -> Person:
    """Ben Clinician (South CMHT) and Erin Board (system leadership) have left."""
    Person.objects.filter(pk__in=[system.clinician_b.pk, system.board_member.pk]).update(
        is_active=False
    )
    return system.clinician_b


def test_people_who_have_left_are_hidden_from_colleagues(
    client: Client, system: System, ben_has_left: Person
) -> None:
    people = get(client, system.clinician_a, f"{API}/people")
    assert "Ben Clinician" not in names(people["items"], "full_name")
    assert people["count"] == 7

    response = client.get(f"{API}/people/{ben_has_left.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "No person found."}

    team_b = get(client, system.clinician_a, f"{API}/teams/{system.team_b.pk}")
    assert [m["person"]["full_name"] for m in team_b["members"]] == ["Ivo Coach"]

    board = get(client, system.clinician_a, f"{API}/leadership-teams/{system.system_leadership.pk}")
    assert [m["person"]["full_name"] for m in board["members"]] == ["Dev Voice"]
    leadership = get(client, system.clinician_a, f"{API}/leadership-teams", level="system")
    assert leadership["items"][0]["member_count"] == 1

    trust = get(client, system.clinician_a, f"{API}/organisations/{system.trust.pk}")
    assert trust["people_count"] == 3


def test_administrators_still_see_people_who_have_left(
    client: Client, system: System, ben_has_left: Person
) -> None:
    people = get(client, system.administrator, f"{API}/people")
    assert "Ben Clinician" in names(people["items"], "full_name")
    ben = get(client, system.administrator, f"{API}/people/{ben_has_left.pk}")
    assert ben["is_active"] is False
    team_b = get(client, system.administrator, f"{API}/teams/{system.team_b.pk}")
    assert [m["person"]["full_name"] for m in team_b["members"]] == ["Ben Clinician", "Ivo Coach"]
    board = get(
        client, system.administrator, f"{API}/leadership-teams/{system.system_leadership.pk}"
    )
    assert len(board["members"]) == 2


# --- Me --------------------------------------------------------------------------------------


def test_me_is_the_person_asking_with_their_teams_and_leadership(
    client: Client, system: System
) -> None:
    body = get(client, system.team_leader_a, "/api/v1/me")
    assert body["id"] == system.team_leader_a.pk
    assert body["full_name"] == "Gita Leader"
    assert body["email"] == "leader.a@test.nhs.uk"
    assert [(m["team"]["name"], m["role"]) for m in body["teams"]] == [
        ("North CMHT", "team_leader")
    ]
    assert [m["leadership_team"]["name"] for m in body["leadership_teams"]] == [
        "North CMHT leadership"
    ]
    # Reading yourself discloses nothing, so it is not written to the audit trail.
    assert not AuditEvent.objects.filter(action=AuditAction.READ).exists()


def test_me_lists_leadership_teams_by_name(client: Client, system: System) -> None:
    for name in ("Zeta project", "Alpha project"):
        project = LeadershipTeam.objects.create(
            name=name, level=LeadershipLevel.PROJECT, team=system.board
        )
        LeadershipMembership.objects.create(leadership_team=project, person=system.board_member)
    body = get(client, system.board_member, "/api/v1/me")
    assert [m["leadership_team"]["name"] for m in body["leadership_teams"]] == [
        "Alpha project",
        "System leadership board",
        "Zeta project",
    ]
