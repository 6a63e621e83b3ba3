"""The forums API: leadership presence (the system view, one team's presence, "I'm in the
building today") and sites.

Requests sign in with a session, except where a test says it uses a personal API token.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from roundtable.directory.models import (
    LeadershipLevel,
    LeadershipMembership,
    LeadershipTeam,
    Membership,
    Team,
    TeamKind,
)
from roundtable.directory.tests.helpers import add_members
from roundtable.forums import services
from roundtable.forums.models import Forum, ForumKind, Meeting, PresenceVisit, Site
from roundtable.forums.tests.helpers import API, at, counts
from roundtable.testing import System
from roundtable.tests.api import SESSION_QUERIES, call, ok, refused

pytestmark = pytest.mark.django_db


# --- Presence and sites ----------------------------------------------------------------------


def test_the_system_view_shows_teams_not_reached_and_leaders_backgrounds(
    client: Client, system: System, meeting: Meeting, site: Site
) -> None:
    today = timezone.localdate()
    yesterday = services.meeting_create(
        actor=system.team_leader_a,
        forum=meeting.forum,
        starts_at=at(today - timedelta(days=1), 9, 15),
        ends_at=at(today - timedelta(days=1), 9, 30),
    )
    services.attendance_set(
        actor=system.team_leader_a, meeting=yesterday, present=[system.team_leader_a]
    )
    board_room = services.site_create(
        actor=system.administrator, name="Board room", teams=[system.board]
    )
    services.presence_visit_record(
        actor=system.lived_experience, site=board_room, on_date=today - timedelta(days=10)
    )
    body = ok(call(client, system.clinician_b, "get", f"{API}/presence"))
    assert body["today"] == today.isoformat()
    assert body["counts"] == {"week": 1, "month": 1, "not_reached": 1}
    assert body["not_reached"] == [{"id": system.team_b.pk, "name": "South CMHT", "kind": "cmht"}]
    assert [(t["team"]["name"], t["status"], t["days_since"]) for t in body["teams"]] == [
        ("South CMHT", "not_reached", None),
        ("System Board", "month", 10),
        ("North CMHT", "week", 1),
    ]
    north = body["teams"][2]
    assert north["team"]["locality"]["name"] == "North"
    assert north["coverage"] == [
        {
            "leadership_team": {
                "id": system.team_a_leadership.pk,
                "name": "North CMHT leadership",
                "level": "team",
            },
            "last_present": (today - timedelta(days=1)).isoformat(),
            "days_since": 1,
            "within_7": True,
            "within_28": True,
        },
        {
            "leadership_team": {
                "id": system.system_leadership.pk,
                "name": "System leadership board",
                "level": "system",
            },
            "last_present": None,
            "days_since": None,
            "within_7": False,
            "within_28": False,
        },
    ]
    assert body["backgrounds"] == [
        {"discipline": "Lived-experience or public representative", "count": 1},
        {"discipline": "Occupational therapy", "count": 1},
    ]


def test_the_system_view_uses_the_same_queries_whatever_the_size(
    client: Client,
    system: System,
    huddle: Forum,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client.force_login(system.clinician_a)
    path = f"{API}/presence"
    # Leadership teams, their members, meetings attended, buildings visited, teams.
    with django_assert_num_queries(SESSION_QUERIES + 5):
        small = client.get(path).json()
    today = timezone.localdate()
    organisation = LeadershipTeam.objects.create(
        name="Trust executive", level=LeadershipLevel.ORGANISATION, organisation=system.trust
    )
    for leader in add_members(system.team_a, 12, prefix="leader"):
        LeadershipMembership.objects.create(leadership_team=organisation, person=leader)
    for i in range(12):
        team = Team.objects.create(
            name=f"Team {i:02d}",
            organisation=system.trust,
            locality=system.south,
            kind=TeamKind.CMHT,
        )
        # Only a team's members home a forum there.
        Membership.objects.create(person=system.team_leader_a, team=team)
        forum = services.forum_create(
            actor=system.team_leader_a, name=f"Huddle {i}", kind=ForumKind.MDT, home_team=team
        )
        held = services.meeting_create(
            actor=system.team_leader_a,
            forum=forum,
            starts_at=at(today - timedelta(days=i * 3), 0, 5),
            ends_at=at(today - timedelta(days=i * 3), 0, 20),
        )
        services.attendance_record(
            actor=system.team_leader_a, meeting=held, person=system.board_member
        )
        site = services.site_create(actor=system.administrator, name=f"Base {i}", teams=[team])
        services.presence_visit_record(actor=system.lived_experience, site=site, on_date=today)
    with django_assert_num_queries(SESSION_QUERIES + 5):
        large = client.get(path).json()
    assert len(small["teams"]) == 3
    assert len(large["teams"]) == 15
    assert large["counts"]["not_reached"] == 3


def test_one_teams_presence(client: Client, system: System, site: Site) -> None:
    services.presence_visit_record(actor=system.team_leader_a, site=site)
    body = ok(call(client, system.clinician_b, "get", f"{API}/presence/teams/{system.team_a.pk}"))
    assert body["team"]["name"] == "North CMHT"
    assert body["status"] == "week"
    assert body["days_since"] == 0
    assert [(c["leadership_team"]["name"], c["within_7"]) for c in body["coverage"]] == [
        ("North CMHT leadership", True),
        ("System leadership board", False),
    ]
    response = call(client, system.clinician_b, "get", f"{API}/presence/teams/9999")
    assert response.status_code == 404
    assert response.body == {"detail": "No team found."}


def test_in_the_building_today_in_one_tap(client: Client, system: System, site: Site) -> None:
    path = f"{API}/presence/visits"
    body = ok(call(client, system.board_member, "post", path, {"site": site.pk}), 201)
    visit = PresenceVisit.objects.get()
    assert body == {
        "id": visit.pk,
        "site": {"id": site.pk, "name": "North base"},
        "on_date": timezone.localdate().isoformat(),
        "created": True,
    }
    assert visit.person == system.board_member
    again = ok(call(client, system.board_member, "post", path, {"site": site.pk}), 200)
    assert again == {**body, "created": False}
    assert PresenceVisit.objects.count() == 1

    before = counts()
    refused(call(client, system.board_member, "post", path, {"site": 9999}), "no site with id 9999")
    assert call(client, system.board_member, "post", path, {}).status_code == 422
    assert counts() == before


def test_sites_list_your_own_teams_sites_first(client: Client, system: System, site: Site) -> None:
    services.site_create(
        actor=system.administrator,
        name="Aardvark House",
        locality=system.south,
        teams=[system.team_b],
    )
    services.site_create(actor=system.administrator, name="Zebra Court")
    body = ok(call(client, system.vcse, "get", f"{API}/sites"))
    assert body["count"] == 3
    assert [(s["name"], s["is_own"]) for s in body["items"]] == [
        ("North base", True),
        ("Aardvark House", False),
        ("Zebra Court", False),
    ]
    assert body["items"][0]["teams"] == [
        {"id": system.team_a.pk, "name": "North CMHT", "kind": "cmht"}
    ]
    assert body["items"][0]["locality"] == {"id": system.north.pk, "name": "North"}
    # Leading a team counts as yours too.
    leader = [
        s["name"] for s in ok(call(client, system.team_leader_a, "get", f"{API}/sites"))["items"]
    ]
    assert leader[0] == "North base"
    south = [
        s["name"] for s in ok(call(client, system.clinician_b, "get", f"{API}/sites"))["items"]
    ]
    assert south[0] == "Aardvark House"
