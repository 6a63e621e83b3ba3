"""Forest Vale's voice and wellbeing: concerns at every stage, a year of pulse check-ins,
support sessions, support offered, and a peer circle of mental health coaches.

Concerns, support sessions, support offered and the peer circle are made through the services,
as people would make them, dated back from the reference day. The year of pulse answers is
written in bulk (one audit event per team says so), shaped to tell a story that fits the
forums history (`roundtable.demo.forums`):

- Jordan Ellis, the only mental health coach in Epping North, raised an anonymous concern about
  being on their own after difficult visits; the answer was the mental health coaches' peer
  circle, which has met every four weeks since, with a forum of its own.
- Loughton Forest's leaders have been covering the crisis team for twelve weeks: its reflective
  practice has lapsed, its pulse has shown people feeling less held each month since, and an
  anonymous concern that its leaders are never in the building went unacknowledged and
  escalated to the trust.
- The two primary care teams, four people each, are too small for their pulse results ever to be
  shown.

Everything comes from a seeded `random.Random`; answers have random keys and are written in a
shuffled order, as in the app. Everything here is synthetic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.utils import timezone

from roundtable.demo.builder import DemoDirectory, StoryBuilder
from roundtable.demo.forums import LAPSE_DAYS
from roundtable.demo.history import (
    Rotation,
    record_bulk_load,
    save_turns,
    series_meetings,
    weekday_on_or_before,
)
from roundtable.directory.models import Discipline, Person, Team
from roundtable.forums import services as forum_services
from roundtable.forums.models import Attendance, AttendanceStatus, Forum, Meeting, local_datetime
from roundtable.voice import services as voice
from roundtable.voice.models import Concern, ConcernEvent, ConcernNotice, ConcernReply
from roundtable.wellbeing import services as wellbeing
from roundtable.wellbeing.models import (
    PeerCircle,
    PeerCircleMembership,
    PulseAnswer,
    PulseComment,
    PulseResponseMarker,
    PulseRound,
    PulseStatement,
    SupportAttendance,
    SupportKind,
    SupportOffered,
    SupportSession,
)

PEER_CIRCLE_NAME = "Mental health coaches' peer circle"
PEER_CIRCLE_PURPOSE = (
    "Every mental health coach in Forest Vale, whichever team and locality they work in: a "
    "place to talk through difficult visits, share what works, and decide together how coaching "
    "is offered. Started after a coach said they were the only one in their locality."
)
# Teams whose reflective practice has lapsed since their leaders stopped coming, and for how
# many days.
LAPSED = {"cmht_lf": LAPSE_DAYS}
# Share of each team that answers each month's check-in.
PULSE_TURNOUT = 0.8
# Share of answers that come with a comment.
PULSE_COMMENT_SHARE = 0.06
# Comments people left with their check-ins, by the teams they fit ("*": any team; "lapsed":
# Loughton Forest's team in the last three months). Each is used once at most, so no comment
# appears twice; when a team's are used up, its answers come without one.
PULSE_COMMENTS: dict[str, tuple[str, ...]] = {
    "*": (
        "The huddle helps: I know who to go to when a visit goes badly.",
        "Good to hear at the team meeting why the front door is changing.",
        "I would like more say in how referrals are allocated.",
        "Felt listened to when I raised a worry about a discharge.",
        "Too many changes at once; not sure where the service is heading.",
        "Our team leader asked what I thought before deciding. It made a difference.",
        "Some weeks I only see colleagues at the huddle.",
        "The new key worker role makes sense to me now.",
        "Would value more time to talk through hard cases, not just a quick word.",
        "Decisions are explained better than they were a year ago.",
        "Still not clear who decides about posts and funding.",
        "Good month. People covered for each other when two of us were off.",
        "I raised something at the MDT and it was acted on.",
        "Admin takes up time I would rather spend with people.",
        "I feel part of the team even though I'm part time.",
        "It helps when leaders come to the huddle and just listen.",
        "Heard about the changes to the service from a colleague before anyone told us.",
        "Supervision has been regular this month: thank you.",
        "The room booking system makes it hard to meet people face to face.",
        "I'd like to know what happened to the ideas from the away day.",
        "Felt trusted to make the call on a difficult visit.",
        "Hard to switch off after work at the moment.",
        "More joined-up with the VCSE partners than before.",
        "The shared decisions page means I can see why something was agreed.",
        "Quiet month, which was welcome.",
        "Would like training on the new safety planning approach.",
        "Not sure my view counts when the senior people have already decided.",
        "I like that the peer support workers' views are sought first now.",
        "Team morale is better since we started the rota for difficult visits.",
        "Lots of sickness this month; the ones left are stretched.",
    ),
    "cmht": (
        "Zoning takes the weight off: the red zone is never one person's worry.",
        "Caseloads feel heavy since the two vacancies.",
        "Joint visits with the peer support worker have changed how people engage with us.",
        "Positive risk-taking plans held by a leader make me braver about what people want.",
        "The social workers' work still feels invisible in the team's numbers.",
        "The MDT runs to time now and partners stay for all of it.",
        "Parking near the base is still a daily problem for home visits.",
        "We lost a lot of knowledge when the senior nurse retired.",
    ),
    "lapsed": (
        "Hard month. Cover arrangements meant nobody was around to talk decisions through.",
        "Reflective practice was cancelled again.",
        "I don't know who to go to when the team leader is at the crisis team.",
        "We make big decisions on our own at the moment. That isn't right.",
        "The huddle didn't go ahead twice this month: not enough of us in the building.",
        "Nobody from the trust has been to the base in months.",
    ),
    "front_door": (
        "The front-door meeting is quick and nobody goes away with a referral alone.",
        "The referral forms bounce back too often from community partners.",
        "Having the VCSE partners in the room every day means people get the right offer first.",
        "Some days the front-door meeting is just two of us.",
    ),
    "crisis": (
        "Weekend handovers are thin; it would help to have a leader on call we can talk to.",
        "Good to have the Loughton Forest leaders with us, though I know their team misses them.",
        "Night visits are hard on your own. The buddy system helps.",
        "The pharmacist joining the handover has made a difference.",
    ),
    "coaching": (
        "The peer circle makes a real difference.",
        "Coaching across three localities means a lot of driving and little time together.",
        "Nice to have our own forum for decisions about how coaching is offered.",
        "Coaches are asked for our view at MDTs now.",
    ),
    "primary_care": (
        "Good links with the community team this month.",
        "Practices want more time with us than we have.",
        "Hard to get to the community team's MDT on clinic days.",
    ),
    "leadership": (
        "Board papers arrive too late to read properly.",
        "Good to see lived-experience members paid for their time.",
        "The allocation round showed us what partners really value.",
        "Meetings in the evening would let more people with lived experience take part.",
        "The redesign group listens: the referral form changed because of what we said.",
        "I wish we heard more directly from the teams on the ground.",
    ),
}
# Which pools of comments fit each team (besides those that fit any team).
PULSE_COMMENT_POOLS: dict[str, tuple[str, ...]] = {
    "cmht_hv": ("cmht",),
    "cmht_en": ("cmht",),
    "cmht_lf": ("cmht",),
    "spa": ("front_door",),
    "crisis": ("crisis",),
    "coaching": ("coaching",),
    "pc_hv": ("primary_care",),
    "pc_lf": ("primary_care",),
    "board": ("leadership",),
    "project": ("leadership",),
}


@dataclass
class VoiceSummary:
    concerns: int = 0
    pulse_rounds: int = 0
    pulse_answers: int = 0
    support_sessions: int = 0
    support_offered: int = 0
    peer_circle_members: int = 0


def delete_voice_and_wellbeing() -> None:
    """Everything voice and wellbeing hold, children first, and the peer circles' forums with
    their meetings (so that a reset counts only the demo's own forums)."""
    ConcernNotice.objects.all().delete()
    ConcernReply.objects.all().delete()
    ConcernEvent.objects.all().delete()
    Concern.objects.all().delete()
    PulseAnswer.objects.all().delete()
    PulseComment.objects.all().delete()
    PulseResponseMarker.objects.all().delete()
    PulseStatement.objects.all().delete()
    PulseRound.objects.all().delete()
    SupportAttendance.objects.all().delete()
    SupportSession.objects.all().delete()
    SupportOffered.objects.all().delete()
    forum_ids = list(PeerCircle.objects.values_list("forum_id", flat=True))
    PeerCircleMembership.objects.all().delete()
    PeerCircle.objects.all().delete()
    Attendance.objects.filter(meeting__forum_id__in=forum_ids).delete()
    Meeting.objects.filter(forum_id__in=forum_ids).delete()
    Forum.objects.filter(pk__in=forum_ids).delete()


class _Builder(StoryBuilder):
    def __init__(self, directory: DemoDirectory, *, seed: int, today: date) -> None:
        super().__init__(directory, stream="voice", seed=seed, today=today)
        self.summary = VoiceSummary()
        self.comments_used: set[str] = set()

    # --- people ------------------------------------------------------------------------------

    def roster(self, team: str) -> list[Person]:
        return [p for _, _, p in self.d.roster_people[team]]

    def days_ago(self, days: int) -> date:
        """A weekday `days` days before the reference day (Friday for a weekend)."""
        return weekday_on_or_before(self.today - timedelta(days=days))

    # --- the peer circle ---------------------------------------------------------------------

    def build_peer_circle(self) -> PeerCircle:
        coaches = sorted(
            {
                p.pk: p
                for roster in self.d.roster_people.values()
                for _, discipline, p in roster
                if discipline == "mental-health-coach"
            }.values(),
            key=lambda p: (p.full_name, p.pk),
        )
        convener = self.d.team_leader("coaching")
        circle = wellbeing.peer_circle_create(
            actor=convener,
            name=PEER_CIRCLE_NAME,
            discipline=Discipline.objects.get(slug="mental-health-coach"),
            purpose=PEER_CIRCLE_PURPOSE,
            members=coaches,
        )
        self.summary.peer_circle_members = len(coaches)
        series = forum_services.meeting_series_create(
            actor=convener,
            forum=circle.forum,
            weekdays=[3],
            start_time=time(12, 30),
            duration_minutes=60,
            starts_on=self.window.starts_on,
            interval_weeks=4,
            online_url="https://meet.example.nhs.uk/forest-vale/coaches-peer-circle",
            today=self.window.series_today,
        )
        meetings = series_meetings(series)
        rotation = Rotation([p.pk for p in coaches])
        rows: list[Attendance] = []
        for meeting in meetings:
            if not self.window.is_past(timezone.localdate(meeting.starts_at)):
                meeting.facilitator_id = rotation.take()
                continue
            present = [p.pk for p in coaches if self.rng.random() < 0.8] or [coaches[0].pk]
            facilitator = rotation.take(present)
            meeting.facilitator_id = facilitator
            rows += [
                Attendance(
                    meeting=meeting,
                    person_id=pid,
                    status=AttendanceStatus.PRESENT,
                    recorded_by_id=facilitator,
                )
                for pid in present
            ]
        save_turns(meetings)
        Attendance.objects.bulk_create(rows)
        record_bulk_load(
            circle.forum,
            f"Demo peer circle history of {circle.name}: {len(rows)} attendance records",
        )
        return circle

    # --- support -----------------------------------------------------------------------------

    def build_support(self) -> None:
        now = timezone.now()
        plans: list[tuple[str, str, int, time]] = [
            ("cmht_hv", SupportKind.REFLECTIVE_PRACTICE, 2, time(14, 0)),
            ("cmht_en", SupportKind.REFLECTIVE_PRACTICE, 1, time(14, 0)),
            ("cmht_lf", SupportKind.REFLECTIVE_PRACTICE, 2, time(13, 30)),
            ("crisis", SupportKind.RESTORATIVE_SUPERVISION, 4, time(10, 0)),
            ("coaching", SupportKind.RESTORATIVE_SUPERVISION, 0, time(10, 0)),
        ]
        for team_key, kind, weekday, at in plans:
            team = self.d.teams[team_key]
            members = self.roster(team_key)
            leader = self.d.team_leader(team_key)
            lapsed = LAPSED.get(team_key, 0)
            # Every four weeks through the year, and one planned ahead.
            for weeks_ago in range(50, -4, -4):
                day = self.window.today - timedelta(weeks=weeks_ago)
                day += timedelta(days=(weekday - day.weekday()) % 7)
                if weeks_ago >= 0 and self.window.days_ago(day) <= lapsed:
                    continue
                starts_at = local_datetime(day, at)
                came = (
                    [p for p in members if self.rng.random() < 0.6]
                    if starts_at <= now and day < self.today
                    else []
                )
                wellbeing.support_session_record(
                    actor=leader,
                    kind=kind,
                    starts_at=starts_at,
                    duration_minutes=60 if kind == SupportKind.REFLECTIVE_PRACTICE else 90,
                    team=team,
                    facilitator=leader,
                    attendees=came,
                )
                self.summary.support_sessions += 1
        # A Schwartz-style round each quarter, open to the whole Harlow Vale team.
        hv = self.roster("cmht_hv")
        for weeks_ago in (46, 33, 20, 7):
            day = self.window.today - timedelta(weeks=weeks_ago)
            day += timedelta(days=(1 - day.weekday()) % 7)
            wellbeing.support_session_record(
                actor=self.d.team_leader("cmht_hv"),
                kind=SupportKind.SCHWARTZ_ROUND,
                starts_at=local_datetime(day, time(12, 30)),
                duration_minutes=60,
                team=self.d.teams["cmht_hv"],
                attendees=[p for p in hv if self.rng.random() < 0.45],
            )
            self.summary.support_sessions += 1

    def build_support_offered(self) -> None:
        en, lf = self.d.teams["cmht_en"], self.d.teams["cmht_lf"]
        trust_lead = self.d.named["trust_director"]
        offers = [
            (
                self.d.team_leader("cmht_en"),
                self.d.named["lone_coach"],
                en,
                "Monthly restorative supervision with the team's clinical psychologist, and time "
                "in each peer circle meeting.",
                300,
            ),
            (
                trust_lead,
                self.d.team_leader("cmht_lf"),
                lf,
                "A day back in lieu after weeks covering the crisis team, and a debrief with "
                "the director of community services.",
                3,
            ),
            (
                self.d.team_leader("cmht_hv"),
                self.d.named["clinician_a"],
                self.d.teams["cmht_hv"],
                "A SWARM-style debrief after a difficult home visit, with the clinical lead.",
                60,
            ),
        ]
        for actor, person, team, what, days in offers:
            wellbeing.support_offered_record(
                actor=actor, person=person, team=team, what=what, on=self.days_ago(days)
            )
            self.summary.support_offered += 1

    # --- pulse -------------------------------------------------------------------------------

    def _lapse(self, team: str, month: date) -> int:
        """How far into its lapse a team's check-in of `month` is: 1 in the first month that
        began after its leaders stopped coming, up to 3; 0 before, and for other teams."""
        if team not in LAPSED:
            return 0
        fell = self.today - timedelta(days=LAPSED[team])
        if month <= fell:
            return 0
        first = (fell.replace(day=1) + timedelta(days=32)).replace(day=1)
        return min(3, (month.year - first.year) * 12 + month.month - first.month + 1)

    def _mean(self, team: str, statement: int, months_ago: int, lapse: int) -> float:
        """The average answer this team gives a statement that month: the story in numbers."""
        recent = lapse
        trend = (11 - months_ago) / 11  # 0 a year ago, 1 now
        base = [3.8, 2.3, 3.0, 3.3, 3.5][statement]
        if statement == 2:  # understanding change grows as the redesign is explained
            base += 0.7 * trend
        if statement == 3:  # voice counts more as decisions are shared
            base += 0.5 * trend
        if team == "cmht_en" and statement == 1:
            base += 0.5  # isolation is felt more where roles are lone
        if team in LAPSED:
            base += [-0.7, 0.35, 0.0, -0.1, -0.3][statement] * recent
        return base

    def _comment(self, team: str, lapse: int) -> str:
        """A comment that fits the team and the month, never one used before ("" if none)."""
        pools: list[str] = ["*", *PULSE_COMMENT_POOLS.get(team, ())]
        if lapse:
            pools = ["lapsed"]  # the story of the last three months, while it lasts
        for choice in (pools, ["*", *PULSE_COMMENT_POOLS.get(team, ())]):
            left = [
                text
                for pool in choice
                for text in PULSE_COMMENTS[pool]
                if text not in self.comments_used
            ]
            if left:
                text = self.rng.choice(left)
                self.comments_used.add(text)
                return text
        return ""

    def build_pulse(self) -> None:
        first_month = (self.today.replace(day=1) - timedelta(days=1)).replace(day=1)
        months: list[date] = [first_month]
        while len(months) < 12:
            months.append((months[-1] - timedelta(days=1)).replace(day=1))
        personas = self.d.named_ids()
        teams = Team.objects.filter(pk__in=[t.pk for t in self.d.teams.values()]).order_by("name")
        for team in teams:
            key = self.d.team_key(team.pk)
            members = list(
                Person.objects.filter(memberships__team=team).order_by("full_name", "pk")
            )
            rounds = answers = 0
            markers: list[PulseResponseMarker] = []
            rows: list[PulseAnswer] = []
            comments: list[PulseComment] = []
            for months_ago, month in enumerate(months):
                pulse_round = wellbeing.pulse_round_open(team=team, day=month)
                statements = list(pulse_round.statements.order_by("position"))
                lapse = self._lapse(key, month)
                # Most of a big team answer; nearly everyone in a small one.
                turnout = PULSE_TURNOUT if len(members) >= 10 else 0.95
                who = [p for p in members if self.rng.random() < turnout]
                rounds += 1
                for person in who:
                    markers.append(PulseResponseMarker(round=pulse_round, person=person))
                    for index, statement in enumerate(statements):
                        mean = self._mean(key, index, months_ago, lapse)
                        value = round(self.rng.gauss(mean, 0.9))
                        rows.append(
                            PulseAnswer(
                                round=pulse_round,
                                statement=statement,
                                value=min(5, max(1, value)),
                            )
                        )
                    if self.rng.random() < PULSE_COMMENT_SHARE:
                        text = self._comment(key, lapse)
                        if text:
                            comments.append(PulseComment(round=pulse_round, text=text))
                answers += len(who)
            # This month's round is open: some have answered already, never a demo login, so
            # that each can try it.
            current = wellbeing.pulse_round_open(team=team, day=self.today)
            rounds += 1
            statements = list(current.statements.order_by("position"))
            for person in members:
                if person.pk in personas or self.rng.random() >= 0.35:
                    continue
                markers.append(PulseResponseMarker(round=current, person=person))
                rows += [
                    PulseAnswer(round=current, statement=s, value=self.rng.randint(2, 5))
                    for s in statements
                ]
            # Shuffled, as the app writes them, so the order says nothing about who answered.
            self.rng.shuffle(rows)
            PulseResponseMarker.objects.bulk_create(markers)
            PulseAnswer.objects.bulk_create(rows, batch_size=1000)
            PulseComment.objects.bulk_create(comments)
            record_bulk_load(
                team,
                f"Demo pulse history of {team.name}: {rounds} check-ins, {answers} answered "
                "before this month",
            )
            self.summary.pulse_rounds += rounds
            self.summary.pulse_answers += len(rows)

    # --- concerns ----------------------------------------------------------------------------

    def raise_concern(
        self,
        actor: Person,
        title: str,
        body: str,
        *,
        anonymous: bool,
        day: date,
        team: str | None = None,
        organisation: str | None = None,
    ) -> Concern:
        """A concern raised on `day` to a team or an organisation (by key), or with neither to
        the whole system."""
        concern, _ = voice.concern_raise(
            actor=actor,
            level="team" if team else "organisation" if organisation else "system",
            team=self.d.teams[team] if team else None,
            organisation=self.d.organisations[organisation] if organisation else None,
            title=title,
            body=body,
            anonymous=anonymous,
            today=day,
        )
        return concern

    def build_concerns(self, circle: PeerCircle) -> None:
        en_lead, hv_lead = self.d.team_leader("cmht_en"), self.d.team_leader("cmht_hv")
        jordan, priya = self.d.named["lone_coach"], self.d.named["clinician_a"]

        # Addressed, anonymous: the lone coach, nearly a year ago. The answer: the peer circle.
        day = self.days_ago(330)
        lone = self.raise_concern(
            jordan,
            "Nobody to talk to after difficult visits",
            "It's quite an isolating role. There isn't two mental health coaches for Epping "
            "North, it's only me. After a hard visit there is nobody in the same role to "
            "talk it through with, and things I raise don't seem to go anywhere.",
            anonymous=True,
            day=day,
            team="cmht_en",
        )
        self._through(
            lone,
            en_lead,
            day,
            action="Start a peer circle of every mental health coach across the three "
            "localities, meeting every four weeks, with its own forum.",
            what_we_did=f"The {circle.name} meets every four weeks across Harlow Vale, Epping "
            "North and Loughton Forest, with its own forum for decisions about coaching.",
            raiser_reply="Thank you. The first circle helped a lot.",
        )

        # Addressed, named: the huddle overran into clinic time.
        day = self.days_ago(150)
        huddle = self.raise_concern(
            priya,
            "The huddle overruns into clinic time",
            "Most days the 15-minute huddle takes 30 or more, and the first clinic starts "
            "late. People stop bringing things to it.",
            anonymous=False,
            day=day,
            team="cmht_hv",
        )
        self._through(
            huddle,
            hv_lead,
            day,
            action="Keep to 15 minutes with a visible timer and a parking list for anything "
            "that needs longer, taken after the huddle by those involved.",
            what_we_did="The huddle keeps to 15 minutes with a timer; longer items go on the "
            "parking list and are picked up straight after. Clinics start on time.",
        )

        # Not taken forward, anonymous, to the whole system, with the reason.
        day = self.days_ago(120)
        funding = self.raise_concern(
            self.d.named["vcse"],
            "VCSE funding arrives late every quarter",
            "Our grant for the community connector posts is confirmed weeks after each "
            "quarter starts, so we cannot promise people continuity.",
            anonymous=True,
            day=day,
        )
        board = self.d.named["board_member"]
        self._acknowledge(funding, board, day + timedelta(days=2))
        voice.concern_not_take_forward(
            actor=board,
            concern=funding,
            expected_version=2,
            reason="The quarterly cycle is set by the national allocation, which we cannot "
            "change locally. We have written to NHS England about it, and from April we will "
            "confirm each quarter's grants a month ahead, within the cycle.",
            today=day + timedelta(days=20),
        )

        # Action agreed, named, to the trust: peer support voices in the MDT.
        day = self.days_ago(20)
        mdt = self.raise_concern(
            self.d.member("cmht_lf", "peer-support"),
            "Peer support workers are left out of MDT decisions",
            "We are invited to the MDT but the decisions are made before we speak. Our view "
            "of how someone is doing at home is often not heard.",
            anonymous=False,
            day=day,
            organisation="trust",
        )
        director = self.d.named["trust_director"]
        self._acknowledge(mdt, director, day + timedelta(days=1))
        voice.concern_agree_action(
            actor=director,
            concern=mdt,
            expected_version=2,
            action="Each MDT hears from peer support before a decision is proposed; the chairs "
            "agree it at the next chairs' meeting.",
            action_due_on=self.today + timedelta(days=30),
            today=day + timedelta(days=6),
        )

        # Acknowledged, named: front door forms.
        forms = self.raise_concern(
            self.d.named["vcse"],
            "Referral forms ask for things community partners do not have",
            "The front door form asks VCSE referrers for the NHS number and the GP's "
            "assessment, which we rarely have. Referrals bounce back.",
            anonymous=False,
            day=self.days_ago(4),
            team="cmht_hv",
        )
        self._acknowledge(
            forms,
            hv_lead,
            self.days_ago(2),
            note="Thank you: we are asking the front door redesign group to look at it.",
        )

        # Raised yesterday, anonymous, not yet due.
        self.raise_concern(
            self.d.member("cmht_en", "social-work"),
            "No parking near the base for home visits",
            "We lose half an hour a day looking for parking before and after visits.",
            anonymous=True,
            day=self.days_ago(1),
            team="cmht_en",
        )

        # Unacknowledged in Loughton Forest, whose leaders are covering the crisis team: the
        # escalation below takes it to the trust.
        self.raise_concern(
            self.d.member("cmht_lf", "nursing"),
            "Our leaders are never in the building",
            "For weeks nobody from the team's leadership has been at the huddle or in the "
            "base. Hard decisions are made alone.",
            anonymous=True,
            day=self.days_ago(12),
            team="cmht_lf",
        )

        # Raised to the system three weeks ago and never acknowledged: overdue at the top.
        overlooked = self.raise_concern(
            self.d.member("cmht_hv", "social-work"),
            "Social workers' caseloads are not counted in team caseloads",
            "Council-employed social workers carry cases that do not appear in the team's "
            "figures, so our workload is invisible when posts are planned.",
            anonymous=True,
            day=self.days_ago(24),
        )
        assert overlooked.due_on is not None
        # The day after it was due, the system's concern is recorded overdue at the top level.
        voice.concerns_escalate(today=overlooked.due_on + timedelta(days=1))
        voice.concerns_escalate(today=self.today)  # Loughton Forest's: on to the trust
        self.summary.concerns = Concern.objects.count()

    @staticmethod
    def _acknowledge(concern: Concern, leader: Person, day: date, note: str = "") -> None:
        """A new concern's first answer: `leader` acknowledges it on `day`."""
        voice.concern_acknowledge(
            actor=leader, concern=concern, expected_version=1, note=note, today=day
        )

    def _through(
        self,
        concern: Concern,
        leader: Person,
        day: date,
        *,
        action: str,
        what_we_did: str,
        raiser_reply: str = "",
    ) -> None:
        """Acknowledged, an action agreed, a reply each way, and addressed."""
        self._acknowledge(concern, leader, day + timedelta(days=3))
        voice.concern_agree_action(
            actor=leader,
            concern=concern,
            expected_version=2,
            action=action,
            action_due_on=day + timedelta(days=60),
            today=day + timedelta(days=10),
        )
        voice.concern_reply(
            actor=leader,
            concern=concern,
            body="Thank you for raising this. We will keep you posted here.",
            today=day + timedelta(days=10),
        )
        if raiser_reply:
            voice.concern_reply_by_receipt(
                concern=concern, body=raiser_reply, today=day + timedelta(days=40)
            )
        voice.concern_address(
            actor=leader,
            concern=concern,
            expected_version=3,
            what_we_did=what_we_did,
            today=day + timedelta(days=45),
        )


def build_voice_and_wellbeing(
    directory: DemoDirectory, *, seed: int, today: date, say: Callable[[str], None]
) -> VoiceSummary:
    """The peer circle, support, a year of pulse check-ins, and concerns at every stage."""
    builder = _Builder(directory, seed=seed, today=today)
    circle = builder.build_peer_circle()
    builder.build_support()
    builder.build_support_offered()
    builder.build_pulse()
    builder.build_concerns(circle)
    summary = builder.summary
    say(f"  concerns            {summary.concerns:>5}")
    say(f"  pulse check-ins     {summary.pulse_rounds:>5}")
    say(f"    answers           {summary.pulse_answers:>5}")
    say(f"  support sessions    {summary.support_sessions:>5}")
    say(f"  support offered     {summary.support_offered:>5}")
    say(f"  peer circle members {summary.peer_circle_members:>5}")
    return summary
