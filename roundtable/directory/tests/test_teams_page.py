"""The teams list: filters, empty state and constant queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roundtable.directory.tests.helpers import add_teams

pytestmark = pytest.mark.django_db

URL = reverse("directory:teams")
# Session, person, localities, count, page of teams with member counts.
TEAMS_PAGE_QUERIES = 5


def test_teams_are_listed_with_locality_and_member_count(client_for, system):
    html = client_for(system.clinician_a).get(URL).content.decode()
    assert "North CMHT" in html
    assert "System Board" in html
    assert "System-wide" in html  # the board has no locality


def test_filter_teams_by_kind_and_locality(client_for, system):
    client = client_for(system.clinician_a)
    boards = client.get(URL, {"kind": "board"}).content.decode()
    assert "System Board" in boards
    assert "North CMHT" not in boards
    south = client.get(URL, {"locality": system.south.pk}).content.decode()
    assert "South CMHT" in south
    assert "North CMHT" not in south


def test_no_teams_match(client_for, system):
    html = client_for(system.clinician_a).get(URL, {"q": "zzz"}).content.decode()
    assert "No teams match these filters" in html


def test_teams_page_uses_the_same_queries_whatever_the_size(
    client_for, system, django_assert_num_queries
):
    client = client_for(system.clinician_a)
    with django_assert_num_queries(TEAMS_PAGE_QUERIES):
        client.get(URL)
    add_teams(system.trust, system.north, 120)
    with django_assert_num_queries(TEAMS_PAGE_QUERIES):
        response = client.get(URL)
    assert "Showing 1 to 50 of 123 teams" in response.content.decode()
