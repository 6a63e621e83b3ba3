"""Reads of people in care and their episodes, always through the access chokepoint."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Min, Q

from roundtable.care.models import Episode, PathwayEvent, PersonInCare, Stage
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


@dataclass(frozen=True)
class Durations:
    """Whole days between two points of the pathway, over the episodes that reached both."""

    days: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.days)

    @property
    def median(self) -> float | None:
        return statistics.median(self.days) if self.days else None


@dataclass(frozen=True)
class FlowMeasures:
    referral_to_offer: Durations
    ready_to_moved_on: Durations
    moved_on: int
    came_back: int
    caseload_by_key_worker: list[tuple[str, int]]


def flow_measures(
    *, team_ids: list[int] | None = None, since: datetime | None = None
) -> FlowMeasures:
    """Flow for teams (all teams by default), over episodes referred since `since`.

    - referral → offer: days from referral to the first offer;
    - ready → moved on: days from the last "ready to move on" to moving on;
    - came back: episodes that are returns within the re-referral window;
    - caseload: open episodes per key worker.

    Not scoped to a person: these are counts and durations, with no one identifiable in them.
    Two queries.
    """
    episodes = Episode.objects.all()
    if team_ids is not None:
        episodes = episodes.filter(team_id__in=team_ids)
    if since is not None:
        episodes = episodes.filter(referred_at__gte=since)
    rows = episodes.annotate(
        offered_at=Min("events__at", filter=Q(events__to_stage=Stage.OFFER_MADE)),
        ready_at=Max("events__at", filter=Q(events__to_stage=Stage.READY_TO_MOVE_ON)),
        moved_on_at=Max("events__at", filter=Q(events__to_stage=Stage.MOVED_ON)),
    ).values_list("referred_at", "offered_at", "ready_at", "moved_on_at", "previous_id")
    to_offer: list[int] = []
    to_moved_on: list[int] = []
    moved_on = came_back = 0
    for referred_at, offered_at, ready_at, moved_on_at, previous_id in rows:
        if offered_at is not None:
            to_offer.append((offered_at - referred_at).days)
        if moved_on_at is not None:
            moved_on += 1
            if ready_at is not None:
                to_moved_on.append((moved_on_at - ready_at).days)
        if previous_id is not None:
            came_back += 1
    open_episodes = Episode.objects.filter(closed_at__isnull=True, key_worker__isnull=False)
    if team_ids is not None:
        open_episodes = open_episodes.filter(team_id__in=team_ids)
    caseload = [
        (name, count)
        for name, count in open_episodes.values_list("key_worker__full_name")
        .annotate(count=Count("pk"))
        .order_by("-count", "key_worker__full_name")
    ]
    return FlowMeasures(
        Durations(tuple(sorted(to_offer))),
        Durations(tuple(sorted(to_moved_on))),
        moved_on,
        came_back,
        caseload,
    )
