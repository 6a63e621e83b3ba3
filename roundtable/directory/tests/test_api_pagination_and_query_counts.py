"""The directory API: pagination of its lists, and the same queries whatever the size.

Requests here sign in with a session; token authentication is tested in
`roundtable/core/tests/test_api_auth.py`.
"""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from roundtable.directory.models import (
    LeadershipLevel,
    LeadershipMembership,
    LeadershipTeam,
    Membership,
    Person,
)
from roundtable.directory.tests.helpers import (
    API,
    add_members,
    add_teams,
    assert_unprocessable,
    get,
)
from roundtable.testing import System
from roundtable.tests.api import SESSION_QUERIES

pytestmark = pytest.mark.django_db


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
