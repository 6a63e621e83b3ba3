"""Shared pieces of the care tests: a team huddle forum, today's huddle meeting, North CMHT's
zones and front door, someone in support, and agreeing a move on. A test module that needs a
different one defines its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from roundtable.care import services
from roundtable.care.models import Episode, Zone
from roundtable.care.tests.helpers import in_support
from roundtable.decisions import services as decision_services
from roundtable.decisions.models import Decision
from roundtable.forums import services as forum_services
from roundtable.forums.models import Forum, ForumKind
from roundtable.testing import System


@pytest.fixture
def huddle(system) -> Forum:
    """North CMHT's daily huddle, with the team and the VCSE practitioner."""
    return forum_services.forum_create(
        actor=system.team_leader_a,
        name="North huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        members=[system.clinician_a, system.team_leader_a, system.vcse],
    )


@pytest.fixture
def meeting(system, huddle):
    now = timezone.now()
    meeting = forum_services.meeting_create(
        actor=system.team_leader_a, forum=huddle, starts_at=now, ends_at=now + timedelta(hours=1)
    )
    forum_services.attendance_set(
        actor=system.team_leader_a,
        meeting=meeting,
        present=[system.clinician_a, system.vcse, system.team_leader_a],
    )
    return meeting


@pytest.fixture
def zones(system: System) -> dict[str, Zone]:
    return {z.name: z for z in services.zones_ensure(team=system.team_a)}


@pytest.fixture
def front_door(system):
    return forum_services.forum_create(
        actor=system.team_leader_a,
        name="North front door",
        kind=ForumKind.FRONT_DOOR,
        home_team=system.team_a,
        members=[system.clinician_a, system.team_leader_a, system.vcse],
    )


@pytest.fixture
def episode(system: System) -> Episode:
    """A. B., referred to North CMHT by their GP and now in support, with Amira as key worker."""
    return in_support(system, 1)


def agree_move_on(system, forum: Forum, episode: Episode, destination: str = "gp") -> Decision:
    """The team shares a move-on decision for someone ready to move on, and agrees it."""
    decision = services.move_on_propose(
        actor=system.clinician_a,
        episode=episode,
        destination=destination,
        forum=forum,
        proposal="Back to the GP with a plan; comes back if need be.",
    )
    decision_services.position_take(actor=system.vcse, decision=decision, stance="consent")
    return decision_services.decision_decide(
        actor=system.clinician_a,
        decision=decision,
        agreed=True,
        outcome="Moves on to the GP",
        rationale="The work we agreed is done.",
    )
