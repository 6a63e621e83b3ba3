"""Writing a record, one way: validate it by its model, save it, audit it (ADR 0020).

Two kinds of rule guard every write, and each is written in one place:

- **Record rules**, true of one record whoever writes it: a field is required, has a length, a
  choice, a range; what the model's `clean()` says of its own fields together. They are declared
  on the model, and `validate()` applies them before a service writes: the same rules a page's
  form declares for its fields, and in the same words, since Django's own messages are rewritten
  in plain English for pages and the API alike (`core.forms.speak_plainly`,
  `plain_validation_error`). Words of the product's own for a record rule go on the model
  field's `error_messages`, so that both ways in say them.
- **Context rules**, which depend on who acts, on other records or on the record's state ("only
  the caring team", "already in that zone", "the budget has enough left"): the service checks
  them itself, raising `ValidationError` by field in the app's words (or `NotAllowed`), before
  anything is written; a rule another writer could break at the same moment is backed by a
  constraint or a lock (`core.integrity`).

`create()` and `delete()` are the shared shape of the services that add and remove a record;
`core.concurrency.update_versioned` is that of the ones that change one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core.integrity import create_or_refuse

M = TypeVar("M", bound=models.Model)
Actor = AbstractBaseUser | None


def validate(
    *written: models.Model,
    exclude: Iterable[str] = (),
    unique: bool = False,
    also: Mapping[str, str] | None = None,
) -> None:
    """Refuse (ValidationError by field) if a record of `written` breaks one of its model's
    record rules.

    The records they refer to are not looked up again: the service holds them already.
    Uniqueness is the database's to keep (a constraint) and the service's to put in words (a
    check run through `create_or_refuse`); `unique=True` asks the model's unique checks as well,
    for a service that gives Django's own words for them (the directory's set-up pages).

    `also`: the service's own refusals by field (its context rules, in its words), refused
    together with the models' for the other fields, so that a person puts every mistake right in
    one go; likewise several records written together (a decision and its first revision).
    """
    found: dict[str, list[ValidationError]] = {
        name: [ValidationError(message)] for name, message in (also or {}).items()
    }
    for obj in written:
        skipped = set(exclude) | set(found)
        if not unique:
            skipped |= {field.name for field in obj._meta.concrete_fields if field.is_relation}
        try:
            obj.full_clean(
                exclude=sorted(skipped), validate_unique=unique, validate_constraints=unique
            )
        except ValidationError as refused:
            found.update(refused.error_dict)
    if found:
        raise ValidationError(found)


def create(
    obj: M,
    *,
    actor: Actor,
    summary: str,
    check: Callable[[], None] | None = None,
    unique: bool = False,
) -> M:
    """Add `obj`: validate it (`validate`, then the service's `check` of its context rules),
    save it, and audit it with `summary`. Call it inside the service's transaction.

    Should another writer add the same record at the same moment, the database's constraint
    refuses the second and `check` runs again to say why in words (`create_or_refuse`).
    """

    def checked() -> None:
        validate(obj, unique=unique)
        if check is not None:
            check()

    create_or_refuse(checked, lambda: obj.save(force_insert=True))
    audit_record(actor=actor, action=AuditAction.CREATE, obj=obj, summary=summary)
    return obj


def delete(obj: models.Model, *, actor: Actor, summary: str) -> None:
    """Remove `obj`, audited with `summary` (recorded first, while the record still has its id)."""
    audit_record(actor=actor, action=AuditAction.DELETE, obj=obj, summary=summary)
    obj.delete()
