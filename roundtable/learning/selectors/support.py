"""Reads of support after events: seen only by the person offered it and the leadership of their
team (`learning.access`), so a colleague in the same team reading the same event sees none."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.directory.models import Person
from roundtable.directory.queries import leads_team
from roundtable.learning.models import LearningEvent, SupportAfterEvent
from roundtable.wellbeing.models import SupportSession


def _with_offer(rows: QuerySet[SupportAfterEvent]) -> QuerySet[SupportAfterEvent]:
    return rows.select_related("offer__person", "offer__offered_by", "session").order_by("pk")


@dataclass
class EventSupport:
    """What the event's page shows of support: the offers the reader may see, and — for its
    team's leaders — who may be offered support and the sessions it may point to."""

    offers: list[SupportAfterEvent]
    may_offer: bool = False
    people: list[Person] = field(default_factory=list)
    sessions: list[SupportSession] = field(default_factory=list)

    def mine(self, user: Reader) -> list[SupportAfterEvent]:
        return [s for s in self.offers if s.offer.person_id == user.pk]


def event_support(user: Reader, event: LearningEvent) -> EventSupport:
    """The support after `event` that `user` sees, in a fixed number of queries."""
    offers = list(_with_offer(access.scoped(user, SupportAfterEvent).filter(event=event)))
    if not isinstance(user, Person) or not leads_team(user, event.team):
        return EventSupport(offers)
    people = list(
        Person.objects.filter(memberships__team=event.team, is_active=True)
        .only("id", "full_name", "job_title")
        .order_by("full_name", "pk")
    )
    sessions = list(
        SupportSession.objects.filter(
            team=event.team, cancelled_at__isnull=True, starts_at__gte=timezone.now()
        ).order_by("starts_at", "pk")
    )
    return EventSupport(offers, may_offer=True, people=people, sessions=sessions)


def support_get(user: Reader, support_id: int) -> SupportAfterEvent:
    """One offer `user` may see, or 404."""
    return access.get_visible(
        user,
        SupportAfterEvent,
        _with_offer(SupportAfterEvent.objects.select_related("event")),
        audit=False,
        pk=support_id,
    )
