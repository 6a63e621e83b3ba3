"""Who may read decisions and their people-identifying parts.

Decisions, positions, comments, holds and advice are visible to everyone signed in: decisions are
made in the open, and the point is that everyone sees who shared and who holds them. Apps built
on decisions may narrow this (a decision about a person in care is for those who may see the
person; see `roundtable.care.access`). Notifications are each person's own.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from roundtable.core import access
from roundtable.decisions.models import (
    AdviceRequest,
    Comment,
    Decision,
    Hold,
    Notification,
    Position,
)


def _own(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(person=user)


for model in (Decision, Position, Comment, Hold, AdviceRequest):
    access.register(model, access.everyone_signed_in)
access.register(Notification, _own)
