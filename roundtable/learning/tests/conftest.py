"""Fixtures the learning tests share: Dee in North CMHT's care, and a trust leader in no team."""

from __future__ import annotations

import pytest

from roundtable.care.models import Episode
from roundtable.directory.models import (
    LeadershipLevel,
    LeadershipMembership,
    LeadershipTeam,
    Person,
)
from roundtable.learning.tests.helpers import in_support
from roundtable.testing import System, make_person


@pytest.fixture
def episode(system: System) -> Episode:
    """Dee, in support with North CMHT (Amira Clinician her key worker)."""
    return in_support(system, "S1", "Dee Example")


@pytest.fixture
def trust_leader(system: System) -> Person:
    """Jo leads every team of the trust (North and South CMHT) and is in none: she sees their
    learning about no one, but nothing about Dee."""
    leader = make_person(
        "director@test.nhs.uk",
        "Jo Director",
        discipline_slug="management",
        organisation=system.trust,
    )
    leadership = LeadershipTeam.objects.create(
        name="Trust leadership", level=LeadershipLevel.ORGANISATION, organisation=system.trust
    )
    LeadershipMembership.objects.create(leadership_team=leadership, person=leader)
    return leader
