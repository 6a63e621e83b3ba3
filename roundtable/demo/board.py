"""Forest Vale's board and project group: a year of budgets, funding and service-change decisions.

Made through the decisions services, as the partnership board would make them at its meetings
(every four weeks, see `roundtable.demo.forums`), each dated at the meeting it happened:

- **Budgets**: the year's community mental health transformation fund, from which the board
  agreed peer support workers, interpreters, primary care practitioners and the coaches' peer
  circle (and turned down an app people did not want); and **£200,000 of lived-experience-led
  community grants**, shared out by a **participatory allocation round**: six proposals from
  the board's members, approved by most members, one agreed for a little less than it asked, one
  withdrawn by its proposer, and the rest open until the next meeting.
- **Service changes** with outcomes, rationales and review dates: named key workers instead of
  care co-ordinators, daily zoning huddles, self-referral at the front door, pay for
  lived-experience members, and others; some **held by leaders** of the system, some reviewed
  already, one revised to take in an objection, one not agreed, and one **open** at the latest
  meeting, so the board member and the lived-experience representative each have decisions
  waiting for their position.
- The **front door redesign group** tested one referral form for every referrer, and has a
  proposal open about referrals without an NHS number.

The year is written out rather than drawn at random, so it is the same on every build (`seed`
is taken for symmetry with the other builders). Members at a meeting take part in a consent
round there; members who were not take their position online in the week before it. Finally
the notices of these decisions more than a fortnight old are marked read, as people would have
read them, so that each person's home page shows what is new. Everything here is synthetic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from roundtable.decisions import services as decisions
from roundtable.decisions.models import (
    AllocationRound,
    Budget,
    Decision,
    DecisionKind,
    DecisionMethod,
    DecisionStatus,
    Notification,
    NotificationKind,
)
from roundtable.demo.builder import DemoDirectory
from roundtable.demo.history import Window, clock, held_meetings, present_at
from roundtable.directory.models import Person
from roundtable.forums.models import Forum, ForumKind, Meeting, local_datetime

# The board's members, by persona key or slot ref (see `generator.ROSTERS["board"]`).
BOARD: tuple[str, ...] = (
    "icb_chair",
    "board_member",
    "trust_director",
    "council_director",
    "vcse_ceo",
    "gp",
    "lived_experience",
    "voices_rep",
)
PROJECT: tuple[str, ...] = ("qi_lead", "spa_lead", "gp", "vcse_ceo", "lived_experience")
# Who has not yet given a position on what is open: the demo logins, so that each can.
WAITING: frozenset[str] = frozenset({"board_member", "lived_experience", "team_leader"})
# Notices older than this are read by the time the demo is opened.
NOTICES_READ_AFTER_DAYS = 14
POUND = 100  # pence

Stances = dict[str, tuple[str, str]]


@dataclass
class BoardSummary:
    budgets: int = 0
    decisions: int = 0
    open: int = 0
    holds: int = 0
    allocation_rounds: int = 0
    approvals: int = 0


@dataclass(frozen=True)
class Grant:
    """A proposal for the community grants, and how it fares."""

    proposer: str
    title: str
    proposal: str
    pounds: int
    approved_by: tuple[str, ...]
    online: tuple[str, ...] = ()  # members who consented online before the meeting


GRANTS: tuple[Grant, ...] = (
    Grant(
        "vcse_ceo",
        "Peer-led recovery college courses at the Recovery Collective",
        "Twelve short courses a year, written and taught by people with lived experience "
        "alongside staff: understanding voices, managing money, sleep, getting back to work. "
        "Free, open to anyone in Forest Vale, no referral needed.",
        64_000,
        ("icb_chair", "board_member", "council_director", "gp", "voices_rep"),
    ),
    Grant(
        "voices_rep",
        "A Hearing Voices group in Loughton Forest",
        "A weekly peer-led group for people who hear voices, at the Old School, with training "
        "for two facilitators from the Voices Network and a small budget for travel.",
        28_000,
        ("icb_chair", "board_member", "trust_director", "vcse_ceo", "gp", "council_director"),
        online=("vcse_ceo",),
    ),
    Grant(
        "council_director",
        "A carers' peer support network across the three localities",
        "Monthly meet-ups for carers in each locality and a phone line run by carers, with "
        "Riverside Community Connections; carers asked for it in last year's survey.",
        42_000,
        ("board_member", "vcse_ceo", "voices_rep", "trust_director"),
        online=("gp",),
    ),
    Grant(
        "trust_director",
        "Evening peer support at the crisis café in Harlow Vale",
        "Two peer supporters at the crisis café on four evenings a week, so that people who "
        "come in distress are met by someone who has been there.",
        55_000,
        ("trust_director", "voices_rep", "icb_chair"),
    ),
    Grant(
        "gp",
        "Walk and talk groups in every locality",
        "A weekly walking group in each locality led by volunteers with lived experience, "
        "with the practices' social prescribers referring people who would like to come.",
        24_500,
        ("gp", "council_director", "vcse_ceo", "icb_chair", "board_member"),
        online=("council_director",),
    ),
    Grant(
        "lived_experience",
        "Tablets and data for people in support who are offline",
        "A tablet with a year's data for up to 150 people in support, so that they can join "
        "groups and appointments online.",
        38_000,
        ("voices_rep",),
    ),
)
WINNER = 0  # the recovery college, agreed for a little less than it asked
WINNER_AGREED_POUNDS = 60_000
WITHDRAWN = 5  # the tablets: the council's scheme covers it now


class _Builder:
    def __init__(self, directory: DemoDirectory, *, seed: int, today: date) -> None:
        self.d = directory
        self.today = today
        self.window = Window(today)
        self.summary = BoardSummary()
        self.board = directory.forum("board", ForumKind.BOARD)
        self.project = directory.forum("project", ForumKind.PROJECT_GROUP)
        self.present: dict[int, set[int]] = {}

    def p(self, key: str) -> Person:
        return self.d.named[key]

    # --- meetings -------------------------------------------------------------------------

    def next_meeting(self, forum: Forum) -> Meeting:
        meeting = (
            Meeting.objects.filter(
                forum=forum,
                cancelled_at__isnull=True,
                starts_at__gte=local_datetime(self.today, time(0, 0)),
            )
            .order_by("starts_at", "pk")
            .first()
        )
        assert meeting is not None, f"{forum.name} has no meeting ahead"
        return meeting

    def was_there(self, meeting: Meeting) -> set[int]:
        if meeting.pk not in self.present:
            self.present[meeting.pk] = {p.pk for p in present_at(meeting)}
        return self.present[meeting.pk]

    @staticmethod
    def at(meeting: Meeting, minutes: int) -> datetime:
        return meeting.starts_at + timedelta(minutes=minutes)

    # --- the steps of a decision, each through a service ----------------------------------

    def propose(
        self,
        forum: Forum,
        meeting: Meeting,
        proposer: str,
        title: str,
        proposal: str,
        *,
        kind: str = DecisionKind.SERVICE_CHANGE,
        method: str = DecisionMethod.CONSENT,
        review_on: date | None = None,
        budget: Budget | None = None,
        pounds: int | None = None,
        closes_at: datetime | None = None,
        days_before: int = 8,
    ) -> Decision:
        """Proposed online `days_before` days before the meeting that takes it (0: at it)."""
        day = timezone.localdate(meeting.starts_at) - timedelta(days=days_before)
        when = local_datetime(day, time(9, 30)) if days_before else self.at(meeting, 10)
        with clock(when):
            decision = decisions.decision_propose(
                actor=self.p(proposer),
                forum=forum,
                kind=kind,
                method=method,
                title=title,
                proposal=proposal,
                review_on=review_on,
                budget=budget,
                amount_requested_pence=pounds * POUND if pounds is not None else None,
                closes_at=closes_at,
            )
        self.summary.decisions += 1
        return decision

    def share(
        self,
        decision: Decision,
        meeting: Meeting,
        members: Iterable[str],
        stances: Stances | None = None,
        *,
        leave_out: Iterable[str] = (),
        online: bool = True,
    ) -> None:
        """Members' positions: in a consent round at the meeting for those who were there,
        online the day before for the others (unless not `online`). Everyone consents unless
        `stances` says otherwise; those in `leave_out` give none."""
        stances = stances or {}
        skipped = set(leave_out)
        there = self.was_there(meeting)
        in_room: dict[Person, tuple[str, str]] = {}
        for key in members:
            if key in skipped:
                continue
            person = self.p(key)
            stance = stances.get(key, ("consent", ""))
            if person.pk in there:
                in_room[person] = stance
            elif online:
                with clock(self.at(meeting, -20 * 60)):
                    decisions.position_take(
                        actor=person, decision=decision, stance=stance[0], reason=stance[1]
                    )
        if in_room:
            facilitator = next(
                (p for p in in_room if p.pk == meeting.facilitator_id), next(iter(in_room))
            )
            with clock(self.at(meeting, 30)):
                decisions.consent_round(
                    actor=facilitator, decision=decision, meeting=meeting, positions=in_room
                )
            decision.refresh_from_db()  # the round records the meeting on it

    def decide(
        self,
        decision: Decision,
        meeting: Meeting,
        *,
        agreed: bool,
        outcome: str,
        rationale: str,
        pounds: int | None = None,
        actor: str = "icb_chair",
    ) -> Decision:
        with clock(self.at(meeting, 45)):
            return decisions.decision_decide(
                actor=self.p(actor),
                decision=decision,
                agreed=agreed,
                outcome=outcome,
                rationale=rationale,
                amount_agreed_pence=pounds * POUND if pounds is not None else None,
            )

    def hold(
        self, decision: Decision, meeting: Meeting, holders: Iterable[tuple[str, str]]
    ) -> None:
        for index, (key, message) in enumerate(holders):
            with clock(self.at(meeting, 4 * 60 + 24 * 60 * index)):
                decisions.hold_add(actor=self.p(key), decision=decision, message=message)
            self.summary.holds += 1

    def review(self, decision: Decision, meeting: Meeting, note: str, actor: str) -> None:
        with clock(self.at(meeting, 60)):
            decisions.decision_review(actor=self.p(actor), decision=decision, note=note)

    def budget(self, meeting: Meeting, name: str, pounds: int, actor: str) -> Budget:
        first = timezone.localdate(meeting.starts_at).replace(day=1)
        end = first.replace(year=first.year + 1) - timedelta(days=1)
        with clock(self.at(meeting, -14 * 24 * 60)):
            budget = decisions.budget_create(
                actor=self.p(actor),
                forum=self.board,
                name=f"{name}, {first:%B %Y} to {end:%B %Y}",
                period_start=first,
                period_end=end,
                total_pence=pounds * POUND,
            )
        self.summary.budgets += 1
        return budget

    def review_date(self, meeting: Meeting, days: int) -> date:
        return timezone.localdate(meeting.starts_at) + timedelta(days=days)

    def settle(
        self,
        decision: Decision,
        meeting: Meeting,
        members: Iterable[str],
        stances: Stances | None = None,
        *,
        agreed: bool = True,
        outcome: str,
        rationale: str,
        decided_by: str = "icb_chair",
        holders: Iterable[tuple[str, str]] = (),
    ) -> None:
        """A proposal settled at the meeting: shared by `members`, decided, and held by
        `holders` after it."""
        self.share(decision, meeting, members, stances)
        self.decide(
            decision,
            meeting,
            agreed=agreed,
            outcome=outcome,
            rationale=rationale,
            actor=decided_by,
        )
        self.hold(decision, meeting, holders)

    # --- the board's year -----------------------------------------------------------------

    def build_board(self) -> None:
        held = held_meetings(self.board, self.window)

        def back(n: int) -> Meeting:
            return held[-1 - n]

        # A year ago: named key workers.
        m = back(11)
        key_workers = self.propose(
            self.board,
            m,
            "trust_director",
            "Named key workers instead of care co-ordinators in every community team",
            "Every person in support has a named key worker from the team, of any discipline "
            "(including peer support and VCSE practitioners), from their first appointment. "
            "The care co-ordinator role and the CPA review schedule end; reviews follow what "
            "the person and the team agree.",
            review_on=self.review_date(m, 182),
        )
        self.settle(
            key_workers,
            m,
            BOARD,
            {
                "council_director": (
                    "concern",
                    "Social workers carry key work too: count their caseloads in the team's.",
                )
            },
            outcome="Agreed: named key workers of any discipline in all three community teams "
            "from next month; the care co-ordinator role ends.",
            rationale="People told us they did not know who their care co-ordinator was; a "
            "named key worker from the team they see is clearer, and it is what the Community "
            "Mental Health Framework asks for.",
            holders=[
                (
                    "board_member",
                    "I stand behind this with you: tell me if the change leaves anyone without "
                    "a named person.",
                ),
                ("trust_director", "Held. The teams will have my time while it beds in."),
            ],
        )
        transformation = self.budget(
            m, "Community mental health transformation fund", 950_000, "board_member"
        )

        m = back(10)
        peers = self.propose(
            self.board,
            m,
            "trust_director",
            "Two peer support workers for each community team",
            "Six peer support workers, two in each community team, employed by the Recovery "
            "Collective and working alongside the key workers, with supervision from the "
            "trust's peer support lead.",
            kind=DecisionKind.FUNDING,
            budget=transformation,
            pounds=186_000,
            review_on=self.review_date(m, 365),
        )
        self.settle(
            peers,
            m,
            BOARD,
            outcome="Agreed: £186,000 for six peer support workers for the year.",
            rationale="Peer support is what people in support ask for most, and the teams "
            "have none in two localities.",
            holders=[("icb_chair", "Held. Peer support is here to stay, not a pilot.")],
        )

        m = back(9)
        huddles = self.propose(
            self.board,
            m,
            "trust_director",
            "Daily zoning huddles in every community team, with VCSE partners invited",
            "Each community team holds a 15-minute huddle every weekday morning to go through "
            "who needs what today, by zone, with the VCSE partners working with the team "
            "invited to every one.",
            review_on=self.review_date(m, 91),
        )
        self.settle(
            huddles,
            m,
            BOARD,
            outcome="Agreed: daily huddles in all three teams from the first of next month, "
            "with VCSE partners welcome at each.",
            rationale="Nobody should carry a hard decision alone; a short daily huddle shares "
            "them, and the partners see what the team sees.",
        )
        interpreters = self.propose(
            self.board,
            m,
            "council_director",
            "Interpreters at front-door assessments",
            "Face-to-face interpreters, booked by the front door, for anyone who would like "
            "one at their first conversation with us, in any language including British Sign "
            "Language.",
            kind=DecisionKind.FUNDING,
            budget=transformation,
            pounds=24_000,
        )
        self.settle(
            interpreters,
            m,
            BOARD,
            outcome="Agreed: £24,000 for interpreters at the front door this year.",
            rationale="Telephone interpreting was putting people off, and the first "
            "conversation decides a lot.",
        )

        m = back(8)
        app = self.propose(
            self.board,
            m,
            "gp",
            "A licence for a digital self-referral app",
            "A year's licence for a self-referral app that asks screening questions and books "
            "a call from the front door.",
            kind=DecisionKind.FUNDING,
            budget=transformation,
            pounds=48_000,
        )
        self.settle(
            app,
            m,
            BOARD,
            {
                "lived_experience": (
                    "objection",
                    "People in the Voices Network told us they want to talk to a person "
                    "first. An app would be one more barrier for people without data.",
                ),
                "vcse_ceo": (
                    "concern",
                    "Our members rarely have smartphones with data.",
                ),
            },
            agreed=False,
            outcome="Not agreed: the objection stands. The front door redesign group will "
            "look at a phone line answered by peer supporters instead.",
            rationale="The people it is for told us it would keep them out; we would rather "
            "spend the money on people.",
        )

        m = back(7)
        fridays = self.propose(
            self.board,
            m,
            "trust_director",
            "Close the Epping North base on Friday afternoons for team training",
            "The Epping North base closes at 1pm on Fridays so that the whole team can train "
            "together; the duty worker takes calls from the Access Centre.",
            review_on=self.review_date(m, 120),
        )
        self.share(
            fridays,
            m,
            BOARD,
            {
                "voices_rep": (
                    "objection",
                    "People who work can only come on Friday afternoons: closing then shuts "
                    "them out.",
                )
            },
        )
        with clock(self.at(m, 40)):
            decisions.decision_revise(
                actor=self.p("trust_director"),
                decision=fridays,
                proposal="Team training moves to one Wednesday morning a month. The Epping "
                "North base stays open on Friday afternoons, with the duty worker there.",
                change_note=f"Takes in {self.p('voices_rep').full_name}'s objection: the "
                "base stays open when people who work can come.",
            )
        self.share(fridays, m, BOARD, online=False)  # the revision is agreed in the room
        self.decide(
            fridays,
            m,
            agreed=True,
            outcome="Agreed as revised: training on one Wednesday morning a month; the base "
            "stays open on Friday afternoons.",
            rationale="The team gets its training and the people who can only come on "
            "Fridays keep their time.",
        )
        practitioners = self.propose(
            self.board,
            m,
            "gp",
            "Two more primary care mental health practitioners for Epping and Loughton",
            "Two mental health practitioners for the Epping and Loughton practices, so that "
            "people moving on from the community teams are seen at their GP practice within "
            "six weeks.",
            kind=DecisionKind.FUNDING,
            budget=transformation,
            pounds=118_000,
            review_on=self.review_date(m, 365),
        )
        self.settle(
            practitioners,
            m,
            BOARD,
            outcome="Agreed: £118,000 for two practitioners for the year.",
            rationale="People wait longest to move on in Epping and Loughton because the "
            "practices have nobody to hand over to.",
            holders=[
                ("board_member", "I stand behind this with you."),
                ("gp", "Held for the practices: we will make the rooms available."),
            ],
        )

        m = back(6)
        cafe = self.propose(
            self.board,
            m,
            "vcse_ceo",
            "Pause the evening drop-in café until a new venue is found",
            "The evening drop-in café pauses at the end of the month, when the church hall "
            "closes for repairs. Riverside Community Connections tells everyone who comes, "
            "and the coaching service offers evening phone check-ins until it reopens.",
            review_on=self.today + timedelta(days=12),
        )
        self.settle(
            cafe,
            m,
            BOARD,
            {
                "lived_experience": (
                    "concern",
                    "Ask the people who use the café where they would like it to move.",
                )
            },
            outcome="Agreed: the café pauses; evening phone check-ins meanwhile, and the people "
            "who use it help choose the new venue.",
            rationale="There is no safe venue for now; a pause with a way to stay in touch is "
            "better than closing it.",
        )

        m = back(5)
        self.review(
            huddles,
            m,
            "Huddles happen every weekday in all three teams and VCSE partners come to most. "
            "Loughton Forest's were cancelled three times for lack of staff: the trust is "
            "looking at cover.",
            "trust_director",
        )
        front_door = self.propose(
            self.board,
            m,
            "lived_experience",
            "Open the front door to self-referral and to referrals from VCSE partners",
            "Anyone can refer themselves to the front door by phone or online, and VCSE "
            "partners can refer directly, without going through the GP first.",
            review_on=self.today + timedelta(days=40),
        )
        self.settle(
            front_door,
            m,
            BOARD,
            {
                "gp": (
                    "concern",
                    "Tell the practices when one of their patients refers themselves.",
                )
            },
            outcome="Agreed: self-referral and VCSE referrals open at the front door from the "
            "first of next month; the practice is told of each, with consent.",
            rationale="Going through the GP first delays help and puts some people off "
            "altogether; the front-door meeting decides together either way.",
            holders=[
                ("board_member", "I stand behind this with you. Let's hear how it goes."),
                ("icb_chair", "Held: this is the board's decision, not one team's."),
            ],
        )

        m = back(4)
        self.review(
            key_workers,
            m,
            "Six months on: every person in support has a named key worker, and people say "
            "they know who to ring. Kept, with social workers' caseloads now counted.",
            "board_member",
        )
        circle = self.propose(
            self.board,
            m,
            "vcse_ceo",
            "Protected time and supervision for the mental health coaches' peer circle",
            "Two hours every four weeks for each mental health coach to meet the others, and "
            "group supervision from a psychologist each quarter.",
            kind=DecisionKind.FUNDING,
            budget=transformation,
            pounds=9_600,
        )
        self.settle(
            circle,
            m,
            BOARD,
            outcome="Agreed: £9,600 for the coaches' protected time and supervision.",
            rationale="A coach told us they were the only one in their locality; the circle "
            "is how they stay connected.",
        )
        grants = self.budget(m, "Lived-experience-led community grants", 200_000, "board_member")

        m = back(3)
        paid = self.propose(
            self.board,
            m,
            "council_director",
            "Pay lived-experience members for their time at board and project meetings",
            "Lived-experience members are paid for their time at the board and the project "
            "groups, for reading the papers as well as the meetings, with travel.",
            method=DecisionMethod.CONSENSUS,
            review_on=self.today + timedelta(days=75),
        )
        self.settle(
            paid,
            m,
            BOARD,
            {
                "lived_experience": ("abstain", "We benefit from this, so we leave it to others."),
                "voices_rep": ("abstain", ""),
            },
            outcome="Agreed by consensus: lived-experience members are paid for their time "
            "from next month.",
            rationale="Their time is worth the same as everyone else's at the table, and "
            "unpaid seats are open only to those who can afford them.",
            holders=[("icb_chair", "Held, gladly. Long overdue.")],
        )
        weekly = self.propose(
            self.board,
            m,
            "trust_director",
            "Hold the front-door meeting three days a week instead of every weekday",
            "The front-door meeting moves to Monday, Wednesday and Friday, to free staff time "
            "for assessments.",
        )
        self.settle(
            weekly,
            m,
            BOARD,
            {
                "vcse_ceo": (
                    "objection",
                    "People would wait up to four days for an offer, and partners can only "
                    "come because it is short and daily.",
                ),
                "lived_experience": (
                    "objection",
                    "Waiting over a weekend for a decision is hardest for people in crisis.",
                ),
            },
            agreed=False,
            outcome="Not agreed: the front-door meeting stays daily.",
            rationale="The objections stand: waits would grow and partners would drop out. "
            "The trust will look for the time elsewhere.",
        )

        m = back(2)
        self.review(
            fridays,
            m,
            "Training on Wednesdays works for the team, and Friday afternoons are the base's "
            "busiest time. Kept as it is.",
            "trust_director",
        )
        allocation_at = back(1)
        next_board = self.next_meeting(self.board)
        proposals = [
            self.propose(
                self.board,
                m,
                grant.proposer,
                grant.title,
                grant.proposal,
                kind=DecisionKind.FUNDING,
                budget=grants,
                pounds=grant.pounds,
                closes_at=next_board.starts_at,
                days_before=6 - index,
            )
            for index, grant in enumerate(GRANTS)
        ]
        for grant, decision in zip(GRANTS, proposals, strict=True):
            for key in grant.online:
                with clock(self.at(m, -24 * 60)):
                    decisions.position_take(actor=self.p(key), decision=decision, stance="consent")
        with clock(self.at(m, 70)):
            decisions.comment_add(
                actor=self.p("lived_experience"),
                decision=proposals[1],
                body="The nearest Hearing Voices group is an hour away by bus. People in "
                "Loughton Forest have asked for this for years.",
            )

        # The allocation round opens at the next meeting and closes at the one after today.
        m = allocation_at
        with clock(self.at(m, 60)):
            allocation = decisions.allocation_round_create(
                actor=self.p("board_member"),
                budget=grants,
                title=f"Community grants round, {timezone.localdate(m.starts_at):%B %Y}",
                closes_at=next_board.starts_at,
                proposals=proposals,
            )
        self.summary.allocation_rounds += 1
        approvers = sorted({key for grant in GRANTS for key in grant.approved_by})
        for index, key in enumerate(approvers):
            chosen = [d for g, d in zip(GRANTS, proposals, strict=True) if key in g.approved_by]
            with clock(self.at(m, 24 * 60 * (1 + index))):
                decisions.approval_set(actor=self.p(key), allocation=allocation, approve=chosen)
            self.summary.approvals += len(chosen)
        with clock(self.at(m, 24 * 60 * 9)):
            decisions.decision_withdraw(
                actor=self.p(GRANTS[WITHDRAWN].proposer),
                decision=proposals[WITHDRAWN],
                note="The county council's digital inclusion scheme now lends tablets with "
                "data, so there is no need to fund it twice.",
            )

        m = back(0)
        winner = proposals[WINNER]
        self.share(winner, m, BOARD, leave_out=WAITING)
        self.decide(
            winner,
            m,
            agreed=True,
            outcome=f"Agreed: £{WINNER_AGREED_POUNDS:,} for the recovery college courses, "
            f"£{GRANTS[WINNER].pounds - WINNER_AGREED_POUNDS:,} less than asked: the council "
            "offers its rooms free.",
            rationale="The most approved in the round, and the courses reach people in every "
            "locality; the rest of the round stays open until the next meeting.",
            pounds=WINNER_AGREED_POUNDS,
        )
        self.hold(
            winner,
            m,
            [("board_member", "I stand behind this with you: the first courses start soon.")],
        )
        for index, decision in enumerate(proposals):
            if index in (WINNER, WITHDRAWN):
                continue
            there = sorted(key for key in BOARD if self.p(key).pk in self.was_there(m))
            speakers = [k for k in there if k not in WAITING][: 2 + index % 2]
            stances: Stances = {}
            if index == 3:
                stances["gp"] = (
                    "concern",
                    "The café needs a clinician on call when the peer supporters are there.",
                )
            self.share(decision, m, speakers, stances)
            self.summary.open += 1
        presence = self.propose(
            self.board,
            m,
            "icb_chair",
            "Every community team sees someone from its leadership at a huddle each week",
            "Each community team has a member of its own, the trust's or the system's "
            "leadership at one of its huddles every week, to listen and to hold decisions "
            "with the team. Leaders' diaries are set around it.",
            review_on=self.today + timedelta(days=120),
            closes_at=next_board.starts_at,
            days_before=0,
        )
        there = [key for key in BOARD if self.p(key).pk in self.was_there(m)]
        self.share(
            presence,
            m,
            [key for key in there if key not in WAITING],
            {
                "trust_director": (
                    "concern",
                    "Loughton Forest's leaders are covering the crisis team: they need cover "
                    "themselves first.",
                )
            },
        )
        self.summary.open += 1

    # --- the front door redesign group ----------------------------------------------------

    def build_project(self) -> None:
        held = held_meetings(self.project, self.window)
        m = held[-1 - 20]
        form = self.propose(
            self.project,
            m,
            "qi_lead",
            "Test one referral form for every referrer for six weeks",
            "A Plan-Do-Study-Act cycle: GPs, VCSE partners and people referring themselves all "
            "use one short form for six weeks; we count how many referrals come back for more "
            "information, and ask referrers what they think.",
            review_on=self.review_date(m, 56),
        )
        self.settle(
            form,
            m,
            PROJECT,
            outcome="Agreed: the six-week test starts on Monday.",
            rationale="A small test tells us more than another meeting about the form.",
            decided_by="qi_lead",
            holders=[("lived_experience", "I stand behind this: the form was written with us.")],
        )
        self.review(
            form,
            held[-1 - 16],
            "The single form cut referrals sent back from one in five to one in twenty. VCSE "
            "referrers still struggle without an NHS number.",
            "qi_lead",
        )
        m = held[-1]
        nhs_number = self.propose(
            self.project,
            m,
            "spa_lead",
            "VCSE partners may refer without an NHS number: the front door finds it",
            "Referrals from VCSE partners are accepted without the person's NHS number; the "
            "front door finds it with the GP practice within a day, with consent.",
            review_on=self.today + timedelta(days=90),
            closes_at=self.next_meeting(self.project).starts_at,
            days_before=3,
        )
        there = [key for key in PROJECT if self.p(key).pk in self.was_there(m)]
        self.share(
            nhs_number,
            m,
            [key for key in there if key not in WAITING],
            {
                "gp": (
                    "concern",
                    "Say who rings the practice, so it does not fall between us.",
                )
            },
        )
        self.summary.open += 1


def read_old_notices(*, today: date) -> int:
    """Mark read, as their people would have, the notices of the board's and the project
    group's decisions more than a fortnight old.

    Notices of decisions about people in care are left as they are: a clinician's unread
    notices of the people they care for are part of the care story (`roundtable.demo.care`).
    """
    cutoff = local_datetime(today - timedelta(days=NOTICES_READ_AFTER_DAYS), time(0, 0))
    old: dict[int, list[int]] = {}
    notices = (
        Notification.objects.filter(
            read_at__isnull=True, created_at__lt=cutoff, decision__care__isnull=True
        )
        .exclude(
            # A decision still waiting for the person's position stays on their list.
            kind=NotificationKind.AWAITING_POSITION,
            decision__status=DecisionStatus.OPEN,
        )
        .order_by("person_id", "pk")
    )
    for person_id, pk in notices.values_list("person_id", "pk"):
        old.setdefault(person_id, []).append(pk)
    people = {p.pk: p for p in Person.objects.filter(pk__in=old)}
    read = 0
    for person_id, ids in sorted(old.items()):
        with clock(cutoff):
            read += decisions.notification_read(actor=people[person_id], notification_ids=ids)
    return read


def build_board(
    directory: DemoDirectory, *, seed: int, today: date, say: Callable[[str], None]
) -> BoardSummary:
    """The board's budgets and decisions over the year, its allocation round, and the front
    door redesign group's decisions."""
    builder = _Builder(directory, seed=seed, today=today)
    builder.build_board()
    builder.build_project()
    summary = builder.summary
    say(f"  budgets             {summary.budgets:>5}")
    say(f"  board and project decisions {summary.decisions}")
    say(f"    open              {summary.open:>5}")
    say(f"    holds by leaders  {summary.holds:>5}")
    say(f"  allocation rounds   {AllocationRound.objects.count():>5}")
    say(f"    approvals         {summary.approvals:>5}")
    return summary
