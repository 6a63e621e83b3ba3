"""The deterministic demo care system, and what the demo and scale generators share.

`build_demo()` makes a small fictional integrated care system ("Forest Vale") through the
directory and forums services, so every record it makes is validated and audited like one made
in the app; only the year of meeting history (who came to what, visits to buildings) is written
in bulk, with an audit event per forum (see `roundtable.demo.forums`). Names come from a
`random.Random` with a fixed seed, so two builds give the same people with the same e-mail
addresses; the history is dated back from the day it is built, but has the same shape any day.

Both generators mark the system they make with the ODS code of its integrated care board, so a
second run can tell that a system is already loaded (and which kind) instead of duplicating it.
Everything here is synthetic: no real person, no real organisation.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from django.db import transaction
from django.db.models import ProtectedError, Q, QuerySet
from django.utils import timezone

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.audit.services import audit_record
from roundtable.demo.board import build_board, read_old_notices
from roundtable.demo.builder import DemoDirectory
from roundtable.demo.care import CMHT_KEYS, build_care, delete_care_and_decisions
from roundtable.demo.forums import ForumsSummary, build_forums
from roundtable.demo.insights import build_insights
from roundtable.demo.learning import build_learning, delete_learning
from roundtable.demo.names import NamePicker
from roundtable.demo.safety import build_safety
from roundtable.demo.voice import build_voice_and_wellbeing, delete_voice_and_wellbeing
from roundtable.directory import services
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
from roundtable.forums.models import (
    Attendance,
    Forum,
    Meeting,
    PresenceVisit,
    Site,
)
from roundtable.insights.models import WeeklyFigure

# Django's password validators ask for at least 12 characters; this has 20 and is not common.
DEMO_PASSWORD = "roundtable-demo-2026"
DEMO_SEED = 2026
# The ICB's ODS code marks which generator made the directory. Both are fictional codes.
DEMO_ICB_ODS = "Q9Z"
SEED_ICB_ODS = "Q9Y"
NHS_DOMAIN = "example.nhs.uk"
PARTNER_DOMAIN = "example.org.uk"
GENERATED_DOMAINS = (NHS_DOMAIN, PARTNER_DOMAIN)
# People kept by a reset (see `reset_generated_system`) move to a domain that cannot exist.
RETIRED_DOMAIN = "retired.invalid"
NHS_KINDS = frozenset(
    {
        OrganisationKind.ICB,
        OrganisationKind.NHS_TRUST,
        OrganisationKind.PCN,
        OrganisationKind.GP_PRACTICE,
    }
)

Progress = Callable[[str], None]


class GeneratorError(Exception):
    """The generator cannot do what was asked; the message says why and what to do."""


class LoadedSystem(StrEnum):
    DEMO = "demo"
    SEED = "seed"
    OTHER = "other"


def loaded_system() -> LoadedSystem | None:
    """Which generated system the directory holds: demo, seed, OTHER (not ours) or None (empty)."""
    codes = set(
        Organisation.objects.filter(
            kind=OrganisationKind.ICB, ods_code__in=[DEMO_ICB_ODS, SEED_ICB_ODS]
        ).values_list("ods_code", flat=True)
    )
    if DEMO_ICB_ODS in codes:
        return LoadedSystem.DEMO
    if SEED_ICB_ODS in codes:
        return LoadedSystem.SEED
    if Organisation.objects.exists() or Team.objects.exists() or Locality.objects.exists():
        return LoadedSystem.OTHER
    return None


def email_domain(organisation_kind: str) -> str:
    return NHS_DOMAIN if organisation_kind in NHS_KINDS else PARTNER_DOMAIN


def email_for(full_name: str, domain: str) -> str:
    """first.last@domain, letters and digits only ("Niamh O'Brien" -> niamh.obrien@…)."""
    parts = [re.sub(r"[^a-z0-9]", "", part.lower()) for part in full_name.split()]
    return f"{'.'.join(part for part in parts if part)}@{domain}"


def generated_people() -> QuerySet[Person]:
    condition = Q()
    for domain in GENERATED_DOMAINS:
        condition |= Q(email__iendswith=f"@{domain}")
    return Person.objects.filter(condition)


@dataclass(frozen=True)
class ResetSummary:
    system: LoadedSystem | None
    deleted_people: int = 0
    retired_people: int = 0
    deleted_teams: int = 0
    deleted_organisations: int = 0
    deleted_forums: int = 0
    deleted_meetings: int = 0
    deleted_visits: int = 0


def _delete_forums() -> tuple[int, int, int]:
    """Delete every forum, meeting, attendance record, site and visit: (forums, meetings, visits).

    Children first: attendance protects people and organisations, meetings protect their forum,
    visits and meetings protect their site, and forums and sites protect teams and localities.
    """
    Attendance.objects.all().delete()
    meetings = Meeting.objects.count()
    Meeting.objects.all().delete()
    visits = PresenceVisit.objects.count()
    PresenceVisit.objects.all().delete()
    forums = Forum.objects.count()
    Forum.objects.all().delete()  # with their members and recurring series
    Site.objects.all().delete()
    return forums, meetings, visits


@transaction.atomic
def reset_generated_system() -> ResetSummary:
    """Delete the generated directory so that a generator can build a fresh one.

    Refuses a directory that no generator made. It removes every forum (with its meetings,
    attendance and series), site and visit; every organisation, locality, team, membership and
    leadership team; and the generated people (e-mail at a generated domain).

    The audit trail is append-only and keeps its actors (PROTECT), so someone who has signed in
    or changed anything cannot be deleted. They are retired instead: deactivated, stripped of
    rights and organisation, and moved to an e-mail address at `RETIRED_DOMAIN`, which frees
    their address for the rebuilt system while the trail still names who did what.
    """
    system = loaded_system()
    if system is LoadedSystem.OTHER:
        raise GeneratorError(
            "This directory was not made by `roundtable demo` or `roundtable seed`, so it will not "
            "be reset. Use an empty database instead (for example set DATABASE_URL)."
        )
    if system is None:
        return ResetSummary(system=None)
    try:
        WeeklyFigure.objects.all().delete()  # worked out again from what is built next
        delete_learning()  # learning protects people in care, teams and people
        delete_care_and_decisions()  # care records and decisions protect forums, teams, people
        delete_voice_and_wellbeing()  # concerns, pulse, support and peer circles (with forums)
        deleted_forums, deleted_meetings, deleted_visits = _delete_forums()
        LeadershipMembership.objects.all().delete()
        LeadershipTeam.objects.all().delete()
        Membership.objects.all().delete()
        deleted_teams = Team.objects.all().delete()[1].get(Team._meta.label, 0)
        Locality.objects.all().delete()

        people = generated_people()
        actor_ids = AuditEvent.objects.filter(actor__isnull=False).values("actor_id")
        retired = 0
        for person in people.filter(pk__in=actor_ids).order_by("pk"):
            person.email = f"retired-{person.pk}@{RETIRED_DOMAIN}"
            person.is_active = False
            person.is_staff = False
            person.is_superuser = False
            person.organisation = None
            person.set_unusable_password()
            person.version += 1  # so that an edit begun before the reset is refused
            person.save(
                update_fields=[
                    "email",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "organisation",
                    "password",
                    "version",
                    "updated_at",
                ]
            )
            audit_record(
                actor=None,
                action=AuditAction.UPDATE,
                obj=person,
                summary=f"{person.full_name} retired by a reset of the {system} system",
            )
            retired += 1
        # delete() counts cascaded rows too; report only the people.
        deleted_people = people.exclude(pk__in=actor_ids).delete()[1].get(Person._meta.label, 0)
        # People somebody added by hand keep their account but lose the deleted organisation.
        Person.objects.filter(organisation__isnull=False).update(organisation=None)

        deleted_organisations = 0
        # Children first: an organisation's parent is protected while it has children.
        while True:
            deleted = Organisation.objects.filter(children__isnull=True).delete()[1]
            count = deleted.get(Organisation._meta.label, 0)
            if count == 0:
                break
            deleted_organisations += count
        if Organisation.objects.exists():
            raise GeneratorError(
                "Some organisations could not be deleted: they are each other's parents."
            )
    except ProtectedError as error:
        names = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
        raise GeneratorError(
            "The directory cannot be reset because other records still refer to it "
            f"({', '.join(names)}). Use an empty database instead."
        ) from None
    audit_record(
        actor=None,
        action=AuditAction.DELETE,
        summary=(
            f"Reset the {system} system: {deleted_teams} teams, {deleted_organisations} "
            f"organisations, {deleted_people} people deleted, {retired} retired; "
            f"{deleted_forums} forums with {deleted_meetings} meetings and "
            f"{deleted_visits} visits deleted"
        ),
    )
    return ResetSummary(
        system=system,
        deleted_people=deleted_people,
        retired_people=retired,
        deleted_teams=deleted_teams,
        deleted_organisations=deleted_organisations,
        deleted_forums=deleted_forums,
        deleted_meetings=deleted_meetings,
        deleted_visits=deleted_visits,
    )


# --- The demo system -------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    """One demo login: a person the product is for."""

    key: str
    label: str
    full_name: str
    email: str


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "clinician_a",
        "Clinician in team A (Harlow Vale CMHT)",
        "Priya Shah",
        "priya.shah@example.nhs.uk",
    ),
    Persona(
        "clinician_b",
        "Clinician in team B (Epping North CMHT)",
        "Tom Hughes",
        "tom.hughes@example.nhs.uk",
    ),
    Persona("vcse", "VCSE practitioner", "Grace Mensah", "grace.mensah@example.org.uk"),
    Persona(
        "lived_experience",
        "Lived-experience representative",
        "Sam Okafor",
        "sam.okafor@example.org.uk",
    ),
    Persona("board_member", "Board member", "Helen Carter", "helen.carter@example.nhs.uk"),
    Persona("administrator", "Administrator", "Dev Patel", "dev.patel@example.nhs.uk"),
    Persona(
        "team_leader",
        "Team leader (Harlow Vale CMHT)",
        "Rachel Adeyemi",
        "rachel.adeyemi@example.nhs.uk",
    ),
    Persona(
        "lone_coach",
        "Lone mental health coach (Epping North)",
        "Jordan Ellis",
        "jordan.ellis@example.org.uk",
    ),
)
PERSONA_BY_KEY = {persona.key: persona for persona in PERSONAS}


@dataclass(frozen=True)
class OrganisationSpec:
    key: str
    name: str
    kind: str
    ods_code: str | None = None
    parent: str | None = None


# Fictional codes in the formats ODS uses (see directory.models.ODS_PATTERNS).
ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    OrganisationSpec(
        "icb", "NHS Forest Vale Integrated Care Board", OrganisationKind.ICB, DEMO_ICB_ODS
    ),
    OrganisationSpec(
        "trust",
        "Forest Vale Mental Health NHS Foundation Trust",
        OrganisationKind.NHS_TRUST,
        "R9Z",
        "icb",
    ),
    OrganisationSpec(
        "pcn_harlow", "Harlow Vale Primary Care Network", OrganisationKind.PCN, "U99101", "icb"
    ),
    OrganisationSpec(
        "pcn_epping",
        "Epping and Loughton Primary Care Network",
        OrganisationKind.PCN,
        "U99102",
        "icb",
    ),
    OrganisationSpec(
        "gp_old_mill", "Old Mill Surgery", OrganisationKind.GP_PRACTICE, "Z99101", "pcn_harlow"
    ),
    OrganisationSpec(
        "gp_parkside",
        "Parkside Medical Centre",
        OrganisationKind.GP_PRACTICE,
        "Z99102",
        "pcn_harlow",
    ),
    OrganisationSpec(
        "gp_kingsmoor",
        "Kingsmoor Health Centre",
        OrganisationKind.GP_PRACTICE,
        "Z99103",
        "pcn_harlow",
    ),
    OrganisationSpec(
        "gp_forest_road",
        "Forest Road Surgery",
        OrganisationKind.GP_PRACTICE,
        "Z99201",
        "pcn_epping",
    ),
    OrganisationSpec(
        "gp_station_lane",
        "Station Lane Practice",
        OrganisationKind.GP_PRACTICE,
        "Z99202",
        "pcn_epping",
    ),
    OrganisationSpec(
        "gp_beechwood",
        "Beechwood Medical Practice",
        OrganisationKind.GP_PRACTICE,
        "Z99203",
        "pcn_epping",
    ),
    OrganisationSpec("open_door", "Open Door Wellbeing", OrganisationKind.VCSE, "8Z901"),
    OrganisationSpec("recovery", "Forest Vale Recovery Collective", OrganisationKind.VCSE),
    OrganisationSpec("connections", "Riverside Community Connections", OrganisationKind.VCSE),
    OrganisationSpec("council", "Forest Vale County Council", OrganisationKind.LOCAL_AUTHORITY),
    OrganisationSpec("voices", "Forest Vale Voices Network", OrganisationKind.LIVED_EXPERIENCE),
)

LOCALITIES: tuple[str, ...] = ("Harlow Vale", "Epping North", "Loughton Forest")


@dataclass(frozen=True)
class TeamSpec:
    key: str
    name: str
    organisation: str
    kind: str
    locality: str | None = None
    description: str = ""


TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec(
        "cmht_hv",
        "Harlow Vale Community Mental Health Team",
        "trust",
        TeamKind.CMHT,
        "Harlow Vale",
        "Integrated community team for adults with severe mental illness in Harlow Vale.",
    ),
    TeamSpec(
        "cmht_en",
        "Epping North Community Mental Health Team",
        "trust",
        TeamKind.CMHT,
        "Epping North",
        "Integrated community team for adults with severe mental illness in Epping North.",
    ),
    TeamSpec(
        "cmht_lf",
        "Loughton Forest Community Mental Health Team",
        "trust",
        TeamKind.CMHT,
        "Loughton Forest",
        "Integrated community team for adults with severe mental illness in Loughton Forest.",
    ),
    TeamSpec(
        "spa",
        "Single Point of Access",
        "trust",
        TeamKind.FRONT_DOOR,
        None,
        "The front door: partners decide together what each person is offered.",
    ),
    TeamSpec(
        "pc_hv",
        "Harlow Vale Primary Care Mental Health Team",
        "pcn_harlow",
        TeamKind.PRIMARY_CARE,
        "Harlow Vale",
        "Mental health practitioners working in the Harlow Vale GP practices.",
    ),
    TeamSpec(
        "pc_lf",
        "Epping and Loughton Primary Care Mental Health Team",
        "pcn_epping",
        TeamKind.PRIMARY_CARE,
        "Loughton Forest",
        "Mental health practitioners working in the Epping and Loughton GP practices.",
    ),
    TeamSpec(
        "coaching",
        "Wellbeing Coaching Service",
        "open_door",
        TeamKind.VCSE_SERVICE,
        None,
        "Mental health coaches working alongside every community team.",
    ),
    TeamSpec(
        "crisis",
        "Crisis Resolution and Home Treatment Team",
        "trust",
        TeamKind.CRISIS,
        None,
        "Support at home, around the clock, as an alternative to admission.",
    ),
    TeamSpec(
        "board",
        "Community Mental Health Partnership Board",
        "icb",
        TeamKind.BOARD,
        None,
        "Decides together what is funded across the community mental health system.",
    ),
    TeamSpec(
        "project",
        "Community Front Door Redesign Group",
        "icb",
        TeamKind.PROJECT_GROUP,
        None,
        "Partners and people with lived experience designing the new front door.",
    ),
)

TL = MembershipRole.TEAM_LEADER
CL = MembershipRole.CLINICAL_LEAD
ADMIN = MembershipRole.ADMINISTRATOR


@dataclass(frozen=True)
class Slot:
    """`count` people of one discipline and job in a team's roster.

    `persona` fills the slot with a demo login; `ref` names the person so that other teams and
    leadership teams can include them; `also_in` lists other teams they belong to.
    """

    discipline: str
    job_title: str
    employer: str
    count: int = 1
    role: str = MembershipRole.MEMBER
    persona: str | None = None
    ref: str | None = None
    also_in: tuple[str, ...] = ()


# Each team's own staff. Lone roles are deliberate: the only mental health coach in Epping North
# (Jordan Ellis) and the only peer support worker in Loughton Forest; every other discipline
# present in a locality has at least two people there, so those two stand out.
ROSTERS: dict[str, tuple[Slot, ...]] = {
    "cmht_hv": (
        Slot("occupational-therapy", "Team leader", "trust", role=TL, persona="team_leader"),
        Slot("psychiatry-medicine", "Consultant psychiatrist", "trust", role=CL, ref="hv_cl"),
        Slot("psychiatry-medicine", "Specialty doctor", "trust"),
        Slot("nursing", "Community mental health nurse", "trust", persona="clinician_a"),
        Slot("nursing", "Community mental health nurse", "trust", count=2),
        Slot("psychology", "Clinical psychologist", "trust"),
        Slot("psychology", "Assistant psychologist", "trust"),
        Slot("occupational-therapy", "Occupational therapist", "trust"),
        Slot("social-work", "Social worker", "council", count=2),
        Slot("administration", "Team administrator", "trust", role=ADMIN),
        Slot("administration", "Medical secretary", "trust"),
        Slot("peer-support", "Peer support worker", "recovery", ref="peer_lead"),
        Slot("peer-support", "Peer support worker", "recovery"),
        Slot("mental-health-coach", "Mental health coach", "open_door", 2, also_in=("coaching",)),
        Slot("vcse-practitioner", "Community connector", "connections", persona="vcse"),
        Slot("vcse-practitioner", "Community connector", "connections"),
    ),
    "cmht_en": (
        Slot("nursing", "Team leader", "trust", role=TL),
        Slot("psychiatry-medicine", "Consultant psychiatrist", "trust", role=CL),
        Slot("psychiatry-medicine", "Specialty doctor", "trust"),
        Slot("nursing", "Community mental health nurse", "trust", count=2),
        Slot("psychology", "Clinical psychologist", "trust", persona="clinician_b"),
        Slot("psychology", "Assistant psychologist", "trust"),
        Slot("occupational-therapy", "Occupational therapist", "trust", count=2),
        Slot("social-work", "Social worker", "council", count=2),
        Slot("administration", "Team administrator", "trust", role=ADMIN),
        Slot("administration", "Medical secretary", "trust"),
        Slot("peer-support", "Peer support worker", "recovery", count=2),
        Slot(
            "mental-health-coach",
            "Mental health coach",
            "open_door",
            persona="lone_coach",
            also_in=("coaching",),
        ),
        Slot("vcse-practitioner", "Community connector", "connections", count=2),
    ),
    "cmht_lf": (
        Slot("social-work", "Team leader", "council", role=TL),
        Slot("psychiatry-medicine", "Consultant psychiatrist", "trust", role=CL),
        Slot("psychiatry-medicine", "Specialty doctor", "trust"),
        Slot("nursing", "Community mental health nurse", "trust", count=3),
        Slot("psychology", "Clinical psychologist", "trust"),
        Slot("psychology", "Assistant psychologist", "trust"),
        Slot("occupational-therapy", "Occupational therapist", "trust", count=2),
        Slot("social-work", "Social worker", "council"),
        Slot("administration", "Team administrator", "trust", role=ADMIN),
        Slot("administration", "Medical secretary", "trust"),
        Slot("peer-support", "Peer support worker", "recovery"),
        Slot("mental-health-coach", "Mental health coach", "open_door", 2, also_in=("coaching",)),
        Slot("vcse-practitioner", "Community connector", "connections", count=2),
    ),
    "spa": (
        Slot("nursing", "Front door team leader", "trust", role=TL, ref="spa_lead"),
        Slot("nursing", "Triage practitioner", "trust", count=2),
        Slot("psychology", "Psychological wellbeing practitioner", "trust"),
        Slot("social-work", "Social worker", "council"),
        Slot("other", "Housing link worker", "council"),
        Slot("administration", "Systems administrator", "trust", persona="administrator"),
    ),
    "pc_hv": (
        Slot("nursing", "Primary care mental health lead", "gp_old_mill", role=TL),
        Slot("nursing", "Mental health practitioner", "gp_parkside"),
        Slot("nursing", "Mental health practitioner", "gp_kingsmoor"),
        Slot("psychology", "High-intensity therapist", "gp_parkside"),
    ),
    "pc_lf": (
        Slot("nursing", "Primary care mental health lead", "gp_forest_road", role=TL),
        Slot("nursing", "Mental health practitioner", "gp_station_lane"),
        Slot("nursing", "Mental health practitioner", "gp_beechwood"),
        Slot("occupational-therapy", "Occupational therapist", "gp_beechwood"),
    ),
    "coaching": (
        Slot("management", "Coaching service manager", "open_door", role=TL),
        Slot("vcse-practitioner", "Wellbeing practitioner", "open_door"),
    ),
    "crisis": (
        Slot("nursing", "Crisis team manager", "trust", role=TL),
        Slot("psychiatry-medicine", "Consultant psychiatrist", "trust", role=CL),
        Slot("nursing", "Crisis practitioner", "trust", count=2),
        Slot("pharmacy", "Mental health pharmacist", "trust"),
        Slot("pharmacy", "Pharmacy technician", "trust"),
        Slot("occupational-therapy", "Occupational therapist", "trust"),
    ),
    "board": (
        Slot("management", "Chair of the partnership board", "icb", ref="icb_chair"),
        Slot(
            "management",
            "Director of mental health commissioning",
            "icb",
            persona="board_member",
        ),
        Slot("management", "Director of community services", "trust", ref="trust_director"),
        Slot("social-work", "Director of adult social care", "council", ref="council_director"),
        Slot("management", "Chief executive", "open_door", ref="vcse_ceo"),
        Slot("psychiatry-medicine", "GP clinical lead for mental health", "gp_old_mill", ref="gp"),
        Slot(
            "lived-experience",
            "Lived-experience representative",
            "voices",
            persona="lived_experience",
            also_in=("project",),
        ),
        Slot("lived-experience", "Lived-experience representative", "voices", ref="voices_rep"),
    ),
    "project": (
        Slot("other", "Quality improvement lead", "trust", role=TL, ref="qi_lead"),
        Slot("lived-experience", "Peer researcher", "voices"),
        Slot("management", "Service development manager", "recovery"),
    ),
}

# People who sit in a further team, named by persona key or slot ref.
EXTRA_MEMBERSHIPS: tuple[tuple[str, str], ...] = (
    ("vcse", "spa"),
    ("team_leader", "project"),
    ("spa_lead", "project"),
    ("gp", "project"),
    ("vcse_ceo", "project"),
)


@dataclass(frozen=True)
class LeadershipSpec:
    name: str
    level: str
    organisation: str | None = None
    team: str | None = None
    # (persona key or slot ref, role in the leadership team)
    members: tuple[tuple[str, str], ...] = ()


LEADERSHIP: tuple[LeadershipSpec, ...] = (
    LeadershipSpec(
        "Forest Vale community mental health system leadership",
        LeadershipLevel.SYSTEM,
        members=(
            ("icb_chair", "Chair"),
            ("board_member", "Commissioning lead"),
            ("trust_director", "Trust lead"),
            ("council_director", "Social care lead"),
            ("vcse_ceo", "VCSE partner"),
            ("gp", "Primary care lead"),
            ("lived_experience", "Lived-experience lead"),
            ("voices_rep", "Lived-experience partner"),
        ),
    ),
    LeadershipSpec(
        "Forest Vale Mental Health Trust community leadership",
        LeadershipLevel.ORGANISATION,
        organisation="trust",
        members=(
            ("trust_director", "Director of community services"),
            ("hv_cl", "Medical lead"),
            ("spa_lead", "Nursing lead"),
            ("peer_lead", "Peer support lead"),
            ("vcse_ceo", "VCSE partner"),
            ("voices_rep", "Lived-experience partner"),
        ),
    ),
    LeadershipSpec(
        "Front door redesign leadership",
        LeadershipLevel.PROJECT,
        team="project",
        members=(
            ("qi_lead", "Project lead"),
            ("lived_experience", "Lived-experience co-lead"),
            ("vcse_ceo", "VCSE partner"),
            ("gp", "Primary care partner"),
            ("team_leader", "Community team partner"),
        ),
    ),
)


@dataclass(frozen=True)
class DemoLogin:
    persona: str
    full_name: str
    email: str
    password: str
    present: bool = True


@dataclass
class DemoSummary:
    organisations: int = 0
    localities: int = 0
    teams: int = 0
    people: int = 0
    memberships: int = 0
    leadership_teams: int = 0
    leadership_members: int = 0
    forums: ForumsSummary = field(default_factory=ForumsSummary)
    logins: list[DemoLogin] = field(default_factory=list)


def demo_logins() -> list[DemoLogin]:
    """The demo logins, marked `present` when the person is in the database and can sign in."""
    active = set(
        Person.objects.filter(
            email__in=[persona.email for persona in PERSONAS], is_active=True
        ).values_list("email", flat=True)
    )
    return [
        DemoLogin(
            persona=persona.label,
            full_name=persona.full_name,
            email=persona.email,
            password=DEMO_PASSWORD,
            present=persona.email in active,
        )
        for persona in PERSONAS
    ]


@transaction.atomic
def build_demo(
    *, seed: int = DEMO_SEED, progress: Progress | None = None, today: date | None = None
) -> DemoSummary:
    """Build the Forest Vale demo system through the services. Needs an empty directory.

    Only the demo logins get a real (slow, Argon2 in production settings) password hash; every
    other demo person has an unusable password and cannot sign in.

    Meeting history runs for the year before `today` (default: the local date) and meetings are
    planned for twelve weeks from it; its shape does not depend on the day (see
    `roundtable.demo.forums`).
    """
    say = progress or (lambda message: None)
    today = today or timezone.localdate()
    if loaded_system() is not None:
        raise GeneratorError("The directory is not empty: the demo system needs an empty one.")
    rng = random.Random(seed)  # noqa: S311 - synthetic names, not security
    summary = DemoSummary()
    disciplines = {d.slug: d for d in Discipline.objects.all()}

    # The administrator comes first: every later write is recorded as theirs.
    admin_persona = PERSONA_BY_KEY["administrator"]
    admin = services.person_create(
        actor=None,
        email=admin_persona.email,
        full_name=admin_persona.full_name,
        password=DEMO_PASSWORD,
        discipline=disciplines["administration"],
        job_title="Systems administrator",
    )
    admin.is_staff = True
    admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        obj=admin,
        summary=f"{admin.full_name} given set-up rights (demo administrator)",
    )

    organisations: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        organisations[spec.key] = services.organisation_create(
            actor=admin,
            name=spec.name,
            kind=spec.kind,
            ods_code=spec.ods_code,
            parent=organisations[spec.parent] if spec.parent else None,
        )
    summary.organisations = len(organisations)
    say(f"  organisations       {summary.organisations:>5}")

    admin = services.person_update_profile(
        actor=admin,
        person=admin,
        expected_version=admin.version,
        organisation=organisations["trust"],
    )

    localities = {name: services.locality_create(actor=admin, name=name) for name in LOCALITIES}
    summary.localities = len(localities)
    say(f"  localities          {summary.localities:>5}")

    teams: dict[str, Team] = {}
    for team_spec in TEAMS:
        teams[team_spec.key] = services.team_create(
            actor=admin,
            name=team_spec.name,
            organisation=organisations[team_spec.organisation],
            kind=team_spec.kind,
            locality=localities[team_spec.locality] if team_spec.locality else None,
            description=team_spec.description,
        )
    # The front door sees new referrals to the community teams and the crisis team.
    services.front_door_set(
        actor=admin,
        front_door=teams["spa"],
        teams=[teams[key] for key in (*CMHT_KEYS, "crisis")],
    )
    summary.teams = len(teams)
    say(f"  teams               {summary.teams:>5}")

    names = NamePicker(rng, (persona.full_name for persona in PERSONAS))
    named: dict[str, Person] = {"administrator": admin}
    rosters: dict[str, list[tuple[Slot, Person]]] = {}
    memberships = 0
    for team_key, slots in ROSTERS.items():
        team = teams[team_key]
        rosters[team_key] = []
        for slot in slots:
            for _ in range(slot.count):
                employer = organisations[slot.employer]
                if slot.persona == "administrator":
                    person = admin
                else:
                    # A demo login, or someone new who cannot sign in.
                    password: str | None = None
                    if slot.persona is not None:
                        persona = PERSONA_BY_KEY[slot.persona]
                        full_name, email, password = persona.full_name, persona.email, DEMO_PASSWORD
                    else:
                        full_name = names.pick()
                        email = email_for(full_name, email_domain(employer.kind))
                    person = services.person_create(
                        actor=admin,
                        email=email,
                        full_name=full_name,
                        password=password,
                        discipline=disciplines[slot.discipline],
                        organisation=employer,
                        job_title=slot.job_title,
                    )
                for key in (slot.persona, slot.ref):
                    if key is not None:
                        named[key] = person
                services.membership_add(actor=admin, person=person, team=team, role=slot.role)
                memberships += 1
                for other in slot.also_in:
                    services.membership_add(actor=admin, person=person, team=teams[other])
                    memberships += 1
                rosters[team_key].append((slot, person))
    for key, team_key in EXTRA_MEMBERSHIPS:
        services.membership_add(actor=admin, person=named[key], team=teams[team_key])
        memberships += 1
    summary.people = len({person.pk for roster in rosters.values() for _, person in roster})
    summary.memberships = memberships
    say(f"  people              {summary.people:>5}")
    say(f"  memberships         {summary.memberships:>5}")

    # Leadership teams: the fixed ones name their members by key; each CMHT's is drawn from its
    # roster so that it always mixes leaders with peer support, VCSE and social care voices.
    plans: list[tuple[LeadershipSpec, list[tuple[Person, str]]]] = [
        (spec, [(named[key], role) for key, role in spec.members]) for spec in LEADERSHIP
    ]
    # Every CMHT also gets a leadership team, made from its roster (see `_cmht_leaders`).
    for key in CMHT_KEYS:
        plans.append(
            (
                LeadershipSpec(f"{teams[key].name} leadership", LeadershipLevel.TEAM, team=key),
                _cmht_leaders(rosters[key]),
            )
        )
    for lead_spec, members in plans:
        leadership_team = services.leadership_team_create(
            actor=admin,
            name=lead_spec.name,
            level=lead_spec.level,
            organisation=organisations[lead_spec.organisation] if lead_spec.organisation else None,
            team=teams[lead_spec.team] if lead_spec.team else None,
        )
        summary.leadership_teams += 1
        for person, role in members:
            services.leadership_member_add(
                actor=admin, leadership_team=leadership_team, person=person, role=role
            )
            summary.leadership_members += 1
    say(f"  leadership teams    {summary.leadership_teams:>5}")
    say(f"  leadership members  {summary.leadership_members:>5}")

    directory = DemoDirectory(
        admin=admin,
        organisations=organisations,
        localities=localities,
        teams=teams,
        named=named,
        roster_people={
            key: [(slot.role, slot.discipline, person) for slot, person in roster]
            for key, roster in rosters.items()
        },
    )
    summary.forums = build_forums(directory, seed=seed, today=today, say=say)
    for build_part in (
        build_care,
        build_safety,
        build_board,
        build_voice_and_wellbeing,
        build_learning,
    ):
        build_part(directory, seed=seed, today=today, say=say)
    build_insights(today=today, say=say)
    read_old_notices(today=today)
    summary.logins = demo_logins()
    return summary


def _cmht_leaders(roster: list[tuple[Slot, Person]]) -> list[tuple[Person, str]]:
    """A CMHT's leaders: team leader and clinical lead, with peer, VCSE and social care voices."""

    def first(predicate: Callable[[Slot], bool]) -> Person:
        return next(person for slot, person in roster if predicate(slot))

    return [
        (first(lambda s: s.role == TL), "Team leader"),
        (first(lambda s: s.role == CL), "Clinical lead"),
        (first(lambda s: s.discipline == "peer-support"), "Peer support"),
        (first(lambda s: s.discipline == "vcse-practitioner"), "VCSE partner"),
        (first(lambda s: s.discipline == "social-work" and s.role != TL), "Social care"),
    ]


@dataclass(frozen=True, order=True)
class LoneRole:
    locality: str
    discipline: str
    full_name: str


def lone_roles() -> list[LoneRole]:
    """Each person who is the only one of their discipline in a locality, from the data.

    A person's localities are those of the teams they belong to; teams without a locality (the
    front door, the board) do not count.
    """
    rows = (
        Membership.objects.filter(
            team__locality__isnull=False, person__discipline__isnull=False, person__is_active=True
        )
        .values_list(
            "team__locality__name", "person__discipline__name", "person_id", "person__full_name"
        )
        .distinct()
    )
    people: dict[tuple[str, str], dict[int, str]] = {}
    for locality, discipline, person_id, full_name in rows:
        people.setdefault((locality, discipline), {})[person_id] = full_name
    return sorted(
        LoneRole(locality, discipline, next(iter(names.values())))
        for (locality, discipline), names in people.items()
        if len(names) == 1
    )
