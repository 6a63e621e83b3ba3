"""Object permissions, written once in directory/rules.py."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_only_administrators_manage_organisations(system):
    assert system.administrator.has_perm("directory.manage_organisations")
    assert not system.board_member.has_perm("directory.manage_organisations")


def test_people_change_their_own_profile_and_administrators_anyones(system):
    assert system.lone_coach.has_perm("directory.change_person", system.lone_coach)
    assert not system.lone_coach.has_perm("directory.change_person", system.clinician_a)
    assert system.administrator.has_perm("directory.change_person", system.clinician_a)


def test_team_leaders_and_team_leadership_change_their_team(system):
    assert system.team_leader_a.has_perm("directory.change_team", system.team_a)
    assert not system.team_leader_a.has_perm("directory.change_team", system.team_b)
    assert not system.clinician_a.has_perm("directory.change_team", system.team_a)
