"""A large fictional care system for benchmarks, made with bulk inserts.

`--scale 1` is about the size of the demo (80 people, 10 teams); `--scale 75` is the benchmark
directory of 6,000 people and 400 teams. Teams grow linearly between those two points and
people by 80 a step, and both can be given outright. Localities and organisations grow with the
number of teams. Every team also gets a forum in a shared building and a year of meetings with
attendance and leaders' visits (see `roundtable.demo.scale_forums`).

Writes skip the services on purpose: auditing and validating thousands of rows one at a time
would take minutes, and the data is made by code that only produces valid values (the tests run
`full_clean` on a sample). One audit event records that the directory was seeded, one the forums.

Everything comes from `random.Random` generators seeded from `--seed` and drawn in a fixed
order, so a scale and seed give the same system every time (the meetings are dated back from
the day of the seed). No one can sign in as a seeded person: passwords are unusable.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from time import perf_counter

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.demo.generator import (
    SEED_ICB_ODS,
    GeneratorError,
    Progress,
    email_domain,
    email_for,
    loaded_system,
)
from roundtable.demo.names import full_name, place_names
from roundtable.demo.scale_care import allocate, seed_care
from roundtable.demo.scale_forums import (
    VCSE_VOICES,
    ForumsSeedSummary,
    SeededDirectory,
    TeamPeople,
    seed_forums,
)
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

PEOPLE_PER_SCALE = 80
# Teams: 10 at scale 1, 400 at scale 75 (the benchmark), linear in between and beyond.
TEAMS_AT_SCALE_1 = 10
TEAMS_AT_SCALE_75 = 400
TEAMS_PER_LOCALITY = 8
PRACTICES_PER_PCN = 3
MIN_PEOPLE_PER_TEAM = 3
DEFAULT_BATCH_SIZE = 1000
# People are made and inserted this many at a time, so memory stays flat at any scale.
PEOPLE_CHUNK = 5000
# Of people's further teams, this share is in their own locality; the rest are system-wide.
SAME_LOCALITY_SHARE = 0.9

# How many home staff each kind of team has, relative to the others.
TEAM_WEIGHT: dict[str, float] = {
    TeamKind.CMHT: 3.0,
    TeamKind.FRONT_DOOR: 2.0,
    TeamKind.CRISIS: 2.0,
    TeamKind.PRIMARY_CARE: 1.0,
    TeamKind.VCSE_SERVICE: 1.0,
    TeamKind.BOARD: 0.6,
    TeamKind.PROJECT_GROUP: 0.4,
}
# The mix of disciplines among a team's staff, by kind of team.
DISCIPLINE_MIX: dict[str, dict[str, float]] = {
    TeamKind.CMHT: {
        "nursing": 6,
        "psychiatry-medicine": 2,
        "psychology": 2,
        "occupational-therapy": 2,
        "social-work": 3,
        "peer-support": 1.5,
        "mental-health-coach": 1,
        "vcse-practitioner": 1,
        "administration": 2,
        "pharmacy": 0.3,
        "management": 0.3,
        "other": 0.5,
    },
    TeamKind.PRIMARY_CARE: {
        "nursing": 4,
        "psychology": 1,
        "occupational-therapy": 1,
        "mental-health-coach": 2,
        "peer-support": 1,
        "administration": 1,
        "psychiatry-medicine": 1,
    },
    TeamKind.VCSE_SERVICE: {
        "vcse-practitioner": 4,
        "mental-health-coach": 3,
        "peer-support": 3,
        "management": 1,
        "administration": 1,
        "lived-experience": 1.5,
    },
    TeamKind.FRONT_DOOR: {
        "nursing": 4,
        "social-work": 1.5,
        "psychology": 1.5,
        "vcse-practitioner": 1,
        "administration": 1.5,
        "peer-support": 0.5,
        "other": 0.5,
    },
    TeamKind.CRISIS: {
        "nursing": 5,
        "psychiatry-medicine": 1.5,
        "pharmacy": 0.7,
        "occupational-therapy": 1,
        "social-work": 1,
        "administration": 1,
        "peer-support": 0.5,
    },
    TeamKind.BOARD: {
        "management": 4,
        "lived-experience": 2,
        "psychiatry-medicine": 1,
        "social-work": 0.5,
        "other": 0.5,
    },
    TeamKind.PROJECT_GROUP: {
        "other": 2,
        "management": 2,
        "lived-experience": 2,
        "nursing": 1,
        "vcse-practitioner": 1,
    },
}
# The first few people of each team hold its roles, with a discipline that fits the role.
LEADER_DISCIPLINES: dict[str, tuple[str, ...]] = {
    TeamKind.CMHT: ("nursing", "occupational-therapy", "social-work", "psychology"),
    TeamKind.PRIMARY_CARE: ("nursing", "psychology"),
    TeamKind.VCSE_SERVICE: ("management", "vcse-practitioner"),
    TeamKind.FRONT_DOOR: ("nursing", "social-work"),
    TeamKind.CRISIS: ("nursing",),
    TeamKind.BOARD: ("management",),
    TeamKind.PROJECT_GROUP: ("other", "management"),
}
CLINICAL_LEAD_DISCIPLINES = ("psychiatry-medicine", "psychology")
CLINICAL_KINDS = frozenset({TeamKind.CMHT, TeamKind.CRISIS, TeamKind.FRONT_DOOR})
ADMINISTERED_KINDS = frozenset({TeamKind.CMHT, TeamKind.CRISIS, TeamKind.FRONT_DOOR})
# Boards and project groups always include a lived-experience member among their first people.
LIVED_EXPERIENCE_SEAT_KINDS = frozenset({TeamKind.BOARD, TeamKind.PROJECT_GROUP})

JOB_TITLES: dict[str, tuple[str, ...]] = {
    "nursing": ("Community mental health nurse", "Mental health practitioner", "Senior nurse"),
    "psychiatry-medicine": (
        "Consultant psychiatrist",
        "Specialty doctor",
        "GP with a special interest",
    ),
    "psychology": ("Clinical psychologist", "Assistant psychologist", "Psychological therapist"),
    "occupational-therapy": ("Occupational therapist", "Senior occupational therapist"),
    "social-work": ("Social worker", "Approved mental health professional"),
    "pharmacy": ("Mental health pharmacist", "Pharmacy technician"),
    "peer-support": ("Peer support worker", "Senior peer support worker"),
    "mental-health-coach": ("Mental health coach",),
    "vcse-practitioner": ("Community connector", "Wellbeing practitioner", "Support worker"),
    "administration": ("Team administrator", "Medical secretary"),
    "management": ("Service manager", "Director", "Operations manager"),
    "lived-experience": ("Lived-experience representative", "Peer researcher"),
    "other": ("Quality improvement lead", "Housing link worker", "Employment specialist"),
}
VCSE_NAMES = ("Wellbeing", "Recovery Collective", "Community Connections", "Peer Network", "Hub")
VCSE_SERVICES = ("Wellbeing Coaching Service", "Peer Support Service", "Community Connectors")
PROJECT_TOPICS = (
    "Front Door Redesign",
    "Moving On Pathway",
    "Positive Risk-Taking",
    "Peer Support Expansion",
    "Crisis Alternatives",
    "Primary Care Integration",
    "Carers Partnership",
    "Digital Access",
)
GP_SUFFIXES = ("Surgery", "Medical Centre", "Health Centre")


@dataclass(frozen=True)
class ScalePlan:
    """How big each part of the seeded system is."""

    people: int
    teams: int
    localities: int
    trusts: int
    vcse_organisations: int
    local_authorities: int
    lived_experience_networks: int
    project_groups: int

    @property
    def system_teams(self) -> int:
        """Teams that belong to no locality: the board, each trust's front door and crisis team
        and the project groups."""
        return 1 + 2 * self.trusts + self.project_groups

    @property
    def organisations(self) -> int:
        pcns = self.localities
        return (
            1
            + self.trusts
            + pcns
            + pcns * PRACTICES_PER_PCN
            + self.vcse_organisations
            + self.local_authorities
            + self.lived_experience_networks
        )


def plan_for(*, scale: int = 1, people: int | None = None, teams: int | None = None) -> ScalePlan:
    """The plan for `scale`, with `people` or `teams` given outright when not None."""
    if scale < 1:
        raise GeneratorError("--scale must be 1 or more.")
    if people is None:
        people = PEOPLE_PER_SCALE * scale
    if teams is None:
        step = (TEAMS_AT_SCALE_75 - TEAMS_AT_SCALE_1) / 74
        teams = round(TEAMS_AT_SCALE_1 + (scale - 1) * step)
    localities = max(3, round(teams / TEAMS_PER_LOCALITY))
    plan = ScalePlan(
        people=people,
        teams=teams,
        localities=localities,
        trusts=max(1, round(localities / 25)),
        vcse_organisations=max(3, round(localities / 2)),
        local_authorities=max(1, round(localities / 12)),
        lived_experience_networks=max(1, round(localities / 25)),
        project_groups=max(1, round(teams / 40)),
    )
    minimum_teams = plan.system_teams + plan.localities
    if teams < minimum_teams:
        raise GeneratorError(
            f"--teams must be at least {minimum_teams}: a board, a front door and a crisis team, "
            "a project group and a team in each of three localities."
        )
    if people < MIN_PEOPLE_PER_TEAM * teams:
        raise GeneratorError(
            f"--people must be at least {MIN_PEOPLE_PER_TEAM * teams} for {teams} teams, "
            f"so that every team has at least {MIN_PEOPLE_PER_TEAM} people to lead it."
        )
    return plan


@dataclass
class SeedSummary:
    localities: int = 0
    organisations: int = 0
    teams: int = 0
    people: int = 0
    memberships: int = 0
    leadership_teams: int = 0
    leadership_members: int = 0
    forums: ForumsSeedSummary = field(default_factory=ForumsSeedSummary)
    seconds: float = 0.0


@dataclass
class _TeamPlan:
    team: Team
    locality: int | None  # index into the localities, None for a system-wide team
    home_size: int = 0
    leader: int | None = None
    clinical_lead: int | None = None
    # (person id, discipline slug) of its own staff, and people from other teams who join it.
    people: list[tuple[int, str]] = field(default_factory=list)
    visitors: list[int] = field(default_factory=list)


@dataclass
class _Pools:
    """Person ids the leadership teams draw on, gathered as people are made."""

    vcse_by_locality: dict[int, list[int]] = field(default_factory=dict)
    vcse: list[int] = field(default_factory=list)
    lived_experience: list[int] = field(default_factory=list)
    management: list[int] = field(default_factory=list)
    # Up to three people per organisation, leaders first, for organisation-level leadership.
    organisation_leads: dict[int, list[int]] = field(default_factory=dict)
    board_home: list[int] = field(default_factory=list)


def _trust_code(index: int) -> str:
    """Fictional trust ODS codes R9A, R9B, … R8A, … (never R9Z, the demo trust's)."""
    digits, letters = "987654321", "ABCDEFGHJKLMNPQRSTUVWXY"
    if index >= len(digits) * len(letters):
        raise GeneratorError("Too many NHS trusts for the fictional ODS code range.")
    return f"R{digits[index // len(letters)]}{letters[index % len(letters)]}"


def _system_team(name: str, organisation: Organisation, kind: str) -> _TeamPlan:
    """A team of no locality: a front door, a crisis team or a project group."""
    return _TeamPlan(Team(name=name, organisation=organisation, kind=kind), None)


class _Seeder:
    def __init__(
        self,
        plan: ScalePlan,
        *,
        seed: int,
        batch_size: int,
        progress: Progress | None,
        today: date,
    ) -> None:
        self.plan = plan
        self.seed = seed
        self.today = today
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        self.batch_size = batch_size
        self.say: Progress = progress or (lambda message: None)
        self.summary = SeedSummary()
        self.started = perf_counter()
        self.disciplines = {d.slug: d.pk for d in Discipline.objects.all()}
        missing = set(JOB_TITLES) - set(self.disciplines)
        if missing:
            raise GeneratorError(
                f"Disciplines missing from the database: {', '.join(sorted(missing))}. "
                "Run `roundtable migrate` first."
            )
        self.pools = _Pools()
        self.used_emails: dict[str, int] = {}
        self.person_organisation: dict[int, int] = {}
        self.leadership_people: list[tuple[LeadershipTeam, list[int]]] = []

    def phase(self, label: str, count: int) -> None:
        self.say(f"  {label:<20}{count:>8,}   done at {perf_counter() - self.started:5.1f} s")

    def run(self) -> SeedSummary:
        plan = self.plan
        self.say(
            f"Seeding {plan.people:,} people in {plan.teams:,} teams, "
            f"{plan.localities:,} localities and {plan.organisations:,} organisations:"
        )
        places = place_names(self.rng, plan.localities + 1 + plan.trusts + plan.vcse_organisations)
        self.localities = Locality.objects.bulk_create(
            [Locality(name=name) for name in places[: plan.localities]], batch_size=self.batch_size
        )
        self.summary.localities = len(self.localities)
        self.phase("localities", self.summary.localities)
        self._organisations(places[plan.localities :])
        self.phase("organisations", self.summary.organisations)
        self._teams()
        self.phase("teams", self.summary.teams)
        self._people()
        self.phase("people", self.summary.people)
        self.phase("memberships", self.summary.memberships)
        self._leadership()
        self.phase("leadership teams", self.summary.leadership_teams)
        self.phase("leadership members", self.summary.leadership_members)
        self.summary.forums = seed_forums(
            SeededDirectory(
                region=self.region,
                localities=self.localities,
                icb=self.icb,
                trusts=self.trusts,
                teams=[
                    TeamPeople(
                        team=t.team,
                        locality=t.locality,
                        home=t.people,
                        visitors=t.visitors,
                        leader=t.leader,
                        clinical_lead=t.clinical_lead,
                    )
                    for t in self.teams
                ],
                person_organisation=self.person_organisation,
                leadership=self.leadership_people,
                guest_organisations=[*self.local_authorities, *self.vcse_organisations],
            ),
            seed=self.seed,
            today=self.today,
            batch_size=self.batch_size,
            phase=self.phase,
        )
        seed_care(
            staff=self.summary.people,
            seed=self.seed,
            today=self.today,
            batch_size=self.batch_size,
            phase=self.phase,
        )
        if update_planner_statistics():
            self.say(
                f"  {'statistics (ANALYZE)':<20}{'updated':>8}   "
                f"done at {perf_counter() - self.started:5.1f} s"
            )
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            summary=(
                f"Seeded a scale system: {self.summary.people} people, {self.summary.teams} "
                f"teams, {self.summary.organisations} organisations"
            ),
        )
        self.summary.seconds = perf_counter() - self.started
        return self.summary

    # --- organisations ---------------------------------------------------------------------

    def _organisations(self, places: list[str]) -> None:
        plan, batch = self.plan, self.batch_size
        region, trust_places, vcse_places = (
            places[0],
            places[1 : 1 + plan.trusts],
            places[1 + plan.trusts :],
        )
        self.region = region
        self.icb = Organisation.objects.create(
            name=f"NHS {region} Integrated Care Board",
            kind=OrganisationKind.ICB,
            ods_code=SEED_ICB_ODS,
        )
        self.trust_places = trust_places
        self.trusts = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"{place} Mental Health NHS Foundation Trust",
                    kind=OrganisationKind.NHS_TRUST,
                    ods_code=_trust_code(i),
                    parent=self.icb,
                )
                for i, place in enumerate(trust_places)
            ],
            batch_size=batch,
        )
        self.pcns = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"{locality.name} Primary Care Network",
                    kind=OrganisationKind.PCN,
                    ods_code=f"U9{i:04d}",
                    parent=self.icb,
                )
                for i, locality in enumerate(self.localities)
            ],
            batch_size=batch,
        )
        practices = [
            Organisation(
                name=f"{locality.name} {suffix}",
                kind=OrganisationKind.GP_PRACTICE,
                ods_code=f"Z{i * PRACTICES_PER_PCN + j:05d}",
                parent=pcn,
            )
            for i, (locality, pcn) in enumerate(zip(self.localities, self.pcns, strict=True))
            for j, suffix in enumerate(GP_SUFFIXES[:PRACTICES_PER_PCN])
        ]
        Organisation.objects.bulk_create(practices, batch_size=batch)
        self.practices = [
            practices[i * PRACTICES_PER_PCN : (i + 1) * PRACTICES_PER_PCN]
            for i in range(len(self.localities))
        ]
        self.vcse_organisations = self._partners(
            OrganisationKind.VCSE,
            (
                f"{vcse_places[i % len(vcse_places)]} {VCSE_NAMES[i % len(VCSE_NAMES)]}"
                for i in range(plan.vcse_organisations)
            ),
        )
        self.local_authorities = self._partners(
            OrganisationKind.LOCAL_AUTHORITY,
            (f"{self.localities[i].name} Council" for i in range(plan.local_authorities)),
        )
        self.lived_experience_networks = self._partners(
            OrganisationKind.LIVED_EXPERIENCE,
            (
                f"{self.localities[i].name} Voices Network"
                for i in range(plan.lived_experience_networks)
            ),
        )
        self.summary.organisations = plan.organisations

    def _partners(self, kind: str, names: Iterable[str]) -> list[Organisation]:
        """Organisations of one kind without ODS codes or parents, by name."""
        return Organisation.objects.bulk_create(
            [Organisation(name=name, kind=kind) for name in names], batch_size=self.batch_size
        )

    # --- teams -----------------------------------------------------------------------------

    def _teams(self) -> None:
        plan = self.plan
        teams: list[_TeamPlan] = [
            _TeamPlan(
                Team(
                    name=f"{self.region} Community Mental Health Partnership Board",
                    organisation=self.icb,
                    kind=TeamKind.BOARD,
                    description="Decides together what is funded across the system.",
                ),
                None,
            )
        ]
        for trust, place in zip(self.trusts, self.trust_places, strict=True):
            teams += [
                _system_team(f"{place} Single Point of Access", trust, TeamKind.FRONT_DOOR),
                _system_team(
                    f"{place} Crisis Resolution and Home Treatment Team", trust, TeamKind.CRISIS
                ),
            ]
        for i in range(plan.project_groups):
            topic = PROJECT_TOPICS[i % len(PROJECT_TOPICS)]
            round_number = i // len(PROJECT_TOPICS) + 1
            suffix = f" {round_number}" if round_number > 1 else ""
            teams.append(
                _system_team(f"{topic} Project Group{suffix}", self.icb, TeamKind.PROJECT_GROUP)
            )
        # Locality teams, dealt round the localities: each gets a CMHT first, then a mix.
        cycle = (TeamKind.PRIMARY_CARE, TeamKind.VCSE_SERVICE, TeamKind.CMHT)
        counts: dict[tuple[int, str], int] = {}
        for i in range(plan.teams - len(teams)):
            locality_index, local_index = i % plan.localities, i // plan.localities
            locality = self.localities[locality_index]
            kind = (
                TeamKind.CMHT
                if local_index == 0
                else cycle[(local_index - 1 + locality_index) % len(cycle)]
            )
            number = counts[(locality_index, kind)] = counts.get((locality_index, kind), 0) + 1
            suffix = f" {number}" if number > 1 else ""
            if kind == TeamKind.CMHT:
                organisation = self.trusts[locality_index % len(self.trusts)]
                name = f"{locality.name} Community Mental Health Team{suffix}"
            elif kind == TeamKind.PRIMARY_CARE:
                organisation = self.pcns[locality_index]
                name = f"{locality.name} Primary Care Mental Health Team{suffix}"
            else:
                organisation = self.vcse_organisations[
                    locality_index % len(self.vcse_organisations)
                ]
                service = VCSE_SERVICES[(number - 1) % len(VCSE_SERVICES)]
                name = f"{locality.name} {service}" + (
                    f" {(number - 1) // len(VCSE_SERVICES) + 1}"
                    if number > len(VCSE_SERVICES)
                    else ""
                )
            teams.append(
                _TeamPlan(
                    Team(name=name, organisation=organisation, locality=locality, kind=kind),
                    locality_index,
                )
            )
        Team.objects.bulk_create([t.team for t in teams], batch_size=self.batch_size)
        # Each trust's single point of access is the front door for its community and crisis
        # teams: its members see their new referrals.
        front_doors = {
            t.team.organisation_id: t.team for t in teams if t.team.kind == TeamKind.FRONT_DOOR
        }
        Team.serves.through.objects.bulk_create(
            [
                Team.serves.through(from_team=front_doors[t.team.organisation_id], to_team=t.team)
                for t in teams
                if t.team.kind in (TeamKind.CMHT, TeamKind.CRISIS)
                and t.team.organisation_id in front_doors
            ],
            batch_size=self.batch_size,
        )
        sizes = allocate(
            plan.people, [TEAM_WEIGHT[t.team.kind] for t in teams], MIN_PEOPLE_PER_TEAM
        )
        for team_plan, size in zip(teams, sizes, strict=True):
            team_plan.home_size = size
        self.teams = teams
        self.team_by_id = {t.team.pk: t for t in teams}
        self.locality_teams: list[list[int]] = [[] for _ in self.localities]
        self.system_team_ids: list[int] = []
        for team_plan in teams:
            if team_plan.locality is not None:
                self.locality_teams[team_plan.locality].append(team_plan.team.pk)
            elif team_plan.team.kind != TeamKind.BOARD:
                self.system_team_ids.append(team_plan.team.pk)
        self.summary.teams = len(teams)

    # --- people and memberships ------------------------------------------------------------

    def _people(self) -> None:
        rng = self.rng
        mixes = {
            kind: (list(mix), list(accumulate(mix.values())))
            for kind, mix in DISCIPLINE_MIX.items()
        }
        pending: list[tuple[Person, _TeamPlan, str, str, int]] = []
        for index, team_plan in enumerate(self.teams):
            kind = team_plan.team.kind
            slugs, cumulative = mixes[kind]
            for position in range(team_plan.home_size):
                role = MembershipRole.MEMBER
                if position == 0:
                    role = MembershipRole.TEAM_LEADER
                    slug = rng.choice(LEADER_DISCIPLINES[kind])
                elif position == 1 and kind in CLINICAL_KINDS:
                    role = MembershipRole.CLINICAL_LEAD
                    slug = rng.choice(CLINICAL_LEAD_DISCIPLINES)
                elif position == 1 and kind in LIVED_EXPERIENCE_SEAT_KINDS:
                    slug = "lived-experience"
                elif position == 2 and kind in ADMINISTERED_KINDS:
                    role = MembershipRole.ADMINISTRATOR
                    slug = "administration"
                else:
                    slug = rng.choices(slugs, cum_weights=cumulative)[0]
                locality = team_plan.locality if team_plan.locality is not None else index
                organisation = self._employer(team_plan, slug, locality)
                name = full_name(rng)
                person = Person(
                    email=self._email(name, organisation.kind),
                    full_name=name,
                    job_title="Team leader"
                    if role == MembershipRole.TEAM_LEADER
                    else rng.choice(JOB_TITLES[slug]),
                    discipline_id=self.disciplines[slug],
                    organisation=organisation,
                    # Nobody signs in as a seeded person; Django's unusable marker costs nothing.
                    password=make_password(None),
                )
                pending.append((person, team_plan, role, slug, organisation.pk))
                if len(pending) >= PEOPLE_CHUNK:
                    self._flush_people(pending)
                    pending = []
        self._flush_people(pending)

    def _employer(self, team_plan: _TeamPlan, slug: str, locality: int) -> Organisation:
        """Who employs a person: social workers the council, coaches a VCSE partner, and so on."""
        team = team_plan.team
        organisation = team.organisation
        if slug == "social-work" and team.kind != TeamKind.BOARD:
            return self.local_authorities[locality % len(self.local_authorities)]
        if slug == "lived-experience":
            return self.lived_experience_networks[locality % len(self.lived_experience_networks)]
        if slug in ("vcse-practitioner", "mental-health-coach") or (
            slug == "peer-support" and self.rng.random() < 0.5
        ):
            if organisation.kind == OrganisationKind.VCSE:
                return organisation
            return self.vcse_organisations[locality % len(self.vcse_organisations)]
        if team.kind == TeamKind.PRIMARY_CARE and team_plan.locality is not None:
            return self.rng.choice(self.practices[team_plan.locality])
        return organisation

    def _email(self, full_name: str, organisation_kind: str) -> str:
        email = email_for(full_name, email_domain(organisation_kind))
        count = self.used_emails.get(email, 0) + 1
        self.used_emails[email] = count
        if count == 1:
            return email
        local, domain = email.split("@")
        return f"{local}{count}@{domain}"

    def _flush_people(self, pending: list[tuple[Person, _TeamPlan, str, str, int]]) -> None:
        if not pending:
            return
        rng, pools = self.rng, self.pools
        Person.objects.bulk_create([row[0] for row in pending], batch_size=self.batch_size)
        memberships: list[Membership] = []
        for person, team_plan, role, slug, organisation_id in pending:
            team_id = team_plan.team.pk
            memberships.append(Membership(person_id=person.pk, team_id=team_id, role=role))
            team_plan.people.append((person.pk, slug))
            self.person_organisation[person.pk] = organisation_id
            if role == MembershipRole.TEAM_LEADER:
                team_plan.leader = person.pk
            elif role == MembershipRole.CLINICAL_LEAD:
                team_plan.clinical_lead = person.pk
            leads = pools.organisation_leads.setdefault(organisation_id, [])
            if len(leads) < 3:
                leads.append(person.pk)
            if slug in VCSE_VOICES:
                pools.vcse.append(person.pk)
                if team_plan.locality is not None:
                    pools.vcse_by_locality.setdefault(team_plan.locality, []).append(person.pk)
            elif slug == "lived-experience":
                pools.lived_experience.append(person.pk)
            elif slug == "management":
                pools.management.append(person.pk)
            if team_plan.team.kind == TeamKind.BOARD:
                pools.board_home.append(person.pk)
            # Most people also work with one or two other teams: mostly in their own locality,
            # sometimes (or, for system-wide teams, always) a front door, crisis team or project.
            draw = rng.random()
            extra = 2 if draw < 0.2 else 1 if draw < 0.6 else 0
            local = (
                self.locality_teams[team_plan.locality] if team_plan.locality is not None else []
            )
            chosen: list[int] = []
            for _ in range(extra):
                if local and rng.random() < SAME_LOCALITY_SHARE:
                    other = rng.choice(local)
                else:
                    other = rng.choice(self.system_team_ids)
                if other != team_id and other not in chosen:
                    chosen.append(other)
                    memberships.append(Membership(person_id=person.pk, team_id=other))
                    self.team_by_id[other].visitors.append(person.pk)
        Membership.objects.bulk_create(memberships, batch_size=self.batch_size)
        self.summary.people += len(pending)
        self.summary.memberships += len(memberships)

    # --- leadership teams ------------------------------------------------------------------

    def _leadership(self) -> None:
        rng, pools = self.rng, self.pools
        teams: list[LeadershipTeam] = []
        members: list[list[tuple[int, str]]] = []

        def add(leadership_team: LeadershipTeam, people: list[tuple[int | None, str]]) -> None:
            seen: set[int] = set()
            chosen: list[tuple[int, str]] = []
            for person_id, role in people:
                if person_id is not None and person_id not in seen:
                    seen.add(person_id)
                    chosen.append((person_id, role))
            teams.append(leadership_team)
            members.append(chosen)

        def pick(pool: list[int]) -> int | None:
            return rng.choice(pool) if pool else None

        # The system (board) level: the board itself plus VCSE and lived-experience voices.
        board = [(person_id, "Board member") for person_id in pools.board_home]
        add(
            LeadershipTeam(name="System leadership", level=LeadershipLevel.SYSTEM),
            [
                *board,
                (pick(pools.management), "Trust lead"),
                (pick(pools.vcse), "VCSE partner"),
                (pick(pools.vcse), "VCSE partner"),
                (pick(pools.lived_experience), "Lived-experience partner"),
            ],
        )
        organisations = [
            *self.trusts,
            *self.vcse_organisations,
            *self.local_authorities,
            *self.lived_experience_networks,
        ]
        for organisation in organisations:
            leads = pools.organisation_leads.get(organisation.pk, [])
            if not leads:
                continue
            people: list[tuple[int | None, str]] = [(pid, "Leader") for pid in leads]
            if organisation.kind == OrganisationKind.NHS_TRUST:
                people += [
                    (pick(pools.vcse), "VCSE partner"),
                    (pick(pools.lived_experience), "Lived-experience partner"),
                ]
            add(
                LeadershipTeam(
                    name=f"{organisation.name} leadership",
                    level=LeadershipLevel.ORGANISATION,
                    organisation=organisation,
                ),
                people,
            )
        for team_plan in self.teams:
            team = team_plan.team
            if team.kind == TeamKind.BOARD:
                continue  # the system leadership team leads the board
            local_voices = (
                pools.vcse_by_locality.get(team_plan.locality, [])
                if team_plan.locality is not None
                else []
            )
            add(
                LeadershipTeam(
                    name=f"{team.name} leadership",
                    level=LeadershipLevel.PROJECT
                    if team.kind == TeamKind.PROJECT_GROUP
                    else LeadershipLevel.TEAM,
                    team=team,
                ),
                [
                    (team_plan.leader, "Team leader"),
                    (team_plan.clinical_lead, "Clinical lead"),
                    (pick(local_voices or pools.vcse), "VCSE partner"),
                    (pick(pools.lived_experience), "Lived-experience partner"),
                ],
            )
        LeadershipTeam.objects.bulk_create(teams, batch_size=self.batch_size)
        rows = [
            LeadershipMembership(leadership_team_id=leadership_team.pk, person_id=pid, role=role)
            for leadership_team, chosen in zip(teams, members, strict=True)
            for pid, role in chosen
        ]
        LeadershipMembership.objects.bulk_create(rows, batch_size=self.batch_size)
        self.leadership_people = [
            (leadership_team, [pid for pid, _ in chosen])
            for leadership_team, chosen in zip(teams, members, strict=True)
        ]
        # Partners on the system leadership team sit on the board too.
        board_id = self.teams[0].team.pk
        home = set(pools.board_home)
        joining = [
            Membership(person_id=pid, team_id=board_id) for pid, _ in members[0] if pid not in home
        ]
        Membership.objects.bulk_create(joining, batch_size=self.batch_size)
        self.teams[0].visitors.extend(m.person_id for m in joining)
        self.summary.memberships += len(joining)
        self.summary.leadership_teams = len(teams)
        self.summary.leadership_members = len(rows)


def update_planner_statistics() -> bool:
    """On PostgreSQL, ANALYZE after the bulk load; returns whether it did.

    Without it the planner knows nothing of the rows just inserted until autovacuum gets round
    to them, and picks plans that are many times slower (the leadership presence selector took
    over a second instead of a quarter of one). Run in the seed's own transaction, ANALYZE counts
    its rows. SQLite is left alone: with statistics its planner chose a plan for the presence
    query 17 times slower than without.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True


def seed_system(
    plan: ScalePlan,
    *,
    seed: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    today: date | None = None,
) -> SeedSummary:
    """Build the system `plan` describes in an empty directory, in one transaction.

    Meeting history runs for the year before `today` (default: the local date).
    """
    if loaded_system() is not None:
        raise GeneratorError("The directory is not empty: seeding needs an empty one.")
    with transaction.atomic():
        return _Seeder(
            plan,
            seed=seed,
            batch_size=batch_size,
            progress=progress,
            today=today or timezone.localdate(),
        ).run()
