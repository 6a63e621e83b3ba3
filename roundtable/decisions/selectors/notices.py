"""Reads of what asks for a person's attention: decisions awaiting their position, and their
notices."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.decisions.models import Decision, DecisionStatus, Notification, Position
from roundtable.directory.models import Person


def awaiting_my_position(user: Person) -> list[Decision]:
    """Open decisions in the person's forums on whose current proposal they have no position."""
    mine = Position.objects.filter(
        decision=OuterRef("pk"), revision=OuterRef("current_revision"), person=user
    )
    return list(
        access.scoped(user, Decision)
        .filter(status=DecisionStatus.OPEN, forum__memberships__person=user)
        .exclude(Exists(mine))
        .select_related("forum")
        .order_by("closes_at", "-created_at")[:20]
    )


def notifications_for(user: Reader, *, unread_only: bool = True) -> list[Notification]:
    """The person's notices, of decisions they may still see (access may have ended since)."""
    notices = access.scoped(user, Notification)
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    return list(notices.select_related("decision__forum").order_by("-created_at", "-pk")[:50])


def unread_count(user: Reader) -> int:
    return access.scoped(user, Notification).filter(read_at__isnull=True).count()
