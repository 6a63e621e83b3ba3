"""Fixtures for the demo's tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from roundtable.testing import ensure_disciplines

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here builds the demo or a seeded system: marked `demo`, so that the second
    run of the suite, on PostgreSQL, can leave them out (they test what is generated, not how
    a database behaves)."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.demo)


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@contextmanager
def demo_for_a_module(django_db_blocker: Any) -> Iterator[str]:
    """The demo, built inside a transaction that is rolled back when the block ends; what the
    command printed. Tests run inside it each in a savepoint (pytest-django's `db`), as with
    Django's `TestCase.setUpTestData`, so what a test writes is undone before the next one."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_disciplines()  # after a transactional test's flush in this process
        yield run_demo()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The demo, built once for a module of tests that only read it (a couple of seconds)."""
    with demo_for_a_module(django_db_blocker) as printed:
        yield printed
