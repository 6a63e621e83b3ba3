"""The access chokepoint: every read of person-identifiable data goes through here.

Each app registers, for each model that identifies a person, a policy that narrows a queryset to
the rows the requesting user may see (need-to-know, Caldicott principle 4). Selectors build their
queries on `scoped()`; views and API modules never query such a model directly, and
`roundtable/core/tests/test_access_chokepoint.py` fails the build if one does. Reading a single
record through `get_visible()` is written to the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import Http404

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core.registry import Registry

if TYPE_CHECKING:  # the user model, for the type checker only: core imports no app
    from roundtable.directory.models import Person

M = TypeVar("M", bound=models.Model)
# Whoever is asking: a signed-in person, or someone not signed in (Django's anonymous user).
Reader: TypeAlias = "Person | AnonymousUser"
# A policy is asked only for a signed-in, active person: `scoped` refuses anyone else first.
Policy = Callable[["Person", "models.QuerySet[Any]"], "models.QuerySet[Any]"]

# By model label ("care.Episode").
policies: Registry[Policy] = Registry("access policy")
narrowings: Registry[tuple[Policy, ...]] = Registry("access narrowing")


def register(model: type[models.Model], policy: Policy) -> None:
    """Declare `model` person-identifiable, readable only as `policy` allows."""
    policies.add(model._meta.label, policy)


def narrow(model: type[models.Model], policy: Policy) -> None:
    """Let a later app restrict who reads a registered model, on top of the model's own policy.

    Dependencies point one way: decisions know nothing of care, yet a decision about a person in
    care may be read only by those who may see the person. The care app narrows decisions here.
    """
    label = model._meta.label
    narrowings.add(label, (*narrowings.find(label, ()), policy))


def person_identifiable_models() -> frozenset[type[models.Model]]:
    return frozenset(apps.get_model(label) for label in policies.names())


def scoped(
    user: Reader, model: type[M], queryset: models.QuerySet[M] | None = None
) -> models.QuerySet[M]:
    """The rows of `model` that `user` may see. Anonymous users see nothing."""
    policy = policies.get(model._meta.label)
    base = queryset if queryset is not None else model._default_manager.all()
    if not user.is_authenticated or not user.is_active:
        return base.none()
    scoped_queryset = policy(user, base)
    for narrowing in narrowings.find(model._meta.label, ()):
        scoped_queryset = narrowing(user, scoped_queryset)
    return scoped_queryset


def get_visible(
    user: Reader,
    model: type[M],
    queryset: models.QuerySet[M] | None = None,
    *,
    audit: bool = True,
    **lookup: Any,
) -> M:
    """One record `user` may see, or 404 (not 403: do not reveal that it exists). Audited."""
    try:
        obj = scoped(user, model, queryset).get(**lookup)
    except model.DoesNotExist:  # type: ignore[attr-defined]
        raise Http404(f"No {model._meta.verbose_name} found.") from None
    if audit:
        audit_record(actor=user, action=AuditAction.READ, obj=obj)
    return obj


def everyone_signed_in(user: Person, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """A policy for records open to everyone signed in (`scoped` already refuses anyone else)."""
    return queryset
