"""Reads of the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from roundtable.audit.models import AuditEvent


def events_about(model: type[models.Model], pk: Any) -> QuerySet[AuditEvent]:
    """Every event about one record, newest first: what was done to it, when it was opened, and
    each list or board read that showed it (`AuditEvent.shown`) — so "who has seen this person?"
    is answered in full.

    PostgreSQL finds the list reads through a GIN index on `shown` (migration 0004); SQLite,
    the embedded default, has no JSON containment in Django and reads `json_each` instead.
    """
    label = model._meta.label_lower
    key = int(pk)
    if connection.vendor == "postgresql":
        listed = Q(shown__contains=[key])
    else:
        listed = Q(
            pk__in=RawSQL(
                "SELECT e.id FROM audit_auditevent e, json_each(e.shown) j WHERE j.value = %s",
                (key,),
            )
        )
    return AuditEvent.objects.filter(Q(object_id=str(key)) | listed, object_type=label)
