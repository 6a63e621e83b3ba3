"""Who may read the people-identifying parts of decisions.

Positions, comments, holds and advice are visible to everyone signed in: decisions are made in
the open, and the point is that everyone sees who shared and who holds them. Notifications are
each person's own.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from roundtable.core import access
from roundtable.decisions.models import AdviceRequest, Comment, Hold, Notification, Position


def _own(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(person=user)


for model in (Position, Comment, Hold, AdviceRequest):
    access.register(model, access.everyone_signed_in)
access.register(Notification, _own)
