"""Buildings, forums, a year of meetings with attendance, and leaders' visits for `seed`.

Part of `roundtable seed` (see `roundtable.demo.scale`): bulk inserts only, one audit event for
the lot. Every team gets one forum with a recurring meeting: community teams a weekly MDT (a
daily huddle for each of 160 CMHTs would be five times the rows, for no more insight in the
presence view), primary care teams and VCSE services a fortnightly meeting, front doors every
weekday, crisis teams every day, the board every four weeks and project groups every two
weeks; each trust also gets a positive risk-taking panel. Teams share buildings, a few to each.
At 400 teams that is about 17,000 meetings in the past year and 180,000 attendance records:
each row costs some 40 microseconds to insert through the ORM, and the seed has to stay well
inside 30 seconds on a busy two-core machine.

Leadership presence follows from the attendance: team leaders and clinical leads go to their
team's meetings most weeks, VCSE and lived-experience partners of a team's leadership sometimes,
organisation and system leaders now and then as guests and "in the building" every fortnight or
so. About one team in twelve is neglected: no leader for the last six weeks.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.demo.history import (
    EVERY_DAY,
    HISTORY_WEEKS,
    NEGLECT_DAYS,
    WEEKDAYS,
    Rotation,
    Window,
    cancelled_indexes,
    clear_of_boundaries,
    occurrences,
    weekday_on_or_before,
)
from roundtable.demo.names import full_name
from roundtable.directory.models import (
    LeadershipTeam,
    Locality,
    Organisation,
    OrganisationKind,
    Team,
    TeamKind,
)
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
    local_datetime,
)
from roundtable.forums.selectors import covers

TEAMS_PER_SITE = 4
SITE_NAMES = ("Community Base", "Resource Centre", "Health Centre", "Wellbeing Hub")
# Forums made and inserted this many at a time, with their meetings and attendance.
FORUM_CHUNK = 40
NEGLECTED_SHARE = 1 / 12
# Chances per meeting and member: (present, apologies) for the team leader and clinical lead,
# for the rest of the team's own staff (who come when they have someone to bring, about half the
# time) and for people from other teams who are members of the forum too. Lower than the demo's
# turnout, to keep the number of rows (and the seed's time) down.
LEADER_TURNOUT = (0.85, 0.08)
HOME_TURNOUT = (0.5, 0.05)
VISITOR_TURNOUT = (0.08, 0.02)
PARTNER_CHANCE = 0.15  # a VCSE or lived-experience partner of the team's leadership comes
LEADER_GUEST_CHANCE = 0.04  # an organisation or system leader comes as a guest
GUEST_CHANCE = 0.05  # someone from another organisation comes as a guest
NAMED_GUEST_CHANCE = 0.02  # someone without an account comes
NAMED_GUESTS = 200
NAMED_GUEST_ROLES = (
    "housing officer",
    "carers' support worker",
    "employment adviser",
    "independent advocate",
    "social prescriber",
    "student nurse",
)
VISIT_EVERY_DAYS = (10, 18)  # organisation and system leaders, in a building this often
CANCEL_REASONS = ("Team training day", "Team away day", "Room not available")
PRESENT, APOLOGIES = AttendanceStatus.PRESENT.value, AttendanceStatus.APOLOGIES.value
# Who came to a meeting: (person id, guest's name, guest's organisation id, is a guest, status).
Came = tuple[int | None, str, int | None, bool, str]

# Team kind -> (forum kind, name suffix, weekdays (None: one weekday, drawn), start, minutes,
# every so many weeks).
CADENCE: dict[str, tuple[str, str, tuple[int, ...] | None, time, int, int]] = {
    TeamKind.CMHT: (ForumKind.MDT, "MDT", None, time(13, 30), 90, 1),
    TeamKind.PRIMARY_CARE: (ForumKind.MDT, "meeting", None, time(12, 30), 60, 2),
    TeamKind.VCSE_SERVICE: (ForumKind.MDT, "case discussion", None, time(10, 0), 60, 2),
    TeamKind.FRONT_DOOR: (
        ForumKind.FRONT_DOOR,
        "front-door meeting",
        WEEKDAYS,
        time(10, 30),
        30,
        1,
    ),
    TeamKind.CRISIS: (ForumKind.DAILY_HUDDLE, "morning handover", EVERY_DAY, time(8, 30), 30, 1),
    TeamKind.BOARD: (ForumKind.BOARD, "meeting", (3,), time(14, 0), 120, 4),
    TeamKind.PROJECT_GROUP: (ForumKind.PROJECT_GROUP, "meeting", (1,), time(15, 0), 60, 2),
}
NHS = OrganisationKind.NHS_TRUST
VCSE = OrganisationKind.VCSE
# Forum kind -> (at least this many disciplines, organisation kinds, lived experience needed).
RULES: dict[str, tuple[int, tuple[str, ...], bool]] = {
    ForumKind.MDT: (3, (), False),
    ForumKind.FRONT_DOOR: (2, (NHS, VCSE), False),
    ForumKind.DAILY_HUDDLE: (2, (), False),
    ForumKind.BOARD: (3, (NHS, VCSE), True),
    ForumKind.PROJECT_GROUP: (3, (VCSE,), True),
    ForumKind.RISK_PANEL: (3, (NHS, VCSE), True),
}
VCSE_VOICES = frozenset({"vcse-practitioner", "mental-health-coach", "peer-support"})


@dataclass
class TeamPeople:
    """A seeded team and its people, as `scale._Seeder` made them."""

    team: Team
    locality: int | None
    home: list[tuple[int, str]] = field(default_factory=list)  # (person id, discipline slug)
    visitors: list[int] = field(default_factory=list)  # members whose home team is another
    leader: int | None = None
    clinical_lead: int | None = None


@dataclass
class SeededDirectory:
    region: str
    localities: list[Locality]
    icb: Organisation
    trusts: list[Organisation]
    teams: list[TeamPeople]
    person_organisation: dict[int, int]
    leadership: list[tuple[LeadershipTeam, list[int]]]
    guest_organisations: list[Organisation]


@dataclass
class ForumsSeedSummary:
    sites: int = 0
    forums: int = 0
    forum_members: int = 0
    meetings: int = 0
    past_meetings: int = 0
    cancelled: int = 0
    attendance: int = 0
    visits: int = 0
    neglected_teams: int = 0


@dataclass
class _ForumPlan:
    forum: Forum
    team: TeamPeople
    weekdays: tuple[int, ...]
    start: time
    minutes: int
    interval_weeks: int
    starts_on: date  # a meeting every few weeks starts in one of the first few weeks, at random
    site_id: int | None
    members: list[int]  # in rotation order: home first
    home: set[int]
    rotation: list[int]
    leads: set[int] = field(default_factory=set)
    partners: list[int] = field(default_factory=list)


class _ForumSeeder:
    def __init__(
        self,
        directory: SeededDirectory,
        *,
        seed: int,
        today: date,
        batch_size: int,
        phase: Callable[[str, int], None],
    ) -> None:
        self.d = directory
        self.rng = random.Random(f"seed-forums-{seed}")  # noqa: S311 - synthetic data
        self.window = Window(today)
        self.batch_size = batch_size
        self.phase = phase
        self.summary = ForumsSeedSummary()
        self.team_site: dict[int, int] = {}
        self.site_teams: dict[int, list[int]] = {}
        # Who covers each team (its own, its organisation's and the system's leadership).
        self.covering: dict[int, set[int]] = {}
        self.team_partners: dict[int, list[int]] = {}
        self.leaders: set[int] = set()
        for _, people in directory.leadership:
            self.leaders.update(people)
        for team_people in directory.teams:
            team = team_people.team
            ids: set[int] = set()
            for leadership_team, people in directory.leadership:
                if covers(leadership_team, team):
                    ids.update(people)
                    if leadership_team.team_id == team.pk:
                        self.team_partners[team.pk] = people
            self.covering[team.pk] = ids
        locality_teams = [t for t in directory.teams if t.locality is not None]
        neglected = self.rng.sample(
            locality_teams, max(1, round(len(locality_teams) * NEGLECTED_SHARE))
        )
        self.neglected = {t.team.pk for t in neglected}
        self.summary.neglected_teams = len(self.neglected)
        everyone = sorted(directory.person_organisation)
        self.guest_pool = [pid for pid in everyone if pid not in self.leaders]
        self.named_guests = [
            (
                f"{full_name(self.rng)} ({self.rng.choice(NAMED_GUEST_ROLES)})",
                self.rng.choice(directory.guest_organisations).pk,
            )
            for _ in range(NAMED_GUESTS)
        ]
        self.days_cache: dict[tuple[tuple[int, ...], int, date], list[date]] = {}

    # --- buildings -------------------------------------------------------------------------

    def sites(self) -> None:
        d = self.d
        sites: list[Site] = []
        teams_of: list[list[int]] = []
        for index, locality in enumerate(d.localities):
            local = [t for t in d.teams if t.locality == index]
            for number, start in enumerate(range(0, len(local), TEAMS_PER_SITE)):
                chunk = local[start : start + TEAMS_PER_SITE]
                name = SITE_NAMES[number % len(SITE_NAMES)]
                if number >= len(SITE_NAMES):
                    name += f" {number // len(SITE_NAMES) + 1}"
                sites.append(
                    Site(
                        name=f"{locality.name} {name}",
                        locality=locality,
                        organisation_id=chunk[0].team.organisation_id,
                    )
                )
                teams_of.append([t.team.pk for t in chunk])
        system = [t for t in d.teams if t.locality is None]
        sites.append(Site(name=f"{d.region} House", organisation=d.icb))
        teams_of.append(
            [t.team.pk for t in system if t.team.kind in (TeamKind.BOARD, TeamKind.PROJECT_GROUP)]
        )
        for trust in d.trusts:
            sites.append(Site(name=f"{_place(trust)} Access Centre", organisation=trust))
            teams_of.append([t.team.pk for t in system if t.team.organisation_id == trust.pk])
        Site.objects.bulk_create(sites, batch_size=self.batch_size)
        Through = Site.teams.through
        Through.objects.bulk_create(
            [
                Through(site_id=site.pk, team_id=team_id)
                for site, team_ids in zip(sites, teams_of, strict=True)
                for team_id in team_ids
            ],
            batch_size=self.batch_size,
        )
        for site, team_ids in zip(sites, teams_of, strict=True):
            self.site_teams[site.pk] = team_ids
            for team_id in team_ids:
                self.team_site[team_id] = site.pk
        self.summary.sites = len(sites)

    # --- forums ----------------------------------------------------------------------------

    def plans(self) -> list[_ForumPlan]:
        plans: list[_ForumPlan] = []
        for team_people in self.d.teams:
            team = team_people.team
            kind, suffix, weekdays, start, minutes, interval = CADENCE[team.kind]
            name = team.name if team.kind == TeamKind.PROJECT_GROUP else f"{team.name} {suffix}"
            plans.append(
                self._plan(
                    team_people,
                    name,
                    kind,
                    weekdays or (self.rng.randrange(5),),
                    start,
                    minutes,
                    interval,
                    [pid for pid, _ in team_people.home],
                    team_people.visitors,
                    [pid for pid, slug in team_people.home if slug != "administration"],
                )
            )
        voices = [pid for t in self.d.teams for pid, slug in t.home if slug in VCSE_VOICES]
        lived = [pid for t in self.d.teams for pid, slug in t.home if slug == "lived-experience"]
        for trust in self.d.trusts:
            crisis = self._trust_team(trust, TeamKind.CRISIS)
            front_door = self._trust_team(trust, TeamKind.FRONT_DOOR)
            panel = [
                pid
                for pid in (
                    crisis.clinical_lead,
                    crisis.leader,
                    front_door.leader,
                    front_door.clinical_lead,
                    *self.rng.sample(voices, min(2, len(voices))),
                    *self.rng.sample(lived, min(1, len(lived))),
                )
                if pid is not None
            ]
            plans.append(
                self._plan(
                    crisis,
                    f"{_place(trust)} positive risk-taking panel",
                    ForumKind.RISK_PANEL,
                    (2,),
                    time(15, 0),
                    60,
                    1,
                    list(dict.fromkeys(panel)),
                    [],
                    list(dict.fromkeys(panel)),
                    home_is_members=True,
                )
            )
        return plans

    def _trust_team(self, trust: Organisation, kind: str) -> TeamPeople:
        return next(
            t for t in self.d.teams if t.team.organisation_id == trust.pk and t.team.kind == kind
        )

    def _plan(
        self,
        team_people: TeamPeople,
        name: str,
        kind: str,
        weekdays: tuple[int, ...],
        start: time,
        minutes: int,
        interval: int,
        home: list[int],
        visitors: list[int],
        rotation: list[int],
        *,
        home_is_members: bool = False,
    ) -> _ForumPlan:
        min_disciplines, kinds, lived_experience = RULES[kind]
        forum = Forum(
            name=name,
            kind=kind,
            purpose=f"Where {team_people.team.name} and its partners decide together.",
            home_team=team_people.team,
            min_disciplines=min_disciplines,
            required_organisation_kinds=sorted(kinds),
            lived_experience_required=lived_experience,
        )
        home_set = set(home)
        members = home + [pid for pid in visitors if pid not in home_set]
        partners = [
            pid
            for pid in self.team_partners.get(team_people.team.pk, [])
            if pid not in home_set and pid not in members
        ]
        return _ForumPlan(
            forum=forum,
            team=team_people,
            weekdays=weekdays,
            start=start,
            minutes=minutes,
            interval_weeks=interval,
            starts_on=self.window.starts_on + timedelta(weeks=self.rng.randrange(interval)),
            site_id=self.team_site.get(team_people.team.pk),
            members=members,
            home=home_set if not home_is_members else set(members),
            rotation=rotation or members[:1],
            leads={
                pid
                for pid in (team_people.leader, team_people.clinical_lead)
                if pid is not None and pid in members
            },
            partners=partners,
        )

    # --- meetings and attendance -----------------------------------------------------------

    def history(self, plans: Sequence[_ForumPlan]) -> None:
        window = self.window
        for start in range(0, len(plans), FORUM_CHUNK):
            chunk = plans[start : start + FORUM_CHUNK]
            Forum.objects.bulk_create([p.forum for p in chunk], batch_size=self.batch_size)
            memberships = [
                ForumMembership(
                    forum_id=p.forum.pk,
                    person_id=pid,
                    takes_turn_facilitating=pid in p.rotation,
                )
                for p in chunk
                for pid in p.members
            ]
            ForumMembership.objects.bulk_create(memberships, batch_size=self.batch_size)
            series = [
                MeetingSeries(
                    forum_id=p.forum.pk,
                    weekdays=list(p.weekdays),
                    interval_weeks=p.interval_weeks,
                    start_time=p.start,
                    duration_minutes=p.minutes,
                    starts_on=p.starts_on,
                    site_id=p.site_id,
                    generated_until=window.until,
                )
                for p in chunk
            ]
            MeetingSeries.objects.bulk_create(series, batch_size=self.batch_size)
            meetings: list[Meeting] = []
            attendance: list[list[Came]] = []
            for plan, one_series in zip(chunk, series, strict=True):
                self._meetings(plan, one_series, meetings, attendance)
            Meeting.objects.bulk_create(meetings, batch_size=self.batch_size)
            rows = [
                Attendance(
                    meeting_id=meeting.pk,
                    person_id=person_id,
                    guest_name=guest_name,
                    guest_organisation_id=guest_organisation,
                    is_guest=is_guest,
                    status=status,
                    recorded_by_id=meeting.facilitator_id,
                )
                for meeting, people in zip(meetings, attendance, strict=True)
                for person_id, guest_name, guest_organisation, is_guest, status in people
            ]
            Attendance.objects.bulk_create(rows, batch_size=self.batch_size)
            self.summary.forums += len(chunk)
            self.summary.forum_members += len(memberships)
            self.summary.meetings += len(meetings)
            self.summary.attendance += len(rows)

    def _days(self, weekdays: tuple[int, ...], interval: int, starts_on: date) -> list[date]:
        key = (weekdays, interval, starts_on)
        if key not in self.days_cache:
            self.days_cache[key] = occurrences(weekdays, interval, starts_on, self.window.until)
        return self.days_cache[key]

    def _meetings(
        self,
        plan: _ForumPlan,
        series: MeetingSeries,
        meetings: list[Meeting],
        attendance: list[list[Came]],
    ) -> None:
        """Append the plan's meetings and, for each, who came or sent apologies."""
        rng, window = self.rng, self.window
        team_id = plan.team.team.pk
        organisation_id = plan.team.team.organisation_id
        covering = self.covering[team_id]
        neglected_team = team_id in self.neglected
        days = self._days(plan.weekdays, plan.interval_weeks, plan.starts_on)
        past = sum(1 for day in days if day < window.today)
        cancelled = set(cancelled_indexes(rng, past))
        rotation = Rotation(plan.rotation)
        members = plan.members
        member_set = set(members)
        leaders_elsewhere = sorted(covering - set(members))
        length = timedelta(minutes=plan.minutes)
        for index, day in enumerate(days):
            starts_at = local_datetime(day, plan.start)
            meeting = Meeting(
                forum_id=plan.forum.pk,
                series_id=series.pk,
                starts_at=starts_at,
                ends_at=starts_at + length,
                site_id=plan.site_id,
            )
            meetings.append(meeting)
            came: list[Came] = []
            attendance.append(came)
            if index >= past:
                meeting.facilitator_id = rotation.take()
                continue
            if index in cancelled:
                meeting.cancelled_at = local_datetime(day - timedelta(days=1), time(16, 0))
                meeting.cancel_reason = rng.choice(CANCEL_REASONS)
                meeting.facilitator_id = rotation.peek()
                continue
            neglect = neglected_team and window.days_ago(day) <= NEGLECT_DAYS
            present: list[int] = []
            for pid in members:
                draw = rng.random()
                if neglect and pid in covering:
                    if draw < 0.5:
                        came.append((pid, "", None, False, APOLOGIES))
                    continue
                if pid in plan.leads:
                    turnout, apologies = LEADER_TURNOUT
                elif pid in plan.home:
                    turnout, apologies = HOME_TURNOUT
                else:
                    turnout, apologies = VISITOR_TURNOUT
                if draw < turnout:
                    present.append(pid)
                elif draw < turnout + apologies:
                    came.append((pid, "", None, False, APOLOGIES))
            guests: list[int] = []
            if not neglect:
                for pid in plan.partners:
                    if rng.random() < PARTNER_CHANCE:
                        guests.append(pid)
                if leaders_elsewhere and rng.random() < LEADER_GUEST_CHANCE:
                    guests.append(rng.choice(leaders_elsewhere))
            if rng.random() < GUEST_CHANCE:
                guest = rng.choice(self.guest_pool)
                if guest not in member_set and self.d.person_organisation[guest] != organisation_id:
                    guests.append(guest)
            there = set(present)
            for pid in present:
                came.append((pid, "", None, False, PRESENT))
            for pid in guests:
                if pid not in there:
                    there.add(pid)
                    came.append((pid, "", None, True, PRESENT))
            if rng.random() < NAMED_GUEST_CHANCE:
                name, guest_organisation = rng.choice(self.named_guests)
                came.append((None, name, guest_organisation, True, PRESENT))
            meeting.facilitator_id = rotation.take(present) or (present[0] if present else None)
        self.summary.past_meetings += past
        self.summary.cancelled += len(cancelled)

    # --- leaders in buildings --------------------------------------------------------------

    def visits(self) -> None:
        """Organisation and system leaders in a building of a team they cover, every fortnight
        or so; never, in the last six weeks, in a building of a neglected team."""
        rng, window = self.rng, self.window
        neglected_sites = {
            site for site, teams in self.site_teams.items() if set(teams) & self.neglected
        }
        rows: set[tuple[int, int, date]] = set()
        for leadership_team, people in self.d.leadership:
            if leadership_team.team_id is not None:
                continue  # a team's own leaders are at its meetings instead
            sites = sorted(
                site
                for site, teams in self.site_teams.items()
                if any(covers(leadership_team, t.team) for t in self.d.teams if t.team.pk in teams)
            )
            if not sites:
                continue
            for pid in people:
                ago = rng.randint(1, VISIT_EVERY_DAYS[1])
                while ago <= HISTORY_WEEKS * 7 - 2:
                    site = rng.choice(sites)
                    if not (ago <= NEGLECT_DAYS and site in neglected_sites):
                        day = weekday_on_or_before(
                            window.today - timedelta(days=clear_of_boundaries(ago))
                        )
                        rows.add((pid, site, day))
                    ago += rng.randint(*VISIT_EVERY_DAYS)
        PresenceVisit.objects.bulk_create(
            [
                PresenceVisit(person_id=pid, site_id=site, on_date=day)
                for pid, site, day in sorted(rows)
            ],
            batch_size=self.batch_size,
        )
        self.summary.visits = len(rows)


def _place(trust: Organisation) -> str:
    """The place a seeded trust is named after."""
    return trust.name.removesuffix(" Mental Health NHS Foundation Trust")


def seed_forums(
    directory: SeededDirectory,
    *,
    seed: int,
    today: date,
    batch_size: int,
    phase: Callable[[str, int], None],
) -> ForumsSeedSummary:
    """Sites, one forum per team (and a risk panel per trust), a year of meetings, visits."""
    seeder = _ForumSeeder(directory, seed=seed, today=today, batch_size=batch_size, phase=phase)
    seeder.sites()
    phase("sites", seeder.summary.sites)
    plans = seeder.plans()
    seeder.history(plans)
    summary = seeder.summary
    phase("forums", summary.forums)
    phase("forum members", summary.forum_members)
    phase("meetings", summary.meetings)
    phase("attendance records", summary.attendance)
    seeder.visits()
    phase("visits to buildings", summary.visits)
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        summary=(
            f"Seeded forums: {summary.sites} sites, {summary.forums} forums, "
            f"{summary.meetings} meetings ({summary.past_meetings} in the past year), "
            f"{summary.attendance} attendance records, {summary.visits} visits"
        ),
    )
    return summary
