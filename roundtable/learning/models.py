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


class ActionEvent(models.Model):
    """History: every change of an action's status, never changed."""

    action = models.ForeignKey(SafetyAction, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ActionStatus.choices)
    to_status = models.CharField(max_length=20, choices=ActionStatus.choices)
    actor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


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
