"""PostgreSQL connections: timestamps read by psycopg's compiled loader (ADR 0015).

Django reads every `timestamptz` through a loader of its own, derived from psycopg's pure-Python
one so that it can set the value's time zone; psycopg's compiled loader (psycopg-binary) cannot
be derived from. Reading in Python costs about 4.5 µs a timestamp, against 0.4 µs compiled: a
huddle board of 400 people reads over 500 (when each person moved zone, when each note was
written), about 2 ms of the page.

When the connection's time zone is UTC (Django's own default with `USE_TZ`, and ours), the
compiled loader already gives each timestamp the time zone Django's would set
(`datetime.timezone.utc`), so the connection is given it back. Any other time zone, or psycopg
without its compiled part, keeps Django's loader.
"""

from __future__ import annotations

import functools
from datetime import UTC
from typing import Any


@functools.cache
def _utc_loader() -> type[Any] | None:
    """A loader class Django takes for its own (`timezone` is what Django compares with the
    connection's before each cursor) whose instances are psycopg's compiled text loader for
    `timestamptz`; None without psycopg-binary. Made once, for every connection."""
    from psycopg import adapters, postgres
    from psycopg.pq import Format
    from psycopg.types.datetime import TimestamptzLoader

    found = adapters.get_loader(postgres.types["timestamptz"].oid, Format.TEXT)
    if found is None or found is TimestamptzLoader:
        return None
    compiled: type[Any] = found

    class UtcTimestamptzLoader:
        format = Format.TEXT
        timezone = UTC

        def __new__(cls, oid: int, context: Any = None) -> Any:
            return compiled(oid, context)

    return UtcTimestamptzLoader


def read_timestamps_compiled(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created`: read a PostgreSQL connection's timestamps with the compiled loader,
    when its time zone is UTC."""
    if connection.vendor != "postgresql" or connection.timezone is not UTC:
        return
    loader = _utc_loader()
    if loader is not None:
        connection.connection.adapters.register_loader("timestamptz", loader)
