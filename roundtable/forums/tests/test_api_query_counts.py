"""The forums API: reads use the same queries whatever the size.

Requests sign in with a session, except where a test says it uses a personal API token.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from roundtable.directory.models import LeadershipMembership
from roundtable.directory.tests.helpers import add_members
from roundtable.forums import services
from roundtable.forums.models import Forum, ForumKind, Meeting, Site
from roundtable.forums.tests.helpers import API, at
from roundtable.testing import System
from roundtable.tests.api import SESSION_QUERIES

pytestmark = pytest.mark.django_db


def grow(system: System, huddle: Forum, meeting: Meeting) -> None:
    """More forums, meetings, members, attendance and sites, to compare query counts by size."""
    today = timezone.localdate()
    people = add_members(system.team_b, 8, prefix="grow")
    for i in range(8):
        forum = services.forum_create(
            actor=system.clinician_b, name=f"MDT {i}", kind=ForumKind.MDT, members=people
        )
        services.meeting_create(
            actor=system.clinician_b,
            forum=forum,
            starts_at=at(today + timedelta(days=i), 14),
            ends_at=at(today + timedelta(days=i), 15),
        )
        site = services.site_create(
            actor=system.administrator, name=f"Site {i}", teams=[system.team_a, system.team_b]
        )
        held = services.meeting_create(
            actor=system.team_leader_a,
            forum=huddle,
            starts_at=at(today - timedelta(days=i + 1), 9, 15),
            ends_at=at(today - timedelta(days=i + 1), 9, 30),
            site=site,
        )
        services.attendance_record(actor=system.team_leader_a, meeting=held, person=people[i])
    for person in people:
        services.forum_member_add(actor=system.team_leader_a, forum=huddle, person=person)
    LeadershipMembership.objects.create(leadership_team=system.team_a_leadership, person=people[0])
    services.presence_visit_record(actor=people[0], site=site)
    services.attendance_set(actor=system.team_leader_a, meeting=meeting, present=people[:4])
    for person in people[4:]:
        services.attendance_record(
            actor=system.team_leader_a, meeting=meeting, guest_name=person.full_name
        )


READ_QUERIES = [
    ("/forums", 2),  # count, page
    # Forum, members, upcoming, recent, and the next meeting with its facilitator.
    ("/forums/{huddle}", 5),
    ("/forums/{huddle}/meetings", 3),  # forum, count, page
    ("/meetings/{meeting}", 3),  # meeting, members, attendance
    ("/sites", 3),  # count, page, their teams
    # Team, leadership teams, their members, meetings attended, buildings visited.
    ("/presence/teams/{team}", 5),
]


@pytest.mark.parametrize(("path", "queries"), READ_QUERIES, ids=[p for p, _ in READ_QUERIES])
def test_reads_use_the_same_queries_whatever_the_size(
    client: Client,
    system: System,
    huddle: Forum,
    meeting: Meeting,
    site: Site,
    django_assert_num_queries: DjangoAssertNumQueries,
    path: str,
    queries: int,
) -> None:
    url = API + path.format(huddle=huddle.pk, meeting=meeting.pk, team=system.team_a.pk)
    client.force_login(system.clinician_a)
    with django_assert_num_queries(SESSION_QUERIES + queries):
        small = client.get(url)
    grow(system, huddle, meeting)
    with django_assert_num_queries(SESSION_QUERIES + queries):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert large.json() != small.json()
