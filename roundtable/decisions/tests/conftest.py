"""Shared pieces of the decisions tests: the system board, its budget, a funding proposal, and a
meeting of the board happening now. A test module that needs a different board defines its own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from roundtable.decisions import services
from roundtable.decisions.models import Budget, Decision
from roundtable.decisions.tests.helpers import POUNDS
from roundtable.forums import services as forum_services
from roundtable.forums.models import Forum, ForumKind
from roundtable.testing import System


@pytest.fixture
def board(system: System) -> Forum:
    """The system board: decisions need two disciplines, a VCSE and a lived-experience voice."""
    return forum_services.forum_create(
        actor=system.board_member,
        name="System board",
        kind=ForumKind.BOARD,
        home_team=system.board,
        min_disciplines=2,
        required_organisation_kinds=["vcse"],
        lived_experience_required=True,
        members=[system.lived_experience, system.vcse, system.clinician_a],
    )


@pytest.fixture
def budget(system: System, board: Forum) -> Budget:
    return services.budget_create(
        actor=system.board_member,
        forum=board,
        name="Community transformation 2026/27",
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),
        total_pence=200_000 * POUNDS,
    )


@pytest.fixture
def funding(system: System, board: Forum, budget: Budget) -> Decision:
    return services.decision_propose(
        actor=system.board_member,
        forum=board,
        kind="funding",
        title="Peer-support service at Test Mind",
        proposal="Fund a VCSE peer-support service for a year.",
        budget=budget,
        amount_requested_pence=45_000 * POUNDS,
    )


@pytest.fixture
def meeting(system, board):
    starts = timezone.now() - timedelta(minutes=10)
    meeting = forum_services.meeting_create(
        actor=system.board_member,
        forum=board,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    forum_services.attendance_set(
        actor=system.board_member,
        meeting=meeting,
        present=[system.lived_experience, system.vcse],
        apologies=[system.clinician_a],
    )
    return meeting
