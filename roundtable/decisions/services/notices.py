"""Writes of notices: marking them read, and the closing-soon reminders of `roundtable tick`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from roundtable.decisions.models import (
    Decision,
    DecisionStatus,
    Notification,
    NotificationKind,
    Position,
)
from roundtable.decisions.selectors import member_ids
from roundtable.decisions.services.common import notify
from roundtable.directory.models import Person


@transaction.atomic
def notification_read(*, actor: Person, notification_ids: Iterable[int]) -> int:
    return Notification.objects.filter(
        person=actor, pk__in=list(notification_ids), read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def closing_soon_notify(*, now: datetime | None = None) -> int:
    """For `roundtable tick`: tell members without a position when a decision closes within 24
    hours. Safe to repeat: one unread notice of a kind per person and decision.

    Returns how many notices this call made. Each decision is locked while its notices are
    counted and made, so two runs at once take turns and the second counts none of the first's
    (and a position or an outcome recorded meanwhile, which lock it too, waits its turn)."""
    now = now or timezone.now()
    soon = (
        Decision.objects.select_for_update(of=("self",))
        .filter(
            status=DecisionStatus.OPEN,
            closes_at__gt=now,
            closes_at__lte=now + timedelta(hours=24),
        )
        .order_by("pk")
    )
    made = 0
    for decision in soon:
        answered = set(
            Position.objects.filter(
                decision=decision, revision=decision.current_revision
            ).values_list("person_id", flat=True)
        )
        waiting = [pid for pid in member_ids(decision.forum_id) if pid not in answered]
        before = Notification.objects.filter(
            decision=decision, kind=NotificationKind.CLOSING_SOON
        ).count()
        notify(waiting, decision, NotificationKind.CLOSING_SOON)
        made += (
            Notification.objects.filter(
                decision=decision, kind=NotificationKind.CLOSING_SOON
            ).count()
            - before
        )
    return made


@transaction.atomic
def notification_read_all(*, actor: Person) -> int:
    """ "Mark all as read": every unread notice of `actor`, however many. Like
    `notification_read`, not audited: a notice is the person's own to-do list, not a record."""
    return Notification.objects.filter(person=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
