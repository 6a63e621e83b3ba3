"""The decisions API: every endpoint in the OpenAPI document, and taking a position with a
personal API token."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from roundtable.decisions.models import Decision, Position
from roundtable.decisions.tests.helpers import API
from roundtable.directory.services import api_token_create
from roundtable.testing import System

pytestmark = pytest.mark.django_db


# --- Authentication and the schema -----------------------------------------------------------

ENDPOINTS = [
    ("get", "/decisions"),
    ("post", "/decisions"),
    ("get", "/decisions/1"),
    ("post", "/decisions/1/open"),
    ("post", "/decisions/1/revisions"),
    ("put", "/decisions/1/position"),
    ("post", "/decisions/1/consent-round"),
    ("post", "/decisions/1/outcome"),
    ("post", "/decisions/1/withdraw"),
    ("post", "/decisions/1/review"),
    ("post", "/decisions/1/holds"),
    ("post", "/decisions/1/comments"),
    ("post", "/decisions/1/advice"),
    ("post", "/decisions/1/advice/1"),
    ("get", "/forums/1/budgets"),
    ("post", "/forums/1/budgets"),
    ("get", "/budgets/1"),
    ("post", "/allocation-rounds"),
    ("get", "/allocation-rounds/1"),
    ("put", "/allocation-rounds/1/approvals"),
    ("get", "/awaiting"),
    ("get", "/notifications"),
    ("post", "/notifications/read"),
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
    assert {tag for _, _, operation in documented for tag in operation["tags"]} == {"decisions"}
    operation_ids = {operation["operationId"] for _, _, operation in documented}
    assert {"decisions_decision_list", "decisions_position_take"} <= operation_ids


def test_a_personal_token_can_take_a_position(
    client: Client, system: System, funding: Decision
) -> None:
    _, token = api_token_create(actor=system.vcse, name="Phone")
    response = client.put(
        f"{API}/decisions/{funding.pk}/position",
        data=json.dumps({"stance": "consent"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["my_position"]["stance"] == "consent"
    assert Position.objects.get().person == system.vcse
