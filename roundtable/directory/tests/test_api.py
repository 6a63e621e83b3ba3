"""The directory API: every endpoint, its filters, pagination, errors and query counts.

Requests here sign in with a session; token authentication is tested in
`roundtable/core/tests/test_api_auth.py`.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.directory.models import (
    Discipline,
    LeadershipLevel,
    LeadershipMembership,
    LeadershipTeam,
    Membership,
    Person,
)
from roundtable.directory.tests.helpers import add_members, add_teams
from roundtable.testing import System

pytestmark = pytest.mark.django_db

API = "/api/v1/directory"
# Every request signed in with a session reads the session and then the person.
SESSION_QUERIES = 2


def get(client: Client, person: Person, path: str, **params: Any) -> Any:
    """GET `path` as `person`; the JSON body, after checking that the request succeeded."""
    client.force_login(person)
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def names(items: list[dict[str, Any]], key: str = "name") -> list[str]:
    return [item[key] for item in items]


def assert_unprocessable(response: Any, parameter: str) -> None:
    assert response.status_code == 422
    body = response.json()
    assert f"query parameter {parameter}" in body["detail"]
    assert [error["loc"] for error in body["errors"]] == [["query", parameter]]


# --- Organisations ---------------------------------------------------------------------------


def test_organisations_are_listed_by_kind_then_name(client: Client, system: System) -> None:
    body = get(client, system.clinician_a, f"{API}/organisations")
    assert body["count"] == 6
    assert names(body["items"]) == [
        "Test Surgery",  # gp_practice
        "Test ICB",  # icb
        "Test Voices Network",  # lived_experience
        "Test Mental Health Trust",  # nhs_trust
        "Test PCN",  # pcn
        "Test Mind",  # vcse
    ]
    trust = next(item for item in body["items"] if item["id"] == system.trust.pk)
    assert trust == {
        "id": system.trust.pk,
        "name": "Test Mental Health Trust",
        "kind": "nhs_trust",
        "ods_code": "RWR",
        "parent": {"id": system.icb.pk, "name": "Test ICB", "kind": "icb"},
        "team_count": 2,
    }


def test_organisations_filter_by_kind(client: Client, system: System) -> None:
    body = get(client, system.clinician_a, f"{API}/organisations", kind="vcse")
    assert names(body["items"]) == ["Test Mind"]
    everything = get(client, system.clinician_a, f"{API}/organisations")
    assert everything["count"] == 6


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("organisations", {"kind": ""}),
        ("teams", {"locality": "", "kind": ""}),
        ("people", {"organisation_kind": "", "locality": "", "organisation": ""}),
        ("leadership-teams", {"level": ""}),
    ],
)
def test_an_empty_filter_is_not_any_value_but_422(
    client: Client, system: System, path: str, params: dict[str, str]
) -> None:
    """A client leaves a filter out for any value; an empty one does not fit the document."""
    client.force_login(system.clinician_a)
    response = client.get(f"{API}/{path}", params)
    assert response.status_code == 422
    assert sorted(e["loc"][1] for e in response.json()["errors"]) == sorted(params)


def test_an_unknown_organisation_kind_is_422(client: Client, system: System) -> None:
    client.force_login(system.clinician_a)
    response = client.get(f"{API}/organisations", {"kind": "hospital"})
    assert_unprocessable(response, "kind")
    assert "'vcse'" in response.json()["detail"]


def test_organisation_detail_has_children_teams_and_leadership(
    client: Client, system: System
) -> None:
    leadership = LeadershipTeam.objects.create(
        name="Trust executive", level=LeadershipLevel.ORGANISATION, organisation=system.trust
    )
    LeadershipMembership.objects.create(
        leadership_team=leadership, person=system.administrator, role="Chief executive"
    )
    body = get(client, system.clinician_a, f"{API}/organisations/{system.trust.pk}")
    assert body["name"] == "Test Mental Health Trust"
    assert body["ods_code"] == "RWR"
    assert body["parent"]["name"] == "Test ICB"
    assert body["children"] == []
    assert [(t["name"], t["locality"]["name"], t["member_count"]) for t in body["teams"]] == [
        ("North CMHT", "North", 4),
        ("South CMHT", "South", 2),
    ]
    assert body["leadership_teams"] == [
        {
            "id": leadership.pk,
            "name": "Trust executive",
            "level": "organisation",
            "members": [
                {
                    "person": {
                        "id": system.administrator.pk,
                        "full_name": "Fola Admin",
                        "job_title": "",
                        "discipline": {
                            "id": system.administrator.discipline_id,
                            "slug": "administration",
                            "name": "Administration",
                        },
                    },
                    "role": "Chief executive",
                }
            ],
        }
    ]
    # Amira, Ben, Fola and Gita work for the trust.
    assert body["people_count"] == 4

    icb = get(client, system.clinician_a, f"{API}/organisations/{system.icb.pk}")
    assert names(icb["children"]) == ["Test Mental Health Trust"]


def test_an_unknown_organisation_is_404(client: Client, system: System) -> None:
    client.force_login(system.clinician_a)
    response = client.get(f"{API}/organisations/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "No organisation found."}


# --- Localities and disciplines --------------------------------------------------------------


def test_localities_are_listed_by_name(client: Client, system: System) -> None:
    body = get(client, system.clinician_a, f"{API}/localities")
    assert body == {
        "items": [
            {"id": system.north.pk, "name": "North"},
            {"id": system.south.pk, "name": "South"},
        ],
        "count": 2,
    }


def test_disciplines_are_listed_in_their_usual_order(client: Client, system: System) -> None:
    body = get(client, system.clinician_a, f"{API}/disciplines")
    expected = list(Discipline.objects.order_by("sort_order", "name"))
    assert body["count"] == len(expected)
    assert [(d["id"], d["slug"], d["name"]) for d in body["items"]] == [
        (d.pk, d.slug, d.name) for d in expected
    ]


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


# --- Pagination ------------------------------------------------------------------------------


def test_lists_are_paginated_fifty_at_a_time(client: Client, system: System) -> None:
    add_teams(system.trust, system.north, 57)  # 60 teams in all
    first = get(client, system.clinician_a, f"{API}/teams")
    assert first["count"] == 60
    assert len(first["items"]) == 50
    second = get(client, system.clinician_a, f"{API}/teams", page=2)
    assert second["count"] == 60
    assert len(second["items"]) == 10
    beyond = get(client, system.clinician_a, f"{API}/teams", page=3)
    assert beyond == {"items": [], "count": 60}
    ids = [t["id"] for t in first["items"] + second["items"]]
    assert len(set(ids)) == 60


def test_page_size_can_be_chosen_up_to_a_hundred(client: Client, system: System) -> None:
    add_members(system.team_b, 120)
    small = get(client, system.clinician_a, f"{API}/people", page_size=5)
    assert len(small["items"]) == 5
    large = get(client, system.clinician_a, f"{API}/people", page_size=500)
    assert len(large["items"]) == 100
    assert large["count"] == Person.objects.count() > 100


def test_pages_of_people_with_the_same_name_neither_repeat_nor_skip(
    client: Client, system: System
) -> None:
    twins = add_members(system.team_b, 30, prefix="twin")
    Person.objects.filter(pk__in=[p.pk for p in twins]).update(full_name="Sam Twin")
    seen: list[int] = []
    for page in (1, 2, 3, 4):
        body = get(
            client, system.clinician_a, f"{API}/people", q="sam twin", page=page, page_size=8
        )
        seen.extend(p["id"] for p in body["items"])
    assert seen == sorted(p.pk for p in twins)


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "two"}, {"page_size": "0"}])
def test_bad_page_parameters_are_422(
    client: Client, system: System, params: dict[str, str]
) -> None:
    client.force_login(system.clinician_a)
    [parameter] = params
    assert_unprocessable(client.get(f"{API}/people", params), parameter)


# --- Query counts ----------------------------------------------------------------------------


def grow(system: System) -> None:
    """Make the directory several times larger: more teams, members and leaders everywhere."""
    add_teams(system.trust, system.south, 20)
    for team in (system.team_a, system.team_b, system.board):
        add_members(team, 40, prefix=f"grow{team.pk}-")
    extra = LeadershipTeam.objects.create(
        name="North CMHT clinical leadership", level=LeadershipLevel.TEAM, team=system.team_a
    )
    for person in Person.objects.filter(email__startswith="grow")[:6]:
        LeadershipMembership.objects.create(leadership_team=extra, person=person)
    # Some people are in more than one team.
    for person in Person.objects.filter(email__startswith=f"grow{system.team_b.pk}-")[:10]:
        Membership.objects.create(person=person, team=system.team_a)


# Path, and the queries after the session: what each one is for.
QUERY_COUNTS = [
    ("/api/v1/me", 3),  # person, their teams, their leadership teams
    (f"{API}/organisations", 2),  # count, page
    (f"{API}/localities", 1),  # all localities
    (f"{API}/disciplines", 1),  # all disciplines
    (f"{API}/teams", 2),  # count, page
    (f"{API}/people", 3),  # count, page, their teams
    (f"{API}/leadership-teams", 2),  # count, page
]


@pytest.mark.parametrize(("path", "queries"), QUERY_COUNTS, ids=[p for p, _ in QUERY_COUNTS])
def test_lists_use_the_same_queries_whatever_the_size(
    client: Client,
    system: System,
    django_assert_num_queries: DjangoAssertNumQueries,
    path: str,
    queries: int,
) -> None:
    client.force_login(system.clinician_a)
    with django_assert_num_queries(SESSION_QUERIES + queries):
        small = client.get(path)
    grow(system)
    with django_assert_num_queries(SESSION_QUERIES + queries):
        large = client.get(path)
    assert small.status_code == large.status_code == 200
    if "count" in large.json():
        assert large.json()["count"] >= small.json()["count"]


def test_filtered_people_use_the_same_queries_whatever_the_size(
    client: Client, system: System, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client.force_login(system.clinician_a)
    params: dict[str, str | int] = {
        "locality": system.north.pk,
        "organisation_kind": "nhs_trust",
        "q": "e",
    }
    with django_assert_num_queries(SESSION_QUERIES + 3):
        small = client.get(f"{API}/people", params).json()
    grow(system)
    with django_assert_num_queries(SESSION_QUERIES + 3):
        large = client.get(f"{API}/people", params).json()
    assert large["count"] > small["count"]


def test_team_detail_uses_the_same_queries_whatever_the_size(
    client: Client, system: System, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client.force_login(system.clinician_a)
    path = f"{API}/teams/{system.team_a.pk}"
    # Team, members, leadership teams, leadership members.
    with django_assert_num_queries(SESSION_QUERIES + 4):
        small = client.get(path).json()
    grow(system)
    with django_assert_num_queries(SESSION_QUERIES + 4):
        large = client.get(path).json()
    assert len(small["members"]) == 4
    assert len(large["members"]) == 4 + 40 + 10
    assert [len(lt["members"]) for lt in large["leadership_teams"]] == [6, 6]


def test_organisation_and_leadership_detail_use_the_same_queries_whatever_the_size(
    client: Client, system: System, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client.force_login(system.clinician_a)
    LeadershipTeam.objects.create(
        name="Trust executive", level=LeadershipLevel.ORGANISATION, organisation=system.trust
    )
    organisation = f"{API}/organisations/{system.trust.pk}"
    leadership = f"{API}/leadership-teams/{system.team_a_leadership.pk}"
    # Organisation, children, teams, leadership teams, their members, people count.
    with django_assert_num_queries(SESSION_QUERIES + 6):
        client.get(organisation)
    # Leadership team, its members.
    with django_assert_num_queries(SESSION_QUERIES + 2):
        client.get(leadership)
    grow(system)
    with django_assert_num_queries(SESSION_QUERIES + 6):
        assert len(client.get(organisation).json()["teams"]) == 22
    with django_assert_num_queries(SESSION_QUERIES + 2):
        assert len(client.get(leadership).json()["members"]) == 6


# --- OpenAPI ---------------------------------------------------------------------------------


def test_the_openapi_schema_lists_every_directory_endpoint_under_one_tag(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    directory = {
        "/api/v1/me",
        f"{API}/organisations",
        f"{API}/organisations/{{organisation_id}}",
        f"{API}/localities",
        f"{API}/disciplines",
        f"{API}/teams",
        f"{API}/teams/{{team_id}}",
        f"{API}/people",
        f"{API}/people/{{person_id}}",
        f"{API}/leadership-teams",
        f"{API}/leadership-teams/{{leadership_team_id}}",
    }
    assert directory <= set(paths)
    for path in directory:
        assert set(paths[path]) == {"get"}, path
        assert paths[path]["get"]["tags"] == ["directory"], path
    assert paths[f"{API}/teams/{{team_id}}"]["get"]["operationId"] == "directory_team_detail"
    assert paths["/api/v1/me"]["get"]["operationId"] == "me"
    filters = {p["name"] for p in paths[f"{API}/people"]["get"]["parameters"]}
    assert filters == {
        "q",
        "discipline",
        "organisation_kind",
        "locality",
        "organisation",
        "page",
        "page_size",
    }
