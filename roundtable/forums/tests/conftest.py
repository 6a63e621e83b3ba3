"""Shared pieces of the forums tests: North CMHT's daily huddle, its meeting tomorrow and a site.
A test module that needs a different huddle or meeting defines its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from roundtable.forums import services
from roundtable.forums.models import Forum, ForumKind, Meeting, Site
from roundtable.forums.tests.helpers import at
from roundtable.testing import System


@pytest.fixture
def huddle(system: System) -> Forum:
    return services.forum_create(
        actor=system.team_leader_a,
        name="North CMHT daily huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        members=[system.clinician_a, system.vcse, system.lone_coach],
    )


@pytest.fixture
def meeting(system: System, huddle: Forum) -> Meeting:
    tomorrow = timezone.localdate() + timedelta(days=1)
    return services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=at(tomorrow, 9, 15),
        ends_at=at(tomorrow, 9, 30),
        agenda="Referrals; anyone stuck",
    )


@pytest.fixture
def site(system: System) -> Site:
    return services.site_create(
        actor=system.administrator, name="North base", locality=system.north, teams=[system.team_a]
    )
