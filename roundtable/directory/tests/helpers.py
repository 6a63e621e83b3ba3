"""Helpers for directory tests: grow a team so query counts can be compared by size, read the
error shown on a field, and read the directory API."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from django.test import Client

from roundtable.directory.models import (
    Discipline,
    LeadershipMembership,
    LeadershipTeam,
    Locality,
    Membership,
    Organisation,
    Person,
    Team,
)

API = "/api/v1/directory"


def add_members(team: Team, count: int, *, prefix: str = "extra") -> list[Person]:
    """Add `count` people of varied disciplines and organisations to `team`."""
    disciplines = list(Discipline.objects.all())
    organisations = list(Organisation.objects.all())
    people = [
        Person(
            email=f"{prefix}{team.pk}-{i}@example.nhs.uk",
            full_name=f"{prefix.title()} Person {i:03d}",
            discipline=disciplines[i % len(disciplines)],
            organisation=organisations[i % len(organisations)],
        )
        for i in range(count)
    ]
    Person.objects.bulk_create(people)
    people = list(Person.objects.filter(email__startswith=f"{prefix}{team.pk}-"))
    Membership.objects.bulk_create(Membership(person=p, team=team) for p in people)
    leadership = LeadershipTeam.objects.filter(team=team).first()
    if leadership is not None:
        LeadershipMembership.objects.bulk_create(
            LeadershipMembership(leadership_team=leadership, person=p) for p in people[:5]
        )
    return people


def add_teams(organisation: Organisation, locality: Locality, count: int) -> None:
    Team.objects.bulk_create(
        Team(name=f"Extra team {i:03d}", organisation=organisation, locality=locality, kind="cmht")
        for i in range(count)
    )


def field_error(html: str, field: str) -> str | None:
    """The error message shown on a field of the page, if any."""
    found = re.search(
        rf'id="id_{field}-error"\s*>\s*<span class="nhsuk-u-visually-hidden">Error: </span>([^<]*)',
        html,
    )
    return unescape(found.group(1)).strip() if found else None


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
