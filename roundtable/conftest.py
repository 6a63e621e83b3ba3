"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from django.test import Client

from roundtable.testing import System, build_system


@pytest.fixture
def system(db: None) -> System:
    return build_system()


@pytest.fixture
def client_for(client: Client):
    """`client_for(person)`: the test client signed in as that person."""

    def sign_in(person):
        client.force_login(person)
        return client

    return sign_in
