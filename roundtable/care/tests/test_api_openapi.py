"""The care API in the OpenAPI document: every endpoint."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from roundtable.care.tests.helpers import API

pytestmark = pytest.mark.django_db


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
