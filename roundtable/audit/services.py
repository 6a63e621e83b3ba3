"""Writing to the audit trail. Every service that writes calls `audit_record`."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, models, transaction

from roundtable.audit.models import AuditAction, AuditEvent

logger = logging.getLogger(__name__)

# The reads audited inside `reads_kept_if_undone`, to record again should its transaction be
# undone; None outside one.
_reads: ContextVar[list[AuditEvent] | None] = ContextVar("audited_reads", default=None)


def _noted(event: AuditEvent) -> AuditEvent:
    reads = _reads.get()
    if reads is not None and event.action == AuditAction.READ:
        reads.append(event)
    return event


@contextmanager
def reads_kept_if_undone() -> Iterator[None]:
    """A transaction (`transaction.atomic`) whose reads stay audited if it is undone.

    A request that reads a record and is then refused (a 409 that shows the record as saved now,
    a 422, a 403) undoes its writes, but whoever sent it was given the record to read, or might
    have been: a read is audited whatever became of the request. Should the block raise, the
    `read` events it recorded are recorded again once its transaction is rolled back (with the
    time of recording them again). Blocks may nest: an outer one that is undone in turn keeps
    an inner one's reads as well.
    """
    outer = _reads.get()
    reads: list[AuditEvent] = []
    token = _reads.set(reads)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        reads = _record_again(reads)
        raise
    finally:
        _reads.reset(token)
        if outer is not None:
            outer.extend(reads)


def _record_again(reads: list[AuditEvent]) -> list[AuditEvent]:
    if not reads:
        return []
    for event in reads:
        event.pk = None
        event._state.adding = True
    try:
        return AuditEvent.objects.bulk_create(reads)
    except DatabaseError:  # the connection went with the request's own failure
        logger.exception("%d audited reads of a failed request could not be kept", len(reads))
        return []


def _actor(user: AbstractBaseUser | AnonymousUser | None) -> Any:
    if user is None or not user.is_authenticated:
        return None
    return user


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: AuditAction,
    obj: models.Model | None = None,
    summary: str = "",
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `changes` maps field name to [old, new] for updates."""
    event = AuditEvent.objects.create(
        actor=_actor(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:255],
        changes=dict(changes or {}),
    )
    return _noted(event)


def audit_shown(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    model: type[models.Model],
    ids: Iterable[int],
    summary: str,
) -> AuditEvent | None:
    """One `read` event for a list or board that showed these records of `model`, naming each
    by its key in `shown`. Nothing is written when nothing was shown.

    One row for the whole read: a board of 400 people as 400 rows cost 24 ms on PostgreSQL and
    10 ms on SQLite, against 2.5 ms and 0.4 ms as one row (`bench/README.md`).
    """
    keys = sorted(set(ids))
    if not keys:
        return None
    event = AuditEvent.objects.create(
        actor=_actor(actor),
        action=AuditAction.READ,
        object_type=model._meta.label_lower,
        summary=f"{summary} ({len(keys)} shown)"[:255],
        shown=keys,
    )
    return _noted(event)


def field_changes(
    obj: models.Model, before: Mapping[str, Any], fields: Iterable[str]
) -> dict[str, list[Any]]:
    """The fields whose value differs from `before`, as {name: [old, new]} in JSON-safe form."""
    changed: dict[str, list[Any]] = {}
    for name in fields:
        old, new = before.get(name), getattr(obj, name)
        if old != new:
            changed[name] = [_plain(old), _plain(new)]
    return changed


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
