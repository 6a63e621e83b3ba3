"""`roundtable demo`: the Forest Vale directory has the promised shape, logins and lone roles.

These tests only read, so they share one build of the demo (the `built` fixture); the tests that
build, rebuild or replace it are in `test_demo_command.py`.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.test import RequestFactory

from roundtable.audit.models import AuditEvent
from roundtable.demo.generator import (
    DEMO_PASSWORD,
    PARTNER_DOMAIN,
    PERSONAS,
    generated_people,
    lone_roles,
)
from roundtable.directory import selectors
from roundtable.directory.models import (
    Discipline,
    LeadershipLevel,
    LeadershipTeam,
    Locality,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Person,
    Team,
    TeamKind,
)

pytestmark = pytest.mark.django_db


def persona(key: str) -> Person:
    email = next(p.email for p in PERSONAS if p.key == key)
    return Person.objects.get(email=email)


def test_builds_every_kind_of_organisation_with_valid_ods_codes(built: str) -> None:
    kinds = Counter(Organisation.objects.values_list("kind", flat=True))
    assert kinds == {
        OrganisationKind.ICB: 1,
        OrganisationKind.NHS_TRUST: 1,
        OrganisationKind.PCN: 2,
        OrganisationKind.GP_PRACTICE: 6,
        OrganisationKind.VCSE: 3,
        OrganisationKind.LOCAL_AUTHORITY: 1,
        OrganisationKind.LIVED_EXPERIENCE: 1,
    }
    icb = Organisation.objects.get(kind=OrganisationKind.ICB)
    assert Organisation.objects.get(kind=OrganisationKind.NHS_TRUST).parent == icb
    for pcn in Organisation.objects.filter(kind=OrganisationKind.PCN):
        assert pcn.children.filter(kind=OrganisationKind.GP_PRACTICE).count() == 3
    for organisation in Organisation.objects.all():
        organisation.full_clean()  # raises if an ODS code has the wrong shape
    assert Organisation.objects.filter(ods_code__isnull=False).count() >= 10


def test_builds_localities_and_teams_of_every_kind(built: str) -> None:
    assert set(Locality.objects.values_list("name", flat=True)) == {
        "Harlow Vale",
        "Epping North",
        "Loughton Forest",
    }
    for locality in Locality.objects.all():
        assert locality.teams.filter(kind=TeamKind.CMHT).count() == 1
    assert 9 <= Team.objects.count() <= 12
    assert set(Team.objects.values_list("kind", flat=True)) == set(TeamKind.values)
    board = Team.objects.get(kind=TeamKind.BOARD)
    assert board.organisation.kind == OrganisationKind.ICB
    for team in Team.objects.all():
        team.full_clean()
        if team.kind != TeamKind.BOARD:
            assert team.memberships.filter(role=MembershipRole.TEAM_LEADER).count() == 1
    for cmht in Team.objects.filter(kind=TeamKind.CMHT):
        assert cmht.memberships.filter(role=MembershipRole.CLINICAL_LEAD).exists()


def test_people_of_every_discipline_with_fictional_addresses(built: str) -> None:
    assert 75 <= Person.objects.count() <= 100
    present = set(Person.objects.values_list("discipline__slug", flat=True))
    assert present == set(Discipline.objects.values_list("slug", flat=True))
    assert len(present) == 13
    assert generated_people().count() == Person.objects.count()
    assert len(set(Person.objects.values_list("full_name", flat=True))) == Person.objects.count()
    assert not Person.objects.filter(memberships__isnull=True).exists()
    for person in Person.objects.all():
        person.full_clean()


def test_leadership_teams_at_every_level_mix_backgrounds(built: str) -> None:
    levels = Counter(LeadershipTeam.objects.values_list("level", flat=True))
    assert levels[LeadershipLevel.SYSTEM] == 1
    assert levels[LeadershipLevel.ORGANISATION] >= 1
    assert levels[LeadershipLevel.PROJECT] == 1
    assert levels[LeadershipLevel.TEAM] == Team.objects.filter(kind=TeamKind.CMHT).count()
    trust = Organisation.objects.get(kind=OrganisationKind.NHS_TRUST)
    assert LeadershipTeam.objects.filter(organisation=trust).exists()
    partner_kinds: set[str] = {OrganisationKind.VCSE, OrganisationKind.LIVED_EXPERIENCE}
    for leadership_team in LeadershipTeam.objects.all():
        leadership_team.full_clean()
        members = list(leadership_team.members.select_related("discipline", "organisation"))
        assert len(members) >= 4, leadership_team.name
        assert len({m.discipline_id for m in members}) >= 3, leadership_team.name
        assert any(
            m.organisation is not None and m.organisation.kind in partner_kinds for m in members
        ), leadership_team.name
    system = LeadershipTeam.objects.get(level=LeadershipLevel.SYSTEM)
    assert system.members.filter(discipline__slug="lived-experience").exists()


def test_lone_roles_come_from_the_data(built: str) -> None:
    roles = {(role.locality, role.discipline, role.full_name) for role in lone_roles()}
    assert len(roles) >= 2
    assert ("Epping North", "Mental health coach", "Jordan Ellis") in roles
    assert any(role[:2] == ("Loughton Forest", "Peer support") for role in roles)

    # The lone coach can find mental health coaches in other localities.
    coach = persona("lone_coach")
    coach_seen = selectors.person_detail(coach, coach.pk)
    peers = selectors.same_discipline_elsewhere(coach, coach_seen)
    assert peers
    assert "Epping North" not in {locality.name for locality, _ in peers if locality}


def test_every_persona_can_sign_in_with_the_demo_password(built: str) -> None:
    request = RequestFactory().post("/sign-in/")
    for demo_persona in PERSONAS:
        person = authenticate(request, username=demo_persona.email, password=DEMO_PASSWORD)
        assert person is not None, demo_persona.label
        assert person.get_full_name() == demo_persona.full_name
        validate_password(DEMO_PASSWORD, person)
    administrator = persona("administrator")
    assert administrator.is_staff
    assert administrator.is_superuser
    assert Person.objects.filter(is_staff=True).count() == 1
    # Everyone else is in the directory but cannot sign in.
    others = Person.objects.exclude(email__in=[p.email for p in PERSONAS])
    assert not any(person.has_usable_password() for person in others)


def test_personas_sit_where_the_story_needs_them(built: str) -> None:
    coach = persona("lone_coach")
    assert coach.discipline is not None
    assert coach.discipline.slug == "mental-health-coach"
    assert coach.email.endswith(PARTNER_DOMAIN)
    for key, locality in (("clinician_a", "Harlow Vale"), ("clinician_b", "Epping North")):
        teams = persona(key).memberships.values_list("team__locality__name", flat=True)
        assert list(teams) == [locality]
    leader = persona("team_leader").memberships.get(role=MembershipRole.TEAM_LEADER)
    assert leader.team == persona("clinician_a").memberships.get().team
    assert persona("board_member").memberships.filter(team__kind=TeamKind.BOARD).exists()
    assert persona("lived_experience").leadership_teams.filter(level="system").exists()
    assert Organisation.objects.get(people=persona("vcse")).kind == OrganisationKind.VCSE


def test_prints_a_table_of_the_logins(built: str) -> None:
    output = built
    assert "Demo logins" in output
    assert "Persona" in output
    assert "E-mail" in output
    for demo_persona in PERSONAS:
        line = next(line for line in output.splitlines() if demo_persona.email in line)
        assert demo_persona.label in line
        assert demo_persona.full_name in line
        assert DEMO_PASSWORD in line
    assert "Jordan Ellis: Mental health coach, Epping North" in output


def test_writes_are_audited(built: str) -> None:
    administrator = persona("administrator")
    created = AuditEvent.objects.filter(
        actor=administrator, object_type="directory.team", action="create"
    )
    assert created.count() == Team.objects.count()
    # Making the single point of access the front door for the community teams, too.
    spa = Team.objects.get(name="Single Point of Access")
    assert (
        AuditEvent.objects.filter(
            actor=administrator,
            object_type="directory.team",
            object_id=str(spa.pk),
            action="update",
        ).count()
        == 1
    )
