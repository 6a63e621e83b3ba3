"""Forest Vale's people in care: an offer catalogue and each community team's caseload.

Every record is made through the care and decisions services, as the teams would make it:
referrals, front-door offers agreed by the front-door meeting, moves along the pathway, zone
changes at the daily huddle with who was in the room, SBARD notes, actions, move-on decisions
shared at the MDT and held by a leader, people who moved on and came back, people who declined or
did not engage. About 26 people for each of the three community teams (CMHTs), so every huddle
board has people in every zone.

The stories happen over the year of meetings that `roundtable.demo.forums` made. Services that
take an `at` argument are given the moment; the others (decisions, SBARD notes, actions) stamp
`timezone.now()` themselves, so they are called inside `_clock(moment)`, which makes
`django.utils.timezone.now` answer that moment for the length of the call. The audit trail
therefore dates each change when it happened in the story. The demo is built in one thread
inside one transaction, so nothing else sees the clock.

Meetings are chosen by position counted back from the reference day, and the stories draw from a
seeded `random.Random`, so two builds give the same people with the same histories. NHS numbers
come from the 999 000 0000 to 999 999 9999 range, which is never issued, with a valid Modulus 11
check digit. Everything is synthetic.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone
from nhs_number.validate import calculate_checksum

from roundtable.care import services as care
from roundtable.care.models import (
    CareAction,
    CareDecision,
    ConsentToShare,
    Destination,
    Episode,
    HuddleNote,
    Offer,
    OfferKind,
    PathwayEvent,
    PersonInCare,
    ReferralSource,
    Stage,
    Zone,
    ZoneChange,
)
from roundtable.decisions import services as decisions
from roundtable.decisions.models import AllocationRound, Budget, Decision
from roundtable.demo.builder import DemoDirectory, StoryBuilder
from roundtable.demo.history import clock as _clock
from roundtable.demo.history import held_meetings, present_at
from roundtable.demo.names import NamePicker
from roundtable.demo.sbard import SbardWriter
from roundtable.directory.models import Membership, MembershipRole, Person, Team
from roundtable.forums.models import Forum, ForumKind, Meeting, local_datetime
from roundtable.safety.models import (
    PositiveRiskPlan,
    ReviewFrequency,
    SafetyFormulation,
    SafetyFormulationVersion,
    SafetyPlan,
    SafetyPlanVersion,
    SafetyReview,
)

# The never-issued test range of NHS numbers: 999 000 0000 to 999 999 9999.
NHS_TEST_PREFIX = 999
# Share of people whose NHS number the team knows (the rest are held by local identifier).
NHS_NUMBER_SHARE = 0.85
LOCAL_ID_PREFIX = "FV"
CMHT_KEYS: tuple[str, ...] = ("cmht_hv", "cmht_en", "cmht_lf")
# Harlow Vale's leaders began holding its move-on decisions this many weeks ago (on the Monday).
# Before, a person ready to move on waited weeks for the MDT to dare, and no leader stood behind
# the decision; since, the move on is shared at the first MDT, a leader holds it, and people move
# on within days. `roundtable/demo/insights.py` shows it on the team's flow chart.
HOLDING_TEAM = "cmht_hv"
HOLDING_SINCE_WEEKS = 20
# The people who moved on from Harlow Vale, one a week, ready this many weeks ago: before the
# change (and clear of it, so every one had moved on before it) and after it.
FLOW_BEFORE_WEEKS = range(40, 27, -1)
FLOW_AFTER_WEEKS = range(HOLDING_SINCE_WEEKS - 1, 3, -1)
# The GP practices of each community team's locality.
PRACTICES: dict[str, tuple[str, ...]] = {
    "cmht_hv": ("gp_old_mill", "gp_parkside", "gp_kingsmoor"),
    "cmht_en": ("gp_forest_road", "gp_station_lane", "gp_beechwood"),
    "cmht_lf": ("gp_forest_road", "gp_station_lane", "gp_beechwood"),
}
# Demo logins who lead some people's care (key workers) in their community team.
PERSONA_KEY_WORKERS: dict[str, tuple[str, ...]] = {
    "cmht_hv": ("clinician_a", "vcse"),
    "cmht_en": ("clinician_b", "lone_coach"),
    "cmht_lf": (),
}
# Disciplines that lead a person's care; doctors and administrators do not.
KEY_WORKER_DISCIPLINES = frozenset(
    {
        "nursing",
        "psychology",
        "occupational-therapy",
        "social-work",
        "peer-support",
        "mental-health-coach",
        "vcse-practitioner",
    }
)


@dataclass(frozen=True)
class OfferSpec:
    key: str
    name: str
    kind: str
    organisation: str
    description: str
    active: bool = True


OFFERS: tuple[OfferSpec, ...] = (
    OfferSpec(
        "team",
        "Community mental health team care",
        OfferKind.COMMUNITY_TEAM,
        "trust",
        "A key worker from the community team and a plan made with you, reviewed at the team's "
        "daily huddle.",
    ),
    OfferSpec(
        "psychology",
        "Psychological therapy",
        OfferKind.PSYCHOLOGY,
        "trust",
        "Talking therapy with a psychologist, one to one or in a group, usually for 12 to 20 "
        "sessions.",
    ),
    OfferSpec(
        "peer",
        "Peer support",
        OfferKind.PEER_SUPPORT,
        "recovery",
        "Time with someone who has lived through mental illness, to work towards what matters "
        "to you.",
    ),
    OfferSpec(
        "coach",
        "Mental health coaching",
        OfferKind.MENTAL_HEALTH_COACH,
        "open_door",
        "A mental health coach who meets you in the community: goals, routines, getting back "
        "to things you enjoy.",
    ),
    OfferSpec(
        "connector",
        "Community connector",
        OfferKind.SIGNPOSTING,
        "connections",
        "Help to find groups, housing and money advice, and activities near you.",
    ),
    OfferSpec(
        "primary_care",
        "Primary care mental health practitioner",
        OfferKind.OTHER,
        "pcn_harlow",
        "Support from the mental health practitioner at your GP practice.",
    ),
    OfferSpec(
        "employment",
        "Employment and volunteering support",
        OfferKind.OTHER,
        "recovery",
        "An employment specialist who helps you find, keep or return to work or volunteering.",
    ),
    OfferSpec(
        "drop_in",
        "Evening drop-in café",
        OfferKind.SIGNPOSTING,
        "connections",
        "A weekly evening drop-in. Paused while the café looks for a new venue.",
        active=False,
    ),
)
# Which offers the front door makes to people coming to a community team, and how often.
OFFER_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("team", 6),
    ("psychology", 2),
    ("peer", 2),
    ("coach", 2),
    ("connector", 1),
)
# Offers that have a waiting list before support starts.
WAITING_OFFERS = frozenset({"psychology", "peer"})
VCSE_OFFERS = frozenset({"peer", "coach", "connector", "employment"})


@dataclass(frozen=True)
class Story:
    """One person's path with a community team. `detail` is the zone for people in support,
    the state of the move-on decision for people ready to move on, and so on."""

    kind: str
    detail: str = ""


# Each community team's caseload: 26 people, 17 of them on the huddle board.
STORIES: tuple[Story, ...] = (
    Story("supported", "Red"),
    Story("supported", "Red"),
    Story("supported", "Amber"),
    Story("supported", "Amber"),
    Story("supported", "Amber"),
    Story("supported", "Green"),
    Story("supported", "Green"),
    Story("supported", "Green"),
    Story("supported", "Blue"),
    Story("supported", "Blue"),
    Story("supported", "Blue"),
    Story("supported", ""),  # just started: not zoned yet
    Story("ready", "no_decision"),
    Story("ready", "open"),
    Story("ready", "agreed"),
    Story("waiting"),
    Story("offer_made"),
    Story("referred", "open_offer"),
    Story("referred", "new"),
    Story("moved_on", Destination.GP),
    Story("moved_on", Destination.VCSE),
    Story("moved_on", Destination.SELF_MANAGEMENT),
    Story("moved_on_long_ago", Destination.OTHER_SERVICE),
    Story("came_back"),
    Story("declined"),
    Story("not_engaged"),
)

REFERRAL_SOURCES: tuple[str, ...] = (
    ReferralSource.GP,
    ReferralSource.GP,
    ReferralSource.GP,
    ReferralSource.SELF,
    ReferralSource.VCSE,
    ReferralSource.OTHER_SERVICE,
)
ZONE_REASONS: dict[str, tuple[str, ...]] = {
    "Red": (
        "Not sleeping and has stopped going out; agreed daily contact and a joint visit with the "
        "GP this week.",
        "Lost their tenancy; the team visits daily while housing options work on a room.",
    ),
    "Amber": (
        "Medication changed last week: weekly contact until the review.",
        "Carer unwell, more support at home for now; review at the next huddle.",
        "Starting to use the safety plan; the team stays close while it settles.",
    ),
    "Green": (
        "The plan is working: fortnightly visits as agreed with them.",
        "Back at college two days a week; contact as agreed.",
    ),
    "Blue": (
        "Managing well with their own support; key worker checks in monthly.",
        "Peer support group weekly; light touch from the team.",
    ),
    "Ready to move on": (
        "The work we agreed is done; planning the move back to the GP together.",
        "Wants to carry on with the peer group only; planning the move on.",
    ),
}
ACTIONS: tuple[str, ...] = (
    "Book a joint visit with the peer support worker",
    "Send the updated safety plan to the GP, with consent",
    "Ring housing options about the tenancy",
    "Arrange the carer's assessment with adult social care",
    "Check in by phone after the medication review",
    "Write to the GP about the plan to move back to primary care",
    "Find a local walking group with the community connector",
    "Book the review meeting with the person and their sister",
)
DECLINE_REASONS: tuple[str, ...] = (
    "Thanked the team; prefers to stay with their GP and the practice's mental health "
    "practitioner for now.",
    "Started private counselling and does not want a second service at the same time.",
)
NOT_ENGAGED_REASONS: tuple[str, ...] = (
    "No reply to three calls and two letters over six weeks; the GP knows and can refer again.",
    "Did not come to the first three appointments; a letter explains how to come back.",
)
MOVE_ON_PROPOSALS: dict[str, str] = {
    Destination.GP: "Moves back to the GP with the shared plan; the practice's mental health "
    "practitioner sees them at six weeks. Comes straight back to us if need be.",
    Destination.VCSE: "Carries on with the peer support group at the Recovery Collective, who "
    "know how to reach us. Comes straight back if need be.",
    Destination.SELF_MANAGEMENT: "Manages with their own plan and the people around them; "
    "knows how to come back within six months without a new referral.",
    Destination.OTHER_SERVICE: "Moves to the eating disorders service, which has agreed to "
    "take over; a joint handover meeting first.",
}


@dataclass
class CareSummary:
    offers: int = 0
    people: int = 0
    episodes: int = 0
    open_episodes: int = 0
    on_boards: int = 0
    came_back: int = 0
    zone_changes: int = 0
    notes: int = 0
    actions: int = 0
    decisions: int = 0
    holds: int = 0
    consents: int = 0


def nhs_number_for(nine_digits: int) -> str | None:
    """The NHS number with these first nine digits, or None when no check digit exists
    (Modulus 11 gives 10): such a number is never issued."""
    digits = f"{nine_digits:09d}"
    check = calculate_checksum(digits)
    return None if check is None or check == 10 else f"{digits}{check}"


def nhs_test_numbers(rng: random.Random) -> Iterator[str]:
    """Distinct valid NHS numbers from the 999 test range, in a seeded order."""
    seen: set[str] = set()
    while True:
        number = nhs_number_for(NHS_TEST_PREFIX * 1_000_000 + rng.randrange(1_000_000))
        if number is not None and number not in seen:
            seen.add(number)
            yield number


@dataclass
class _Team:
    key: str
    team: Team
    huddle: Forum
    mdt: Forum
    zones: dict[str, Zone]
    members: set[int]
    key_workers: list[Person]
    leader: Person
    # When its leaders began holding move-on decisions (None: always have).
    holding_since: datetime | None = None


@dataclass
class _Path:
    """An episode being built, and the last moment anything happened to it."""

    episode: Episode
    at: datetime
    offer: str = ""
    zones: list[str] = field(default_factory=list)


class _CareBuilder(StoryBuilder):
    def __init__(self, directory: DemoDirectory, *, seed: int, today: date) -> None:
        super().__init__(directory, stream="care", seed=seed, today=today)
        self.summary = CareSummary()
        self.admin = directory.admin
        self.offers: dict[str, Offer] = {}
        self.meetings: dict[int, list[Meeting]] = {}
        self.starts: dict[int, list[datetime]] = {}
        self.present: dict[int, list[Person]] = {}
        self.numbers = nhs_test_numbers(self.rng)
        # Notes come from a stream of their own: no two people share a note word for word.
        self.notes = SbardWriter(random.Random(f"forest-vale-notes-{seed}"))  # noqa: S311
        self.local_ids = 0
        self.names = NamePicker(self.rng, Person.objects.values_list("full_name", flat=True))
        self.front_door = Forum.objects.get(kind=ForumKind.FRONT_DOOR, is_archived=False)
        self.front_door_members = set(self.front_door.members.values_list("pk", flat=True))
        monday = today - timedelta(days=today.weekday(), weeks=HOLDING_SINCE_WEEKS)
        self.holding_since = local_datetime(monday, time(0, 0))

    # --- what the stories need ---------------------------------------------------------------

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def moment(self, days_ago: int, at: time) -> datetime:
        return local_datetime(self.day(days_ago), at)

    def held_meetings(self, forum: Forum) -> list[Meeting]:
        if forum.pk not in self.meetings:
            meetings = held_meetings(forum, self.window)
            self.meetings[forum.pk] = meetings
            self.starts[forum.pk] = [m.starts_at for m in meetings]
        return self.meetings[forum.pk]

    def meeting_after(self, forum: Forum, moment: datetime) -> Meeting:
        """The first held meeting of `forum` that starts after `moment`; the latest if none."""
        meetings = self.held_meetings(forum)
        index = bisect.bisect_right(self.starts[forum.pk], moment)
        meeting = meetings[min(index, len(meetings) - 1)]
        if meeting.starts_at <= moment:
            raise RuntimeError(f"No meeting of {forum.name} after {moment:%Y-%m-%d %H:%M}.")
        return meeting

    def latest_meeting(self, forum: Forum, back: int = 0) -> Meeting:
        return self.held_meetings(forum)[-1 - back]

    def present_people(self, meeting: Meeting) -> list[Person]:
        if meeting.pk not in self.present:
            self.present[meeting.pk] = present_at(meeting)
        return self.present[meeting.pk]

    def during(self, meeting: Meeting, minutes: int = 5) -> datetime:
        return meeting.starts_at + timedelta(minutes=minutes)

    def pick_offer(self) -> str:
        keys = [key for key, _ in OFFER_WEIGHTS]
        return self.rng.choices(keys, weights=[w for _, w in OFFER_WEIGHTS])[0]

    # --- the catalogue and the teams ---------------------------------------------------------

    def build_offers(self) -> None:
        for spec in OFFERS:
            offer = care.offer_create(
                actor=self.admin,
                name=spec.name,
                kind=spec.kind,
                organisation=self.d.organisations[spec.organisation],
                description=spec.description,
            )
            if not spec.active:
                offer = care.offer_update(
                    actor=self.admin,
                    offer=offer,
                    expected_version=offer.version,
                    name=offer.name,
                    kind=offer.kind,
                    organisation=offer.organisation,
                    description=offer.description,
                    is_active=False,
                )
            self.offers[spec.key] = offer
        self.summary.offers = len(self.offers)

    def team(self, key: str) -> _Team:
        team = self.d.teams[key]
        roster = self.d.roster_people[key]
        workers = [
            p
            for role, discipline, p in roster
            if discipline in KEY_WORKER_DISCIPLINES and role == MembershipRole.MEMBER
        ]
        personas = [self.d.named[persona] for persona in PERSONA_KEY_WORKERS[key]]
        zones = {zone.name: zone for zone in care.zones_ensure(team=team)}
        return _Team(
            key=key,
            team=team,
            huddle=self.d.forum(key, ForumKind.DAILY_HUDDLE),
            mdt=self.d.forum(key, ForumKind.MDT),
            zones=zones,
            members={p.pk for _, _, p in roster},
            # Demo logins lead a few more people's care, so their caseloads are not empty.
            key_workers=personas + workers + personas,
            leader=self.d.team_leader(key),
            holding_since=self.holding_since if key == HOLDING_TEAM else None,
        )

    # --- the steps of a path, each through a service -----------------------------------------

    def new_person(self, team: _Team, key_worker: Person) -> PersonInCare:
        self.local_ids += 1
        number = next(self.numbers) if self.rng.random() < NHS_NUMBER_SHARE else None
        born = date(1948, 1, 1) + timedelta(days=self.rng.randrange(57 * 365))
        practice = self.d.organisations[self.rng.choice(PRACTICES[team.key])]
        person = care.person_in_care_create(
            actor=key_worker,
            local_id=f"{LOCAL_ID_PREFIX}{100000 + self.local_ids}",
            name=self.names.pick(),
            nhs_number=number,
            date_of_birth=born,
            gp_practice=practice,
        )
        self.summary.people += 1
        return person

    def refer(
        self, team: _Team, person: PersonInCare, key_worker: Person | None, at: datetime
    ) -> _Path:
        source = self.rng.choice(REFERRAL_SOURCES)
        with _clock(at):
            episode = care.episode_refer(
                actor=key_worker or self.d.named["spa_lead"],
                person=person,
                team=team.team,
                referral_source=source,
                key_worker=key_worker,
                at=at,
            )
        self.summary.episodes += 1
        if episode.previous_id is not None:
            self.summary.came_back += 1
        return _Path(episode, at)

    def front_door_positions(
        self, decision: Decision, meeting: Meeting, proposer: Person, *, count: int
    ) -> None:
        """A quick consent round: a few of those present, mostly consenting."""
        present = [p for p in self.present_people(meeting) if p.pk != proposer.pk]
        present = self.rng.sample(present, min(count, len(present)))
        stances: dict[Person, tuple[str, str]] = {proposer: ("consent", "")}
        for index, person in enumerate(present):
            if index == 1 and self.rng.random() < 0.3:
                stances[person] = (
                    "concern",
                    "Check the person can get to the venue: the bus route changed.",
                )
            else:
                stances[person] = ("consent", "")
        with _clock(self.during(meeting, 10)):
            decisions.consent_round(
                actor=proposer, decision=decision, meeting=meeting, positions=stances
            )

    def offer(self, path: _Path, *, agree: bool = True, meeting: Meeting | None = None) -> None:
        """The front-door meeting after the referral shares an offer for the person."""
        meeting = meeting or self.meeting_after(self.front_door, path.at)
        present = self.present_people(meeting)
        proposer = next((p for p in present if p.pk in self.front_door_members), None)
        if proposer is None:
            raise RuntimeError(f"Nobody from the front door was at {meeting}.")
        path.offer = path.offer or self.pick_offer()
        offer = self.offers[path.offer]
        with _clock(self.during(meeting)):
            decision = care.front_door_offer_propose(
                actor=proposer,
                episode=path.episode,
                offer=offer,
                forum=self.front_door,
                meeting=meeting,
            )
        self.summary.decisions += 1
        self.front_door_positions(decision, meeting, proposer, count=2 if agree else 1)
        if agree:
            with _clock(self.during(meeting, 12)):
                decisions.decision_decide(
                    actor=proposer,
                    decision=decision,
                    agreed=True,
                    outcome=f"Offer {offer.name} ({offer.organisation.name}).",
                    rationale="What the person asked for, and the partners present can start "
                    "within a few weeks.",
                )
            path.at = self.during(meeting, 12)
            path.episode.refresh_from_db()

    def move(self, path: _Path, to_stage: str, at: datetime, reason: str = "") -> None:
        at = max(at, path.at + timedelta(minutes=1))
        with _clock(at):
            path.episode = care.episode_move(
                actor=path.episode.key_worker or self.team_leader(path.episode.team_id),
                episode=path.episode,
                to_stage=to_stage,
                reason=reason,
                at=at,
            )
        path.at = at

    def start_support(self, path: _Path, days_later: int) -> None:
        """Support starts (after a wait for some offers)."""
        if path.offer in WAITING_OFFERS:
            self.move(path, Stage.WAITING, path.at + timedelta(days=1), "On the waiting list.")
        start = path.at + timedelta(days=days_later)
        self.move(path, Stage.IN_SUPPORT, start.replace(hour=11), "First appointment.")

    def zone(
        self, team: _Team, path: _Path, name: str, *, after: datetime, with_note: bool = False
    ) -> Meeting:
        """A zone change at the first huddle after `after`, by whoever facilitated it."""
        meeting = self.meeting_after(team.huddle, max(after, path.at))
        actor = self.actor_at(team, meeting, path)
        reason = self.rng.choice(ZONE_REASONS[name])
        at = self.during(meeting, 3 + len(path.zones))
        with _clock(at):
            path.episode = care.episode_zone_set(
                actor=actor,
                episode=path.episode,
                zone=team.zones[name],
                reason=reason,
                meeting=meeting,
                at=at,
            )
        path.zones.append(name)
        path.at = at
        self.summary.zone_changes += 1
        if with_note:
            self.note(team, path, meeting)
        return meeting

    def actor_at(self, team: _Team, meeting: Meeting, path: _Path) -> Person:
        present = {p.pk: p for p in self.present_people(meeting)}
        if meeting.facilitator_id in present and meeting.facilitator_id in team.members:
            return present[meeting.facilitator_id]
        return path.episode.key_worker or team.leader

    def note(self, team: _Team, path: _Path, meeting: Meeting, context: str = "") -> None:
        """An SBARD note that fits where the person is: their zone, new, or back again."""
        if not context and path.episode.previous_id is not None:
            context = "came_back"
        elif not context:
            context = path.zones[-1] if path.zones else "new"
        situation, background, assessment, recommendation, decision = self.notes.write(context)
        with _clock(self.during(meeting, 6 + len(path.zones))):
            care.huddle_note_add(
                actor=self.actor_at(team, meeting, path),
                episode=path.episode,
                situation=situation,
                background=background,
                assessment=assessment,
                recommendation=recommendation,
                decision=decision,
                meeting=meeting,
            )
        self.summary.notes += 1

    def action(self, team: _Team, path: _Path, meeting: Meeting, *, due_in: int) -> CareAction:
        owner = path.episode.key_worker or team.leader
        with _clock(self.during(meeting, 8)):
            action = care.care_action_add(
                actor=self.actor_at(team, meeting, path),
                episode=path.episode,
                description=self.rng.choice(ACTIONS),
                owner=owner,
                due_on=timezone.localdate(meeting.starts_at) + timedelta(days=due_in),
                meeting=meeting,
            )
        self.summary.actions += 1
        return action

    def move_on_decision(
        self, team: _Team, path: _Path, destination: str, *, agree: bool, hold: bool
    ) -> Decision:
        """The MDT after the person became ready shares the move on; a leader holds it."""
        meeting = self.meeting_after(team.mdt, path.at)
        proposer = path.episode.key_worker or team.leader
        with _clock(self.during(meeting, 20)):
            decision = care.move_on_propose(
                actor=proposer,
                episode=path.episode,
                destination=destination,
                forum=team.mdt,
                proposal=MOVE_ON_PROPOSALS[destination],
                meeting=meeting,
            )
        self.summary.decisions += 1
        present = [p for p in self.present_people(meeting) if p.pk != proposer.pk]
        chosen = self.rng.sample(present, min(4 if agree else 2, len(present)))
        stances = {person: ("consent", "") for person in chosen}
        if agree and len(chosen) > 3 and self.rng.random() < 0.5:
            stances[chosen[3]] = (
                "concern",
                "Make sure the GP has the relapse signals from the plan before the handover.",
            )
        if proposer.pk in {p.pk for p in self.present_people(meeting)}:
            stances[proposer] = ("consent", "")
        with _clock(self.during(meeting, 25)):
            decisions.consent_round(
                actor=proposer, decision=decision, meeting=meeting, positions=stances
            )
        path.at = self.during(meeting, 30)
        if agree:
            with _clock(path.at):
                decision = decisions.decision_decide(
                    actor=proposer,
                    decision=decision,
                    agreed=True,
                    outcome=f"Moves on: {Destination(destination).label}.",
                    rationale="The work agreed with the person is done and they want to move "
                    "on; the plan says how they come back.",
                )
        if agree and hold:
            with _clock(path.at + timedelta(hours=2)):
                decisions.hold_add(
                    actor=team.leader,
                    decision=decision,
                    message="I stand behind this move on with you: ring me if anything worries "
                    "you.",
                )
            self.summary.holds += 1
        return decision

    def moved_on(self, team: _Team, path: _Path, destination: str) -> None:
        """The move on is shared at the MDT and a leader holds it; the person moves on days
        later. Before a team's leaders held move-on decisions, it came to the MDT weeks late."""
        if team.holding_since is not None and path.at < team.holding_since:
            path.at += timedelta(days=self.rng.randint(14, 24))
        held = team.holding_since is None or path.at >= team.holding_since
        decision = self.move_on_decision(team, path, destination, agree=True, hold=held)
        at = path.at + timedelta(days=self.rng.randint(3, 12) if held else self.rng.randint(6, 12))
        at = at.replace(hour=15)
        with _clock(at):
            path.episode = care.episode_move(
                actor=path.episode.key_worker or team.leader,
                episode=path.episode,
                to_stage=Stage.MOVED_ON,
                destination=destination,
                decision=decision,
                reason=MOVE_ON_PROPOSALS[destination],
                at=at,
            )
        path.at = at

    def team_leader(self, team_id: int) -> Person:
        """Who acts for the team when the person has no key worker: changes to someone's care
        are made by the team caring for them."""
        return Membership.objects.get(team_id=team_id, role=MembershipRole.TEAM_LEADER).person

    def consent(self, path: _Path) -> None:
        """Someone offered VCSE support agrees that the VCSE partner may see their details."""
        if path.offer not in VCSE_OFFERS or self.rng.random() < 0.3:
            return
        with _clock(path.at):
            care.consent_give(
                actor=path.episode.key_worker or self.team_leader(path.episode.team_id),
                person=path.episode.person,
                organisation=self.offers[path.offer].organisation,
            )
        self.summary.consents += 1

    # --- whole stories -----------------------------------------------------------------------

    def offered(
        self,
        team: _Team,
        person: PersonInCare,
        key_worker: Person,
        *,
        referred_ago: int,
        offer: str = "",
        meeting: Meeting | None = None,
    ) -> _Path:
        """Referred in the afternoon `referred_ago` days ago; the front door shares an offer
        (`offer`, or one it picks) at `meeting`, or at the first meeting after."""
        path = self.refer(team, person, key_worker, self.moment(referred_ago, time(14, 0)))
        path.offer = offer
        self.offer(path, meeting=meeting)
        return path

    def supported_path(
        self, team: _Team, person: PersonInCare, key_worker: Person, *, referred_ago: int
    ) -> _Path:
        """Referral, an offer at the front door, the start of support."""
        path = self.offered(team, person, key_worker, referred_ago=referred_ago)
        self.consent(path)
        self.start_support(path, self.rng.randint(4, 18))
        return path

    def zone_history(
        self, team: _Team, path: _Path, final: str, *, changes: int, last_ago: tuple[int, int]
    ) -> Meeting:
        """A few zone changes at huddles over the months, the last (into `final`) `last_ago`
        days ago."""
        names = ["Red", "Amber", "Green", "Blue"]
        start = path.at
        span = (self.moment(last_ago[1], time(8, 0)) - start).days
        route = [self.rng.choice(names) for _ in range(changes - 1)] + [final]
        meeting: Meeting | None = None
        for index, name in enumerate(route):
            if path.zones and path.zones[-1] == name:
                continue
            # Spread the changes over the time in support before the last one.
            if index == len(route) - 1:
                after = self.moment(self.rng.randint(*last_ago), time(8, 0))
            else:
                after = start + timedelta(days=span * (index + 1) // (changes + 1))
            meeting = self.zone(team, path, name, after=after, with_note=self.rng.random() < 0.5)
        assert meeting is not None
        return meeting

    def supported(self, team: _Team, story: Story, key_worker: Person) -> None:
        person = self.new_person(team, key_worker)
        if not story.detail:  # started support last week, not zoned yet
            path = self.supported_path(team, person, key_worker, referred_ago=30)
            self.note(team, path, self.latest_meeting(team.huddle, back=1))
            return
        path = self.supported_path(team, person, key_worker, referred_ago=self.rng.randint(60, 330))
        last = self.zone_history(
            team, path, story.detail, changes=self.rng.randint(1, 4), last_ago=(3, 14)
        )
        self.note(team, path, last)
        if self.rng.random() < 0.7:
            # Agreed at a huddle a few weeks ago: some are now overdue, some done.
            meeting = self.latest_meeting(team.huddle, back=self.rng.randint(5, 20))
            action = self.action(team, path, meeting, due_in=self.rng.randint(3, 10))
            if self.rng.random() < 0.4:
                with _clock(self.during(meeting) + timedelta(days=2)):
                    care.care_action_complete(actor=action.owner, action=action)
        if self.rng.random() < 0.6:
            self.action(
                team, path, self.latest_meeting(team.huddle), due_in=self.rng.randint(2, 21)
            )

    def ready(self, team: _Team, story: Story, key_worker: Person) -> None:
        person = self.new_person(team, key_worker)
        path = self.supported_path(
            team, person, key_worker, referred_ago=self.rng.randint(200, 330)
        )
        self.zone_history(team, path, "Green", changes=2, last_ago=(40, 60))
        # Ready to move on a couple of weeks ago; the move-on decision is at the latest MDT.
        mdt = self.latest_meeting(team.mdt, back=1 if story.detail == "agreed" else 0)
        self.zone(team, path, "Ready to move on", after=mdt.starts_at - timedelta(days=10))
        if story.detail == "no_decision":
            return
        self.move_on_decision(
            team,
            path,
            Destination.GP,
            agree=story.detail == "agreed",
            hold=story.detail == "agreed",
        )

    def moved_on_story(
        self, team: _Team, key_worker: Person, destination: str, ago: int, support_days: int
    ) -> _Path:
        """Referred `ago` days ago, in support for `support_days`, then moved on."""
        person = self.new_person(team, key_worker)
        path = self.supported_path(team, person, key_worker, referred_ago=ago)
        self.zone(team, path, self.rng.choice(["Amber", "Green"]), after=path.at)
        self.zone(
            team,
            path,
            "Ready to move on",
            after=path.at + timedelta(days=support_days),
            with_note=True,
        )
        self.moved_on(team, path, destination)
        return path

    def flow_story(self, team: _Team) -> None:
        """One person a week moving on from the team, ready on a day of each week in
        `FLOW_BEFORE_WEEKS` and `FLOW_AFTER_WEEKS` (weeks ago), after 40 to 70 days of support."""
        destinations = [Destination.GP, Destination.VCSE, Destination.SELF_MANAGEMENT]
        for index, weeks_ago in enumerate([*FLOW_BEFORE_WEEKS, *FLOW_AFTER_WEEKS]):
            key_worker = team.key_workers[index % len(team.key_workers)]
            ready_ago = weeks_ago * 7 - self.rng.randint(0, 4)
            support = self.rng.randint(40, 70)
            person = self.new_person(team, key_worker)
            path = self.supported_path(team, person, key_worker, referred_ago=ready_ago + support)
            self.zone(team, path, self.rng.choice(["Amber", "Green"]), after=path.at)
            self.zone(team, path, "Ready to move on", after=self.moment(ready_ago, time(8, 0)))
            self.moved_on(team, path, destinations[index % len(destinations)])

    def came_back(self, team: _Team, key_worker: Person) -> None:
        before = self.moved_on_story(
            team, key_worker, Destination.GP, ago=self.rng.randint(300, 330), support_days=150
        )
        # Comes back within the re-referral window: straight back to the team, in support.
        back = max(self.window.days_ago(timezone.localdate(before.at)) - 60, 25)
        path = self.refer(team, before.episode.person, None, self.moment(back, time(10, 0)))
        if path.episode.previous_id != before.episode.pk:
            raise RuntimeError("A return within the window did not link the earlier episode.")
        meeting = self.zone(team, path, "Amber", after=path.at, with_note=True)
        self.action(team, path, self.latest_meeting(team.huddle), due_in=5)
        del meeting

    def build_team(self, team: _Team) -> None:
        workers = team.key_workers
        for index, story in enumerate(STORIES):
            key_worker = workers[index % len(workers)]
            if story.kind == "supported":
                self.supported(team, story, key_worker)
            elif story.kind == "ready":
                self.ready(team, story, key_worker)
            elif story.kind == "waiting":
                person = self.new_person(team, key_worker)
                path = self.offered(team, person, key_worker, referred_ago=40, offer="psychology")
                self.move(path, Stage.WAITING, path.at + timedelta(days=2), "On the waiting list.")
                self.note(team, path, self.latest_meeting(team.huddle, back=2), "waiting")
            elif story.kind == "offer_made":
                person = self.new_person(team, key_worker)
                meeting = self.latest_meeting(self.front_door, back=1)
                self.offered(team, person, key_worker, referred_ago=9, meeting=meeting)
            elif story.kind == "referred":
                person = self.new_person(team, key_worker)
                if story.detail == "new":
                    self.refer(team, person, None, self.moment(1, time(16, 0)))
                else:
                    path = self.refer(team, person, None, self.moment(4, time(16, 0)))
                    self.offer(path, agree=False, meeting=self.latest_meeting(self.front_door))
            elif story.kind == "moved_on":
                ago = self.rng.randint(230, 300)
                support = self.rng.randint(90, ago - 80)
                if team.holding_since is not None and 135 <= ago - support < 195:
                    # Ready well before the change or after it, never waiting across it.
                    support = ago - 100
                self.moved_on_story(team, key_worker, story.detail, ago, support)
            elif story.kind == "moved_on_long_ago":
                # Moved on more than six months ago: the team no longer sees them.
                self.moved_on_story(team, key_worker, story.detail, 355, 110)
            elif story.kind == "came_back":
                self.came_back(team, key_worker)
            elif story.kind == "declined":
                person = self.new_person(team, key_worker)
                path = self.offered(team, person, key_worker, referred_ago=150)
                self.move(
                    path,
                    Stage.DECLINED,
                    path.at + timedelta(days=6),
                    self.rng.choice(DECLINE_REASONS),
                )
            elif story.kind == "not_engaged":
                person = self.new_person(team, key_worker)
                path = self.offered(team, person, key_worker, referred_ago=180, offer="peer")
                self.move(path, Stage.WAITING, path.at + timedelta(days=1), "Waiting list.")
                self.move(
                    path,
                    Stage.NOT_ENGAGED,
                    path.at + timedelta(days=45),
                    self.rng.choice(NOT_ENGAGED_REASONS),
                )
            else:  # pragma: no cover - every story kind is handled above
                raise ValueError(story.kind)


def build_care(
    directory: DemoDirectory, *, seed: int, today: date, say: Callable[[str], None]
) -> CareSummary:
    """The offer catalogue and each community team's people in care, with their history."""
    builder = _CareBuilder(directory, seed=seed, today=today)
    builder.build_offers()
    for key in CMHT_KEYS:
        builder.build_team(builder.team(key))
    builder.flow_story(builder.team(HOLDING_TEAM))
    summary = builder.summary
    summary.open_episodes = Episode.objects.filter(closed_at__isnull=True).count()
    summary.on_boards = Episode.objects.filter(
        closed_at__isnull=True,
        stage__in=[Stage.WAITING, Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON],
    ).count()
    say(f"  offers of support   {summary.offers:>5}")
    say(f"  people in care      {summary.people:>5}")
    say(f"  episodes            {summary.episodes:>5}")
    say(f"    open              {summary.open_episodes:>5}")
    say(f"    on huddle boards  {summary.on_boards:>5}")
    say(f"    came back         {summary.came_back:>5}")
    say(f"  zone changes        {summary.zone_changes:>5}")
    say(f"  SBARD notes         {summary.notes:>5}")
    say(f"  care actions        {summary.actions:>5}")
    say(f"  care decisions      {summary.decisions:>5}")
    say(f"    held by a leader  {summary.holds:>5}")
    return summary


# --- reset ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CareDeleted:
    people: int
    episodes: int
    decisions: int


def delete_care_and_decisions() -> CareDeleted:
    """Delete every person in care with their history and safety plans, and every decision,
    children first.

    Run by a reset before forums, meetings, people and organisations go: care records protect
    teams, meetings, people and organisations, and decisions protect forums and meetings. The
    care tables can hold millions of rows after `roundtable seed`, so they are emptied with one
    DELETE each rather than through Django's collector, which would load every row; foreign keys
    are deferred to the end of the transaction on both databases, so the order within them only
    has to leave nothing pointing at a deleted row by then.
    """
    people = PersonInCare.objects.count()
    episodes = Episode.objects.count()
    with connection.cursor() as cursor:
        for model in (
            SafetyReview,
            SafetyPlanVersion,
            SafetyPlan,
            SafetyFormulationVersion,
            SafetyFormulation,
            PositiveRiskPlan,
            ReviewFrequency,
            ZoneChange.present.through,
            ZoneChange,
            HuddleNote,
            CareAction,
            PathwayEvent,
            CareDecision,
            Episode,
            ConsentToShare,
            PersonInCare,
            Zone,
            Offer,
        ):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608 - table names from the models
    AllocationRound.objects.all().delete()
    deleted = Decision.objects.all().delete()[1].get(Decision._meta.label, 0)
    Budget.objects.all().delete()
    return CareDeleted(people=people, episodes=episodes, decisions=deleted)
