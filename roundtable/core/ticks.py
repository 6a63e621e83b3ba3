"""Periodic jobs run by `roundtable tick`.

Each app registers its jobs in its AppConfig.ready(); `roundtable tick` runs them all. Every job
must be safe to run again at any time (idempotent): the command is meant to run every few
minutes from cron or a timer.

How a run behaves (`run()`):

- Only one run works at a time. A run that finds another one working does nothing and says so
  (`exclusive()`: an advisory lock on PostgreSQL, a file lock beside the database on SQLite).
- Each job runs in its own transaction: a job that fails leaves nothing half done, is logged
  with its traceback, and the jobs after it still run.
- Each job's summary counts what this run did ("0 recurring meetings added" when another run
  had already added them), never what it meant to do.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from roundtable.core.registry import Registry

logger = logging.getLogger(__name__)

Job = Callable[[date], str]

# `job(today)` does its work and returns a one-line summary of what it did (counting only what
# this run did: see the module's docstring). Jobs run in the order of their names.
jobs: Registry[Job] = Registry("periodic job")


# -- One run at a time ----------------------------------------------------------------------------

# PostgreSQL's advisory locks are named by a 64-bit number. This one is derived from the words
# "roundtable tick" (the first 8 bytes of their SHA-256, as a signed integer), so it is fixed
# for every release and every process, and unlikely to be any other program's.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"roundtable tick").digest()[:8], "big", signed=True)


@contextmanager
def exclusive(using: str = DEFAULT_DB_ALIAS) -> Iterator[bool]:
    """Hold the lock that lets one `roundtable tick` work at a time: yields True when this run
    has it (until the block ends), False at once when another run has it. Never waits."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with _advisory_lock(connection) as held:
            yield held
    elif connection.vendor == "sqlite":
        with _file_lock(_lock_file(connection)) as held:
            yield held
    else:  # pragma: no cover - Roundtable runs on PostgreSQL or SQLite
        yield True


@contextmanager
def _advisory_lock(connection: BaseDatabaseWrapper) -> Iterator[bool]:
    """PostgreSQL: a transaction-level advisory lock, held by a connection of its own.

    Why transaction-level, on a second connection:
    - Production runs behind PgBouncer in transaction mode, where each transaction may be served
      by a different server connection. A session-level lock (`pg_try_advisory_lock`) would be
      taken on one server connection and its unlock could be sent to another: it would stay
      held, on a pooled connection nobody owns, and no tick would run again until that server
      connection closed. A transaction-level lock (`pg_try_advisory_xact_lock`) lives exactly as
      long as its transaction, and PgBouncer keeps one server connection for the whole of an
      open transaction, so it is pooler-safe; it is released at commit, rollback or when the
      client goes away (a run killed with `kill -9` leaves no lock behind).
    - The transaction holding it is on a connection of its own, not the one the jobs use, so
      that each job still commits on its own: one open transaction around the whole run would
      keep every row a job locked until the last job finished, and lose everything done if the
      run died near its end. The lock's transaction does nothing else: it holds no snapshot and
      no transaction id, so it does not hold back vacuum. (A server with
      `idle_in_transaction_session_timeout` shorter than a run would end it early; leave that
      setting off, its default, for this role.)
    """
    locker = connections.create_connection(connection.alias)
    try:
        locker.set_autocommit(False)  # the lock's transaction starts with its first query
        with locker.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
            row = cursor.fetchone()
        yield bool(row and row[0])
    finally:
        # Ending the transaction releases the lock; so does losing the connection, so a
        # connection already gone is no error here.
        with suppress(DatabaseError):
            locker.rollback()
        with suppress(DatabaseError):
            locker.close()


def _lock_file(connection: BaseDatabaseWrapper) -> Path | None:
    """`<database file>.tick.lock`, beside the SQLite database; None for an in-memory database,
    which no other process can see, so needs no lock."""
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:
        return None
    return Path(name.removeprefix("file:").split("?", 1)[0] + ".tick.lock")


@contextmanager
def _file_lock(path: Path | None) -> Iterator[bool]:
    """SQLite: an exclusive `flock` on a file beside the database, not waited for. The operating
    system releases it when the process ends however it ends, so a killed run leaves none."""
    if path is None:
        yield True
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


# -- Running the jobs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one job did: its summary, or the error it failed with."""

    name: str
    summary: str = ""
    error: Exception | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def run_jobs(today: date, using: str = DEFAULT_DB_ALIAS) -> list[Outcome]:
    """Run every registered job once, each in its own transaction; a job that fails is rolled
    back and logged with its traceback, and the others still run. Call it holding `exclusive()`.
    """
    outcomes: list[Outcome] = []
    connection = connections[using]
    for entry in jobs.in_order():
        try:
            with transaction.atomic(using=using):
                summary = entry.item(today)
        except Exception as error:
            logger.exception("roundtable tick: the job %r failed and was undone", entry.name)
            outcomes.append(Outcome(entry.name, error=error))
            # A job that lost the database (it restarted, say) leaves the connection broken:
            # the next job gets a new one instead of failing too. Not inside a transaction
            # someone else opened (a test's), which is not ours to close.
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()
        else:
            outcomes.append(Outcome(entry.name, summary=summary))
    return outcomes


def run(today: date, using: str = DEFAULT_DB_ALIAS) -> list[Outcome] | None:
    """Run every job once, unless another run is working: then None, and nothing done."""
    with exclusive(using) as held:
        if not held:
            return None
        return run_jobs(today, using)
