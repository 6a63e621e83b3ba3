"""`roundtable seed --scale N`: bulk-built systems of the planned size, the same for a seed."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max, Min
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from roundtable.demo.generator import GeneratorError, generated_people
from roundtable.demo.scale import ScalePlan, plan_for
from roundtable.directory.models import (
    LeadershipLevel,
    LeadershipTeam,
    Locality,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Person,
    Team,
    TeamKind,
)
from roundtable.forums import selectors
from roundtable.forums.models import (
    Attendance,
    AttendanceStatus,
    Forum,
    ForumKind,
    ForumMembership,
    Meeting,
    MeetingSeries,
    PresenceVisit,
    Site,
)


def run_seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


def fingerprint() -> tuple[object, ...]:
    people = sorted(generated_people().values_list("full_name", "email", "discipline__slug"))
    teams = sorted(Team.objects.values_list("name", flat=True))
    localities = sorted(Locality.objects.values_list("name", flat=True))
    sites = sorted(Site.objects.values_list("name", "teams__name"))
    forums = sorted(
        Forum.objects.annotate(
            member_count=Count("memberships", distinct=True),
            meeting_count=Count("meetings", distinct=True),
        ).values_list("name", "home_team__name", "member_count", "meeting_count")
    )
    attendance = sorted(
        Counter(
            Attendance.objects.values_list(
                "meeting__forum__name", "person__email", "guest_name", "status"
            )
        ).items(),
        key=repr,
    )
    facilitators = sorted(
        Counter(Meeting.objects.values_list("forum__name", "facilitator__email")).items(),
        key=repr,
    )
    visits = sorted(
        Counter(PresenceVisit.objects.values_list("person__email", "site__name")).items()
    )
    return people, teams, localities, sites, forums, attendance, facilitators, visits


def test_scale_maps_to_the_benchmark_size():
    assert (plan_for(scale=1).people, plan_for(scale=1).teams) == (80, 10)
    big = plan_for(scale=75)
    assert (big.people, big.teams) == (6000, 400)
    assert big.localities == 50
    explicit = plan_for(people=500, teams=40)
    assert (explicit.people, explicit.teams) == (500, 40)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"scale": 0}, "--scale"),
        ({"teams": 3}, "--teams must be at least"),
        ({"people": 20, "teams": 10}, "--people must be at least 30"),
    ],
)
def test_plans_that_cannot_be_built_are_refused(options: dict[str, int], message: str):
    with pytest.raises(GeneratorError, match=message):
        plan_for(**options)


@pytest.mark.django_db
def test_seed_builds_the_planned_counts():
    plan: ScalePlan = plan_for(scale=2)
    output = run_seed("--scale", "2")

    assert Person.objects.count() == plan.people == 160
    assert Team.objects.count() == plan.teams
    assert Locality.objects.count() == plan.localities
    assert Organisation.objects.count() == plan.organisations
    kinds = Counter(Organisation.objects.values_list("kind", flat=True))
    assert kinds[OrganisationKind.ICB] == 1
    assert kinds[OrganisationKind.GP_PRACTICE] == 3 * kinds[OrganisationKind.PCN]
    assert set(kinds) == set(OrganisationKind.values)
    assert set(Team.objects.values_list("kind", flat=True)) == set(TeamKind.values)

    # Progress is printed per phase with counts.
    for phase in (
        "localities",
        "organisations",
        "teams",
        "people",
        "memberships",
        "leadership",
        "sites",
        "forums",
        "meetings",
        "attendance records",
        "visits to buildings",
    ):
        assert phase in output
    assert "160" in output


@pytest.mark.django_db
def test_seeded_records_are_valid_and_connected():
    run_seed("--scale", "2")
    for model in (Organisation, Team, LeadershipTeam, Locality):
        for obj in model.objects.all():
            obj.full_clean()
    for person in Person.objects.all()[:40]:
        person.full_clean()
    assert not Person.objects.filter(memberships__isnull=True).exists()
    assert not any(p.has_usable_password() for p in Person.objects.all())
    assert Membership.objects.count() > Person.objects.count()  # several teams per person

    for team in Team.objects.exclude(kind=TeamKind.BOARD):
        assert team.memberships.filter(role=MembershipRole.TEAM_LEADER).count() == 1
        leadership = LeadershipTeam.objects.get(team=team)
        expected = LeadershipLevel.PROJECT if team.kind == TeamKind.PROJECT_GROUP else "team"
        assert leadership.level == expected
        assert leadership.members.count() >= 2
    assert LeadershipTeam.objects.filter(level=LeadershipLevel.SYSTEM).count() == 1
    assert LeadershipTeam.objects.filter(level=LeadershipLevel.ORGANISATION).exists()
    sizes = LeadershipTeam.objects.annotate(n=Count("memberships")).values_list("n", flat=True)
    assert sum(sizes) / len(sizes) >= 3
    assert AuditEvent.objects.filter(summary__startswith="Seeded a scale system").count() == 1
    assert AuditEvent.objects.filter(summary__startswith="Seeded forums").count() == 1


@pytest.mark.django_db
def test_every_team_has_a_forum_in_a_building_with_a_year_of_meetings():
    run_seed("--scale", "2")
    today = timezone.localdate()
    assert not Team.objects.filter(forums__isnull=True).exists()
    assert not Team.objects.filter(sites__isnull=True).exists()
    assert Site.objects.count() < Team.objects.count()
    assert (
        Forum.objects.count()
        == Team.objects.count()
        + Organisation.objects.filter(kind=OrganisationKind.NHS_TRUST).count()
    )
    assert not Forum.objects.filter(home_team__isnull=True).exists()
    # Every kind of standing forum; peer circles are made by their members, not by the seed.
    assert set(Forum.objects.values_list("kind", flat=True)) == set(ForumKind.values) - {
        ForumKind.PEER_CIRCLE
    }
    for model in (Site, Forum, MeetingSeries):
        for obj in model.objects.all():
            obj.full_clean()
    year_ago = today - timedelta(weeks=52)
    for series in MeetingSeries.objects.all():
        # Meetings every few weeks start in one of the first few weeks, so that they fall in
        # different weeks for different teams.
        assert year_ago <= series.starts_on < year_ago + timedelta(weeks=series.interval_weeks)
        assert series.generated_until == today + timedelta(weeks=12, days=-1)
        meetings = Meeting.objects.filter(series=series)
        assert {series.occurs_on(timezone.localdate(m.starts_at)) for m in meetings} == {True}
    span = Meeting.objects.aggregate(first=Min("starts_at"), last=Max("starts_at"))
    assert timezone.localdate(span["first"]) == year_ago
    assert timezone.localdate(span["last"]) > today + timedelta(weeks=11)
    # Every team's forum has met over the year, with its members there: weekly or more often
    # for community teams, front doors, crisis teams and risk panels, fortnightly for the rest
    # apart from the board (every four weeks).
    weekly: set[str] = {TeamKind.CMHT, TeamKind.FRONT_DOOR, TeamKind.CRISIS}
    for forum in Forum.objects.select_related("home_team"):
        past = forum.meetings.filter(starts_at__date__lt=today)
        assert forum.home_team is not None
        if forum.kind == ForumKind.BOARD:
            expected = 13
        elif forum.home_team.kind in weekly or forum.kind == ForumKind.RISK_PANEL:
            expected = 52
        else:
            expected = 26
        assert past.count() >= expected, forum.name
        assert Attendance.objects.filter(meeting__forum=forum).count() > past.count()
    assert not Attendance.objects.filter(meeting__cancelled_at__isnull=False).exists()
    assert not Attendance.objects.filter(meeting__starts_at__date__gte=today).exists()
    assert Meeting.objects.filter(cancelled_at__isnull=False).exists()
    assert Attendance.objects.filter(status=AttendanceStatus.APOLOGIES).exists()
    assert Attendance.objects.filter(is_guest=True, person__isnull=True).exists()
    guests = Attendance.objects.filter(is_guest=True, person__isnull=False)
    assert guests.exists()
    member_pairs = set(ForumMembership.objects.values_list("forum_id", "person_id"))
    assert not any(
        pair in member_pairs for pair in guests.values_list("meeting__forum_id", "person_id")
    )
    for row in Attendance.objects.order_by("pk")[:: max(1, Attendance.objects.count() // 100)]:
        row.full_clean()
    for meeting in Meeting.objects.order_by("pk")[:: max(1, Meeting.objects.count() // 100)]:
        meeting.full_clean()
    assert PresenceVisit.objects.filter(on_date__lt=today).count() == PresenceVisit.objects.count()
    assert PresenceVisit.objects.count() > 100


@pytest.mark.django_db
def test_leaders_reach_most_teams_but_not_all():
    run_seed("--scale", "4")
    view = selectors.system_presence()
    assert view.count("week") > Team.objects.count() / 2
    assert view.count("not_reached") >= 1
    neglected = view.not_reached[0]
    assert neglected.days_since is None or neglected.days_since > 28


@pytest.mark.django_db
def test_refuses_a_second_run_without_reset():
    run_seed("--scale", "2")
    before = Person.objects.count(), Team.objects.count()
    with pytest.raises(CommandError, match="--reset"):
        run_seed("--scale", "2")
    assert (Person.objects.count(), Team.objects.count()) == before

    forums = Forum.objects.count()
    output = run_seed("--scale", "1", "--reset")
    assert f"Removed the seed system: {before[1]} teams" in output
    assert f"{before[0]} people." in output
    assert f"Also removed {forums} forums" in output
    assert (Person.objects.count(), Team.objects.count()) == (80, 10)
    assert Forum.objects.count() == 10 + 1


@pytest.mark.django_db
def test_the_same_scale_and_seed_give_the_same_system():
    run_seed("--scale", "2", "--seed", "7")
    first = fingerprint()
    run_seed("--scale", "2", "--seed", "7", "--reset")
    assert fingerprint() == first
    run_seed("--scale", "2", "--seed", "8", "--reset")
    assert fingerprint()[0] != first[0]


@pytest.mark.django_db
def test_explicit_people_and_teams():
    run_seed("--people", "120", "--teams", "12", "--batch-size", "50")
    assert (Person.objects.count(), Team.objects.count()) == (120, 12)


@pytest.mark.django_db
def test_refuses_to_seed_over_the_demo():
    call_command("demo", stdout=StringIO())
    with pytest.raises(CommandError, match="the demo system"):
        run_seed("--scale", "1")


@pytest.mark.django_db
def test_the_presence_view_makes_as_many_queries_for_a_large_system_as_a_small_one(client):
    counts = []
    for scale in ("1", "4"):
        run_seed("--scale", scale, "--reset")
        with CaptureQueriesContext(connection) as selector:
            view = selectors.system_presence()
        assert len(view.teams) == Team.objects.count()
        leader = (
            Person.objects.filter(memberships__role=MembershipRole.TEAM_LEADER)
            .order_by("pk")
            .first()
        )
        client.force_login(leader)
        with CaptureQueriesContext(connection) as page:
            response = client.get(reverse("forums:presence"))
        assert response.status_code == 200
        counts.append((len(selector.captured_queries), len(page.captured_queries)))
    assert counts[0] == counts[1]
