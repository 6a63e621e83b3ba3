"""Who may read concerns and what hangs off them.

A concern is read by the leadership teams that have owned it (its current owner, and those it
was escalated from, who keep following it) and by its named raiser. An anonymous raiser reads
it through the receipt link, which is the key and is not tied to anyone (`selectors.
concern_by_receipt`). Notices are each person's own. "You said, we did" shows closed concerns
to everyone signed in, without the raiser (`selectors.board`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from roundtable.core import access
from roundtable.directory.models import Person
from roundtable.voice.models import Concern, ConcernEvent, ConcernNotice, ConcernReply


def visible_concerns(user: Person) -> Q:
    """The condition on concerns that `user` may read."""
    return (
        Q(owner__memberships__person_id=user.pk)
        | Q(events__owner__memberships__person_id=user.pk)
        | Q(raised_by_id=user.pk)
    )


def _concerns(user: Person, queryset: QuerySet[Concern]) -> QuerySet[Concern]:
    ids = Concern.objects.filter(visible_concerns(user)).values("pk")
    return queryset.filter(pk__in=ids)


def _about_visible_concern(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    ids = Concern.objects.filter(visible_concerns(user)).values("pk")
    return queryset.filter(concern_id__in=ids)


def _own(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(person_id=user.pk)


access.register(Concern, _concerns)
access.register(ConcernEvent, _about_visible_concern)
access.register(ConcernReply, _about_visible_concern)
access.register(ConcernNotice, _own)
