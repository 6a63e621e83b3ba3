"""Reads of people in care and their episodes, always through the access chokepoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from roundtable.care.models import Episode, PathwayEvent, PersonInCare
from roundtable.core import access


@dataclass
class PersonRecord:
    person: PersonInCare
    episodes: list[Episode]
    events: list[PathwayEvent]


def person_record(user: Any, person_id: int) -> PersonRecord:
    """A person in care with all their episodes and history. 404 unless the user may see them;
    the read is audited."""
    person = access.get_visible(
        user, PersonInCare, PersonInCare.objects.select_related("gp_practice"), pk=person_id
    )
    episodes = list(
        access.scoped(user, Episode)
        .filter(person=person)
        .select_related("team", "key_worker", "previous")
        .order_by("-referred_at", "-pk")
    )
    events = list(
        access.scoped(user, PathwayEvent)
        .filter(episode__person=person)
        .select_related("actor", "episode__team", "decision")
        .order_by("at", "pk")
    )
    return PersonRecord(person, episodes, events)
