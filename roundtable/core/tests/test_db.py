"""PostgreSQL connections read timestamps with psycopg's compiled loader, to the same values
Django's own loader gives (ADR 0015)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from roundtable.core.db import read_timestamps_compiled

# Summer time's edges in London, the first and last days a timestamp can hold, microseconds,
# an offset of minutes, and a day before 1900.
STORED = [
    "2026-03-29 00:59:59.999999+00",
    "2026-03-29 01:00:00+00",
    "2026-10-25 01:30:00+01",
    "2000-02-29 23:00:00-05:30",
    "1847-12-01 12:00:00+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


class _Adapters:
    def __init__(self) -> None:
        self.registered: list[tuple[Any, Any]] = []

    def register_loader(self, oid: Any, loader: Any) -> None:
        self.registered.append((oid, loader))


class _Connection:
    """Just what the receiver reads of a Django connection."""

    def __init__(self, vendor: str, timezone: Any) -> None:
        self.vendor = vendor
        self.timezone = timezone
        self.connection = type("Raw", (), {"adapters": _Adapters()})()


def test_a_connection_in_another_time_zone_keeps_djangos_loader():
    london = _Connection("postgresql", ZoneInfo("Europe/London"))
    read_timestamps_compiled(None, london)
    assert london.connection.adapters.registered == []
    naive = _Connection("postgresql", None)  # USE_TZ off
    read_timestamps_compiled(None, naive)
    assert naive.connection.adapters.registered == []


def test_an_sqlite_connection_is_left_alone():
    sqlite = _Connection("sqlite", UTC)
    read_timestamps_compiled(None, sqlite)
    assert sqlite.connection.adapters.registered == []


def test_a_utc_postgresql_connection_is_given_the_compiled_loader():
    utc = _Connection("postgresql", UTC)
    read_timestamps_compiled(None, utc)
    ((oid, loader),) = utc.connection.adapters.registered
    assert oid == "timestamptz"
    assert loader.timezone is UTC  # what Django compares before each cursor
    assert type(loader(1184)).__module__.startswith("psycopg_binary")


@pytest.mark.django_db
def test_timestamps_read_the_same_as_with_djangos_loader():
    """On PostgreSQL, each value as Django's own loader reads it, in UTC. SQLite has no loaders:
    the receiver leaves its connection as it is."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        read_timestamps_compiled(None, connection)
        assert not hasattr(connection.connection, "adapters")
        return
    from django.db.backends.postgresql.psycopg_any import (  # type: ignore[import-untyped]
        register_tzloader,
    )
    from psycopg import postgres
    from psycopg.pq import Format

    oid = postgres.types["timestamptz"].oid
    query = "SELECT " + ", ".join(["%s::timestamptz"] * len(STORED)) + ", NULL::timestamptz"
    with connection.cursor() as cursor:
        loader = connection.connection.adapters.get_loader(oid, Format.TEXT)
        assert type(loader(oid, cursor.cursor)).__module__.startswith("psycopg_binary")
        cursor.execute(query, STORED)
        compiled = cursor.fetchone()
    with connection.cursor() as cursor:
        register_tzloader(UTC, cursor.cursor)  # Django's, on this cursor alone
        cursor.execute(query, STORED)
        djangos = cursor.fetchone()
    assert compiled == djangos
    assert compiled[-1] is None
    assert all(value.tzinfo is UTC for value in compiled[:-1])
    assert compiled[1] == datetime(2026, 3, 29, 1, tzinfo=UTC)
