"""`roundtable seed --scale N`: bulk-built systems of the planned size, the same for a seed."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

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


def run_seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


def fingerprint() -> tuple[list[tuple[str, str, str]], list[str], list[str]]:
    people = sorted(generated_people().values_list("full_name", "email", "discipline__slug"))
    teams = sorted(Team.objects.values_list("name", flat=True))
    localities = sorted(Locality.objects.values_list("name", flat=True))
    return people, teams, localities


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
    for phase in ("localities", "organisations", "teams", "people", "memberships", "leadership"):
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


@pytest.mark.django_db
def test_refuses_a_second_run_without_reset():
    run_seed("--scale", "2")
    before = Person.objects.count(), Team.objects.count()
    with pytest.raises(CommandError, match="--reset"):
        run_seed("--scale", "2")
    assert (Person.objects.count(), Team.objects.count()) == before

    output = run_seed("--scale", "1", "--reset")
    assert f"Removed the seed system: {before[1]} teams" in output
    assert f"{before[0]} people." in output
    assert (Person.objects.count(), Team.objects.count()) == (80, 10)


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
