"""Forest Vale's learning, not blame: three stories of how teams learned from what happened.

Made through the learning services, as the teams would make them, on the days the stories
happen: each call is made inside `clock(moment)` (see `roundtable.demo.history`), so the services'
own checks ("not in the future", "held on or after the event") read the story's day, and the
audit trail dates each step when it happened. The people in care come from
`roundtable.demo.care`, which runs first.

- **A death on the lone coach's caseload.** Someone in Epping North whose key worker is Jordan
  Ellis, the only mental health coach in the locality, died at home about three weeks ago. The
  team leader recorded it the same day and held a SWARM huddle that afternoon with Jordan, the
  team's VCSE partner and — as compassionate engagement — the person's brother. About a week
  later the team held an After Action Review: two learning statements and two safety actions,
  one done (with the evidence that it was) and one a few days overdue.
- **A thematic review across two community teams.** Harlow Vale and Loughton Forest each had a
  near miss where someone moved on to their GP and the plan agreed with them never reached the
  practice. The trust's director of community services, who leads both teams, links the two in a
  thematic review, still open, with one learning statement and one action due in a few weeks.
  The two events name nobody: a response is seen only by those who see every event it covers,
  and nobody (not even the director) sees the people of both teams, so a review of events that
  named them would be seen by no one. The events say what happened without naming the person.
- **Support after the death**: the team leader offers support to the coach, who takes it up
  that evening, and to the VCSE partner, who has not answered yet.

What the teams then tried (tests of change) and shared (practice notes) is
`roundtable.demo.improvement`.

Nothing here grades anyone or looks for someone to blame; there is no rating of risk. Everything
is synthetic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from roundtable.care.models import Episode, Stage
from roundtable.demo.builder import DemoDirectory, StoryBuilder
from roundtable.demo.history import clock, weekday_on_or_before
from roundtable.demo.improvement import build_improvement
from roundtable.directory.models import Organisation, Person, Team
from roundtable.forums.models import local_datetime
from roundtable.learning import services as learning
from roundtable.learning.models import (
    ActionEvent,
    ActionStatus,
    ChangeCycle,
    ContributoryFactor,
    CycleEvent,
    EventKind,
    LearningEvent,
    LearningResponse,
    LearningStatement,
    Participant,
    PracticeComment,
    PracticeNote,
    PracticeTag,
    Ramp,
    ResponseEvent,
    ResponseKind,
    SafetyAction,
    SupportAfterEvent,
    TakenUp,
    TookPart,
    TriedToo,
    WorkSystem,
)
from roundtable.learning.services import support
from roundtable.safety.models import PositiveRiskPlan

# Days before the reference day (moved back to a weekday where people meet).
DIED_AGO = 20
REVIEWED_AGO = 12
# The After Action Review's actions: one done before it was due, one overdue by this many days.
DONE_DUE_AGO = 5
OVERDUE_BY = 3
# The thematic review's near misses, the review itself, and its action.
HARLOW_NEAR_MISS_AGO = 45
LOUGHTON_NEAR_MISS_AGO = 26
THEMATIC_AGO = 7
THEMATIC_ACTION_DUE_IN = 28


@dataclass
class LearningSummary:
    events: int = 0
    responses: int = 0
    actions: int = 0
    overdue: int = 0
    support: int = 0
    ramps: int = 0
    notes: int = 0


def delete_learning() -> None:
    """Everything learning holds, children first: run by a reset before people in care, teams
    and people go, which its records protect (and before wellbeing's support offered)."""
    TriedToo.objects.all().delete()
    PracticeComment.objects.all().delete()
    PracticeNote.objects.all().delete()
    PracticeTag.objects.all().delete()
    CycleEvent.objects.all().delete()
    ChangeCycle.objects.all().delete()
    Ramp.objects.all().delete()
    SupportAfterEvent.objects.all().delete()
    ActionEvent.objects.all().delete()
    SafetyAction.objects.all().delete()
    LearningStatement.objects.all().delete()
    Participant.objects.all().delete()
    ContributoryFactor.objects.all().delete()
    ResponseEvent.objects.all().delete()
    LearningResponse.objects.all().delete()
    LearningEvent.objects.all().delete()


@dataclass(frozen=True)
class Taking:
    """Someone who took part in a response: a colleague, or someone described."""

    took_part_as: str
    person: Person | None = None
    described_as: str = ""
    organisation: Organisation | None = None


class _Builder(StoryBuilder):
    def __init__(self, directory: DemoDirectory, *, seed: int, today: date) -> None:
        super().__init__(directory, stream="learning", seed=seed, today=today)

    # --- what the stories need ---------------------------------------------------------------

    def day(self, days_ago: int) -> date:
        """A weekday `days_ago` days before the reference day (Friday for a weekend)."""
        return weekday_on_or_before(self.today - timedelta(days=days_ago))

    @staticmethod
    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return local_datetime(day, time(hour, minute))

    def the_coachs_person(self, died_on: date) -> Episode:
        """Someone on the lone coach's caseload in Epping North, in support since well before
        `died_on`, and without a positive risk-taking plan (whose story is told elsewhere)."""
        since = local_datetime(died_on - timedelta(days=60), time(0, 0))
        episode = (
            Episode.objects.filter(
                team=self.d.teams["cmht_en"],
                key_worker=self.d.named["lone_coach"],
                closed_at__isnull=True,
                stage__in=[Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON],
                referred_at__lt=since,
            )
            .exclude(pk__in=PositiveRiskPlan.objects.values("episode_id"))
            .select_related("person", "person__gp_practice")
            .order_by("referred_at", "pk")
            .first()
        )
        if episode is None:
            raise RuntimeError("Nobody on the lone coach's caseload for the learning story.")
        return episode

    def respond(
        self,
        actor: Person,
        kind: str,
        events: list[LearningEvent],
        *,
        at: datetime,
        answers: dict[str, str],
        factors: list[tuple[str, str]],
        took_part: list[Taking],
        team: Team | None = None,
    ) -> LearningResponse:
        """A response held at `at`: started, its answers written, what made a difference and
        who took part recorded."""
        held_on = timezone.localdate(at)
        with clock(at):
            response = learning.response_start(
                actor=actor, kind=kind, events=events, held_on=held_on, team=team
            )
        with clock(at + timedelta(minutes=40)):
            response = learning.response_update(
                actor=actor,
                response=response,
                expected_version=response.version,
                held_on=held_on,
                **answers,
            )
            for element, note in factors:
                learning.factor_add(actor=actor, response=response, element=element, note=note)
            for taking in took_part:
                learning.participant_add(
                    actor=actor,
                    response=response,
                    took_part_as=taking.took_part_as,
                    person=taking.person,
                    described_as=taking.described_as,
                    organisation=taking.organisation,
                )
        return response

    def finish(self, actor: Person, response: LearningResponse, at: datetime) -> None:
        with clock(at):
            learning.response_finish(
                actor=actor, response=response, expected_version=response.version
            )

    # --- a death on the lone coach's caseload ------------------------------------------------

    def build_death(self) -> tuple[LearningStatement, date]:
        team = self.d.teams["cmht_en"]
        leader = self.d.team_leader("cmht_en")
        coach = self.d.named["lone_coach"]
        coach_first = coach.full_name.split()[0]
        partner = self.d.member("cmht_en", "vcse-practitioner")
        died_on = self.day(DIED_AGO)
        episode = self.the_coachs_person(died_on)
        first = episode.person.name.split()[0]
        since = timezone.localdate(episode.referred_at)

        with clock(self.at(died_on, 12, 45)):
            event = learning.event_record(
                actor=leader,
                team=team,
                kind=EventKind.HAPPENED,
                title=f"{first} died at home",
                what_happened=(
                    f"{first} died at home this morning. Their brother found them and rang the "
                    f"team base at midday. {first} had been supported by the team since "
                    f"{since:%B %Y}, with {coach.full_name}, mental health coach, as their key "
                    "worker. The police and the coroner's officer have been told, as for any "
                    f"unexpected death. How {first} died is not yet known."
                ),
                happened_on=died_on,
                place="At home",
                episode=episode,
            )

        # The same afternoon: a SWARM huddle with those closest to what happened.
        swarm = self.respond(
            leader,
            ResponseKind.SWARM,
            [event],
            at=self.at(died_on, 15),
            answers={
                "what_happened": (
                    f"{first} died at home. {coach_first} last saw {first} eight days ago at the "
                    f"walking group they went to together; {first} seemed brighter and talked "
                    f"about what they wanted to do next. A planned call three days ago was not "
                    f"answered, and {coach_first} left a message."
                ),
                "what_was_expected": (
                    f"Weekly contact with {coach_first}, as agreed in {first}'s plan, and a joint "
                    "visit with the peer support worker this week. "
                    f"{first} knew to ring the team, or NHS 111 (option 2), if things got harder."
                ),
                "why_different": (
                    "We do not know yet. What we know so far: after the unanswered call there "
                    f"was no agreed next step; {coach_first} is the only coach in Epping North "
                    f"and was covering visits across the locality that week; {first}'s plan "
                    "named their brother, who did not know that contact had paused."
                ),
                "what_now": (
                    f"{coach_first} is supported first: time with the team leader tomorrow and "
                    "at the coaches' peer circle. The team leader writes to the family and "
                    "offers to meet them. An After Action Review within a fortnight, with "
                    "everyone involved and the family if they wish. The usual notifications "
                    "are made today."
                ),
            },
            factors=[
                (
                    WorkSystem.TASKS,
                    "When an agreed call is not answered, nothing says what happens next or who "
                    "decides it.",
                ),
                (
                    WorkSystem.ORGANISATION,
                    "One coach covers the whole locality: that week the visits were spread thin "
                    "and there was nobody in the same role to share them with.",
                ),
                (
                    WorkSystem.PERSON,
                    f"{coach_first} had been worried about working alone and said so; the peer "
                    "circle helps, but meets every four weeks.",
                ),
            ],
            took_part=[
                Taking(TookPart.STAFF, person=coach),
                Taking(TookPart.STAFF, person=leader),
                Taking(TookPart.PARTNER, person=partner),
                Taking(
                    TookPart.FAMILY,
                    described_as="Their brother, who spoke with the team leader by phone",
                ),
            ],
        )
        self.finish(leader, swarm, self.at(died_on, 16))

        # Support for those closest to it: the coach takes it up that evening; the VCSE partner
        # has not answered yet.
        with clock(self.at(died_on, 16, 20)):
            offered = support.support_offer(
                actor=leader,
                event=event,
                person=coach,
                what="Time with me tomorrow morning, and every day this week if you want it; "
                "the coaches' peer circle will meet early this week.",
            )
            support.support_offer(
                actor=leader,
                event=event,
                person=partner,
                what="A call with me this week, and a place at Thursday's reflective practice.",
            )
        with clock(self.at(died_on, 18, 5)):
            support.support_answer(
                actor=coach,
                support=offered,
                expected_version=offered.version,
                taken_up=TakenUp.ACCEPTED,
            )

        # About a week later: an After Action Review with everyone involved.
        reviewed_on = self.day(REVIEWED_AGO)
        practice = episode.person.gp_practice
        took_part = [
            Taking(TookPart.STAFF, person=coach),
            Taking(TookPart.STAFF, person=leader),
            Taking(TookPart.STAFF, person=self.d.clinical_lead("cmht_en")),
            Taking(TookPart.STAFF, person=self.d.member("cmht_en", "peer-support")),
            Taking(TookPart.PARTNER, person=partner),
        ]
        if practice is not None:
            took_part.append(
                Taking(
                    TookPart.PARTNER,
                    described_as=f"The GP from {practice.name}",
                    organisation=practice,
                )
            )
        took_part.append(
            Taking(
                TookPart.FAMILY,
                described_as="Their brother, who met the team leader at home the day before "
                "and asked that what he said be shared",
            )
        )
        review = self.respond(
            leader,
            ResponseKind.AFTER_ACTION_REVIEW,
            [event],
            at=self.at(reviewed_on, 10),
            answers={
                "what_was_expected": (
                    f"{first} was planning the next steps with the team: weekly contact with "
                    f"{coach_first}, a joint visit with the peer support worker, and a safety "
                    f"plan {first} had written and shared with their brother. If a contact was "
                    f"missed, we expected to hear from {first} or to reach them within a day or "
                    "two."
                ),
                "what_happened": (
                    "One call was not answered, and a message was left. The next visit was a "
                    "week away. Nobody else in the team knew the call had been missed, and "
                    f"{first}'s brother did not know either. {first} died at home three days "
                    "later. The coroner will say how; we do not know."
                ),
                "why_different": (
                    "Unanswered calls are written in the record, but nothing brings them to the "
                    "huddle, and the huddle board shows zones, not missed contact. "
                    f"{coach_first} works alone in the locality and covers visits across it, so "
                    f"there was nobody to share the follow-up with. {first}'s plan named their "
                    "brother, but we had never agreed with them when we would ring him."
                ),
                "what_we_learn": (
                    "Two things other teams can use, written below. And that the support for "
                    f"{coach_first} after {first}'s death helped: the peer circle met two days "
                    "later, and the team leader made time every day that week."
                ),
            },
            factors=[
                (
                    WorkSystem.TASKS,
                    "Following up an unanswered call is left to the key worker alone.",
                ),
                (
                    WorkSystem.TOOLS,
                    "The huddle board shows each person's zone, but not a contact that was missed.",
                ),
                (
                    WorkSystem.ORGANISATION,
                    "One coach for the whole locality, with no cover when visits are busy.",
                ),
            ],
            took_part=took_part,
        )
        with clock(self.at(reviewed_on, 11, 30)):
            huddle = learning.statement_add(
                actor=leader,
                response=review,
                text="When someone we support does not answer an agreed contact, it comes to "
                "the next huddle, and the team decides the next step together, not the key "
                "worker alone.",
            )
            family = learning.statement_add(
                actor=leader,
                response=review,
                text="Agree with each person, in their safety plan, when we may contact the "
                "people close to them, so that family can be asked when contact is lost.",
            )
            agenda = learning.action_add(
                actor=leader,
                response=review,
                description="Add missed contacts to the daily huddle, straight after the Red "
                "zone, with the next step agreed for each.",
                owner=leader,
                due_on=self.today - timedelta(days=DONE_DUE_AGO),
                statement=huddle,
            )
            plans = learning.action_add(
                actor=leader,
                response=review,
                description="Ask everyone on the team's caseload, at their next safety plan "
                "review, when we may contact the people close to them, and write it in the "
                "plan.",
                owner=self.d.clinical_lead("cmht_en"),
                due_on=self.today - timedelta(days=OVERDUE_BY),
                statement=family,
            )
        self.finish(leader, review, self.at(reviewed_on, 12))

        # A few days later the huddle's new item starts, and the plans are under way; the next
        # working day the huddle's item is done. The plans are not, and are now overdue.
        started = weekday_on_or_before(reviewed_on + timedelta(days=3))
        done_on = started + timedelta(days=3 if started.weekday() == 4 else 1)
        with clock(self.at(started, 9, 40)):
            agenda = learning.action_progress(
                actor=leader,
                action=agenda,
                expected_version=agenda.version,
                to_status=ActionStatus.IN_PROGRESS,
            )
        with clock(self.at(started, 14)):
            learning.action_progress(
                actor=plans.owner,
                action=plans,
                expected_version=plans.version,
                to_status=ActionStatus.IN_PROGRESS,
            )
        with clock(self.at(done_on, 16)):
            learning.action_progress(
                actor=leader,
                action=agenda,
                expected_version=agenda.version,
                to_status=ActionStatus.DONE,
                evidence=f"Missed contacts is on the huddle's agenda from {started.day} "
                f"{started:%B}. In its first two days the huddle picked up three missed contacts "
                "and agreed a next step for each.",
                completed_on=done_on,
            )
        return huddle, reviewed_on

    # --- a thematic review across two community teams ----------------------------------------

    def near_miss(
        self, key: str, recorder: Person, days_ago: int, title: str, what_happened: str
    ) -> LearningEvent:
        day = self.day(days_ago)
        with clock(self.at(day, 16)):
            return learning.event_record(
                actor=recorder,
                team=self.d.teams[key],
                kind=EventKind.NEAR_MISS,
                title=title,
                what_happened=what_happened,
                happened_on=day,
                place="Team base",
            )

    def build_thematic(self) -> tuple[LearningStatement, date]:
        harlow_nurse = self.d.member("cmht_hv", "nursing")
        loughton_nurse = self.d.member("cmht_lf", "nursing")
        harlow = self.near_miss(
            "cmht_hv",
            harlow_nurse,
            HARLOW_NEAR_MISS_AGO,
            "A move-on plan did not reach the GP",
            "Six weeks after someone moved on from the team to their GP, the practice's mental "
            "health practitioner rang to ask for the plan. Our letter had gone to the "
            "practice's old e-mail address and nobody there had seen it. The person was well, "
            "but had not had the six-week review the plan set out. We sent the plan the same "
            "day and the practice booked the review.",
        )
        loughton = self.near_miss(
            "cmht_lf",
            loughton_nurse,
            LOUGHTON_NEAR_MISS_AGO,
            "A move-on letter waited for a signature",
            "Someone who had moved on from the team to their GP came back through the front "
            "door three weeks later. The move-on letter was still waiting for a signature, so "
            "the GP did not know the plan, or that the person could come straight back to us. "
            "They came to no harm and are back with their key worker.",
        )
        director = self.d.named["trust_director"]
        held_on = self.day(THEMATIC_AGO)
        review = self.respond(
            director,
            ResponseKind.THEMATIC_REVIEW,
            [harlow, loughton],
            team=self.d.teams["cmht_hv"],
            at=self.at(held_on, 14),
            answers={
                "what_happened": (
                    "In both, someone moved on from a community team to their GP and the plan "
                    "agreed with them did not reach the practice: once it went to an old e-mail "
                    "address, once it waited for a signature. Neither team knew until the "
                    "practice or the person got in touch, and in both the follow-up the person "
                    "had agreed to did not happen on time."
                ),
                "why_different": (
                    "Sending the letter is the last step of a move on; nothing asks us to check "
                    "that it arrived. Practices' addresses change and our list is kept up to "
                    "date by hand. Letters wait for a doctor's signature, though the plan was "
                    "agreed at the MDT. Each team has found its own way round, so neither knew "
                    "the other had the same gap."
                ),
                "what_we_learn": (
                    "A move on ends when the GP has the plan, not when we send it. The gap is "
                    "the same in every team, so the change is the trust's to make once, with "
                    "the primary care networks."
                ),
            },
            factors=[
                (
                    WorkSystem.TASKS,
                    "Nothing in the move on asks anyone to check that the GP has the plan.",
                ),
                (
                    WorkSystem.TOOLS,
                    "Practices' e-mail addresses are kept by hand in each team's own list.",
                ),
                (
                    WorkSystem.ORGANISATION,
                    "A plan agreed at the MDT still waits for a doctor's signature before it "
                    "is sent.",
                ),
            ],
            took_part=[
                Taking(TookPart.STAFF, person=harlow_nurse),
                Taking(TookPart.STAFF, person=loughton_nurse),
                Taking(TookPart.PARTNER, person=self.d.team_leader("pc_hv")),
                Taking(TookPart.PARTNER, person=self.d.team_leader("pc_lf")),
                Taking(TookPart.PARTNER, person=self.d.named["voices_rep"]),
            ],
        )
        with clock(self.at(held_on, 15, 30)):
            statement = learning.statement_add(
                actor=director,
                response=review,
                text="A move on is finished when the GP has the plan, not when we send it: the "
                "key worker checks with the practice within a week.",
            )
            learning.action_add(
                actor=director,
                response=review,
                description="Agree one shared inbox for move-on plans with every practice in "
                "both primary care networks, and add 'the GP has the plan' to the end of every "
                "move on.",
                owner=self.d.named["spa_lead"],
                due_on=self.today + timedelta(days=THEMATIC_ACTION_DUE_IN),
                statement=statement,
            )
        return statement, held_on


def build_learning(
    directory: DemoDirectory, *, seed: int, today: date, say: Callable[[str], None]
) -> LearningSummary:
    """A death on the lone coach's caseload with its SWARM huddle, support and After Action
    Review; a thematic review of two near misses in two community teams; then the tests of
    change and practice notes that follow."""
    builder = _Builder(directory, seed=seed, today=today)
    after_review = builder.build_death()
    after_thematic = builder.build_thematic()
    ramps, notes = build_improvement(
        directory, today=today, after_review=after_review, after_thematic=after_thematic
    )
    summary = LearningSummary(
        events=LearningEvent.objects.count(),
        responses=LearningResponse.objects.count(),
        actions=SafetyAction.objects.count(),
        overdue=SafetyAction.objects.filter(due_on__lt=today)
        .exclude(status=ActionStatus.DONE)
        .count(),
        support=SupportAfterEvent.objects.count(),
        ramps=ramps,
        notes=notes,
    )
    say(f"  learning events     {summary.events:>5}")
    say(f"  learning responses  {summary.responses:>5}")
    say(f"  safety actions      {summary.actions:>5}")
    say(f"    overdue           {summary.overdue:>5}")
    say(f"  support offered     {summary.support:>5}")
    say(f"  tests of change     {summary.ramps:>5}")
    say(f"  practice notes      {summary.notes:>5}")
    return summary
