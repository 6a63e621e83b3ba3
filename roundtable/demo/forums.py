"""Forest Vale's buildings, forums, a year of meetings and its leaders' presence.

Sites, forums, members and recurring series are made through the forums services, as a person
would make them (each forum by the person who convenes it). A year of meetings comes from the
series; what happened at them — who was there, who sent apologies, guests, facilitation turns,
the odd cancellation — is written with bulk inserts, because thousands of service calls would
make `roundtable demo` slow; each forum's history gets one audit event that says so.

The history tells a story in the leadership presence view:

- Harlow Vale's community team is well visited: the trust's director of community services joins
  its huddle every week and is in its building twice a week; a board member drops in monthly.
- Epping North's team sees its own leaders daily and the trust's medical lead every month.
- The crisis team and the coaching service see a leader about once a month.
- Loughton Forest is neglected. For twelve weeks its community team's leaders have been covering
  the crisis team (the team leader and the clinical lead) or sending apologies, and nobody from
  the trust or the system has been in its building since well before that; its primary care
  team, which shares the building, last saw a system leader months ago.

Everything comes from a seeded `random.Random` and from positions counted back from the
reference day (see `roundtable.demo.history`), so which teams are reached does not depend on
the day the demo is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.utils import timezone

from roundtable.demo.builder import DemoDirectory, StoryBuilder
from roundtable.demo.history import (
    EVERY_DAY,
    WEEKDAYS,
    Rotation,
    cancelled_indexes,
    record_bulk_load,
    save_turns,
    series_meetings,
    visit_days,
)
from roundtable.demo.names import NamePicker
from roundtable.directory.models import (
    LeadershipTeam,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
)
from roundtable.forums import services
from roundtable.forums.models import (
    Attendance,
    AttendanceStatus,
    Forum,
    ForumKind,
    Meeting,
    PresenceVisit,
    Site,
    local_datetime,
)
from roundtable.forums.selectors import covers, system_presence

# Teams that leaders have not reached for more than `LAPSE_DAYS` (see the module docstring):
# twelve weeks, well past the presence view's 28 days but inside the 13 weeks it looks back, and
# long enough that the team's pulse, which follows, shows it in the months since.
NEGLECTED_TEAMS: tuple[str, ...] = ("cmht_lf", "pc_lf")
LAPSE_DAYS = 84
CANCEL_REASONS: tuple[str, ...] = (
    "Team training day",
    "Team away day",
    "Clashes with the system learning event",
    "Most of the team at safeguarding training",
    "Room not available and no one could host online",
)
MEET_URL = "https://meet.example.nhs.uk/forest-vale/"
BATCH_SIZE = 1000


@dataclass(frozen=True)
class SiteSpec:
    key: str
    name: str
    address: str
    organisation: str
    locality: str | None
    teams: tuple[str, ...]


SITES: tuple[SiteSpec, ...] = (
    SiteSpec(
        "hv_base",
        "Harlow Vale Community Base",
        "14 Mill Lane, Harlow Vale",
        "trust",
        "Harlow Vale",
        ("cmht_hv", "pc_hv"),
    ),
    SiteSpec(
        "en_base",
        "Epping North Community Base",
        "2 Station Road, Epping North",
        "trust",
        "Epping North",
        ("cmht_en",),
    ),
    SiteSpec(
        "lf_base",
        "Loughton Forest Community Base",
        "The Old School, Chapel Row, Loughton Forest",
        "trust",
        "Loughton Forest",
        ("cmht_lf", "pc_lf"),
    ),
    SiteSpec(
        "hub",
        "Open Door Wellbeing Hub",
        "31 Market Street, Harlow Vale",
        "open_door",
        "Harlow Vale",
        ("coaching",),
    ),
    SiteSpec(
        "access",
        "Forest Vale Access Centre",
        "Unit 4, Riverside Park, Forest Vale",
        "trust",
        None,
        ("spa", "crisis"),
    ),
    SiteSpec(
        "house",
        "Forest Vale House",
        "1 Civic Way, Forest Vale (board room, first floor)",
        "icb",
        None,
        ("board", "project"),
    ),
)


@dataclass(frozen=True)
class ForumSpec:
    """A forum, its members and its recurring meeting.

    People are named by persona key or slot ref (see `generator.ROSTERS`), or as "tl:<team>"
    (team leader), "cl:<team>" (clinical lead) or "d:<team>:<discipline>" (the first member of
    that discipline). Every member of `teams` joins, and `people`. Members of the home team
    take turns facilitating, apart from administrators; cross-organisation members do not.
    """

    key: str
    name: str
    kind: str
    home_team: str | None
    purpose: str
    convener: str
    teams: tuple[str, ...]
    people: tuple[str, ...] = ()
    weekdays: tuple[int, ...] = WEEKDAYS
    start: time = time(9, 15)
    minutes: int = 15
    interval_weeks: int = 1
    site: str | None = None
    online: bool = False
    min_disciplines: int = 0
    organisation_kinds: tuple[str, ...] = ()
    lived_experience: bool = False
    # Chance that a home-team member is present at a meeting (apologies are a further 8%).
    turnout: float = 0.85
    # Chance that a meeting has a guest from elsewhere.
    guest_chance: float = 0.05


NHS = OrganisationKind.NHS_TRUST
VCSE = OrganisationKind.VCSE
ZONING = (
    "The daily zoning huddle: the team goes through who needs what today, agrees changes of "
    "zone together and makes sure nobody carries a hard decision alone."
)
MDT = (
    "Weekly multidisciplinary meeting with primary care and VCSE partners: new referrals, "
    "people ready to move on, and plans that need more than one discipline."
)


def _daily_huddle(place: str, locality: str, convener: str) -> ForumSpec:
    """A community team's daily zoning huddle, in its base."""
    return ForumSpec(
        f"huddle_{place}",
        f"{locality} daily huddle",
        ForumKind.DAILY_HUDDLE,
        f"cmht_{place}",
        ZONING,
        convener,
        (f"cmht_{place}",),
        site=f"{place}_base",
        min_disciplines=2,
        guest_chance=0.04,
    )


def _mdt(
    place: str,
    locality: str,
    convener: str,
    *,
    weekday: int,
    teams: tuple[str, ...] = (),
    people: tuple[str, ...] = (),
) -> ForumSpec:
    """A community team's weekly MDT with its partners (`teams`, `people`), in its base and
    online."""
    return ForumSpec(
        f"mdt_{place}",
        f"{locality} MDT",
        ForumKind.MDT,
        f"cmht_{place}",
        MDT,
        convener,
        (f"cmht_{place}", *teams),
        people,
        weekdays=(weekday,),
        start=time(13, 30),
        minutes=90,
        site=f"{place}_base",
        online=True,
        min_disciplines=3,
        organisation_kinds=(VCSE,),
        guest_chance=0.3,
    )


def _primary_care_meeting(
    team: str, name: str, purpose: str, *, people: tuple[str, ...], weekday: int, site: str
) -> ForumSpec:
    """A primary care team's weekly meeting with the community team, in a base and online."""
    return ForumSpec(
        team,
        name,
        ForumKind.MDT,
        team,
        purpose,
        f"tl:{team}",
        (team,),
        people,
        weekdays=(weekday,),
        start=time(12, 30),
        minutes=60,
        site=site,
        online=True,
        min_disciplines=2,
        organisation_kinds=(OrganisationKind.GP_PRACTICE, NHS),
        guest_chance=0.1,
    )


FORUMS: tuple[ForumSpec, ...] = (
    _daily_huddle("hv", "Harlow Vale", "team_leader"),
    _daily_huddle("en", "Epping North", "tl:cmht_en"),
    _daily_huddle("lf", "Loughton Forest", "tl:cmht_lf"),
    _mdt("hv", "Harlow Vale", "team_leader", weekday=2, teams=("pc_hv",), people=("tl:coaching",)),
    _mdt("en", "Epping North", "tl:cmht_en", weekday=3, people=("tl:pc_lf", "tl:coaching")),
    _mdt(
        "lf", "Loughton Forest", "tl:cmht_lf", weekday=1, teams=("pc_lf",), people=("tl:coaching",)
    ),
    ForumSpec(
        "front_door",
        "Front-door meeting",
        ForumKind.FRONT_DOOR,
        "spa",
        "Partners decide together, every weekday, what each person coming through the front "
        "door is offered — and by whom.",
        "spa_lead",
        ("spa",),
        ("tl:pc_hv", "tl:pc_lf", "tl:coaching", "tl:crisis"),
        start=time(10, 30),
        minutes=30,
        site="access",
        online=True,
        min_disciplines=2,
        organisation_kinds=(NHS, VCSE),
        turnout=0.9,
        guest_chance=0.15,
    ),
    _primary_care_meeting(
        "pc_hv",
        "Harlow Vale primary care mental health meeting",
        "The practices' mental health practitioners, the community team and the GP lead: who "
        "can be supported in primary care, and who is ready to move back.",
        people=("gp", "clinician_a"),
        weekday=0,
        site="hv_base",
    ),
    _primary_care_meeting(
        "pc_lf",
        "Epping and Loughton primary care mental health meeting",
        "The practices' mental health practitioners and the community team: who can be "
        "supported in primary care, and who is ready to move back.",
        people=("d:cmht_lf:nursing",),
        weekday=3,
        site="lf_base",
    ),
    ForumSpec(
        "coaching",
        "Wellbeing coaching case discussion",
        ForumKind.MDT,
        "coaching",
        "Mental health coaches from every locality bring the people they are stuck with, and "
        "each other's company: nobody coaches alone.",
        "tl:coaching",
        ("coaching",),
        weekdays=(4,),
        start=time(10, 0),
        minutes=60,
        site="hub",
        online=True,
        organisation_kinds=(VCSE,),
        guest_chance=0.1,
    ),
    ForumSpec(
        "handover_crisis",
        "Crisis team morning handover",
        ForumKind.DAILY_HUDDLE,
        "crisis",
        "Every morning, every day: who the team is seeing at home today and what each visit is "
        "for.",
        "tl:crisis",
        ("crisis",),
        weekdays=EVERY_DAY,
        start=time(8, 30),
        minutes=30,
        site="access",
        min_disciplines=2,
        turnout=0.65,
        guest_chance=0.03,
    ),
    ForumSpec(
        "risk_panel",
        "Positive risk-taking panel",
        ForumKind.RISK_PANEL,
        None,
        "Positive risk-taking plans that need more voices than one team's: benefits, possible "
        "harms, safeguards and review, decided together and held together.",
        "cl:crisis",
        (),
        (
            "hv_cl",
            "spa_lead",
            "peer_lead",
            "vcse",
            "d:spa:social-work",
            "voices_rep",
            "d:crisis:pharmacy",
        ),
        weekdays=(2,),
        start=time(15, 0),
        minutes=60,
        site="access",
        online=True,
        min_disciplines=3,
        organisation_kinds=(NHS, VCSE, OrganisationKind.LOCAL_AUTHORITY),
        lived_experience=True,
        turnout=0.8,
        guest_chance=0.3,
    ),
    ForumSpec(
        "board",
        "Community Mental Health Partnership Board meeting",
        ForumKind.BOARD,
        "board",
        "Decides together, in public, what is funded across community mental health, and by "
        "how much.",
        "icb_chair",
        ("board",),
        weekdays=(3,),
        interval_weeks=4,
        start=time(14, 0),
        minutes=120,
        site="house",
        online=True,
        min_disciplines=3,
        organisation_kinds=(NHS, VCSE),
        lived_experience=True,
        turnout=0.9,
        guest_chance=0.5,
    ),
    ForumSpec(
        "project",
        "Front door redesign group",
        ForumKind.PROJECT_GROUP,
        "project",
        "Partners and people with lived experience designing the new community front door.",
        "qi_lead",
        ("project",),
        weekdays=(1,),
        interval_weeks=2,
        start=time(15, 0),
        minutes=60,
        site="house",
        online=True,
        min_disciplines=3,
        organisation_kinds=(NHS, VCSE, OrganisationKind.GP_PRACTICE),
        lived_experience=True,
        turnout=0.8,
        guest_chance=0.2,
    ),
)


@dataclass(frozen=True)
class LeaderAtMeetings:
    """A leader joins a forum's past meetings, usually as a guest.

    Counting back from the most recent past meeting (0), they attend meeting `offset` and every
    `every`-th one before it; only the `within` most recent when given; each with `chance`.
    """

    person: str
    forum: str
    every: int
    offset: int = 0
    within: int | None = None
    chance: float = 1.0


LEADERS_AT_MEETINGS: tuple[LeaderAtMeetings, ...] = (
    # The trust's director of community services joins the Harlow Vale huddle every week.
    LeaderAtMeetings("trust_director", "huddle_hv", every=5, offset=1),
    # A board member drops in about once a month.
    LeaderAtMeetings("board_member", "huddle_hv", every=20, offset=7),
    LeaderAtMeetings("trust_director", "huddle_en", every=20, offset=12),
    # The trust's medical lead joins the crisis handover once every four weeks.
    LeaderAtMeetings("hv_cl", "handover_crisis", every=28, offset=19),
    # Loughton Forest: the director used to come every eight weeks; the last time 13 weeks ago.
    LeaderAtMeetings("trust_director", "huddle_lf", every=40, offset=63),
    LeaderAtMeetings("council_director", "mdt_lf", every=13, offset=9),
    # The GP clinical lead came to the Epping and Loughton practices' meeting each quarter.
    LeaderAtMeetings("gp", "pc_lf", every=13, offset=12),
    # For twelve weeks, Loughton Forest's team leader and clinical lead have covered the crisis
    # team.
    LeaderAtMeetings("tl:cmht_lf", "handover_crisis", every=1, within=LAPSE_DAYS, chance=0.7),
    LeaderAtMeetings("cl:cmht_lf", "handover_crisis", every=1, within=LAPSE_DAYS, chance=0.5),
)


@dataclass(frozen=True)
class VisitSpec:
    """A leader records being in a building (see `history.visit_days`)."""

    person: str
    site: str
    weekdays: tuple[int, ...] = ()
    every_days: int = 0
    first_days_ago: int = 0
    leave: tuple[int, int] | None = None


VISITS: tuple[VisitSpec, ...] = (
    VisitSpec("trust_director", "hv_base", weekdays=(1, 3), leave=(196, 209)),
    VisitSpec("icb_chair", "house", weekdays=(0, 2, 4), leave=(140, 153)),
    VisitSpec("board_member", "house", weekdays=(1, 3), leave=(100, 113)),
    VisitSpec("trust_director", "access", every_days=28, first_days_ago=12),
    VisitSpec("vcse_ceo", "hub", every_days=28, first_days_ago=10),
    VisitSpec("hv_cl", "en_base", every_days=28, first_days_ago=3),
    VisitSpec("trust_director", "lf_base", every_days=56, first_days_ago=88),
)

# People without a Roundtable account who come to meetings now and then: (role, organisation).
NAMED_GUEST_ROLES: tuple[tuple[str, str], ...] = (
    ("housing options officer", "council"),
    ("carers' support worker", "connections"),
    ("employment adviser", "recovery"),
    ("independent advocate", "voices"),
    ("social prescriber", "gp_station_lane"),
    ("student nurse", "trust"),
)


@dataclass
class ForumsSummary:
    sites: int = 0
    forums: int = 0
    forum_members: int = 0
    series: int = 0
    meetings: int = 0
    past_meetings: int = 0
    cancelled: int = 0
    attendance: int = 0
    guests: int = 0
    visits: int = 0


@dataclass
class _ForumContext:
    """What deciding who came to each of a forum's meetings needs."""

    spec: ForumSpec
    members: list[Person]
    member_ids: set[int]
    home: set[int]  # members from the home team (all members when there is none)
    covering: set[int]  # leaders whose presence counts for the home team
    neglected: bool
    plans: list[tuple[LeaderAtMeetings, Person]]
    guest_pool: list[Person]
    rotation: Rotation


class _Builder(StoryBuilder):
    def __init__(self, directory: DemoDirectory, *, seed: int, today: date) -> None:
        super().__init__(directory, stream="forums", seed=seed, today=today)
        self.summary = ForumsSummary()
        self.sites: dict[str, Site] = {}
        self.forums: dict[str, Forum] = {}
        self.team_people: dict[str, list[Person]] = {}
        for membership in (
            Membership.objects.filter(team__in=directory.teams.values())
            .select_related("person__discipline", "team")
            .order_by("person__full_name", "person_id")
        ):
            key = directory.team_key(membership.team_id)
            self.team_people.setdefault(key, []).append(membership.person)
        self.people: dict[int, Person] = {
            p.pk: p for people in self.team_people.values() for p in people
        }
        leadership = list(LeadershipTeam.objects.prefetch_related("members"))
        self.leaders: set[int] = set()
        self.covering: dict[int, set[int]] = {}
        for team in directory.teams.values():
            for leadership_team in leadership:
                ids = {p.pk for p in leadership_team.members.all()}
                self.leaders |= ids
                if covers(leadership_team, team):
                    self.covering.setdefault(team.pk, set()).update(ids)
        self.neglected = {directory.teams[key].pk for key in NEGLECTED_TEAMS}
        # Four weeks of leave each, somewhere in the year but never in the last fortnight.
        self.leave: dict[int, set[int]] = {
            pid: set(self.rng.sample(range(50), 4)) for pid in sorted(self.people)
        }
        self.named_guests = self._named_guests()

    def person(self, key: str) -> Person:
        if key.startswith(("tl:", "cl:", "d:")):
            parts = key.split(":")
            if parts[0] == "tl":
                return self.d.team_leader(parts[1])
            if parts[0] == "cl":
                return self.d.clinical_lead(parts[1])
            return self.d.member(parts[1], parts[2])
        return self.d.named[key]

    def _named_guests(self) -> list[tuple[str, Organisation]]:
        names = NamePicker(self.rng, (p.full_name for p in Person.objects.all()))
        return [
            (f"{names.pick()} ({role})", self.d.organisations[organisation])
            for role, organisation in NAMED_GUEST_ROLES
        ]

    # --- made through the services ---------------------------------------------------------

    def build_sites(self) -> None:
        for spec in SITES:
            self.sites[spec.key] = services.site_create(
                actor=self.d.admin,
                name=spec.name,
                address=spec.address,
                locality=self.d.localities[spec.locality] if spec.locality else None,
                organisation=self.d.organisations[spec.organisation],
                teams=[self.d.teams[key] for key in spec.teams],
            )
        self.summary.sites = len(self.sites)

    def build_forum(self, spec: ForumSpec) -> tuple[Forum, list[Person], set[int]]:
        convener = self.person(spec.convener)
        members: dict[int, Person] = {}
        for team_key in spec.teams:
            for person in self.team_people[team_key]:
                members.setdefault(person.pk, person)
        for key in spec.people:
            person = self.person(key)
            members.setdefault(person.pk, person)
        members.setdefault(convener.pk, convener)
        home = {p.pk for p in self.team_people[spec.home_team]} if spec.home_team else set(members)
        forum = services.forum_create(
            actor=convener,
            name=spec.name,
            kind=spec.kind,
            purpose=spec.purpose,
            home_team=self.d.teams[spec.home_team] if spec.home_team else None,
            min_disciplines=spec.min_disciplines,
            required_organisation_kinds=spec.organisation_kinds,
            lived_experience_required=spec.lived_experience,
        )
        ordered = sorted(members.values(), key=lambda p: (p.full_name, p.pk))
        for person in ordered:
            if person.pk != convener.pk:
                services.forum_member_add(
                    actor=convener,
                    forum=forum,
                    person=person,
                    takes_turn_facilitating=self._takes_turn(person, home),
                )
        self.summary.forums += 1
        self.summary.forum_members += len(ordered)
        self.forums[spec.key] = forum
        return forum, ordered, home

    @staticmethod
    def _takes_turn(person: Person, home: set[int]) -> bool:
        discipline = person.discipline.slug if person.discipline else ""
        return person.pk in home and discipline != "administration"

    # --- the history, in bulk --------------------------------------------------------------

    def build_history(self, spec: ForumSpec) -> None:
        forum, members, home = self.build_forum(spec)
        convener = self.person(spec.convener)
        window = self.window
        series = services.meeting_series_create(
            actor=convener,
            forum=forum,
            weekdays=spec.weekdays,
            start_time=spec.start,
            duration_minutes=spec.minutes,
            starts_on=window.starts_on,
            interval_weeks=spec.interval_weeks,
            site=self.sites[spec.site] if spec.site else None,
            online_url=f"{MEET_URL}{spec.key.replace('_', '-')}" if spec.online else "",
            today=window.series_today,
        )
        self.summary.series += 1
        meetings = series_meetings(series)
        past = [m for m in meetings if window.is_past(timezone.localdate(m.starts_at))]
        upcoming = meetings[len(past) :]
        home_team = self.d.teams[spec.home_team] if spec.home_team else None
        member_ids = {p.pk for p in members}
        context = _ForumContext(
            spec=spec,
            members=members,
            member_ids=member_ids,
            home=home,
            covering=self.covering.get(home_team.pk, set()) if home_team else set(),
            neglected=home_team is not None and home_team.pk in self.neglected,
            plans=[
                (plan, self.person(plan.person))
                for plan in LEADERS_AT_MEETINGS
                if plan.forum == spec.key
            ],
            guest_pool=[
                p
                for p in sorted(self.people.values(), key=lambda p: (p.full_name, p.pk))
                if p.pk not in self.leaders
                and p.pk not in member_ids
                and (home_team is None or p.organisation_id != home_team.organisation_id)
            ],
            rotation=Rotation(
                [p.pk for p in members if self._takes_turn(p, home)] or [convener.pk]
            ),
        )
        cancelled = self._cancellations(spec, len(past))
        rows: list[Attendance] = []
        for index, meeting in enumerate(past):
            if index in cancelled:
                day = timezone.localdate(meeting.starts_at)
                meeting.cancelled_at = local_datetime(day - timedelta(days=1), time(16, 0))
                meeting.cancel_reason = cancelled[index]
                meeting.facilitator_id = context.rotation.peek()
            else:
                rows += self._attendance(context, meeting, back=len(past) - 1 - index)
        for meeting in upcoming:
            meeting.facilitator_id = context.rotation.take()
        save_turns(meetings)
        Attendance.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        record_bulk_load(
            forum,
            f"Demo history of {forum.name}: {len(past)} past meetings ({len(cancelled)} "
            f"cancelled), {len(rows)} attendance records",
        )
        self.summary.meetings += len(meetings)
        self.summary.past_meetings += len(past)
        self.summary.cancelled += len(cancelled)
        self.summary.attendance += len(rows)
        self.summary.guests += sum(1 for row in rows if row.is_guest)

    def _attendance(
        self, context: _ForumContext, meeting: Meeting, *, back: int
    ) -> list[Attendance]:
        """Who came to a past meeting (`back` meetings before the latest), or sent apologies.

        Sets the meeting's facilitator: whose turn it is among those present.
        """
        rng, spec = self.rng, context.spec
        day = timezone.localdate(meeting.starts_at)
        neglect = context.neglected and self.window.days_ago(day) <= LAPSE_DAYS
        block = (day - self.window.starts_on).days // 7
        statuses: dict[int, str] = {}
        for person in context.members:
            draw = rng.random()  # one draw each, whatever happens, so the stream stays in step
            if neglect and person.pk in context.covering:
                if draw < 0.6:
                    statuses[person.pk] = AttendanceStatus.APOLOGIES
                continue
            own = person.pk in context.home
            turnout, apologies = (spec.turnout, 0.08) if own else (0.55, 0.2)
            if block in self.leave[person.pk]:
                if draw < 0.5:
                    statuses[person.pk] = AttendanceStatus.APOLOGIES
            elif draw < turnout:
                statuses[person.pk] = AttendanceStatus.PRESENT
            elif draw < turnout + apologies:
                statuses[person.pk] = AttendanceStatus.APOLOGIES
        for plan, leader in context.plans:
            if (
                back >= plan.offset
                and (back - plan.offset) % plan.every == 0
                and (plan.within is None or back < plan.within)
                and rng.random() < plan.chance
                and not (neglect and leader.pk in context.covering)
            ):
                statuses[leader.pk] = AttendanceStatus.PRESENT
        present = [pid for pid, status in statuses.items() if status == AttendanceStatus.PRESENT]
        facilitator = context.rotation.take(present) or (present[0] if present else None)
        meeting.facilitator_id = facilitator
        rows = [
            Attendance(
                meeting=meeting,
                person_id=pid,
                is_guest=pid not in context.member_ids,
                status=status,
                recorded_by_id=facilitator,
            )
            for pid, status in statuses.items()
        ]
        if rng.random() < spec.guest_chance:
            if context.guest_pool and rng.random() < 0.6:
                guest = rng.choice(context.guest_pool)
                if guest.pk not in statuses:
                    rows.append(
                        Attendance(
                            meeting=meeting, person=guest, is_guest=True, recorded_by_id=facilitator
                        )
                    )
            else:
                name, organisation = rng.choice(self.named_guests)
                rows.append(
                    Attendance(
                        meeting=meeting,
                        guest_name=name,
                        guest_organisation=organisation,
                        is_guest=True,
                        recorded_by_id=facilitator,
                    )
                )
        return rows

    def _cancellations(self, spec: ForumSpec, past: int) -> dict[int, str]:
        """Past meeting index -> reason: a few at random (never the last ten)."""
        indexes = cancelled_indexes(self.rng, past)
        chosen = {index: self.rng.choice(CANCEL_REASONS) for index in indexes}
        if spec.key == "huddle_lf":
            # Loughton Forest's huddle has not always gone ahead lately.
            for back in (8, 17, 26):
                chosen[past - 1 - back] = "Not enough staff in the building to hold the huddle"
        return chosen

    def cancel_away_day(self) -> None:
        """One upcoming meeting cancelled through the service, as a team leader would."""
        forum = self.forums["mdt_hv"]
        meeting = (
            Meeting.objects.filter(
                forum=forum,
                starts_at__gte=local_datetime(self.window.today + timedelta(days=14), time(0)),
            )
            .order_by("starts_at")
            .first()
        )
        if meeting is not None:
            services.meeting_cancel(
                actor=self.person("team_leader"), meeting=meeting, reason="Team away day"
            )
            self.summary.cancelled += 1

    def build_visits(self) -> None:
        rows: list[PresenceVisit] = []
        per_site: dict[str, int] = {}
        for spec in VISITS:
            person = self.person(spec.person)
            for day in visit_days(
                self.window,
                weekdays=spec.weekdays,
                every_days=spec.every_days,
                first_days_ago=spec.first_days_ago,
                leave=spec.leave,
            ):
                rows.append(PresenceVisit(person=person, site=self.sites[spec.site], on_date=day))
                per_site[spec.site] = per_site.get(spec.site, 0) + 1
        PresenceVisit.objects.bulk_create(rows, batch_size=500)
        for key, count in per_site.items():
            site = self.sites[key]
            record_bulk_load(site, f"Demo history: {count} 'in the building' visits at {site.name}")
        self.summary.visits = len(rows)


def build_forums(
    directory: DemoDirectory,
    *,
    seed: int,
    today: date,
    say: Callable[[str], None],
) -> ForumsSummary:
    """Sites, forums, a year of meetings with attendance, and leaders' visits."""
    builder = _Builder(directory, seed=seed, today=today)
    builder.build_sites()
    say(f"  sites               {builder.summary.sites:>5}")
    for spec in FORUMS:
        builder.build_history(spec)
    builder.cancel_away_day()
    builder.build_visits()
    summary = builder.summary
    say(f"  forums              {summary.forums:>5}")
    say(f"  forum members       {summary.forum_members:>5}")
    say(f"  meetings            {summary.meetings:>5}")
    say(f"    in the past year  {summary.past_meetings:>5}")
    say(f"    cancelled         {summary.cancelled:>5}")
    say(f"  attendance records  {summary.attendance:>5}")
    say(f"    of guests         {summary.guests:>5}")
    say(f"  visits to buildings {summary.visits:>5}")
    return summary


@dataclass(frozen=True)
class PresenceOverview:
    """How many teams leaders reached lately, from `forums.selectors.system_presence`."""

    week: int
    month: int
    not_reached: list[tuple[str, int | None]]  # (team name, days since a leader was there)


def presence_overview(*, today: date | None = None) -> PresenceOverview:
    view = system_presence(today=today)
    return PresenceOverview(
        week=view.count("week"),
        month=view.count("month"),
        not_reached=[(p.team.name, p.days_since) for p in view.not_reached],
    )
