"""The forums API: every endpoint in the OpenAPI document, and writing with a personal API
token."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from roundtable.directory.services import api_token_create
from roundtable.forums.models import PresenceVisit, Site
from roundtable.forums.tests.helpers import API
from roundtable.testing import System

pytestmark = pytest.mark.django_db


# --- Authentication --------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/forums"),
    ("post", "/forums"),
    ("get", "/forums/1"),
    ("patch", "/forums/1"),
    ("post", "/forums/1/members"),
    ("delete", "/forums/1/members/1"),
    ("get", "/forums/1/meetings"),
    ("post", "/forums/1/meetings"),
    ("post", "/forums/1/series"),
    ("get", "/meetings/1"),
    ("patch", "/meetings/1"),
    ("post", "/meetings/1/cancel"),
    ("post", "/meetings/1/facilitate"),
    ("put", "/meetings/1/attendance"),
    ("post", "/meetings/1/guests"),
    ("delete", "/meetings/1/attendance/1"),
    ("get", "/presence"),
    ("get", "/presence/teams/1"),
    ("post", "/presence/visits"),
    ("get", "/sites"),
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
    assert {tag for _, _, operation in documented for tag in operation["tags"]} == {"forums"}
    operation_ids = {operation["operationId"] for _, _, operation in documented}
    assert {"forums_forum_list", "forums_attendance_set", "forums_presence"} <= operation_ids


def test_a_personal_token_can_write(client: Client, system: System, site: Site) -> None:
    _, token = api_token_create(actor=system.board_member, name="Presence app")
    response = client.post(
        f"{API}/presence/visits",
        data=json.dumps({"site": site.pk}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    assert PresenceVisit.objects.get().person == system.board_member
