"""Every operation of the API needs credentials: read from the OpenAPI document, so that an
endpoint added tomorrow is covered without a line here.

Without a token or a session, each answers 401 in JSON with `detail` saying how to authenticate
and a `WWW-Authenticate` challenge, before it reads its parameters, its body or any record.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from roundtable.config.api import api

pytestmark = pytest.mark.django_db

DOCUMENT = api.get_openapi_schema()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
]


def test_the_document_lists_every_app() -> None:
    """The list below is the whole API, not a part of it that happened to load."""
    tags = {tag for _, _, operation in OPERATIONS for tag in operation.get("tags", [])}
    assert {"directory", "forums", "decisions", "care", "safety", "voice", "wellbeing"} <= tags
    assert len(OPERATIONS) > 100


def test_no_operation_is_documented_as_public() -> None:
    public = [
        f"{method} {path}"
        for method, path, operation in OPERATIONS
        if not operation.get("security")
    ]
    assert public == []


@pytest.mark.parametrize(
    ("method", "path"),
    [(method, path) for method, path, _ in OPERATIONS],
    ids=[f"{method} {path}" for method, path, _ in OPERATIONS],
)
def test_every_operation_needs_credentials(client: Client, method: str, path: str) -> None:
    address = re.sub(r"\{[^}]+\}", "1", path)
    response = client.generic(method, address, "{}", content_type="application/json")
    assert response.status_code == 401, response.content
    assert response["Content-Type"].startswith("application/json")
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"] == 'Bearer realm="Roundtable"'
