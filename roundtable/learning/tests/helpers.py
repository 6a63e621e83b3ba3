"""Shared pieces of the learning tests: an event on North CMHT's caseload, and its responses."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from roundtable.care.models import Episode
from roundtable.learning import services
from roundtable.learning.models import EventKind, LearningEvent, LearningResponse, ResponseKind
from roundtable.safety.tests.helpers import in_support as in_support
from roundtable.safety.tests.helpers import text as text


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def event(
    system: Any,
    *,
    episode: Episode | None = None,
    team: Any = None,
    actor: Any = None,
    title: str = "A missed follow-up call",
    kind: str = EventKind.NEAR_MISS,
    happened_on: date | None = None,
) -> LearningEvent:
    return services.event_record(
        actor=actor or system.team_leader_a,
        team=team or system.team_a,
        kind=kind,
        title=title,
        what_happened="The follow-up call after discharge was not made.",
        happened_on=happened_on or days_ago(2),
        episode=episode,
    )


def swarm(system: Any, about: LearningEvent, actor: Any = None) -> LearningResponse:
    return services.response_start(
        actor=actor or system.team_leader_a, kind=ResponseKind.SWARM, events=[about]
    )
