"""Learning, not blame: what happened, how the team learned from it, and what it changed.

The conventions are those of the NHS Patient Safety Incident Response Framework (PSIRF) and its
learning-response toolkit: a proportionate response chosen by the team with its leadership,
system-based learning (SEIPS work-system factors), compassionate engagement of the people
involved. Nothing here grades people or looks for someone to blame: no model has a field for
fault, blame, severity, "who was responsible" or "root cause"
(`roundtable/learning/tests/test_no_blame.py` reads every field to keep it so).

An event may name a person in care; it is then seen only by those who may see that person
(`roundtable.learning.access`), and so is every response that covers it.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from roundtable.care.models import Episode, PersonInCare
from roundtable.core.models import TimeStampedModel, VersionedModel
from roundtable.core.transitions import StateMachine
from roundtable.directory.models import Organisation, Person, Team

LONG_TEXT = 20_000  # characters: a page or two of plain words, never a pasted record


def _long(
    name: str, *, required: str = "", limit: int = LONG_TEXT, too_long: str = ""
) -> models.TextField[str, str]:
    """Free text of at most `limit` characters, refused by the model (a TextField's `max_length`
    alone is only a hint to forms); `required` is the message when it is missing, else it may
    be left blank (an answer written before the response is finished)."""
    too_long = too_long or f"Keep {name} to {limit:,} characters or fewer"
    return models.TextField(
        name,
        max_length=limit,
        blank=not required,
        validators=[MaxLengthValidator(limit, message=too_long)],
        error_messages={"blank": required} if required else {},
    )


class EventKind(models.TextChoices):
    HAPPENED = "happened", "Something happened"
    NEAR_MISS = "near_miss", "Something nearly happened"


class LearningEvent(VersionedModel):
    """Something that happened, or nearly happened: the minimum facts, in plain words."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="learning_events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    title = models.CharField(
        max_length=200,
        error_messages={
            "blank": "Give the event a short title",
            "max_length": "Keep the title to 200 characters or fewer",
        },
    )
    what_happened = _long("what happened", required="Say what happened, in plain words")
    happened_on = models.DateField(error_messages={"null": "Enter the date it happened"})
    place = models.CharField(
        "where",
        max_length=200,
        blank=True,
        error_messages={"max_length": "Keep where it happened to 200 characters or fewer"},
    )
    person = models.ForeignKey(
        PersonInCare, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-happened_on", "-pk"]
        indexes = [models.Index(fields=["team", "-happened_on"], name="learning_event_team_day")]
        constraints = [
            models.CheckConstraint(
                name="learning_event_episode_has_person",
                condition=Q(episode__isnull=True) | Q(person__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.title


class ResponseKind(models.TextChoices):
    SWARM = "swarm", "SWARM huddle"
    AFTER_ACTION_REVIEW = "after_action_review", "After Action Review"
    MDT_REVIEW = "mdt_review", "MDT review"
    THEMATIC_REVIEW = "thematic_review", "Thematic review"


class ResponseStatus(models.TextChoices):
    OPEN = "open", "Open"
    FINISHED = "finished", "Finished"


# The questions each kind of response answers, in the toolkit's order: the field, and the
# question as the page asks it.
QUESTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    ResponseKind.SWARM: (
        ("what_happened", "What happened?"),
        ("what_was_expected", "What was expected to happen?"),
        ("why_different", "Why was it different?"),
        ("what_now", "What do we do now?"),
    ),
    ResponseKind.AFTER_ACTION_REVIEW: (
        ("what_was_expected", "What was expected to happen?"),
        ("what_happened", "What actually happened?"),
        ("why_different", "Why was there a difference?"),
        ("what_we_learn", "What do we learn?"),
    ),
    ResponseKind.MDT_REVIEW: (
        ("what_happened", "What happened, as the team sees it together?"),
        ("why_different", "What made a difference, for better or worse?"),
        ("what_we_learn", "What do we learn?"),
    ),
    ResponseKind.THEMATIC_REVIEW: (
        ("what_happened", "What do these events have in common?"),
        ("why_different", "What in the way we work lets it happen?"),
        ("what_we_learn", "What do we learn?"),
    ),
}


class LearningResponse(VersionedModel):
    """How a team learns from one event (SWARM, After Action Review, MDT review) or from several
    (a thematic review), chosen in proportion to what happened, with its leadership."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="learning_responses")
    kind = models.CharField(max_length=30, choices=ResponseKind.choices)
    events: models.ManyToManyField[LearningEvent, ResponseEvent] = models.ManyToManyField(
        LearningEvent, through="ResponseEvent", related_name="responses"
    )
    held_on = models.DateField(error_messages={"null": "Enter the date it was held"})
    status = models.CharField(
        max_length=20, choices=ResponseStatus.choices, default=ResponseStatus.OPEN
    )
    what_happened = _long("what happened")
    what_was_expected = _long("what was expected")
    why_different = _long("why it was different")
    what_now = _long("what we do now")
    what_we_learn = _long("what we learn")
    started_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["team", "-held_on"], name="learning_response_team_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} held on {self.held_on}"

    @property
    def questions(self) -> tuple[tuple[str, str], ...]:
        return QUESTIONS[self.kind]


class ResponseEvent(models.Model):
    """An event a response covers: one for most kinds, two or more for a thematic review."""

    response = models.ForeignKey(LearningResponse, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(LearningEvent, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "event"], name="learning_response_event")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} in {self.response_id}"


class WorkSystem(models.TextChoices):
    """The six work-system elements of SEIPS, where factors that contribute are looked for."""

    PERSON = "person", "Person (the people involved: their skills, needs and wellbeing)"
    TASKS = "tasks", "Tasks"
    TOOLS = "tools", "Tools and technology"
    ORGANISATION = "organisation", "Organisation"
    INTERNAL_ENVIRONMENT = "internal_environment", "Internal environment"
    EXTERNAL_ENVIRONMENT = "external_environment", "External environment"


class ContributoryFactor(TimeStampedModel):
    """Something in the work system that made a difference, in plain words: never a person's
    fault (SEIPS looks at the system people work in)."""

    response = models.ForeignKey(LearningResponse, on_delete=models.CASCADE, related_name="factors")
    element = models.CharField(
        max_length=30,
        choices=WorkSystem.choices,
        error_messages={"blank": "Choose the part of the work system"},
    )
    note = _long("the note", required="Say, in plain words, what made a difference")
    added_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["response", "element", "pk"]

    def __str__(self) -> str:
        return f"{self.get_element_display()} in {self.response_id}"


class TookPart(models.TextChoices):
    STAFF = "staff", "Staff"
    PARTNER = "partner", "Partner organisation"
    PERSON_IN_CARE = "person_in_care", "The person"
    FAMILY = "family", "Family or carer"


# Who is engaged with compassionately rather than as a colleague (PSIRF).
ENGAGED = frozenset({TookPart.PERSON_IN_CARE, TookPart.FAMILY})


class Participant(TimeStampedModel):
    """Someone who took part in a response: a colleague of any discipline or organisation, or —
    where appropriate — the person or their family, whose part is compassionate engagement.

    Staff in Roundtable are linked (`person`); anyone else is described, not named in full
    ("her sister", "Mind peer worker").
    """

    response = models.ForeignKey(
        LearningResponse, on_delete=models.CASCADE, related_name="participants"
    )
    took_part_as = models.CharField(max_length=20, choices=TookPart.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    described_as = models.CharField(
        max_length=200,
        blank=True,
        error_messages={"max_length": "Keep the description to 200 characters or fewer"},
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["response", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "person"],
                condition=Q(person__isnull=False),
                name="learning_participant_once",
            ),
            models.CheckConstraint(
                name="learning_participant_named_or_described",
                condition=Q(person__isnull=False) | ~Q(described_as=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_took_part_as_display()} in {self.response_id}"

    @property
    def compassionate_engagement(self) -> bool:
        return self.took_part_as in ENGAGED


class LearningStatement(TimeStampedModel):
    """What the team learned, in one or two sentences others can use."""

    response = models.ForeignKey(
        LearningResponse, on_delete=models.CASCADE, related_name="statements"
    )
    text = _long(
        "text",
        required="Write what was learned",
        limit=2_000,
        too_long="Keep a learning statement to 2,000 characters or fewer",
    )
    added_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["response", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ActionStatus(models.TextChoices):
    AGREED = "agreed", "Agreed"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class SafetyAction(VersionedModel):
    """A change the team agreed to make, with who sees it through, by when, and — once done —
    the evidence that it was. `team` is the response's, kept here for the team's page."""

    response = models.ForeignKey(LearningResponse, on_delete=models.CASCADE, related_name="actions")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    statement = models.ForeignKey(
        LearningStatement, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    description = _long(
        "description",
        required="Say what the action is",
        limit=2_000,
        too_long="Keep the action to 2,000 characters or fewer",
    )
    owner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="+",
        error_messages={"null": "Choose who owns the action"},
    )
    due_on = models.DateField(error_messages={"null": "Enter the date it is due"})
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.AGREED
    )
    evidence = _long("the evidence")
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["team", "status", "due_on"], name="learning_action_due")]
        constraints = [
            models.CheckConstraint(
                name="learning_action_done_has_evidence",
                condition=~Q(status="done") | (~Q(evidence="") & Q(completed_on__isnull=False)),
            )
        ]

    def __str__(self) -> str:
        return self.description[:60]


class StatusEvent(models.Model):
    """History of a record's status (an action's, a cycle's): who moved it, when. Never changed;
    the `from_status` and `to_status` are the record's own."""

    from_status: models.CharField[str, str]
    to_status: models.CharField[str, str]
    actor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ActionEvent(StatusEvent):
    """History: every change of an action's status."""

    action = models.ForeignKey(SafetyAction, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ActionStatus.choices)
    to_status = models.CharField(max_length=20, choices=ActionStatus.choices)

    class Meta(StatusEvent.Meta):
        pass


ACTION_STATES = StateMachine(
    ActionStatus,
    {
        ActionStatus.AGREED: {ActionStatus.IN_PROGRESS, ActionStatus.DONE},
        ActionStatus.IN_PROGRESS: {ActionStatus.DONE},
        ActionStatus.DONE: set(),
    },
    field="status",
    event=ActionEvent,
    refusal="An action that is {now} cannot become {to}.",
)


# -- Support after events -----------------------------------------------------------------------


class TakenUp(models.TextChoices):
    WAITING = "waiting", "Not answered yet"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined, with thanks"


class SupportAfterEvent(VersionedModel):
    """Support offered to someone in the team after an event, and whether they took it up.

    The offer itself is wellbeing's (`SupportOffered`: what, to whom, by which leader), so it is
    one with every other offer of support; this says which event it follows and, optionally,
    which support session it points to. Seen only by the person and their team's leadership.
    """

    event = models.ForeignKey(LearningEvent, on_delete=models.PROTECT, related_name="support")
    offer = models.OneToOneField(
        "wellbeing.SupportOffered", on_delete=models.PROTECT, related_name="after_event"
    )
    session = models.ForeignKey(
        "wellbeing.SupportSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    taken_up = models.CharField(max_length=20, choices=TakenUp.choices, default=TakenUp.WAITING)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                name="learning_support_answered_when",
                condition=Q(taken_up="waiting", answered_at__isnull=True)
                | (~Q(taken_up="waiting") & Q(answered_at__isnull=False)),
            )
        ]

    def __str__(self) -> str:
        return f"Support after event {self.event_id}"


# -- Tests of change (Plan, Do, Study, Act) ------------------------------------------------------


class Ramp(TimeStampedModel):
    """A team's run of Plan-Do-Study-Act cycles towards one aim: each cycle learns from the one
    before (adapt), grows what worked (adopt) or stops (abandon). May start from something a
    learning response taught the team."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="ramps")
    aim = models.CharField(
        "aim",
        max_length=500,
        error_messages={
            "blank": "Say what the team is trying to achieve",
            "max_length": "Keep the aim to 500 characters or fewer",
        },
    )
    statement = models.ForeignKey(
        LearningStatement, null=True, blank=True, on_delete=models.SET_NULL, related_name="ramps"
    )
    started_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.aim[:60]


class CycleStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DOING = "doing", "Being tried"
    CLOSED = "closed", "Closed"


class Act(models.TextChoices):
    ADOPT = "adopt", "Adopt: keep the change"
    ADAPT = "adapt", "Adapt: change it and test again"
    ABANDON = "abandon", "Abandon: stop and try something else"


class ChangeCycle(VersionedModel):
    """One Plan-Do-Study-Act cycle: a small test of a change, with a prediction made before it
    is tried and studied against afterwards. Closed only with what was studied and what the team
    does next (adopt, adapt or abandon)."""

    ramp = models.ForeignKey(Ramp, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveSmallIntegerField()
    change = _long("the change", required="Say what change you will try", limit=2_000)
    prediction = _long("the prediction", required="Say what you predict will happen", limit=2_000)
    measure = _long("the measure", required="Say how you will know", limit=2_000)
    plan = _long("the plan", required="Say who does what, when and where")
    what_happened = _long("what happened")
    study = _long("what you studied")
    act = models.CharField(max_length=10, choices=Act.choices, blank=True)
    act_note = _long("what you will do next", limit=2_000)
    status = models.CharField(
        max_length=10, choices=CycleStatus.choices, default=CycleStatus.PLANNED
    )
    started_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ramp", "number"]
        constraints = [
            models.UniqueConstraint(fields=["ramp", "number"], name="learning_cycle_number"),
            models.UniqueConstraint(
                fields=["ramp"],
                condition=~Q(status="closed"),
                name="learning_ramp_one_open_cycle",
            ),
            models.CheckConstraint(
                name="learning_cycle_closed_with_study_and_act",
                condition=~Q(status="closed") | (~Q(study="") & ~Q(act="")),
            ),
        ]

    def __str__(self) -> str:
        return f"Cycle {self.number} of {self.ramp}"


class CycleEvent(StatusEvent):
    """History: every move of a cycle (planned, being tried, closed)."""

    cycle = models.ForeignKey(ChangeCycle, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=CycleStatus.choices)
    to_status = models.CharField(max_length=10, choices=CycleStatus.choices)

    class Meta(StatusEvent.Meta):
        pass


CYCLE_STATES = StateMachine(
    CycleStatus,
    {
        CycleStatus.PLANNED: {CycleStatus.DOING},
        CycleStatus.DOING: {CycleStatus.CLOSED},
        CycleStatus.CLOSED: set(),
    },
    field="status",
    event=CycleEvent,
    refusal="A cycle that is {now} cannot become {to}.",
)


# -- Practice exchange ---------------------------------------------------------------------------


class PracticeTag(models.Model):
    """A subject practice notes are found by ("replacing care co-ordination", "front door")."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PracticeNote(VersionedModel):
    """What a team tried, shared with every site and organisation: what happened, what they
    would do differently and who to contact. Never about a person in care: one drawn from a test
    of change or a learning response carries over only what the team learned."""

    title = models.CharField(
        max_length=200,
        error_messages={
            "blank": "Give the note a title",
            "max_length": "Keep the title to 200 characters or fewer",
        },
    )
    what_we_tried = _long("what we tried", required="Say what you tried")
    what_happened = _long("what happened", required="Say what happened")
    differently = _long("what we would do differently")
    contact = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="+",
        error_messages={"null": "Choose who to contact"},
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="practice_notes"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="practice_notes"
    )
    tags: models.ManyToManyField[PracticeTag, Any] = models.ManyToManyField(
        PracticeTag, blank=True, related_name="notes"
    )
    from_cycle = models.ForeignKey(
        "ChangeCycle", null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    from_response = models.ForeignKey(
        LearningResponse, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    written_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="learning_note_from_one_source",
                condition=Q(from_cycle__isnull=True) | Q(from_response__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.title


class PracticeComment(TimeStampedModel):
    note = models.ForeignKey(PracticeNote, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    text = _long(
        "the comment",
        required="Write a comment",
        limit=2_000,
        too_long="Keep a comment to 2,000 characters or fewer",
    )

    class Meta:
        ordering = ["note", "created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment on {self.note_id}"


class TriedToo(TimeStampedModel):
    """ "We tried this too": a note linked to an earlier one it echoes, by whoever saw the link."""

    note = models.ForeignKey(PracticeNote, on_delete=models.CASCADE, related_name="tried_too")
    earlier = models.ForeignKey(PracticeNote, on_delete=models.CASCADE, related_name="echoed_by")
    linked_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["note", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["note", "earlier"], name="learning_tried_too_once"),
            models.CheckConstraint(
                name="learning_tried_too_other_note", condition=~Q(note=models.F("earlier"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.note_id} tried {self.earlier_id} too"
