"""Fixtures shared by every app's tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from roundtable.directory.models import Person
from roundtable.testing import System, build_system, ensure_disciplines

# What a test needs the database for, when it does not say so with a `django_db` mark.
_DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "system"}


def pytest_itemcollected(item: pytest.Item) -> None:
    """`make test` hands tests to its processes one at a time (`--dist loadgroup`), so that they
    finish together; the tests of a module that share something built once a module (the demo,
    the world a crawl reads) are handed out together, so it is built once."""
    info = getattr(item, "_fixtureinfo", None)
    definitions = info.name2fixturedefs.values() if info is not None else ()
    if any(d.scope == "module" for defs in definitions for d in defs):
        item.add_marker(pytest.mark.xdist_group(item.path.stem))


@pytest.fixture(autouse=True)
def _as_migrated(request: pytest.FixtureRequest) -> None:
    """Each test that uses the database finds it as migrated. A transactional test ends by
    emptying every table, the disciplines a migration seeded among them; pytest-django runs
    such tests last so that this harms no other, but pytest-xdist hands tests to a process as
    they come, so other tests may come after one. The disciplines are seeded again
    (committed) when they are missing; one query a test when they are not."""
    wants_database = request.node.get_closest_marker("django_db") is not None
    if not (wants_database or _DATABASE_FIXTURES & set(request.fixturenames)):
        return
    request.getfixturevalue("django_db_setup")  # the test database, never the real one
    blocker: Any = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        ensure_disciplines()


@pytest.fixture
def system(db: None) -> System:
    return build_system()


@pytest.fixture
def client_for(client: Client) -> Callable[[Person], Client]:
    """`client_for(person)`: the test client signed in as that person."""

    def sign_in(person: Person) -> Client:
        client.force_login(person)
        return client

    return sign_in
