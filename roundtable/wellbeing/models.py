"""Wellbeing and connection: pulse check-ins, support sessions, support offered, peer circles.

Pulse answers are anonymous by construction (docs/adr/0012-anonymity-in-voice-and-pulse.md):

- `PulseAnswer` and `PulseComment` have no person and no time: only the round (a team and a
  month) they belong to. Their keys are random UUIDs, so the order they were stored in cannot be
  read from them, and one person's answers to the statements of a round are not tied together.
- `PulseResponseMarker` says only that a person answered a round, to stop a second answer. It
  has no time either, and shares nothing with the answers but the round.
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from roundtable.core.models import TimeStampedModel, VersionedModel
from roundtable.directory.models import Discipline, Person, Team
from roundtable.forums.models import Forum

DEFAULT_STATEMENTS: tuple[str, ...] = (
    "I feel held when I make difficult decisions",
    "I feel isolated in my role",
    "I understand why our services are changing",
    "My voice counts in decisions",
    "I had emotional support when I needed it",
)


class Agreement(models.IntegerChoices):
    STRONGLY_DISAGREE = 1, "Strongly disagree"
    DISAGREE = 2, "Disagree"
    NEITHER = 3, "Neither agree nor disagree"
    AGREE = 4, "Agree"
    STRONGLY_AGREE = 5, "Strongly agree"


class PulseRound(models.Model):
    """A team's check-in for one month. Open from the first to the last day of the month."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="pulse_rounds")
    month = models.DateField(help_text="The first day of the month.")
    closes_on = models.DateField()

    class Meta:
        ordering = ["-month", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="pulse_round_once_a_month"),
            models.CheckConstraint(
                condition=Q(closes_on__gt=models.F("month")), name="pulse_round_closes_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} pulse, {self.month:%B %Y}"


class PulseStatement(models.Model):
    """A statement asked in a round. Kept per round, so past results keep their wording."""

    round = models.ForeignKey(PulseRound, on_delete=models.CASCADE, related_name="statements")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=200)

    class Meta:
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "position"], name="pulse_statement_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.text


class PulseAnswer(models.Model):
    """One answer to one statement. No person, no time, a random key (see the module docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(PulseRound, on_delete=models.CASCADE, related_name="answers")
    statement = models.ForeignKey(PulseStatement, on_delete=models.CASCADE, related_name="answers")
    value = models.PositiveSmallIntegerField(choices=Agreement.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=1, value__lte=5), name="pulse_answer_value_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.value} to {self.statement_id}"


class PulseComment(models.Model):
    """An optional comment with a check-in. No person, no time, a random key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(PulseRound, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="pulse_comment_not_empty")
        ]

    def __str__(self) -> str:
        return f"Comment in {self.round_id}"


class PulseResponseMarker(models.Model):
    """That someone answered a round — only that — so that nobody answers twice."""

    round = models.ForeignKey(PulseRound, on_delete=models.CASCADE, related_name="markers")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="pulse_answered_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} answered {self.round_id}"


class PeerCircle(TimeStampedModel):
    """People of the same role across localities (every mental health coach, say), with a forum
    of their own to talk and decide in."""

    name = models.CharField(
        max_length=200, unique=True, error_messages={"blank": "Enter a name for the peer circle"}
    )
    discipline = models.ForeignKey(
        Discipline, on_delete=models.PROTECT, related_name="peer_circles"
    )
    purpose = models.TextField(blank=True)
    forum = models.OneToOneField(Forum, on_delete=models.PROTECT, related_name="peer_circle")
    members: models.ManyToManyField[Person, PeerCircleMembership] = models.ManyToManyField(
        Person, through="PeerCircleMembership", related_name="peer_circles"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PeerCircleMembership(TimeStampedModel):
    circle = models.ForeignKey(PeerCircle, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="peer_circle_memberships"
    )

    class Meta:
        ordering = ["person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "person"], name="peer_circle_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.circle}"


class SupportKind(models.TextChoices):
    REFLECTIVE_PRACTICE = "reflective_practice", "Reflective practice"
    RESTORATIVE_SUPERVISION = "restorative_supervision", "Restorative supervision"
    SCHWARTZ_ROUND = "schwartz_round", "Schwartz-style round"
    PEER_CIRCLE = "peer_circle", "Peer circle"


A_SESSION_LASTS = "A session lasts from 15 minutes to 8 hours"


class SupportSession(VersionedModel):
    """A session for staff to reflect and be supported, for a team or a peer circle.

    What is said in it is not recorded: only that it happened and who came. A session planned by
    mistake, or called off, is cancelled with a reason rather than deleted.
    """

    kind = models.CharField(
        max_length=30,
        choices=SupportKind.choices,
        error_messages={
            "blank": "Choose the kind of session",
            "invalid_choice": "Choose the kind of session",
        },
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="support_sessions"
    )
    peer_circle = models.ForeignKey(
        PeerCircle,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_sessions",
    )
    starts_at = models.DateTimeField(
        error_messages={"null": "Enter the date and time of the session"}
    )
    duration_minutes = models.PositiveSmallIntegerField(
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
        error_messages={
            "null": A_SESSION_LASTS,
            "min_value": A_SESSION_LASTS,
            "max_value": A_SESSION_LASTS,
        },
    )
    facilitator = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    attendees: models.ManyToManyField[Person, SupportAttendance] = models.ManyToManyField(
        Person, through="SupportAttendance", related_name="support_sessions"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="support_session_for_team_or_circle",
                condition=Q(team__isnull=False, peer_circle__isnull=True)
                | Q(team__isnull=True, peer_circle__isnull=False),
            ),
            models.CheckConstraint(
                name="support_session_15_minutes_to_a_day",
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=480),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.starts_at:%Y-%m-%d}"

    @property
    def group_name(self) -> str:
        return str(self.team or self.peer_circle)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class SupportAttendance(TimeStampedModel):
    session = models.ForeignKey(
        SupportSession, on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="support_attendances")

    class Meta:
        ordering = ["person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="support_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.session}"


class SupportOffered(TimeStampedModel):
    """Support a leadership team offered someone: seen by that person and the team's leaders."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="support_offered")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="support_offered")
    offered_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(
        max_length=280,
        error_messages={
            "blank": "Say what support was offered",
            "max_length": "Keep it to 280 characters or fewer",
        },
    )
    on = models.DateField()

    class Meta:
        ordering = ["-on", "-pk"]
        verbose_name_plural = "support offered"
        constraints = [
            models.CheckConstraint(condition=~Q(what=""), name="support_offered_says_what")
        ]

    def __str__(self) -> str:
        return f"Support offered to {self.person}"
