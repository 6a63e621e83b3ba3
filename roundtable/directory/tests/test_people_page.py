"""The people page: filter by discipline, organisation kind and locality; paginate; few queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roundtable.directory.tests.helpers import add_members

pytestmark = pytest.mark.django_db

URL = reverse("directory:people")
# Session, person, disciplines, localities, count, page of people, their memberships.
PEOPLE_PAGE_QUERIES = 7


def names(response) -> str:
    return str(response.content.decode())


def test_everyone_is_listed_without_filters(client_for, system):
    html = names(client_for(system.clinician_a).get(URL))
    for name in ("Amira Clinician", "Hana Coach", "Dev Voice", "Fola Admin"):
        assert name in html


def test_filter_by_discipline_finds_every_coach_with_their_locality(client_for, system):
    html = names(client_for(system.lone_coach).get(URL, {"discipline": "mental-health-coach"}))
    assert "Hana Coach" in html
    assert "Ivo Coach" in html
    assert "South CMHT (South)" in html
    assert "Amira Clinician" not in html
    assert '<span class="rt-count">2</span> people match these filters' in html


def test_filter_by_locality_and_organisation_kind(client_for, system):
    client = client_for(system.board_member)
    south = names(client.get(URL, {"locality": system.south.pk}))
    assert "Ben Clinician" in south
    assert "Amira Clinician" not in south
    vcse = names(client.get(URL, {"organisation_kind": "vcse"}))
    assert "Chloe Practitioner" in vcse
    assert "Ben Clinician" not in vcse


def test_search_by_name(client_for, system):
    html = names(client_for(system.clinician_a).get(URL, {"q": "coach"}))
    assert "Hana Coach" in html
    assert "Ben Clinician" not in html


def test_an_unknown_filter_value_gets_a_clear_error_not_a_crash(client_for, system):
    response = client_for(system.clinician_a).get(URL, {"discipline": "astrology"})
    html = names(response)
    assert response.status_code == 200
    assert "nhsuk-error-summary" in html
    assert "Select discipline from the options given" in html


def test_no_match_shows_an_empty_state(client_for, system):
    html = names(client_for(system.clinician_a).get(URL, {"q": "nobody-has-this-name"}))
    assert "No people match these filters" in html


def test_pages_of_fifty(client_for, system, settings):
    add_members(system.team_a, 60)
    client = client_for(system.clinician_a)
    first = names(client.get(URL))
    assert "Showing 1 to 50 of" in first
    second = names(client.get(URL, {"page": 2}))
    assert "Showing 51 to" in second


def test_people_page_uses_the_same_queries_whatever_the_size(
    client_for, system, django_assert_num_queries
):
    client = client_for(system.clinician_a)
    with django_assert_num_queries(PEOPLE_PAGE_QUERIES):
        client.get(URL, {"discipline": "nursing"})
    add_members(system.team_a, 200)
    add_members(system.team_b, 200, prefix="more")
    with django_assert_num_queries(PEOPLE_PAGE_QUERIES):
        client.get(URL, {"discipline": "nursing"})


def test_htmx_filter_change_returns_only_the_results(client_for, system, django_assert_num_queries):
    client = client_for(system.lone_coach)
    with django_assert_num_queries(PEOPLE_PAGE_QUERIES):
        response = client.get(
            URL, {"discipline": "mental-health-coach"}, headers={"HX-Request": "true"}
        )
    html = response.content.decode()
    assert "<html" not in html
    assert "Ivo Coach" in html
    assert "Clear filters" in html
    assert "HX-Request" in response["Vary"]
