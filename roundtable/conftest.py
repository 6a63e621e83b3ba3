"""Fixtures shared by every app's tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from roundtable.directory.models import Person
from roundtable.testing import System, build_system


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
