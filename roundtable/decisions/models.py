"""Shared decisions: proposals, revisions, positions, outcomes, holds, budgets and allocation.

A decision belongs to a forum. Anyone in the forum may propose. The proposal is kept as numbered
revisions; people take positions on the current revision; under consent an objection blocks
agreement until the proposer integrates it in a revision. Silence is never consent. Every change
of status is an append-only `DecisionEvent`; every position taken or changed is an append-only
`PositionEvent`, with `Position` holding the current one per person and revision.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from roundtable.core.models import TimeStampedModel, VersionedModel
from roundtable.core.transitions import StateMachine
from roundtable.directory.models import LeadershipTeam, Person
from roundtable.forums.models import Forum, Meeting


class DecisionKind(models.TextChoices):
    FRONT_DOOR_OFFER = "front_door_offer", "Front-door offer"
    MOVE_ON = "move_on", "Move on or transfer"
    POSITIVE_RISK = "positive_risk", "Positive risk-taking"
    FUNDING = "funding", "Funding"
    SERVICE_CHANGE = "service_change", "Service change"
    OTHER = "other", "Other"


class DecisionMethod(models.TextChoices):
    CONSENT = "consent", "Consent (no one objects)"
    CONSENSUS = "consensus", "Consensus (everyone taking part consents)"
    ADVICE = "advice", "Advice process (the proposer decides after seeking advice)"
    VOTE = "vote", "Vote (with a threshold and a quorum)"


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for positions"
    AGREED = "agreed", "Agreed"
    NOT_AGREED = "not_agreed", "Not agreed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REVIEWED = "reviewed", "Reviewed"


class Budget(VersionedModel):
    """Money a forum allocates over a period. Amounts are whole pence."""

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="budgets")
    name = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    total_pence = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["-period_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="budget_period_in_order"
            ),
            models.UniqueConstraint(fields=["forum", "name"], name="budget_unique_name_in_forum"),
        ]

    def __str__(self) -> str:
        return self.name


class Decision(VersionedModel):
    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="decisions")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    kind = models.CharField(
        max_length=20,
        choices=DecisionKind.choices,
        error_messages={
            "blank": "Select the kind of decision",
            "invalid_choice": "Select the kind of decision",
        },
    )
    method = models.CharField(
        max_length=12,
        choices=DecisionMethod.choices,
        default=DecisionMethod.CONSENT,
        error_messages={
            "blank": "Select how the decision is made",
            "invalid_choice": "Select how the decision is made",
        },
    )
    title = models.CharField(
        max_length=200, error_messages={"blank": "Enter a title for the decision"}
    )
    proposer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="proposals")
    status = models.CharField(
        max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    current_revision = models.PositiveIntegerField(default=1)
    closes_at = models.DateTimeField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    # Vote only: more than `vote_threshold_percent` of yes-or-no positions must be yes, with at
    # least `vote_quorum` positions taken.
    vote_threshold_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    vote_quorum = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    rationale = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Funding only.
    budget = models.ForeignKey(
        Budget, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    amount_requested_pence = models.PositiveBigIntegerField(null=True, blank=True)
    amount_agreed_pence = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["forum", "status"]),
            models.Index(fields=["status", "closes_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_agreed_pence__isnull=True)
                | Q(amount_agreed_pence__lte=F("amount_requested_pence")),
                name="decision_agreed_at_most_requested",
            ),
            models.CheckConstraint(
                condition=~Q(kind="funding")
                | (Q(budget__isnull=False) & Q(amount_requested_pence__isnull=False)),
                name="decision_funding_has_budget_and_amount",
            ),
            models.CheckConstraint(
                condition=~Q(method="vote")
                | (Q(vote_threshold_percent__gte=1) & Q(vote_threshold_percent__lte=99)),
                name="decision_vote_has_threshold",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == DecisionStatus.OPEN

    @property
    def is_decided(self) -> bool:
        return self.status in (
            DecisionStatus.AGREED,
            DecisionStatus.NOT_AGREED,
            DecisionStatus.REVIEWED,
        )


class Revision(models.Model):
    """One version of the proposal. Revisions are never changed; a new one supersedes."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    proposal = models.TextField(error_messages={"blank": "Enter the proposal"})
    change_note = models.TextField(
        blank=True, help_text="What changed, for example which objection it integrates."
    )
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decision", "number"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "number"], name="revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"Decision {self.decision_id}, revision {self.number}"


class Stance(models.TextChoices):
    CONSENT = "consent", "Consent"
    CONCERN = "concern", "Consent with a concern"
    OBJECTION = "objection", "Objection"
    STAND_ASIDE = "stand_aside", "Stand aside"
    ABSTAIN = "abstain", "Abstain"


NEEDS_REASON = frozenset({Stance.CONCERN, Stance.OBJECTION})
CHOOSE_A_STANCE = "Choose consent, a concern, an objection, stand aside or abstain."


class Position(models.Model):
    """Someone's current position on one revision of a decision."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="positions")
    revision = models.PositiveIntegerField()
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="positions")
    stance = models.CharField(
        max_length=12,
        choices=Stance.choices,
        error_messages={"blank": CHOOSE_A_STANCE, "invalid_choice": CHOOSE_A_STANCE},
    )
    reason = models.TextField(blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person__full_name", "pk"]
        indexes = [models.Index(fields=["decision", "revision"])]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "revision", "person"], name="position_once_per_revision"
            ),
            models.CheckConstraint(
                condition=~Q(stance__in=["concern", "objection"]) | ~Q(reason=""),
                name="position_concern_or_objection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_stance_display()} on decision {self.decision_id}"


class PositionEvent(models.Model):
    """History: every position taken or changed, never updated or deleted."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="+")
    revision = models.PositiveIntegerField()
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    stance = models.CharField(max_length=12, choices=Stance.choices)
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.stance} on revision {self.revision}"


class DecisionEvent(models.Model):
    """History: every change of a decision's status or revision, never updated or deleted."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=12, choices=DecisionStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=DecisionStatus.choices)
    revision = models.PositiveIntegerField()
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


# The explicit state machine: which status may follow which.
DECISION_STATES = StateMachine(
    DecisionStatus,
    {
        DecisionStatus.DRAFT: {DecisionStatus.OPEN, DecisionStatus.WITHDRAWN},
        DecisionStatus.OPEN: {
            DecisionStatus.AGREED,
            DecisionStatus.NOT_AGREED,
            DecisionStatus.WITHDRAWN,
        },
        DecisionStatus.AGREED: {DecisionStatus.REVIEWED},
        DecisionStatus.NOT_AGREED: {DecisionStatus.REVIEWED},
        DecisionStatus.WITHDRAWN: set(),
        DecisionStatus.REVIEWED: set(),
    },
    field="status",
    event=DecisionEvent,
    refusal="A decision that is {now} cannot become {to}.",
)


class Hold(models.Model):
    """A leader stands behind an agreed decision with the people who act on it."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="holds")
    leader = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="holds")
    leadership_team = models.ForeignKey(LeadershipTeam, on_delete=models.PROTECT, related_name="+")
    message = models.CharField(
        max_length=280, error_messages={"max_length": "Keep the message to 280 characters or fewer"}
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "leader"], name="hold_once_per_leader")
        ]

    def __str__(self) -> str:
        return f"{self.leader} holds decision {self.decision_id}"


class Comment(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(error_messages={"blank": "Write a comment"})
    revision = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment on {self.decision_id}"


class AdviceRequest(models.Model):
    """Advice process: the proposer asks named people, who give their advice."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="advice_requests")
    adviser = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    advice = models.TextField(blank=True)
    given_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "adviser"], name="advice_once_per_adviser")
        ]

    def __str__(self) -> str:
        return f"Advice from {self.adviser_id} on {self.decision_id}"


class AllocationRound(TimeStampedModel):
    """Participatory allocation: members approve among funding proposals within a budget."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(max_length=200)
    closes_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    proposals = models.ManyToManyField(Decision, related_name="allocation_rounds")

    class Meta:
        ordering = ["-closes_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Approval(models.Model):
    round = models.ForeignKey(AllocationRound, on_delete=models.CASCADE, related_name="approvals")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "decision", "person"], name="approval_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} approves {self.decision_id}"


class NotificationKind(models.TextChoices):
    AWAITING_POSITION = "awaiting_position", "Awaiting your position"
    CLOSING_SOON = "closing_soon", "Closing within 24 hours"
    OUTCOME = "outcome", "Outcome reached"
    HELD = "held", "Decision held"


class Notification(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["person", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "decision", "kind"],
                condition=Q(read_at__isnull=True),
                name="notification_one_unread_of_a_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.decision_id}"
