"""Test personas and a small care system, shared by every app's tests.

The personas are the people the product is for: a clinician in team A, a clinician in team B,
a VCSE practitioner, a lived-experience representative, a board member and an administrator,
plus a team leader, the lone mental health coach of the North locality and the mental health
coach of the South locality (the lone coach's peer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.apps import apps
from django.utils import timezone

from roundtable.directory.models import (
    Discipline,
    LeadershipLevel,
    LeadershipMembership,
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

PASSWORD = "a-long-test-password"


@dataclass
class System:
    icb: Organisation
    trust: Organisation
    gp_practice: Organisation
    vcse_org: Organisation
    lived_experience_network: Organisation
    north: Locality
    south: Locality
    team_a: Team
    team_b: Team
    board: Team
    clinician_a: Person
    clinician_b: Person
    vcse: Person
    lived_experience: Person
    board_member: Person
    administrator: Person
    team_leader_a: Person
    lone_coach: Person
    south_coach: Person
    team_a_leadership: LeadershipTeam
    system_leadership: LeadershipTeam


def begun_today(minutes: int = 30) -> datetime:
    """A moment `minutes` ago, or local midnight if that was yesterday: a meeting that started
    then is one of today's meetings, whenever the test runs (even just after midnight)."""
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - timedelta(minutes=minutes), midnight)


def discipline(slug: str) -> Discipline:
    return Discipline.objects.get(slug=slug)


def make_person(
    email: str,
    full_name: str,
    *,
    discipline_slug: str,
    organisation: Organisation,
    **extra: object,
) -> Person:
    return Person.objects.create_user(
        email,
        PASSWORD,
        full_name=full_name,
        discipline=discipline(discipline_slug),
        organisation=organisation,
        **extra,
    )


def ensure_disciplines() -> None:
    """Seed the disciplines again if a transactional test's flush removed them."""
    if not Discipline.objects.exists():
        import_module("roundtable.directory.migrations.0002_seed_disciplines").seed(apps, None)


def build_system() -> System:
    ensure_disciplines()
    icb = Organisation.objects.create(name="Test ICB", kind=OrganisationKind.ICB, ods_code="QH8")
    trust = Organisation.objects.create(
        name="Test Mental Health Trust", kind=OrganisationKind.NHS_TRUST, ods_code="RWR", parent=icb
    )
    pcn = Organisation.objects.create(name="Test PCN", kind=OrganisationKind.PCN, ods_code="U12345")
    gp = Organisation.objects.create(
        name="Test Surgery", kind=OrganisationKind.GP_PRACTICE, ods_code="F81001", parent=pcn
    )
    vcse_org = Organisation.objects.create(name="Test Mind", kind=OrganisationKind.VCSE)
    lived = Organisation.objects.create(
        name="Test Voices Network", kind=OrganisationKind.LIVED_EXPERIENCE
    )
    north = Locality.objects.create(name="North")
    south = Locality.objects.create(name="South")
    team_a = Team.objects.create(
        name="North CMHT", organisation=trust, locality=north, kind=TeamKind.CMHT
    )
    team_b = Team.objects.create(
        name="South CMHT", organisation=trust, locality=south, kind=TeamKind.CMHT
    )
    board = Team.objects.create(name="System Board", organisation=icb, kind=TeamKind.BOARD)

    clinician_a = make_person(
        "clinician.a@test.nhs.uk", "Amira Clinician", discipline_slug="nursing", organisation=trust
    )
    clinician_b = make_person(
        "clinician.b@test.nhs.uk", "Ben Clinician", discipline_slug="psychology", organisation=trust
    )
    vcse = make_person(
        "vcse@test.org.uk",
        "Chloe Practitioner",
        discipline_slug="vcse-practitioner",
        organisation=vcse_org,
    )
    lived_experience = make_person(
        "voice@test.org.uk", "Dev Voice", discipline_slug="lived-experience", organisation=lived
    )
    board_member = make_person(
        "board@test.nhs.uk", "Erin Board", discipline_slug="management", organisation=icb
    )
    administrator = make_person(
        "admin@test.nhs.uk",
        "Fola Admin",
        discipline_slug="administration",
        organisation=trust,
        is_staff=True,
        is_superuser=True,
    )
    team_leader_a = make_person(
        "leader.a@test.nhs.uk",
        "Gita Leader",
        discipline_slug="occupational-therapy",
        organisation=trust,
    )
    lone_coach = make_person(
        "coach@test.org.uk",
        "Hana Coach",
        discipline_slug="mental-health-coach",
        organisation=vcse_org,
    )

    south_coach = make_person(
        "coach.south@test.org.uk",
        "Ivo Coach",
        discipline_slug="mental-health-coach",
        organisation=vcse_org,
    )

    for person, team, role in [
        (clinician_a, team_a, MembershipRole.MEMBER),
        (vcse, team_a, MembershipRole.MEMBER),
        (team_leader_a, team_a, MembershipRole.TEAM_LEADER),
        (lone_coach, team_a, MembershipRole.MEMBER),
        (clinician_b, team_b, MembershipRole.MEMBER),
        (south_coach, team_b, MembershipRole.MEMBER),
        (board_member, board, MembershipRole.MEMBER),
        (lived_experience, board, MembershipRole.MEMBER),
    ]:
        Membership.objects.create(person=person, team=team, role=role)

    team_a_leadership = LeadershipTeam.objects.create(
        name="North CMHT leadership", level=LeadershipLevel.TEAM, team=team_a
    )
    LeadershipMembership.objects.create(
        leadership_team=team_a_leadership, person=team_leader_a, role="Team leader"
    )
    system_leadership = LeadershipTeam.objects.create(
        name="System leadership board", level=LeadershipLevel.SYSTEM
    )
    for person in (board_member, lived_experience):
        LeadershipMembership.objects.create(leadership_team=system_leadership, person=person)

    return System(
        icb=icb,
        trust=trust,
        gp_practice=gp,
        vcse_org=vcse_org,
        lived_experience_network=lived,
        north=north,
        south=south,
        team_a=team_a,
        team_b=team_b,
        board=board,
        clinician_a=clinician_a,
        clinician_b=clinician_b,
        vcse=vcse,
        lived_experience=lived_experience,
        board_member=board_member,
        administrator=administrator,
        team_leader_a=team_leader_a,
        lone_coach=lone_coach,
        south_coach=south_coach,
        team_a_leadership=team_a_leadership,
        system_leadership=system_leadership,
    )
