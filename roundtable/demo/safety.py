"""Forest Vale's safety plans, formulations, reviews and positive risk-taking plans.

Made through the safety services, as the teams would make them, over the months each person has
been in support (see `roundtable.demo.care`, which makes the people first):

- Everyone on a community team's huddle board in a zone has a **safety plan**, written with them
  in their own words (the Stanley-Brown steps), saved again as a new version when it was last
  reviewed with them, and reviewed in between. Most also have a **formulation** (the five Ps).
- The last review is placed so that each team has **only a few reviews due**: the people in the
  Red zone (reviewed every week) are due within the week, one person in Amber is a few days
  overdue (two in Loughton Forest, whose leaders have been covering the crisis team), and
  everyone else is reviewed well ahead of their zone's next review.
- Each community team has **positive risk-taking plans**: shared at its MDT with the people in
  the room, agreed and **held by leaders** (the team leader, a VCSE partner in the team's
  leadership, or the trust's director of community services), one reviewed after it went well,
  and one open for positions at this week's MDT.

Nothing is scored: there is no rating of risk here, only what the person wants, what helps and
who does what. Everything comes from a seeded `random.Random` and is synthetic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from roundtable.care.models import Episode, PathwayEvent, Stage
from roundtable.decisions import services as decisions
from roundtable.decisions.models import Decision
from roundtable.demo.builder import DemoDirectory, StoryBuilder
from roundtable.demo.care import CMHT_KEYS
from roundtable.demo.history import (
    clock,
    held_meetings,
    present_at,
    weekday_on_or_before,
)
from roundtable.demo.names import CLOSE_TO_THEM, FIRST_NAMES
from roundtable.directory.models import LeadershipMembership, Person
from roundtable.forums.models import ForumKind, local_datetime
from roundtable.safety import services as safety
from roundtable.safety.services import DEFAULT_REVIEW_DAYS

# People in Amber whose review is a few days overdue, per team.
OVERDUE: dict[str, int] = {"cmht_hv": 1, "cmht_en": 1, "cmht_lf": 2}
# People in Blue or Green without a formulation yet, per team: most people have one.
WITHOUT_FORMULATION = 2

# --- The safety plan's steps, in the person's words ----------------------------------------------

# Warning signs anyone might name, beside those of their own story (see `STORIES`).
WARNING_SIGNS: tuple[str, ...] = (
    "I stop answering my phone and stay in bed past midday.",
    "I cancel things I usually enjoy and make excuses not to see people.",
    "I stop looking after myself or the flat.",
    "I leave letters unopened.",
    "I cry at small things and cannot say why.",
    "I stop going to the groups I like.",
)
THINGS_I_CAN_DO: tuple[str, ...] = (
    "Put my headphones on and listen to my playlist from start to finish.",
    "Go for a walk round the park, even for ten minutes.",
    "Have a hot shower and put on clean clothes.",
    "Write down what is in my head, then tear it up.",
    "Do a jigsaw or a crossword until the feeling passes.",
    "Take the dog out for a long walk.",
    "Use the breathing exercise on my phone: in for four, out for six.",
    "Cook something simple I like, even just toast.",
    "Watch an old comedy I know by heart.",
    "Splash cold water on my face and hold something cold.",
    "Draw or colour for half an hour.",
    "Tidy one drawer: something small I can finish.",
    "Play guitar, even badly.",
    "Sit in the garden with a cup of tea.",
)
PEOPLE_AND_PLACES: tuple[str, ...] = (
    "The café at the garden centre, where nobody minds if I sit for a while.",
    "The library: it is quiet and warm.",
    "My neighbour {friend}, for a cup of tea.",
    "The Tuesday walking group at the Recovery Collective.",
    "The allotment: there is always something to do.",
    "Sitting by the river in the park.",
    "My cousin {friend}'s house on a Sunday.",
    "The drop-in at the Open Door Wellbeing Hub.",
    "The swimming pool: a swim clears my head.",
    "Watching the football at the park on a Saturday morning.",
    "The community choir on Thursday evenings.",
    "My friend {friend}'s; we play cards.",
)
RELATIONS: tuple[str, ...] = (*CLOSE_TO_THEM, "uncle")
PEOPLE_TO_ASK: tuple[str, ...] = (
    "My {relation} {name}, who has a copy of this plan; I can ring any time.",
    "My {relation} {name}, who knows the warning signs and will come round.",
    "{name}, my {relation}: I text the word we agreed and get a call back.",
    "My {relation} {name}, in the evenings after work.",
)
SAFER_SURROUNDINGS: tuple[str, ...] = (
    "My {relation} keeps my tablets and gives me a week's supply at a time.",
    "The pharmacy gives me my medication weekly.",
    "I give my car keys to my {relation} when I notice the warning signs.",
    "I took the tablets I had saved up to the pharmacy, with my key worker.",
    "I do not keep alcohol in the flat.",
    "I stay at my {relation}'s if I do not feel safe at home.",
    "I keep this plan on my phone and on the fridge.",
)
WHAT_MATTERS: tuple[str, ...] = (
    "My children, and seeing them every other weekend.",
    "Getting back to work.",
    "My cat, and making sure she is looked after.",
    "Finishing my college course.",
    "My grandson's football on Saturdays.",
    "Keeping my flat.",
    "Singing with the community choir.",
    "My faith and my friends there.",
    "Being well for my {relation}'s wedding in the summer.",
    "My allotment, and growing enough to give some away.",
    "Running again, and maybe a 5k by the spring.",
    "Being a good {relation}.",
)
# A step added when the plan was last reviewed with the person: what they learned since.
LEARNED: tuple[str, ...] = (
    "What worked last time: ringing my {relation} before it got late.",
    "New: going to the drop-in on the days I have nothing planned.",
    "Added after a bad night: sitting with the radio on in the kitchen.",
    "Added after a good month: keep the walking group going.",
    "New: telling my key worker sooner, by text if a call is too much.",
)

# --- The formulation: the five Ps, and what might happen and what would help -------------------


@dataclass(frozen=True)
class Story:
    """What a person's formulation says, and the warning signs they name in their plan.

    Texts may use {first} (the person's first name) and {relation} (someone close to them)."""

    presenting: str
    predisposing: tuple[str, ...]
    precipitating: tuple[str, ...]
    perpetuating: tuple[str, ...]
    protective: tuple[str, ...]
    what_might_happen: str
    warning_signs: tuple[str, ...]


STORIES: tuple[Story, ...] = (
    Story(
        "Low mood and poor sleep for some weeks, with thoughts at night of not wanting to be "
        "here. {first} wants things to change and is talking to us about it.",
        (
            "A long history of depression, first at nineteen.",
            "Bullied through school; low self-worth since.",
        ),
        ("Losing their job in the spring.", "A relationship ending over the summer."),
        (
            "Spending most days alone.",
            "Money worries and letters about debt.",
            "Poor sleep keeping the low mood going.",
        ),
        (
            "Close to their {relation}, who visits every week.",
            "A dog they love and walk every day.",
            "Plans for the future: a course, a job, a holiday.",
        ),
        "If money worries build up again, {first} may stop eating and going "
        "out, and the thoughts at night may get stronger. What helps: more contact for a while, "
        "their {relation} knowing, the safety plan at hand, and a quick way back to the team.",
        (
            "I lie awake going over the same thoughts until it gets light.",
            "I start to feel that everyone would be better off without me.",
            "I skip meals without noticing.",
        ),
    ),
    Story(
        "Critical voices more often since moving flat; more suspicious of neighbours and not "
        "sleeping.",
        (
            "Psychosis first in their twenties; well for long spells since.",
            "Two stays in hospital, both after stopping medication.",
        ),
        ("Moving to a new area away from friends.", "A change of medication."),
        (
            "Stopping medication when the side effects are bad.",
            "Cannabis in the evenings.",
            "Spending most days alone.",
        ),
        (
            "Their faith and the people they worship with.",
            "Engages well with the team and the peer support group.",
            "Close to their {relation}.",
        ),
        "If {first} stops their medication again, the voices may get louder and they may stop "
        "sleeping. What helps: noticing early, a visit within the week, and the pharmacist's help "
        "with side effects.",
        (
            "The voices get louder and tell me I am worthless.",
            "I stop taking my tablets because I think I do not need them.",
            "I keep the curtains shut all day.",
        ),
    ),
    Story(
        "Panic attacks and hardly leaving the house since losing their job.",
        (
            "Anxious since childhood; learned to avoid what frightens them.",
            "A car accident five years ago.",
        ),
        ("Losing their job in the spring.", "A frightening panic attack on a busy bus."),
        (
            "Avoiding the places where panic happened.",
            "Money worries and letters about debt.",
            "Spending most days alone.",
        ),
        (
            "Their children, and wanting to be there for them.",
            "Has come through hard times before and knows what helped.",
            "Close to their {relation}.",
        ),
        "A setback at home could bring the panic back and keep {first} in. What helps: the "
        "breathing steps in their plan, a familiar person to go out with, and not giving up the "
        "groups.",
        (
            "I feel on edge, snap at people and cannot sit still.",
            "I make excuses not to go out, even to the shop.",
            "My heart races as soon as I think about leaving the house.",
        ),
    ),
    Story(
        "Drinking more to get to sleep, low mood, and arguments at home.",
        (
            "Bereaved of their father two years ago.",
            "Drank heavily in their twenties; sober for years after.",
        ),
        ("The anniversary of a death in the family.", "Their {relation} becoming unwell."),
        (
            "Drinking to get to sleep.",
            "Not wanting to be a burden, so not telling people how bad it gets.",
            "Pain from an old injury that limits what they can do.",
        ),
        (
            "Volunteering at the food bank.",
            "Close to their {relation}, who visits every week.",
            "Wants to be well for their grandchildren.",
        ),
        "When {first} is alone for days, they may drink more and think of ending their life. "
        "What helps: something planned every day, the recovery group, and a call from the team "
        "when a day is empty.",
        (
            "I drink on my own in the evenings.",
            "Anniversaries bring it all back for me, especially in the autumn.",
            "I stop answering the door.",
        ),
    ),
    Story(
        "Self-harm when overwhelmed, less often since starting with the team.",
        (
            "Grew up in care; learned to manage alone and finds asking for help hard.",
            "Abuse in a past relationship.",
        ),
        ("A notice to leave from the landlord.", "Contact from someone who hurt them in the past."),
        (
            "Not wanting to be a burden, so not telling people how bad it gets.",
            "Long waits for the help they were promised before.",
            "Poor sleep.",
        ),
        (
            "A close friend who knows the plan.",
            "Engages well with the team and the peer support group.",
            "Plans for the future: a course, a job, a holiday.",
        ),
        "Losing the flat or hearing from the past could overwhelm {first} again. What helps: the "
        "housing officer involved early, the team staying close through any move, and the "
        "distraction steps in their plan.",
        (
            "I feel numb, as if I am watching myself from outside.",
            "I go quiet and stop replying to messages.",
            "I want to be on my own all the time.",
        ),
    ),
    Story(
        "High mood for a fortnight after months of feeling low: little sleep, big plans and "
        "spending.",
        (
            "Bipolar disorder diagnosed ten years ago; two stays in hospital.",
            "Their mother lived with bipolar disorder too.",
        ),
        ("Stopping lithium before a holiday.", "Shift work that broke up their sleep."),
        (
            "Irregular sleep.",
            "Feeling well and so not wanting the medication.",
            "Debts from the last high.",
        ),
        (
            "A partner who knows the early signs.",
            "Their work, which they want to keep.",
            "Engages well with the team.",
        ),
        "If {first} sleeps less than five hours for a few nights, a high may take hold, with "
        "spending and little rest; a low often follows. What helps: their partner saying what "
        "they see, an early appointment, and the plan to hand over cards.",
        (
            "I sleep less than five hours and still feel full of energy.",
            "I start spending money I do not have.",
            "I talk fast and start lots of things at once.",
        ),
    ),
    Story(
        "Exhausted and tearful, caring for a parent while working part time.",
        (
            "Depression after their children were born.",
            "Has always looked after everyone else first.",
        ),
        (
            "Their {relation} becoming unwell and needing care.",
            "A benefits reassessment and the worry about money.",
        ),
        (
            "No time for themselves.",
            "Not wanting to be a burden, so not telling people how bad it gets.",
            "Poor sleep.",
        ),
        (
            "Their faith and the people they worship with.",
            "A sister who helps with the caring.",
            "Singing in the community choir.",
        ),
        "If the caring grows with no break, {first} may stop sleeping and feel there is no way "
        "out. What helps: a carer's assessment, a regular break, and knowing the team will pick "
        "up the phone.",
        (
            "I stop seeing my friends because there is no time.",
            "I feel angry with the person I care for, then guilty.",
            "I stop eating proper meals.",
        ),
    ),
)
REVIEW_NOTES: tuple[str, ...] = (
    "Reviewed with {first} at home; the plan still fits.",
    "Went through the plan together by phone; nothing to change.",
    "Reviewed at the clinic with {first} and their {relation}; still right.",
    "{first} says the plan helped this month; kept as it is.",
    "Reviewed on a walk; {first} wants to keep the same steps.",
)


@dataclass(frozen=True)
class PositiveRiskSpec:
    """A positive risk-taking plan for someone on a community team's board.

    `zones` say whose plan it could be (the first person found, in order), `key_worker` prefers
    a demo login's caseload, `mdt_back` is which past MDT shared it (0: the latest), `state` is
    "open", "agreed" or "reviewed", `review_in` is the review date in days from today, and
    `holders` who holds it: "tl" (the team leader), "vcse" (the VCSE partner in the team's
    leadership) or a slot ref.
    """

    team: str
    zones: tuple[str, ...]
    wants_to: str
    benefits: str
    possible_harms: str
    safeguards: str
    who_does_what: str
    mdt_back: int
    state: str
    review_in: int
    holders: tuple[str, ...] = ()
    key_worker: str | None = None
    concern: str = ""
    review_note: str = ""


POSITIVE_RISK: tuple[PositiveRiskSpec, ...] = (
    PositiveRiskSpec(
        "cmht_hv",
        ("Green", "Blue", "Amber"),
        "Go on a week's walking holiday in the Lake District on their own, staying in youth "
        "hostels",
        "Something they have wanted for years; confidence, fitness and a break from the flat.",
        "Being far from home and from the team if their mood drops; walking alone in bad weather.",
        "A copy of the safety plan on their phone; a text home each evening; routes on marked "
        "paths only; the crisis line's number saved.",
        "Key worker goes through the plan before the trip and rings when they are back; the "
        "peer support worker helps plan the routes.",
        mdt_back=5,
        state="agreed",
        review_in=16,
        holders=("tl", "vcse"),
        key_worker="clinician_a",
        concern="Check the hostels have phone signal before booking.",
    ),
    PositiveRiskSpec(
        "cmht_hv",
        ("Red", "Amber"),
        "Collect their own medication from the pharmacy each week again, instead of each day",
        "Being trusted with their own treatment again; not having to go to the pharmacy every "
        "day, which stops them working.",
        "Having a week's tablets at home while their mood is low.",
        "A locked box their partner holds the key to; the pharmacist rings if a collection is "
        "missed; a review at every huddle for a month.",
        "Key worker sets it up with the pharmacy; the psychiatrist agrees the dose; the team "
        "reviews it at the huddle.",
        mdt_back=0,
        state="open",
        review_in=28,
        concern="Ask the pharmacist to be at the next review.",
    ),
    PositiveRiskSpec(
        "cmht_en",
        ("Amber", "Green"),
        "Volunteer at the animal rescue centre three mornings a week",
        "Routine, company and something they love; a step towards paid work.",
        "Feeling let down if it does not work out; getting very tired in the first weeks.",
        "Start with one morning and build up; the volunteer co-ordinator knows who to call; "
        "the plan is looked at again after a month.",
        "Mental health coach goes on the first morning; key worker checks in each Friday.",
        mdt_back=1,
        state="agreed",
        review_in=20,
        holders=("tl", "trust_director"),
        key_worker="clinician_b",
    ),
    PositiveRiskSpec(
        "cmht_en",
        ("Blue", "Green", "Amber"),
        "Travel alone by train to visit their daughter in Leeds for a weekend",
        "Seeing their daughter and grandchildren for the first time in two years.",
        "Panic on a busy train far from home; a difficult family conversation.",
        "Quiet-coach seats booked; the breathing steps from the safety plan practised on short "
        "trips first; their daughter meets them at the station.",
        "Mental health coach practises the short trips with them; key worker rings on the "
        "Monday after.",
        mdt_back=8,
        state="reviewed",
        review_in=-10,
        holders=("tl",),
        key_worker="lone_coach",
        review_note="The weekend went well: they used the breathing steps once on the train "
        "and are planning the next visit on their own.",
    ),
    PositiveRiskSpec(
        "cmht_lf",
        ("Green", "Blue", "Amber"),
        "Drive again after six months off, starting with short trips to the shops",
        "Independence: getting to work and to their mother's without relying on lifts.",
        "Driving when drowsy from the evening medication.",
        "Drive only in the daytime; the GP and the psychiatrist agree the timing of the dose; "
        "they tell the DVLA as the rules ask.",
        "Key worker checks with the psychiatrist; the team reviews it after a month.",
        mdt_back=2,
        state="agreed",
        review_in=25,
        holders=("trust_director",),
    ),
)
HOLD_MESSAGES: tuple[str, ...] = (
    "I stand behind this with you: ring me if anything worries you.",
    "Held. This is the right thing to try, and the team is not on its own with it.",
    "I hold this with you. If it does not go to plan, we learn together; nobody is blamed.",
    "Behind you on this. Tell me at the huddle how it is going.",
)


@dataclass
class SafetySummary:
    plans: int = 0
    plan_versions: int = 0
    formulations: int = 0
    reviews: int = 0
    positive_risk_plans: int = 0
    held: int = 0


class _Builder(StoryBuilder):
    def __init__(self, directory: DemoDirectory, *, seed: int, today: date) -> None:
        super().__init__(directory, stream="safety", seed=seed, today=today)
        self.summary = SafetySummary()
        self.stories: dict[int, Story] = {}
        self.leaders = {key: directory.team_leader(key) for key in CMHT_KEYS}

    # --- when -----------------------------------------------------------------------------

    def moment(self, day: date, hour: int) -> datetime:
        return local_datetime(day, time(hour, self.rng.choice((0, 15, 30, 45))))

    def episodes(self, key: str) -> list[Episode]:
        """The team's people on its huddle board in a zone, in the order they were made."""
        return list(
            Episode.objects.filter(
                team=self.d.teams[key],
                closed_at__isnull=True,
                zone__isnull=False,
                stage__in=[Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON],
            )
            .select_related("person__gp_practice", "zone", "key_worker", "team")
            .order_by("pk")
        )

    def support_started(self, episode: Episode) -> date:
        event = (
            PathwayEvent.objects.filter(episode=episode, to_stage=Stage.IN_SUPPORT)
            .order_by("at", "pk")
            .first()
        )
        return timezone.localdate(event.at if event else episode.referred_at)

    def last_reviews(self, key: str, episodes: list[Episode]) -> dict[int, int]:
        """How many days ago each person's plan was last reviewed, so that only a few are due:
        the Red zone weekly (due this week), `OVERDUE[key]` people in Amber a few days late, and
        everyone else well before their zone's next review. Days are moved back to a weekday
        later, by up to two days; these leave room for that."""
        ago: dict[int, int] = {}
        overdue = OVERDUE.get(key, 0)
        red = iter((1, 3, 2, 4))
        for episode in episodes:
            assert episode.zone is not None
            colour = episode.zone.colour
            if colour == "red":
                ago[episode.pk] = next(red, 2)
            elif colour == "amber" and overdue:
                ago[episode.pk] = 16 + 3 * (OVERDUE[key] - overdue)  # 2 to 7 days overdue
                overdue -= 1
            elif colour == "amber":
                ago[episode.pk] = self.rng.randint(1, 4)  # due in 8 to 13 days
            elif colour == "green":
                ago[episode.pk] = self.rng.randint(20, 70)
            elif colour == "blue":
                ago[episode.pk] = self.rng.randint(30, 150)
            else:  # ready to move on: every 28 days
                ago[episode.pk] = self.rng.randint(4, 14)
        return ago

    # --- the words ------------------------------------------------------------------------

    def pick(self, options: tuple[str, ...], count: int) -> str:
        return "\n".join(self.rng.sample(options, count))

    def plan_values(self, episode: Episode) -> dict[str, str]:
        person = episode.person
        relation = self.rng.choice(RELATIONS)
        others = [r for r in RELATIONS if r != relation]
        practice = person.gp_practice.name if person.gp_practice else "my GP practice"
        key_worker = episode.key_worker.full_name if episode.key_worker else "the duty worker"
        # Names for the people in their life: anyone's but their own.
        names = self.rng.sample([n for n in FIRST_NAMES if n != person.name.split()[0]], 3)
        asks = self.rng.sample(PEOPLE_TO_ASK, 2)
        people_to_ask = [asks[0].format(relation=relation, name=names[0])]
        if self.rng.random() < 0.6:
            people_to_ask.append(asks[1].format(relation=self.rng.choice(others), name=names[1]))
        story = self.story(episode)
        signs = [*self.rng.sample(story.warning_signs, 2), *self.rng.sample(WARNING_SIGNS, 1)]
        return {
            "warning_signs": "\n".join(signs[: self.rng.randint(2, 3)]),
            "things_i_can_do": self.pick(THINGS_I_CAN_DO, self.rng.randint(2, 4)),
            "people_and_places": "\n".join(
                place.format(friend=names[2]) for place in self.rng.sample(PEOPLE_AND_PLACES, 2)
            ),
            "people_to_ask": "\n".join(people_to_ask),
            "professionals": (
                f"{key_worker}, my key worker at the {episode.team.name}, on weekdays.\n"
                f"My GP at {practice}.\n"
                "NHS 111, option 2, for the mental health crisis line, day or night.\n"
                "Samaritans on 116 123, any time."
            ),
            "safer_surroundings": self.rng.choice(SAFER_SURROUNDINGS).format(relation=relation),
            "what_matters": self.rng.choice(WHAT_MATTERS).format(relation=relation),
        }

    def written_with(self, episode: Episode) -> str:
        first = episode.person.name.split()[0]
        key_worker = episode.key_worker.full_name if episode.key_worker else "the duty worker"
        return self.rng.choice(
            (
                f"{first}, with {key_worker} (key worker)",
                f"{first} and their {self.rng.choice(RELATIONS)}, with {key_worker}",
                f"{first}, at home, with {key_worker} and the peer support worker",
                f"{first}, with {key_worker}; their {self.rng.choice(RELATIONS)} joined by phone",
            )
        )

    def story(self, episode: Episode) -> Story:
        """Each person's story, the same for their plan and their formulation."""
        if episode.pk not in self.stories:
            self.stories[episode.pk] = self.rng.choice(STORIES)
        return self.stories[episode.pk]

    def formulation_values(self, episode: Episode) -> dict[str, str]:
        story = self.story(episode)
        first = episode.person.name.split()[0]
        relation = self.rng.choice(RELATIONS)
        return {
            "presenting": story.presenting.format(first=first),
            "predisposing": self.rng.choice(story.predisposing),
            "precipitating": self.rng.choice(story.precipitating).format(relation=relation),
            "perpetuating": self.pick(story.perpetuating, 2),
            "protective": self.pick(story.protective, 2).format(relation=relation),
            "what_might_happen": story.what_might_happen.format(first=first, relation=relation),
        }

    # --- plans, formulations and reviews --------------------------------------------------

    def build_plans(self, key: str) -> None:
        episodes = self.episodes(key)
        last = self.last_reviews(key, episodes)
        spare = [
            e.pk for e in episodes if e.zone is not None and e.zone.colour in ("green", "blue")
        ]
        without_formulation = set(spare[-WITHOUT_FORMULATION:])
        for episode in episodes:
            assert episode.zone is not None
            author = episode.key_worker or self.leaders[key]
            person = episode.person
            first = person.name.split()[0]
            started = self.support_started(episode)
            final = weekday_on_or_before(self.today - timedelta(days=last[episode.pk]))
            final = max(final, started + timedelta(days=1))
            written = started + timedelta(days=self.rng.randint(2, 9))
            every = DEFAULT_REVIEW_DAYS[episode.zone.colour]
            values = self.plan_values(episode)
            saves: list[tuple[date, dict[str, str]]] = []
            if written < final - timedelta(days=7):
                saves.append((weekday_on_or_before(written), values))
                updated = dict(values)
                step = self.rng.choice(LEARNED).format(relation=self.rng.choice(RELATIONS))
                updated["things_i_can_do"] = f"{values['things_i_can_do']}\n{step}"
                saves.append((final, updated))
            else:
                saves.append((final, values))
            plan = None
            for index, (day, texts) in enumerate(saves):
                last_save = index == len(saves) - 1
                review_on = day + timedelta(days=every if last_save else 28)
                with clock(self.moment(day, 11 + index)):
                    plan = safety.safety_plan_save(
                        actor=author,
                        person=person,
                        values=texts,
                        written_with=self.written_with(episode),
                        review_on=review_on,
                        expected_version=plan.version if plan else None,
                    )
                self.summary.plan_versions += 1
                self.summary.reviews += 1
                if not last_save:
                    self.reviews_between(episode, author, day, saves[index + 1][0], first)
            self.summary.plans += 1
            if episode.pk not in without_formulation:
                with clock(self.moment(saves[0][0], 14)):
                    safety.safety_formulation_save(
                        actor=author, person=person, values=self.formulation_values(episode)
                    )
                self.summary.formulations += 1

    def reviews_between(
        self, episode: Episode, author: Person, after: date, before: date, first: str
    ) -> None:
        """A review or two with the person between two versions of the plan."""
        gap = (before - after).days
        if gap < 20:
            return
        for share in sorted(self.rng.sample((0.3, 0.5, 0.7), self.rng.randint(1, 2))):
            day = weekday_on_or_before(after + timedelta(days=int(gap * share)))
            if not after < day < before:
                continue
            note = self.rng.choice(REVIEW_NOTES).format(
                first=first, relation=self.rng.choice(RELATIONS)
            )
            with clock(self.moment(day, 15)):
                safety.safety_review_record(actor=author, person=episode.person, note=note)
            self.summary.reviews += 1

    # --- positive risk-taking plans -------------------------------------------------------

    def holder(self, key: str, who: str) -> Person:
        if who == "tl":
            return self.leaders[key]
        if who == "vcse":
            return LeadershipMembership.objects.get(
                leadership_team__team=self.d.teams[key], role="VCSE partner"
            ).person
        return self.d.named[who]

    def whose(self, spec: PositiveRiskSpec, used: set[int]) -> Episode:
        """The person the plan is for: the first in one of the zones (in order) on a demo
        login's caseload if the spec names one, else on a caseload of no demo login."""
        episodes = [e for e in self.episodes(spec.team) if e.pk not in used]
        personas = self.d.named_ids()
        wanted = self.d.named[spec.key_worker].pk if spec.key_worker else None

        def on_caseload(episode: Episode) -> bool:
            if wanted is not None:
                return episode.key_worker_id == wanted
            return episode.key_worker_id not in personas

        def zone_of(episode: Episode) -> str:
            return episode.zone.name if episode.zone else ""

        for zone in spec.zones:
            for episode in episodes:
                if zone_of(episode) == zone and on_caseload(episode):
                    return episode
        for episode in episodes:
            if on_caseload(episode):
                return episode
        for zone in spec.zones:
            for episode in episodes:
                if zone_of(episode) == zone:
                    return episode
        return episodes[0]

    def build_positive_risk(self) -> None:
        used: set[int] = set()
        personas = self.d.named_ids()
        for spec in POSITIVE_RISK:
            episode = self.whose(spec, used)
            used.add(episode.pk)
            forum = self.d.forum(spec.team, ForumKind.MDT)
            meetings = held_meetings(forum, self.window)
            started = self.support_started(episode)
            back = spec.mdt_back
            while back > 0 and timezone.localdate(meetings[-1 - back].starts_at) <= started:
                back -= 1
            meeting = meetings[-1 - back]
            proposer = episode.key_worker or self.leaders[spec.team]
            review_on = max(
                self.today + timedelta(days=spec.review_in),
                timezone.localdate(meeting.starts_at) + timedelta(days=14),
            )
            with clock(meeting.starts_at + timedelta(minutes=40)):
                decision = safety.positive_risk_propose(
                    actor=proposer,
                    episode=episode,
                    forum=forum,
                    wants_to=spec.wants_to,
                    benefits=spec.benefits,
                    possible_harms=spec.possible_harms,
                    safeguards=spec.safeguards,
                    who_does_what=spec.who_does_what,
                    review_on=review_on,
                    meeting=meeting,
                )
            self.summary.positive_risk_plans += 1
            # Those in the room from the team take part; an open plan still waits for the demo
            # logins, so that each of them can give a position.
            team_ids = {p.pk for _, _, p in self.d.roster_people[spec.team]}
            present = present_at(meeting, team_ids)
            if spec.state == "open":
                present = [p for p in present if p.pk not in personas]
                present = present[: max(2, len(present) // 3)]
            stances: dict[Person, tuple[str, str]] = {p: ("consent", "") for p in present}
            others = [p for p in present if p.pk != proposer.pk]
            if spec.concern and len(others) > 1:
                stances[others[1]] = ("concern", spec.concern)
            if stances:
                with clock(meeting.starts_at + timedelta(minutes=50)):
                    decisions.consent_round(
                        actor=proposer, decision=decision, meeting=meeting, positions=stances
                    )
            if spec.state == "open":
                continue
            first = episode.person.name.split()[0]
            with clock(meeting.starts_at + timedelta(minutes=55)):
                decision = decisions.decision_decide(
                    actor=proposer,
                    decision=decision,
                    agreed=True,
                    outcome=f"Agreed: {first} goes ahead as planned, with the safeguards in "
                    f"place; reviewed on {review_on.day} {review_on:%B %Y}.",
                    rationale=f"It matters to {first}'s recovery and they chose it; the "
                    "possible harms are understood and the safeguards were agreed with them. "
                    "The team shares the decision.",
                )
            self.hold(decision, spec, meeting.starts_at)
            if spec.state == "reviewed":
                with clock(local_datetime(weekday_on_or_before(review_on), time(14, 0))):
                    decisions.decision_review(
                        actor=proposer, decision=decision, note=spec.review_note
                    )

    def hold(self, decision: Decision, spec: PositiveRiskSpec, at: datetime) -> None:
        messages = self.rng.sample(HOLD_MESSAGES, len(spec.holders))
        for index, (who, message) in enumerate(zip(spec.holders, messages, strict=True)):
            with clock(at + timedelta(hours=2 + 20 * index)):
                decisions.hold_add(
                    actor=self.holder(spec.team, who), decision=decision, message=message
                )
            self.summary.held += 1


def build_safety(
    directory: DemoDirectory, *, seed: int, today: date, say: Callable[[str], None]
) -> SafetySummary:
    """Safety plans, formulations and reviews for the community teams' boards, and positive
    risk-taking plans shared at their MDTs and held by leaders."""
    builder = _Builder(directory, seed=seed, today=today)
    for key in CMHT_KEYS:
        builder.build_plans(key)
    builder.build_positive_risk()
    summary = builder.summary
    say(f"  safety plans        {summary.plans:>5}")
    say(f"    versions          {summary.plan_versions:>5}")
    say(f"    reviews           {summary.reviews:>5}")
    say(f"  formulations        {summary.formulations:>5}")
    say(f"  positive risk-taking plans {summary.positive_risk_plans}")
    say(f"    holds by leaders  {summary.held:>5}")
    return summary
