"""Concerns raised to a leadership team, followed through to "You said, we did".

Anonymous means anonymous (see docs/adr/0012-anonymity-in-voice-and-pulse.md): an anonymous
concern has no `raised_by`, and nothing stored about it is finer than the day. That is why these
models keep dates (`raised_on`, `on`) and no automatic creation timestamps, and why the receipt
link that lets the raiser follow the concern is stored only as a SHA-256 hash.

Every change of a concern's state, owner or due date is an append-only `ConcernEvent`; the
current state on `Concern` can be derived from them and history is never lost.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from roundtable.core.transitions import StateMachine
from roundtable.directory.models import LeadershipTeam, Organisation, Person, Team


class ConcernLevel(models.TextChoices):
    """Where the concern is raised to; it escalates team → organisation → system."""

    TEAM = "team", "Team"
    ORGANISATION = "organisation", "Organisation"
    SYSTEM = "system", "System"


class ConcernStatus(models.TextChoices):
    RAISED = "raised", "Raised"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ACTION_AGREED = "action_agreed", "Action agreed"
    ADDRESSED = "addressed", "Addressed"
    NOT_TAKEN_FORWARD = "not_taken_forward", "Not taken forward"


OPEN_STATUSES = frozenset(
    {ConcernStatus.RAISED, ConcernStatus.ACKNOWLEDGED, ConcernStatus.ACTION_AGREED}
)
CLOSED_STATUSES = frozenset({ConcernStatus.ADDRESSED, ConcernStatus.NOT_TAKEN_FORWARD})


class Concern(models.Model):
    """A concern, named or anonymous, owned by a leadership team until it is closed.

    No automatic timestamps (see the module docstring): `raised_on` is the day, and `version`
    gives optimistic concurrency between the leaders who act on it.
    """

    title = models.CharField(
        max_length=200,
        error_messages={
            "blank": "Enter a short title for your concern",
            "max_length": "Keep the title to 200 characters or fewer",
        },
    )
    body = models.TextField(
        "what the concern is", error_messages={"blank": "Say what the concern is"}
    )
    level = models.CharField(max_length=20, choices=ConcernLevel.choices)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="concerns"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="concerns"
    )
    owner = models.ForeignKey(LeadershipTeam, on_delete=models.PROTECT, related_name="concerns")
    is_anonymous = models.BooleanField(default=False)
    raised_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="concerns_raised"
    )
    raised_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.RAISED
    )
    # The day by which the current owner should take the next step; null once closed.
    due_on = models.DateField(null=True, blank=True)
    # The due date the owner at the top level was last recorded overdue for (said once).
    overdue_noted_for = models.DateField(null=True, blank=True)
    action = models.TextField("the action agreed", blank=True)
    action_due_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="What we did, or why it is not taken forward.")
    closed_on = models.DateField(null=True, blank=True)
    on_board = models.BooleanField(
        "show on You said, we did",
        default=True,
        help_text="Closed concerns are shown on the team's or organisation's board.",
    )
    receipt_hash = models.CharField(max_length=64, unique=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-raised_on", "-pk"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                name="concern_anonymous_has_no_raiser",
                condition=Q(is_anonymous=True, raised_by__isnull=True)
                | Q(is_anonymous=False, raised_by__isnull=False),
            ),
            models.CheckConstraint(
                name="concern_scope_matches_level",
                condition=Q(level="team", team__isnull=False)
                | Q(level="organisation", organisation__isnull=False, team__isnull=True)
                | Q(level="system", organisation__isnull=True, team__isnull=True),
            ),
            models.CheckConstraint(name="concern_has_a_title", condition=~Q(title="")),
            models.CheckConstraint(name="concern_has_a_body", condition=~Q(body="")),
            models.CheckConstraint(
                name="concern_closed_has_outcome",
                condition=~Q(status__in=["addressed", "not_taken_forward"])
                | (~Q(outcome="") & Q(closed_on__isnull=False)),
            ),
            models.CheckConstraint(
                name="concern_agreed_has_action",
                condition=~Q(status__in=["action_agreed", "addressed"]) | ~Q(action=""),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def raiser_label(self) -> str:
        return "Anonymous" if self.is_anonymous or self.raised_by is None else str(self.raised_by)


class ConcernEventKind(models.TextChoices):
    RAISED = "raised", "Raised"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ACTION_AGREED = "action_agreed", "Action agreed"
    ADDRESSED = "addressed", "Addressed"
    NOT_TAKEN_FORWARD = "not_taken_forward", "Not taken forward"
    ESCALATED = "escalated", "Escalated"
    OVERDUE_AT_TOP = "overdue_at_top", "Overdue at the top level"


class ConcernEvent(models.Model):
    """History: every change of a concern's state, owner or due date. Never changed.

    `actor` is the leader who acted, or null: the escalation job, or the raiser of an anonymous
    concern. Only the day is kept (`on`), so an anonymous raiser's actions cannot be timed.
    """

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=ConcernEventKind.choices)
    from_status = models.CharField(max_length=20, choices=ConcernStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ConcernStatus.choices)
    owner = models.ForeignKey(LeadershipTeam, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateField()

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on}"


class ConcernReply(models.Model):
    """A message on a concern: from its owner's leaders, or from the raiser.

    A raiser's reply has no author when the concern is anonymous; only the day is kept.
    """

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="replies")
    from_raiser = models.BooleanField(default=False)
    author = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(error_messages={"blank": "Write your reply"})
    on = models.DateField()

    class Meta:
        ordering = ["on", "pk"]
        verbose_name_plural = "concern replies"
        constraints = [
            models.CheckConstraint(name="concern_reply_has_a_body", condition=~Q(body="")),
            models.CheckConstraint(
                name="concern_reply_from_leader_has_author",
                condition=Q(from_raiser=True) | Q(author__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Reply on {self.concern_id}"


class ConcernNotice(models.Model):
    """Tells a named raiser that their concern changed. Each person's own."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="concern_notices")
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="notices")
    message = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["person", "read_at"])]

    def __str__(self) -> str:
        return self.message


# The explicit state machine. A concern is acknowledged before anything else ("listen up"), and
# may be not taken forward, with the reason, once it has been.
CONCERN_STATES = StateMachine(
    ConcernStatus,
    {
        ConcernStatus.RAISED: {ConcernStatus.ACKNOWLEDGED},
        ConcernStatus.ACKNOWLEDGED: {ConcernStatus.ACTION_AGREED, ConcernStatus.NOT_TAKEN_FORWARD},
        ConcernStatus.ACTION_AGREED: {ConcernStatus.ADDRESSED, ConcernStatus.NOT_TAKEN_FORWARD},
        ConcernStatus.ADDRESSED: set(),
        ConcernStatus.NOT_TAKEN_FORWARD: set(),
    },
    field="status",
    event=ConcernEvent,
    refusal="A concern that is {now} cannot become {to}.",
)
