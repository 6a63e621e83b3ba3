"""The directory API: teams and leadership teams, their filters and errors.

Requests here sign in with a session; token authentication is tested in
`roundtable/core/tests/test_api_auth.py`.
"""

from __future__ import annotations

import pytest
from django.test import Client

from roundtable.directory.models import LeadershipLevel, LeadershipTeam
from roundtable.directory.tests.helpers import API, assert_unprocessable, get, names
from roundtable.testing import System

pytestmark = pytest.mark.django_db


# --- Teams -----------------------------------------------------------------------------------


def test_teams_are_listed_by_name_with_member_counts(client: Client, system: System) -> None:
    body = get(client, system.clinician_a, f"{API}/teams")
    assert body["count"] == 3
    assert [(t["name"], t["member_count"]) for t in body["items"]] == [
        ("North CMHT", 4),
        ("South CMHT", 2),
        ("System Board", 2),
    ]
    assert body["items"][0] == {
        "id": system.team_a.pk,
        "name": "North CMHT",
        "kind": "cmht",
        "organisation": {
            "id": system.trust.pk,
            "name": "Test Mental Health Trust",
            "kind": "nhs_trust",
        },
        "locality": {"id": system.north.pk, "name": "North"},
        "member_count": 4,
    }
    assert body["items"][2]["locality"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "north"}, ["North CMHT"]),
        ({"q": "  cmht "}, ["North CMHT", "South CMHT"]),
        ({"kind": "board"}, ["System Board"]),
        ({"organisation_kind": "icb"}, ["System Board"]),
        ({"organisation_kind": "vcse"}, []),
        ({"kind": "cmht", "organisation_kind": "nhs_trust"}, ["North CMHT", "South CMHT"]),
    ],
)
def test_teams_filter(
    client: Client, system: System, params: dict[str, str], expected: list[str]
) -> None:
    assert names(get(client, system.clinician_a, f"{API}/teams", **params)["items"]) == expected


def test_teams_filter_by_locality_and_organisation(client: Client, system: System) -> None:
    by_locality = get(client, system.clinician_a, f"{API}/teams", locality=system.south.pk)
    assert names(by_locality["items"]) == ["South CMHT"]
    by_organisation = get(client, system.clinician_a, f"{API}/teams", organisation=system.icb.pk)
    assert names(by_organisation["items"]) == ["System Board"]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("locality", "north"),
        ("locality", "0"),
        ("organisation", "1.5"),
        ("kind", "ward"),
        ("organisation_kind", "hospital"),
    ],
)
def test_bad_team_filters_are_422(
    client: Client, system: System, parameter: str, value: str
) -> None:
    client.force_login(system.clinician_a)
    assert_unprocessable(client.get(f"{API}/teams", {parameter: value}), parameter)


def test_team_detail_lists_members_with_discipline_and_organisation(
    client: Client, system: System
) -> None:
    body = get(client, system.clinician_a, f"{API}/teams/{system.team_a.pk}")
    assert body["name"] == "North CMHT"
    assert body["kind"] == "cmht"
    assert body["organisation"]["name"] == "Test Mental Health Trust"
    assert body["locality"] == {"id": system.north.pk, "name": "North"}
    members = [
        (
            m["person"]["full_name"],
            m["person"]["discipline"]["slug"],
            m["person"]["organisation"]["name"],
            m["role"],
        )
        for m in body["members"]
    ]
    assert members == [
        ("Amira Clinician", "nursing", "Test Mental Health Trust", "member"),
        ("Chloe Practitioner", "vcse-practitioner", "Test Mind", "member"),
        ("Gita Leader", "occupational-therapy", "Test Mental Health Trust", "team_leader"),
        ("Hana Coach", "mental-health-coach", "Test Mind", "member"),
    ]
    [leadership] = body["leadership_teams"]
    assert leadership["name"] == "North CMHT leadership"
    assert leadership["level"] == "team"
    assert [(m["person"]["full_name"], m["role"]) for m in leadership["members"]] == [
        ("Gita Leader", "Team leader")
    ]


def test_an_unknown_team_is_404(client: Client, system: System) -> None:
    client.force_login(system.clinician_a)
    response = client.get(f"{API}/teams/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "No team found."}


def test_a_team_id_that_is_not_a_number_is_422(client: Client, system: System) -> None:
    client.force_login(system.clinician_a)
    response = client.get(f"{API}/teams/north")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "team_id"]


def test_an_id_beyond_the_database_range_is_404(client: Client, system: System) -> None:
    client.force_login(system.clinician_a)
    assert client.get(f"{API}/teams/{2**70}").status_code == 404


# --- Leadership teams ------------------------------------------------------------------------


def test_leadership_teams_are_listed_by_name(client: Client, system: System) -> None:
    body = get(client, system.clinician_a, f"{API}/leadership-teams")
    assert body == {
        "items": [
            {
                "id": system.team_a_leadership.pk,
                "name": "North CMHT leadership",
                "level": "team",
                "organisation": None,
                "team": {"id": system.team_a.pk, "name": "North CMHT", "kind": "cmht"},
                "member_count": 1,
            },
            {
                "id": system.system_leadership.pk,
                "name": "System leadership board",
                "level": "system",
                "organisation": None,
                "team": None,
                "member_count": 2,
            },
        ],
        "count": 2,
    }


def test_leadership_teams_filter_by_level(client: Client, system: System) -> None:
    LeadershipTeam.objects.create(
        name="Trust executive", level=LeadershipLevel.ORGANISATION, organisation=system.trust
    )
    organisation_level = get(
        client, system.clinician_a, f"{API}/leadership-teams", level="organisation"
    )
    assert names(organisation_level["items"]) == ["Trust executive"]
    assert organisation_level["items"][0]["organisation"]["name"] == "Test Mental Health Trust"
    assert organisation_level["items"][0]["member_count"] == 0
    team_level = get(client, system.clinician_a, f"{API}/leadership-teams", level="team")
    assert names(team_level["items"]) == ["North CMHT leadership"]
    assert get(client, system.clinician_a, f"{API}/leadership-teams", level="project") == {
        "items": [],
        "count": 0,
    }


def test_an_unknown_leadership_level_is_422(client: Client, system: System) -> None:
    client.force_login(system.clinician_a)
    assert_unprocessable(client.get(f"{API}/leadership-teams", {"level": "board"}), "level")


def test_leadership_team_detail_has_its_members(client: Client, system: System) -> None:
    body = get(client, system.clinician_a, f"{API}/leadership-teams/{system.system_leadership.pk}")
    assert body["name"] == "System leadership board"
    assert body["level"] == "system"
    assert body["organisation"] is None
    assert body["team"] is None
    assert [
        (m["person"]["full_name"], m["person"]["discipline"]["slug"]) for m in body["members"]
    ] == [
        ("Dev Voice", "lived-experience"),
        ("Erin Board", "management"),
    ]
    team_level = get(
        client, system.clinician_a, f"{API}/leadership-teams/{system.team_a_leadership.pk}"
    )
    assert team_level["team"] == {"id": system.team_a.pk, "name": "North CMHT", "kind": "cmht"}


def test_an_unknown_leadership_team_is_404(client: Client, system: System) -> None:
    client.force_login(system.clinician_a)
    response = client.get(f"{API}/leadership-teams/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "No leadership team found."}
