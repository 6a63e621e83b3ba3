"""Shared pieces of the learning tests: an event on North CMHT's caseload, and its responses."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from roundtable.care import services as care_services
from roundtable.care.models import Episode
from roundtable.forums import services as forum_services
from roundtable.learning import services
from roundtable.learning.models import EventKind, LearningEvent, LearningResponse, ResponseKind
from roundtable.safety.tests.helpers import in_support as in_support
from roundtable.safety.tests.helpers import positive_risk_plan
from roundtable.safety.tests.helpers import text as text
from roundtable.testing import begun_today


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


def plan_held(
    system: Any, episode: Episode, forum: Any, *, wants_to: str = "Go walking alone on the moors"
) -> Any:
    """A positive risk-taking plan for the person, agreed with the VCSE partner and held by the
    team leader."""
    return positive_risk_plan(
        system, episode, forum, wants_to=wants_to, held_by=system.team_leader_a
    )


def zone_change_in_huddle(system: Any, episode: Episode, forum: Any) -> None:
    """The person moved to Amber at a huddle meeting where the VCSE partner and Amira were in the
    room."""
    now = timezone.now()
    meeting = forum_services.meeting_create(
        actor=system.team_leader_a,
        forum=forum,
        starts_at=begun_today(),
        ends_at=now + timedelta(minutes=30),
        confirm_past=True,
    )
    forum_services.attendance_set(
        actor=system.team_leader_a, meeting=meeting, present=[system.vcse, system.clinician_a]
    )
    amber = next(z for z in care_services.zones_ensure(team=system.team_a) if z.name == "Amber")
    care_services.episode_zone_set(
        actor=system.clinician_a,
        episode=episode,
        zone=amber,
        reason="Two missed visits",
        meeting=meeting,
    )
