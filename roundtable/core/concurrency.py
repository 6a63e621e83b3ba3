"""Optimistic concurrency: refuse a save based on a stale copy of a record."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.db import models
from django.db.models import F
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record, field_changes
from roundtable.core.records import validate

M = TypeVar("M", bound=models.Model)


class ConcurrentEditError(Exception):
    """Someone else saved the record after this copy of it was read."""

    def __init__(self, obj: models.Model) -> None:
        self.obj = obj
        super().__init__(
            f"Someone else changed this {obj._meta.verbose_name} while you were editing it. "
            "Your changes have not been saved: check the latest version and try again."
        )


def save_versioned(obj: models.Model, *, expected_version: int, fields: Iterable[str]) -> None:
    """Write `fields` of `obj` only if the stored version is still `expected_version`.

    `obj` has a `version` field (VersionedModel, the Person model, a concern), and
    `updated_at` is set too when it has one.

    One conditional UPDATE does the check and the write, so two concurrent saves cannot both
    succeed. On success `obj.version` is the new version.
    """
    names = list(fields)
    values: dict[str, object] = {}
    for name in names:
        field = obj._meta.get_field(name)
        assert isinstance(field, models.Field)
        # Foreign keys are written by their column name.
        values[field.attname] = getattr(obj, field.attname)
    stamped = any(field.name == "updated_at" for field in obj._meta.concrete_fields)
    if stamped:
        values["updated_at"] = timezone.now()
    updated = (
        type(obj)
        ._default_manager.filter(pk=obj.pk, version=expected_version)
        .update(**values, version=F("version") + 1)
    )
    if updated != 1:
        raise ConcurrentEditError(obj)
    obj.version = expected_version + 1  # type: ignore[attr-defined]
    if stamped:
        obj.updated_at = values["updated_at"]  # type: ignore[attr-defined]


def update_versioned(
    obj: M,
    *,
    actor: Any,
    expected_version: int,
    fields: Sequence[str],
    values: Mapping[str, Any],
    summary: Callable[[M], str],
    clean: Callable[[], None] | None = None,
) -> M:
    """The shared shape of every "change this record" service.

    Apply `values` (each one of `fields`), validate (`clean`, or every rule the model declares,
    uniqueness included: `core.records.validate`), write only if the stored version is still
    `expected_version` (else ConcurrentEditError), and audit the change with the fields that
    differ as `[old, new]`.
    """
    unexpected = sorted(set(values) - set(fields))
    if unexpected:
        raise TypeError(f"Unexpected field(s) {', '.join(unexpected)} for {type(obj).__name__}")
    before = {name: getattr(obj, name) for name in fields}
    for name, value in values.items():
        setattr(obj, name, value)
    if clean is None:
        validate(obj, unique=True)
    else:
        clean()
    changes = field_changes(obj, before, fields)
    save_versioned(obj, expected_version=expected_version, fields=fields)
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=obj, summary=summary(obj), changes=changes
    )
    return obj
