"""Shared pieces of the care tests: a team huddle forum and agreeing a move on."""

from __future__ import annotations

import pytest

from roundtable.care import services
from roundtable.care.models import Episode
from roundtable.decisions import services as decision_services
from roundtable.decisions.models import Decision
from roundtable.forums import services as forum_services
from roundtable.forums.models import Forum, ForumKind


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
