"""Fixtures for the demo's tests."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The demo, built once for a module of tests that only read it; what the command printed.

    Building it takes a couple of seconds, so it is built once per module inside a transaction
    that is rolled back after the module's last test. Each test runs in a savepoint inside it
    (pytest-django's `db`), as with Django's `TestCase.setUpTestData`, so what a test writes is
    undone before the next one.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield run_demo()
        transaction.set_rollback(True)
