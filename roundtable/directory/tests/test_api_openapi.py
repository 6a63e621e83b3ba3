"""The directory API in the OpenAPI document: every endpoint under one tag."""

from __future__ import annotations

import pytest
from django.test import Client

from roundtable.directory.tests.helpers import API

pytestmark = pytest.mark.django_db


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
