"""Leadership teams have pages: the list of them, each one's level, remit, members and the teams
it covers; and team and organisation pages show the leadership that covers them."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from roundtable.directory.models import (
    LeadershipLevel,
    LeadershipMembership,
    LeadershipTeam,
    Person,
)
from roundtable.directory.tests.helpers import add_members, add_teams

pytestmark = pytest.mark.django_db

DASH = "\u2013"  # the en dash the pages use
META = f'<span class="rt-meta">{DASH}'

LIST = reverse("directory:leadership-teams")
# Session and person, then the count and the page of leadership teams.
LIST_QUERIES = 4
# Session and person, the leadership team, its members, and the teams it covers (or their count);
# then the panels other apps add: learning's overdue safety actions.
DETAIL_QUERIES = 6


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def detail(leadership: LeadershipTeam) -> str:
    return reverse("directory:leadership-team", args=[leadership.pk])


@pytest.fixture
def trust_leadership(system):
    leadership = LeadershipTeam.objects.create(
        name="Trust community leadership",
        level=LeadershipLevel.ORGANISATION,
        organisation=system.trust,
    )
    LeadershipMembership.objects.create(
        leadership_team=leadership, person=system.administrator, role="Director of services"
    )
    return leadership


def test_home_links_to_the_leadership_teams(client_for, system):
    html = page(client_for(system.clinician_a), reverse("directory:home"))
    assert f'href="{LIST}"' in html


def test_the_list_shows_each_leadership_team_its_level_remit_and_members(
    client_for, system, trust_leadership
):
    html = page(client_for(system.clinician_a), LIST)
    assert "<h1>Leadership teams</h1>" in html
    assert "3 leadership teams" in html
    for leadership in (system.system_leadership, trust_leadership, system.team_a_leadership):
        assert f'<a href="{detail(leadership)}">{leadership.name}</a>' in html
    assert "The whole system: every organisation and team" in html
    assert "Test Mental Health Trust</a> and all its teams" in html
    assert "North CMHT</a> (North locality)" in html
    assert "System or board" in html


def test_the_list_can_show_one_level(client_for, system, trust_leadership):
    html = page(client_for(system.clinician_a), LIST, level="organisation")
    assert "1 leadership team" in html
    assert "Trust community leadership" in html
    assert "System leadership board" not in html
    # An unknown level shows them all rather than failing.
    assert "3 leadership teams" in page(client_for(system.clinician_a), LIST, level="galaxy")


def test_the_list_uses_the_same_queries_whatever_the_number(
    client_for, system, django_assert_num_queries
):
    client = client_for(system.clinician_a)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(LIST)
    teams = [
        LeadershipTeam(name=f"Leadership {i:03d}", level=LeadershipLevel.TEAM, team=system.team_b)
        for i in range(40)
    ]
    LeadershipTeam.objects.bulk_create(teams)
    with django_assert_num_queries(LIST_QUERIES):
        html = client.get(LIST).content.decode()
    assert "42 leadership teams" in html


def test_the_system_leadership_page(client_for, system):
    system.system_leadership.memberships.filter(person=system.board_member).update(role="Chair")
    html = page(client_for(system.clinician_a), detail(system.system_leadership))
    assert "<h1>System leadership board</h1>" in html
    assert "System or board" in html
    assert "The whole system: every organisation and team" in html
    # Members with what they bring (role, or else discipline) and their organisation.
    assert f"Erin Board</a> {META} Chair, Test ICB</span>" in html
    assert (
        f"Dev Voice</a> {META} Lived-experience or public representative, Test Voices Network"
    ) in html
    # The teams it covers: all three.
    assert "Every team in the system:" in html
    assert f'<a href="{reverse("directory:teams")}">3 teams</a>' in html
    # Breadcrumbs like other directory pages.
    assert f'<a class="nhsuk-breadcrumb__link" href="{LIST}" > Leadership teams </a>' in html


def test_an_organisation_leadership_page_lists_the_organisation_s_teams(
    client_for, system, trust_leadership
):
    html = page(client_for(system.clinician_a), detail(trust_leadership))
    assert "<h1>Trust community leadership</h1>" in html
    assert "Organisation" in html
    assert (
        f'<a href="{reverse("directory:organisation", args=[system.trust.pk])}">'
        "Test Mental Health Trust</a> and all its teams"
    ) in html
    assert f"Fola Admin</a> {META} Director of services" in html
    teams = html[html.index("<h2>Teams it covers</h2>") :]
    assert f"North CMHT</a> {META} Community mental health team, North" in teams
    assert "South CMHT" in teams
    assert "System Board" not in teams  # the ICB's team, not the trust's


def test_a_team_leadership_page_shows_its_team_and_locality(client_for, system):
    html = page(client_for(system.clinician_a), detail(system.team_a_leadership))
    assert "<h1>North CMHT leadership</h1>" in html
    assert "North CMHT</a> (North locality)" in html
    assert f"Gita Leader</a> {META} Team leader, Test Mental Health Trust" in html
    teams = html[html.index("<h2>Teams it covers</h2>") :]
    assert "North CMHT" in teams
    assert "South CMHT" not in teams


def test_an_unknown_leadership_team_is_404(client_for, system):
    response = client_for(system.clinician_a).get(
        reverse("directory:leadership-team", args=[99999])
    )
    assert response.status_code == 404


def test_members_who_have_left_are_shown_only_to_administrators(client_for, system):
    Person.objects.filter(pk=system.lived_experience.pk).update(is_active=False)
    url = detail(system.system_leadership)
    assert "Dev Voice" not in page(client_for(system.clinician_a), url)
    assert "Dev Voice" in page(client_for(system.administrator), url)


@pytest.mark.parametrize("level", ["system", "organisation", "team"])
def test_a_leadership_page_uses_the_same_queries_whatever_its_size(
    client_for, system, trust_leadership, django_assert_num_queries, level
):
    leadership = {
        "system": system.system_leadership,
        "organisation": trust_leadership,
        "team": system.team_a_leadership,
    }[level]
    client = client_for(system.clinician_a)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(detail(leadership))
    people = add_members(system.team_a, 30)
    LeadershipMembership.objects.bulk_create(
        LeadershipMembership(leadership_team=leadership, person=p, role="Partner")
        for p in people[10:30]
    )
    add_teams(system.trust, system.north, 20)
    with django_assert_num_queries(DETAIL_QUERIES):
        html = client.get(detail(leadership)).content.decode()
    assert "Extra Person 029" in html


# Team and organisation pages.


def test_a_team_without_its_own_leadership_shows_the_leadership_covering_it(
    client_for, system, trust_leadership
):
    html = page(client_for(system.clinician_b), reverse("directory:team", args=[system.team_b.pk]))
    assert "This team has no leadership team yet" not in html
    leadership = html[html.index("<h2>Leadership</h2>") : html.index("Members by discipline")]
    # Its organisation's, then the system's, each linked to its page, with its members.
    assert leadership.index("Trust community leadership") < leadership.index(
        "System leadership board"
    )
    assert f'<a href="{detail(trust_leadership)}">Trust community leadership</a>' in leadership
    assert f'<a href="{detail(system.system_leadership)}">System leadership board</a>' in leadership
    assert "Erin Board" in leadership
    assert "Fola Admin" in leadership
    assert "This team has no leadership team of its own." in leadership
    assert "North CMHT leadership" not in leadership  # another team's


def test_a_team_with_its_own_leadership_shows_it_first(client_for, system):
    html = page(client_for(system.clinician_a), reverse("directory:team", args=[system.team_a.pk]))
    leadership = html[html.index("<h2>Leadership</h2>") : html.index("Members by discipline")]
    assert leadership.index("North CMHT leadership") < leadership.index("System leadership board")
    assert f'<a href="{detail(system.team_a_leadership)}">North CMHT leadership</a>' in leadership
    assert "no leadership team of its own" not in leadership
    assert f'href="{LIST}"' in leadership


def test_a_team_covered_by_no_leadership_says_so(client_for, system):
    LeadershipTeam.objects.filter(level=LeadershipLevel.SYSTEM).delete()
    html = page(client_for(system.clinician_b), reverse("directory:team", args=[system.team_b.pk]))
    assert "No leadership team covers this team yet." in html


def test_the_icb_page_shows_the_system_leadership(client_for, system, trust_leadership):
    html = page(
        client_for(system.board_member), reverse("directory:organisation", args=[system.icb.pk])
    )
    leadership = html[html.index("<h2>Leadership</h2>") :]
    assert f'<a href="{detail(system.system_leadership)}">System leadership board</a>' in leadership
    assert "Erin Board" in leadership
    assert "Trust community leadership" not in leadership  # another organisation's


def test_an_organisation_page_shows_its_own_leadership_then_the_system_s(
    client_for, system, trust_leadership, django_assert_num_queries
):
    client = client_for(system.clinician_a)
    url = reverse("directory:organisation", args=[system.trust.pk])
    # Session and person, the organisation, its member organisations, its teams, the leadership
    # covering it, their members and how many people it has.
    with django_assert_num_queries(8):
        html = page(client, url)
    leadership = html[html.index("<h2>Leadership</h2>") :]
    assert leadership.index("Trust community leadership") < leadership.index(
        "System leadership board"
    )
    assert "North CMHT leadership" not in leadership
