"""Who may read attendance and presence records.

Attendance and presence are about staff at work, shared across the system so that leaders'
presence is visible; they are read through the access chokepoint like all personal data, so a
narrower policy can be applied in one place.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from roundtable.core import access
from roundtable.forums.models import Attendance, PresenceVisit


def _signed_in(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset


access.register(Attendance, _signed_in)
access.register(PresenceVisit, _signed_in)
