"""The team page: members by discipline and organisation, its leadership team, constant queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roundtable.directory.tests.helpers import add_members

pytestmark = pytest.mark.django_db

# Session, person, team, members, leadership teams, leadership members; then the panels other
# apps add: learning's overdue safety actions, and whether the reader sees the team's insights
# (one query for a member of the team).
TEAM_PAGE_QUERIES = 8


def test_team_page_groups_members_and_shows_leadership(client_for, system):
    client = client_for(system.clinician_a)
    html = client.get(reverse("directory:team", args=[system.team_a.pk])).content.decode()
    assert "<h1>North CMHT</h1>" in html
    assert "North CMHT leadership" in html
    assert "Gita Leader" in html
    for heading in ("Nursing (1)", "Mental health coach (1)", "VCSE practitioner (1)"):
        assert heading in html
    assert "Test Mind (3)" not in html  # the coach and VCSE practitioner only
    assert "Test Mind (2)" in html
    assert "Test Mental Health Trust (2)" in html


def test_team_page_for_an_unknown_team_is_404(client_for, system):
    client = client_for(system.clinician_a)
    assert client.get(reverse("directory:team", args=[99999])).status_code == 404


def test_team_page_uses_the_same_queries_whatever_its_size(
    client_for, system, django_assert_num_queries
):
    client = client_for(system.clinician_a)
    url = reverse("directory:team", args=[system.team_a.pk])
    with django_assert_num_queries(TEAM_PAGE_QUERIES):
        small = client.get(url)
    add_members(system.team_a, 120)
    with django_assert_num_queries(TEAM_PAGE_QUERIES):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert "Extra Person 119" in large.content.decode()


def test_inactive_members_are_hidden_from_colleagues(client_for, system):
    system.vcse.is_active = False
    system.vcse.save()
    html = (
        client_for(system.clinician_a)
        .get(reverse("directory:team", args=[system.team_a.pk]))
        .content.decode()
    )
    assert "Chloe Practitioner" not in html
    admin_html = (
        client_for(system.administrator)
        .get(reverse("directory:team", args=[system.team_a.pk]))
        .content.decode()
    )
    assert "Chloe Practitioner" in admin_html


def test_apps_add_panels_to_team_and_leadership_team_pages(client_for, system):
    from roundtable.directory import extensions

    client = client_for(system.clinician_a)
    with (
        extensions.team_panels.kept(empty=True),
        extensions.leadership_panels.kept(empty=True),
    ):
        extensions.team_panels.add("t.later", lambda request, team: "<b>Later</b>", order=20)
        extensions.team_panels.add("t.empty", lambda request, team: "", order=5)
        extensions.team_panels.add("t.first", lambda request, team: f"About {team.name}", order=10)
        extensions.leadership_panels.add("l.one", lambda request, lt: f"Led by {lt.name}")
        team_page = client.get(reverse("directory:team", args=[system.team_a.pk]))
        leadership_page = client.get(
            reverse("directory:leadership-team", args=[system.team_a_leadership.pk])
        )
    html = team_page.content.decode()
    assert "About North CMHT" in html
    assert "&lt;b&gt;Later&lt;/b&gt;" in html  # plain text is escaped
    assert html.index("About North CMHT") < html.index("&lt;b&gt;Later")
    assert "Led by North CMHT leadership" in leadership_page.content.decode()
