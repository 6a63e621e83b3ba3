"""Home: my teams and my leadership teams."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_shows_my_teams_with_role_and_locality(client_for, system):
    html = client_for(system.team_leader_a).get(reverse("directory:home")).content.decode()
    assert "Hello, Gita" in html
    assert "North CMHT" in html
    assert "Team leader" in html
    assert "North locality" in html
    assert "North CMHT leadership" in html


def test_home_for_someone_in_no_team_says_what_to_do(client_for, system):
    html = client_for(system.administrator).get(reverse("directory:home")).content.decode()
    assert "You are not a member of any team yet" in html
