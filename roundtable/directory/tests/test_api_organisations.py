"""The directory API: organisations, localities and disciplines, their filters and errors.

Requests here sign in with a session; token authentication is tested in
`roundtable/core/tests/test_api_auth.py`.
"""

from __future__ import annotations

import pytest
from django.test import Client

from roundtable.directory.models import (
    Discipline,
    LeadershipLevel,
    LeadershipMembership,
    LeadershipTeam,
)
from roundtable.directory.tests.helpers import API, assert_unprocessable, get, names
from roundtable.testing import System

pytestmark = pytest.mark.django_db


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
