"""Who may read decisions and their people-identifying parts.

Decisions are visible to everyone signed in: decisions are made in the open, and the point is
that everyone sees who shared and who holds them. Apps built on decisions may narrow this (a
decision about a person in care is for those who may see the person; see
`roundtable.care.access`). A decision's parts — positions, comments, holds and advice — are read
exactly as their decision is: whatever narrows decisions narrows them too, without saying so
again. Notifications are each person's own.
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
from roundtable.directory.models import Person


def _own(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(person=user)


def _as_their_decision(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The parts of the decisions `user` may read, by the decisions' own policy and narrowings."""
    return queryset.filter(decision__in=access.scoped(user, Decision).values("pk"))


access.register(Decision, access.everyone_signed_in)
for part in (Position, Comment, Hold, AdviceRequest):
    access.register(part, _as_their_decision)
access.register(Notification, _own)
