"""Writing to the audit trail. Every service that writes calls `audit_record`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models

from roundtable.audit.models import AuditAction, AuditEvent, AuditShown


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
    return AuditEvent.objects.create(
        actor=_actor(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:255],
        changes=dict(changes or {}),
    )


def audit_shown(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    model: type[models.Model],
    ids: Iterable[Any],
    summary: str,
) -> AuditEvent | None:
    """One `read` event for a list or board that showed these records of `model`, with a row
    for each (written in one statement). Nothing is written when nothing was shown."""
    keys = sorted({str(pk) for pk in ids})
    if not keys:
        return None
    label = model._meta.label_lower
    event = AuditEvent.objects.create(
        actor=_actor(actor),
        action=AuditAction.READ,
        object_type=label,
        summary=f"{summary} ({len(keys)} shown)"[:255],
    )
    AuditShown.objects.bulk_create(
        AuditShown(event=event, object_type=label, object_id=key) for key in keys
    )
    return event


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
