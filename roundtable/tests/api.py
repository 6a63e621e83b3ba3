"""Helpers for API tests: call an endpoint as someone, and check what came back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client

from roundtable.directory.models import Person

# Every request signed in with a session reads the session and then the person.
SESSION_QUERIES = 2


@dataclass
class Answer:
    status_code: int
    body: Any  # the parsed JSON, or None for an empty answer


def call(
    client: Client, person: Person, method: str, path: str, body: dict[str, Any] | None = None
) -> Answer:
    """Send a request as `person` (a query string for GET, JSON otherwise)."""
    client.force_login(person)
    if method == "get":
        response = client.get(path, body or {})
    else:
        response = getattr(client, method)(
            path, data=json.dumps(body or {}), content_type="application/json"
        )
    return Answer(response.status_code, response.json() if response.content else None)


def ok(response: Answer, status: int = 200) -> Any:
    assert response.status_code == status, response.body
    return response.body


def refused(response: Answer, *words: str) -> dict[str, Any]:
    """Check for a 422 whose message says `words`; the body."""
    assert response.status_code == 422, response.body
    for word in words:
        assert word in response.body["detail"], response.body
    return dict(response.body)


def forbidden(response: Answer, *words: str) -> dict[str, Any]:
    """Check for a 403 (the person may not do this) whose message says `words`; the body."""
    assert response.status_code == 403, response.body
    for word in words:
        assert word in response.body["detail"], response.body
    return dict(response.body)
