"""Each voice test starts with an empty cache, so that the receipt's guessing limiter counts only
that test's tries (the cache outlives a test's database transaction)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()
