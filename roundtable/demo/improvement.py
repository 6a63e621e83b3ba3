"""Forest Vale's tests of change and practice exchange: what teams tried after learning, and what
they shared with the rest of the system.

Made through the learning services on the days the stories happen (`clock`), after
`roundtable.demo.learning` has told what the teams learned:

- **Epping North** tests "missed contacts come to the huddle", started from the After Action
  Review's learning statement: a week on the coach's own caseload (adapted), then the whole
  team's (being tried now).
- **Harlow Vale** tests "the key worker rings the practice five days after a move on", started
  from the thematic review's statement (being tried now).
- **Loughton Forest** ran a ramp of two cycles with its VCSE partner in the huddle (adapted, then
  adopted) and shared it as a practice note drawn from the adopted cycle.
- **Practice notes** across organisations: the seed's open question about rethinking the care
  co-ordinator role (with replies), the huddle note drawn from Loughton Forest's cycle, a Harlow
  Vale note that links to it as "we tried this too", and a front-door note from the single point
  of access.

Nothing in a note names a person in care; everything is synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from roundtable.demo.builder import DemoDirectory
from roundtable.demo.history import clock, weekday_on_or_before
from roundtable.directory.models import Person, Team
from roundtable.forums.models import local_datetime
from roundtable.learning.models import Act, ChangeCycle, LearningStatement, PracticeNote, Ramp
from roundtable.learning.services import cycles, exchange

# Days before the reference day when Loughton Forest's ramp began, and how long each cycle ran.
LOUGHTON_RAMP_AGO = 70
LOUGHTON_CYCLE_DAYS = 21


@dataclass(frozen=True)
class Plan:
    change: str
    prediction: str
    measure: str
    plan: str


@dataclass(frozen=True)
class Result:
    what_happened: str
    study: str
    act: str
    act_note: str


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_datetime(day, time(hour, minute))


class _Improvement:
    def __init__(self, directory: DemoDirectory, today: date) -> None:
        self.d = directory
        self.today = today

    def day(self, days_ago: int) -> date:
        return weekday_on_or_before(self.today - timedelta(days=days_ago))

    def ramp(
        self,
        actor: Person,
        team: Team,
        aim: str,
        first: Plan,
        *,
        on: date,
        statement: LearningStatement | None = None,
    ) -> ChangeCycle:
        with clock(_at(on, 11)):
            ramp = cycles.ramp_start(
                actor=actor,
                team=team,
                aim=aim,
                statement=statement,
                **vars(first),
            )
        return ChangeCycle.objects.get(ramp=ramp, number=1)

    @staticmethod
    def start(actor: Person, cycle: ChangeCycle, on: date) -> ChangeCycle:
        with clock(_at(on, 9, 30)):
            return cycles.cycle_start(actor=actor, cycle=cycle, expected_version=cycle.version)

    @staticmethod
    def close(actor: Person, cycle: ChangeCycle, on: date, result: Result) -> ChangeCycle:
        with clock(_at(on, 16)):
            return cycles.cycle_close(
                actor=actor, cycle=cycle, expected_version=cycle.version, **vars(result)
            )

    @staticmethod
    def next(actor: Person, ramp: Ramp, on: date, plan: Plan) -> ChangeCycle:
        with clock(_at(on, 16, 30)):
            return cycles.cycle_next(actor=actor, ramp=ramp, **vars(plan))

    # --- tests of change ------------------------------------------------------------------

    def epping_north(self, statement: LearningStatement, reviewed_on: date) -> None:
        leader = self.d.team_leader("cmht_en")
        began = weekday_on_or_before(reviewed_on + timedelta(days=1))
        first = self.ramp(
            leader,
            self.d.teams["cmht_en"],
            "Every contact we agreed with someone and missed comes to the next huddle, with a "
            "next step the team agrees.",
            Plan(
                change="For one week, the coach reads out any missed contacts on their own "
                "caseload at the huddle, straight after the Red zone.",
                prediction="Two or three a week; each gets a next step in under two minutes, "
                "and the huddle still ends on time.",
                measure="Missed contacts raised, next steps agreed, and the huddle's length, "
                "noted by the chair each day.",
                plan="The coach keeps a list from the record each afternoon; the team leader "
                "chairs and times the huddle.",
            ),
            on=began,
            statement=statement,
        )
        first = self.start(leader, first, began)
        closed_on = weekday_on_or_before(began + timedelta(days=6))
        self.close(
            leader,
            first,
            closed_on,
            Result(
                what_happened="Five missed contacts in the week, more than we thought. Each got "
                "a next step; twice a colleague who was visiting nearby offered to call in.",
                study="We predicted two or three: it was five, and the huddle ran over by four "
                "minutes on one day. The next steps were quick, as predicted.",
                act=Act.ADAPT,
                act_note="Try it with the whole team's caseload, with a mark on the huddle "
                "board instead of a read-out list, so it takes less time.",
            ),
        )
        second = self.next(
            leader,
            first.ramp,
            closed_on,
            Plan(
                change="For two weeks, everyone marks a missed contact on the huddle board's "
                "card the same day; the huddle takes the marked cards after the Red zone.",
                prediction="Ten to fifteen a fortnight across the team, and no huddle over time.",
                measure="Marked cards, next steps agreed, the huddle's length.",
                plan="The team leader shows the mark at Monday's huddle; the clinical lead "
                "checks each Friday that marks were cleared.",
            ),
        )
        self.start(leader, second, weekday_on_or_before(self.today - timedelta(days=3)))

    def harlow_vale(self, statement: LearningStatement, held_on: date) -> None:
        # Started by the director who held the review: only those who see both teams' events
        # see the review, and so its learning.
        director = self.d.named["trust_director"]
        began = weekday_on_or_before(held_on + timedelta(days=1))
        first = self.ramp(
            director,
            self.d.teams["cmht_hv"],
            "Every move-on plan reaches the GP practice within a week of the move on.",
            Plan(
                change="For move-ons in the next four weeks, the key worker rings the practice "
                "five days after sending the plan, to check it arrived.",
                prediction="Most arrive; one in five will not, and the call puts it right.",
                measure="Move-ons, plans confirmed at the call, plans re-sent.",
                plan="The team's administrator adds a call reminder to the key worker's diary "
                "when the letter goes.",
            ),
            on=began,
            statement=statement,
        )
        self.start(director, first, weekday_on_or_before(began + timedelta(days=1)))

    def loughton_forest(self) -> ChangeCycle:
        leader = self.d.team_leader("cmht_lf")
        team = self.d.teams["cmht_lf"]
        began = self.day(LOUGHTON_RAMP_AGO)
        first = self.ramp(
            leader,
            team,
            "The voluntary sector's view is in the room when the huddle decides about people "
            "it supports.",
            Plan(
                change="The VCSE partner joins the huddle every Monday, on the phone.",
                prediction="They will come most weeks and speak to two or three people's "
                "cards each time.",
                measure="Weeks they came; cards they spoke to; decisions changed by what they "
                "knew.",
                plan="The team leader sends the phone link; the partner brings their own list.",
            ),
            on=began,
        )
        first = self.start(leader, first, began)
        adapted_on = weekday_on_or_before(began + timedelta(days=LOUGHTON_CYCLE_DAYS))
        self.close(
            leader,
            first,
            adapted_on,
            Result(
                what_happened="They came to one Monday in three: Monday is their own team "
                "meeting. When they came, they changed two decisions about support at home.",
                study="Fewer weeks than we predicted, but more difference each time than we "
                "expected.",
                act=Act.ADAPT,
                act_note="Move to Tuesdays and Thursdays, and in person when they can.",
            ),
        )
        second = self.next(
            leader,
            first.ramp,
            adapted_on,
            Plan(
                change="The VCSE partner joins the huddle on Tuesdays and Thursdays, in person "
                "when they can.",
                prediction="They will come nearly every time and speak to three or four cards.",
                measure="Huddles they came to; cards they spoke to; decisions changed.",
                plan="Added to the partner's diary for four weeks; a seat at the board kept "
                "for them.",
            ),
        )
        second = self.start(leader, second, weekday_on_or_before(adapted_on + timedelta(days=1)))
        adopted_on = weekday_on_or_before(adapted_on + timedelta(days=LOUGHTON_CYCLE_DAYS + 7))
        return self.close(
            leader,
            second,
            adopted_on,
            Result(
                what_happened="They came to seven huddles of eight and spoke to three cards on "
                "average. Twice they knew of a housing problem nobody in the team knew about.",
                study="As predicted, and the team says the huddle feels less like a clinical "
                "meeting with guests.",
                act=Act.ADOPT,
                act_note="Keep it. Ask the peer support worker whether a third day would help.",
            ),
        )

    # --- the practice exchange ------------------------------------------------------------

    def notes(self, huddle_cycle: ChangeCycle) -> int:
        lead = self.d.clinical_lead("cmht_en")
        with clock(_at(self.day(30), 13)):
            coordination = exchange.note_write(
                actor=lead,
                title="Rethinking the care co-ordinator role: what would you keep?",
                what_we_tried="In Epping North, instead of one care co-ordinator holding "
                "everything for each person, the person chooses a key worker from any discipline "
                "— a coach, a peer worker, a nurse — and the daily huddle holds the decisions the "
                "care co-ordinator used to hold alone: zone changes, moves on, positive risk.",
                what_happened="People say they see the person they chose, and that person is "
                "not always a clinician. Key workers say they no longer carry the frightening "
                "decisions alone. Some letters and reviews fell between key workers at first.",
                differently="Agree from the start who writes to the GP and who books reviews, "
                "whatever the key worker's discipline. We would like to hear from teams who "
                "have tried other ways: what did you keep of the care co-ordinator role?",
                contact=lead,
                tags=["replacing care co-ordination", "huddles"],
                team=self.d.teams["cmht_en"],
            )
        with clock(_at(self.day(28), 10)):
            exchange.comment_add(
                actor=self.d.named["vcse"],
                note=coordination,
                text="In our peer support service the first contact is always a peer worker, "
                "with the clinician as second: people told us that was who they wanted first. "
                "Happy to talk it through.",
            )
        with clock(_at(self.day(27), 15)):
            exchange.comment_add(
                actor=self.d.named["voices_rep"],
                note=coordination,
                text="From the lived experience network: please keep one thing — one person who "
                "knows the whole story, so nobody has to tell it again.",
            )
        leader = self.d.team_leader("cmht_lf")
        with clock(_at(weekday_on_or_before(self.today - timedelta(days=4)), 14)):
            partner_note = exchange.note_write(
                actor=leader,
                title="Our VCSE partner in the huddle twice a week",
                what_we_tried="The voluntary sector partner joins the huddle on Tuesdays and "
                "Thursdays, in person when they can, with a seat kept at the board.",
                what_happened="They came to seven huddles of eight. Twice they knew of a housing "
                "problem nobody in the team knew about, and decisions changed.",
                differently="We began on Mondays, the partner's own team meeting day: ask "
                "which days suit them before you start.",
                contact=leader,
                tags=["huddles", "partnership"],
                team=self.d.teams["cmht_lf"],
                from_cycle=huddle_cycle,
            )
        harlow = self.d.member("cmht_hv", "peer-support")
        with clock(_at(weekday_on_or_before(self.today - timedelta(days=2)), 11)):
            echo = exchange.note_write(
                actor=harlow,
                title="A peer worker speaking first at the huddle",
                what_we_tried="For a month, the peer support worker spoke first about each card "
                "in the Amber zone: what matters to the person, before the clinical view.",
                what_happened="Decisions took no longer, and more of them started from what "
                "the person had said they wanted.",
                differently="Tell people in care that we are trying it, and ask what they think.",
                contact=harlow,
                tags=["huddles"],
                team=self.d.teams["cmht_hv"],
            )
            exchange.tried_too_link(actor=harlow, note=echo, earlier=partner_note)
        spa = self.d.named["spa_lead"]
        with clock(_at(self.day(15), 12)):
            exchange.note_write(
                actor=spa,
                title="An offer in the first week at the front door",
                what_we_tried="At the single point of access, the daily front-door meeting "
                "agrees an offer for every new referral within five working days, with the VCSE "
                "and GP partners in the room.",
                what_happened="Most people now hear what is offered within a week, and more "
                "offers are from the voluntary sector than before.",
                differently="Keep a few places in each partner's groups for the front door to "
                "offer straight away.",
                contact=spa,
                tags=["front door"],
            )
        return PracticeNote.objects.count()


def build_improvement(
    directory: DemoDirectory,
    *,
    today: date,
    after_review: tuple[LearningStatement, date],
    after_thematic: tuple[LearningStatement, date],
) -> tuple[int, int]:
    """The tests of change in three teams and the practice notes; how many of each."""
    builder = _Improvement(directory, today)
    builder.epping_north(*after_review)
    builder.harlow_vale(*after_thematic)
    adopted = builder.loughton_forest()
    notes = builder.notes(adopted)
    return Ramp.objects.count(), notes
