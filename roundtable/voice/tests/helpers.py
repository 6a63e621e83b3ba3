"""Helpers for the voice tests."""

from __future__ import annotations

from datetime import date

from roundtable.directory.models import LeadershipLevel, LeadershipMembership, LeadershipTeam
from roundtable.testing import System
from roundtable.voice import services
from roundtable.voice.models import Concern

# A Monday, so that working days are easy to count.
MONDAY = date(2026, 3, 2)


def trust_leadership(system: System) -> LeadershipTeam:
    """An organisation-level leadership team for the trust, with the board member in it."""
    team = LeadershipTeam.objects.create(
        name="Trust community leadership",
        level=LeadershipLevel.ORGANISATION,
        organisation=system.trust,
    )
    LeadershipMembership.objects.create(leadership_team=team, person=system.clinician_b)
    return team


def raise_to_team(
    system: System, *, anonymous: bool = True, today: date = MONDAY, title: str = "Lone working"
) -> tuple[Concern, str]:
    return services.concern_raise(
        actor=system.lone_coach,
        level="team",
        team=system.team_a,
        title=title,
        body="There is only me in this role and nobody to talk things through with.",
        anonymous=anonymous,
        today=today,
    )
