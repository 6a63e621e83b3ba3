"""`/health/`: JSON always; 200 when the database answers, 503 when it does not (issue 17: it
answered an HTML 500 while the database was down).

"Down" here is real: the default connection is swapped for one to a database that cannot be
reached (a closed port on PostgreSQL, a file in a folder that does not exist on SQLite), so the
view meets the error the driver raises, not a stand-in."""

from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A port on this machine that nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def database_down(tmp_path: Path) -> Iterator[None]:
    """The default database, for the length of the test, is one that cannot be reached."""
    settings = copy.deepcopy(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings.update(HOST="127.0.0.1", PORT=str(closed_port()), CONN_MAX_AGE=0)
        settings.setdefault("OPTIONS", {})["connect_timeout"] = 2
    else:
        settings["NAME"] = str(tmp_path / "no such folder" / "roundtable.sqlite3")
    original = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = type(original)(settings, DEFAULT_DB_ALIAS)
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS].close()
        connections[DEFAULT_DB_ALIAS] = original


def test_healthy_is_200_json_in_one_query(client: Client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert [query["sql"] for query in queries] == ["SELECT 1"]


def test_the_database_down_is_503_json(client: Client, database_down: None, caplog):
    response = client.get("/health/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "unavailable",
        "detail": "The database is not answering.",
    }
    assert "Health check: the database is not answering" in caplog.text


def test_the_database_back_is_200_again(client: Client):
    """After the test above put the real connection back, the next check answers as usual (no
    state is left behind by a failed check)."""
    assert client.get("/health/").json() == {"status": "ok"}


def test_other_methods_are_told_405_in_json(client: Client):
    response = client.post("/health/")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {"detail": "The health check only answers GET."}
    assert client.head("/health/").status_code == 200


def test_no_sign_in_is_needed(client: Client):
    # The test client has signed nobody in; a page would redirect to sign in.
    assert client.get("/health/").status_code == 200
