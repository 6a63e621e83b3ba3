"""People in care and their path through the service: the minimum a shared decision needs.

Roundtable is not the patient record. A person in care is held by a local identifier (and, when
known, an NHS number) with a name or initials; an episode is their time with one team, moving
through explicit stages. Every stage change is an append-only `PathwayEvent`, so the current
stage is also derivable from the history and nothing is lost.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from roundtable.core.models import TimeStampedModel, VersionedModel
from roundtable.core.transitions import StateMachine
from roundtable.directory.models import Organisation, Person, Team
from roundtable.forums.models import Meeting


class PersonInCare(VersionedModel):
    local_id = models.CharField(
        "local identifier",
        max_length=40,
        unique=True,
        error_messages={"blank": "Enter the local identifier from the patient record"},
    )
    nhs_number = models.CharField("NHS number", max_length=10, null=True, blank=True, unique=True)
    name = models.CharField(
        "name or initials",
        max_length=150,
        error_messages={"blank": "Enter the person's name or initials"},
    )
    date_of_birth = models.DateField(null=True, blank=True)
    gp_practice = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "person in care"
        verbose_name_plural = "people in care"
        constraints = [
            models.CheckConstraint(
                condition=Q(nhs_number__isnull=True) | Q(nhs_number__regex=r"^[0-9]{10}$"),
                name="person_in_care_nhs_number_ten_digits",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.local_id})"


class ConsentToShare(TimeStampedModel):
    """The person agreed that a partner organisation may see their details."""

    person = models.ForeignKey(PersonInCare, on_delete=models.CASCADE, related_name="consents")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} shares with {self.organisation}"


class Stage(models.TextChoices):
    REFERRED = "referred", "Referred"
    OFFER_MADE = "offer_made", "Offer made"
    WAITING = "waiting", "Waiting"
    IN_SUPPORT = "in_support", "In support"
    READY_TO_MOVE_ON = "ready", "Ready to move on"
    MOVED_ON = "moved_on", "Moved on"
    DECLINED = "declined", "Declined"
    NOT_ENGAGED = "not_engaged", "Not engaged"


CLOSED_STAGES = frozenset({Stage.MOVED_ON, Stage.DECLINED, Stage.NOT_ENGAGED})


class ReferralSource(models.TextChoices):
    GP = "gp", "GP or primary care"
    SELF = "self", "Self-referral"
    VCSE = "vcse", "VCSE partner"
    OTHER_SERVICE = "other_service", "Another service"
    RE_REFERRAL = "re_referral", "Came back (re-referral)"


class Destination(models.TextChoices):
    GP = "gp", "GP and primary care"
    VCSE = "vcse", "VCSE support"
    SELF_MANAGEMENT = "self_management", "Self-management"
    OTHER_SERVICE = "other_service", "Another service"


class OfferKind(models.TextChoices):
    PEER_SUPPORT = "peer_support", "Peer support"
    MENTAL_HEALTH_COACH = "mental_health_coach", "Mental health coach"
    PSYCHOLOGY = "psychology", "Psychological therapy"
    COMMUNITY_TEAM = "community_team", "Community team care"
    SIGNPOSTING = "signposting", "Signposting"
    OTHER = "other", "Other support"


class Offer(VersionedModel):
    """Something the front door can offer, from any organisation in the system."""

    name = models.CharField(max_length=150, error_messages={"blank": "Enter the name of the offer"})
    kind = models.CharField(
        max_length=24,
        choices=OfferKind.choices,
        error_messages={
            "blank": "Choose the kind of offer",
            "invalid_choice": "Choose the kind of offer",
        },
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="offers")
    description = models.TextField(
        blank=True, help_text="What the person can expect, in plain English."
    )
    is_active = models.BooleanField("offered now", default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # "Peer support" and "peer support" are one offer (`services._check_offer_name`).
            models.UniqueConstraint(Lower("name"), name="offer_unique_name_any_case"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.name})"


class ZoneColour(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    BLUE = "blue", "Blue"
    PURPLE = "purple", "Purple"
    GREY = "grey", "Grey"


class Zone(VersionedModel):
    """A huddle-board zone of one team. The meaning says what the team is doing and planning
    for the people in it — the team's input — never a prediction about the person."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(max_length=60, error_messages={"blank": "Enter the zone's name"})
    colour = models.CharField(
        max_length=8,
        choices=ZoneColour.choices,
        error_messages={"blank": "Choose a colour", "invalid_choice": "Choose a colour"},
    )
    meaning = models.TextField(
        help_text="The team's input and plan for people in this zone.",
        error_messages={"blank": "Say in plain English what the team does for people in this zone"},
    )
    position = models.PositiveSmallIntegerField(
        default=0, error_messages={"min_value": "The order is a whole number, 0 or more"}
    )
    # People in this zone are ready to move on: putting someone here moves their episode to
    # "ready to move on", and taking them out moves it back to "in support".
    marks_ready = models.BooleanField("means ready to move on", default=False)
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["team", "position", "pk"]
        constraints = [
            # "Red" and "red" are one zone of a team (`services._check_zone`).
            models.UniqueConstraint(
                "team",
                Lower("name"),
                condition=Q(is_archived=False),
                name="zone_unique_name_in_team_any_case",
            ),
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(marks_ready=True, is_archived=False),
                name="zone_one_ready_zone_per_team",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Episode(VersionedModel):
    person = models.ForeignKey(PersonInCare, on_delete=models.PROTECT, related_name="episodes")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="episodes")
    key_worker = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="caseload"
    )
    referral_source = models.CharField(max_length=20, choices=ReferralSource.choices)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.REFERRED)
    destination = models.CharField(
        max_length=20, choices=Destination.choices, blank=True, help_text="Where they moved on to."
    )
    referred_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next"
    )
    stage_since = models.DateTimeField(help_text="When the episode reached its current stage.")
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="episodes"
    )
    zone = models.ForeignKey(
        Zone, null=True, blank=True, on_delete=models.PROTECT, related_name="episodes"
    )
    zone_since = models.DateTimeField(null=True, blank=True)
    # Whole days of the flow, written when the stage changes so that the flow measures of a whole
    # system over ten years are a few grouped counts rather than a walk over every event.
    days_to_offer = models.PositiveIntegerField(null=True, blank=True)
    days_ready_to_moved_on = models.PositiveIntegerField(null=True, blank=True)
    # The newest SBARD note, written with it (`services.huddle_note_add`), so that a huddle board
    # of hundreds of cards reads each card's latest note with its episode.
    latest_note = models.ForeignKey(
        "HuddleNote", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-referred_at", "-pk"]
        indexes = [
            models.Index(fields=["team", "stage"]),
            models.Index(fields=["person", "stage"]),
            models.Index(fields=["key_worker", "closed_at"]),
            # The flow measures of a whole system: each a grouped count over a narrow index
            # rather than a scan of every episode (ADR 0011).
            models.Index(fields=["stage", "previous"], name="care_episode_stage_prev_idx"),
            models.Index(
                fields=["days_to_offer"],
                condition=Q(days_to_offer__isnull=False),
                name="care_episode_days_to_offer_idx",
            ),
            models.Index(
                fields=["days_ready_to_moved_on"],
                condition=Q(days_ready_to_moved_on__isnull=False),
                name="care_episode_days_ready_idx",
            ),
            models.Index(
                fields=["closed_at", "key_worker", "referred_at"], name="care_episode_open_idx"
            ),
            models.Index(
                fields=["zone"],
                condition=Q(closed_at__isnull=True),
                name="care_episode_open_zone_idx",
            ),
            # Open episodes per key worker, for the flow measures: read from this index alone.
            models.Index(
                fields=["key_worker"],
                condition=Q(closed_at__isnull=True),
                name="care_episode_open_worker_idx",
            ),
            # A team's caseload and huddle board: its open episodes only, not its ten years of
            # closed ones (`care.access.team_caseload`).
            models.Index(
                fields=["team", "stage"],
                condition=Q(closed_at__isnull=True),
                name="care_episode_open_team_idx",
            ),
        ]
        constraints = [
            # One open episode per person and team: a re-referral reopens the path, it does not
            # start a second one beside it.
            models.UniqueConstraint(
                fields=["person", "team"],
                condition=Q(closed_at__isnull=True),
                name="episode_one_open_per_person_and_team",
            ),
            models.CheckConstraint(
                condition=~Q(stage="moved_on") | ~Q(destination=""),
                name="episode_moved_on_has_destination",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} with {self.team}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PathwayEvent(models.Model):
    """One change of stage: who, when, why, and the decision that made it. Never changed."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="events")
    from_stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    actor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    decision = models.ForeignKey(
        "decisions.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["to_stage", "at"])]

    def __str__(self) -> str:
        return f"{self.from_stage or 'new'} → {self.to_stage}"


# The explicit state machine of a person's path through a team.
PATHWAY = StateMachine(
    Stage,
    {
        Stage.REFERRED: {Stage.OFFER_MADE, Stage.DECLINED, Stage.NOT_ENGAGED},
        Stage.OFFER_MADE: {Stage.WAITING, Stage.IN_SUPPORT, Stage.DECLINED, Stage.NOT_ENGAGED},
        Stage.WAITING: {Stage.IN_SUPPORT, Stage.DECLINED, Stage.NOT_ENGAGED},
        Stage.IN_SUPPORT: {Stage.READY_TO_MOVE_ON, Stage.NOT_ENGAGED},
        Stage.READY_TO_MOVE_ON: {Stage.MOVED_ON, Stage.IN_SUPPORT},
        Stage.MOVED_ON: set(),
        Stage.DECLINED: set(),
        Stage.NOT_ENGAGED: set(),
    },
    field="stage",
    event=PathwayEvent,
    refusal="Someone who is {now} cannot move to {to}.",
)


class CareDecision(models.Model):
    """A shared decision about a person's care: a front-door offer or a move on.

    Kept beside the decision rather than on it, so that decisions know nothing of care; the care
    app narrows who may read such a decision to those who may see the person.
    """

    decision = models.OneToOneField(
        "decisions.Decision", primary_key=True, on_delete=models.CASCADE, related_name="care"
    )
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="decisions")
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    destination = models.CharField(max_length=20, choices=Destination.choices, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(offer__isnull=True) | Q(destination=""),
                name="care_decision_offer_or_destination",
            )
        ]

    def __str__(self) -> str:
        return f"Decision {self.decision_id} about episode {self.episode_id}"


class ZoneChange(models.Model):
    """A person moved zone at the huddle: who, when, why, and who was in the room. Never
    changed; the zone history of an episode is its zone changes."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="zone_changes")
    from_zone = models.ForeignKey(
        Zone, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    present = models.ManyToManyField(Person, blank=True, related_name="+")
    guests = models.JSONField("guests present", default=list, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()
    # The local day of `at`, kept so that the zone mix by day counts each day's changes from an
    # index instead of working out every change's day (ADR 0011).
    day = models.DateField()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["day", "to_zone", "from_zone"], name="care_zonechange_day_idx")
        ]

    def __str__(self) -> str:
        return f"Zone change for episode {self.episode_id}"


class HuddleNote(models.Model):
    """An SBARD handover note: Situation, Background, Assessment, Recommendation, Decision.
    Never changed; a later note adds to it."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    situation = models.TextField(blank=True)
    background = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    recommendation = models.TextField(blank=True)
    decision = models.TextField("decision", blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(
                    situation="", background="", assessment="", recommendation="", decision=""
                ),
                name="huddle_note_not_empty",
            )
        ]

    def __str__(self) -> str:
        return f"SBARD note for episode {self.episode_id}"


class CareAction(VersionedModel):
    """Something someone will do for a person, agreed at the huddle."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(
        max_length=300, error_messages={"blank": "Say what will be done"}
    )
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="care_actions")
    due_on = models.DateField()
    created_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["episode", "done_at"])]

    def __str__(self) -> str:
        return self.description
