"""People in care and their path through the service: the minimum a shared decision needs.

Roundtable is not the patient record. A person in care is held by a local identifier (and, when
known, an NHS number) with a name or initials; an episode is their time with one team, moving
through explicit stages. Every stage change is an append-only `PathwayEvent`, so the current
stage is also derivable from the history and nothing is lost.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from roundtable.core.models import TimeStampedModel, VersionedModel
from roundtable.directory.models import Organisation, Person, Team


class PersonInCare(VersionedModel):
    local_id = models.CharField("local identifier", max_length=40, unique=True)
    nhs_number = models.CharField("NHS number", max_length=10, null=True, blank=True, unique=True)
    name = models.CharField("name or initials", max_length=150)
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

# The explicit state machine of a person's path through a team.
TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.REFERRED: frozenset({Stage.OFFER_MADE, Stage.DECLINED, Stage.NOT_ENGAGED}),
    Stage.OFFER_MADE: frozenset(
        {Stage.WAITING, Stage.IN_SUPPORT, Stage.DECLINED, Stage.NOT_ENGAGED}
    ),
    Stage.WAITING: frozenset({Stage.IN_SUPPORT, Stage.DECLINED, Stage.NOT_ENGAGED}),
    Stage.IN_SUPPORT: frozenset({Stage.READY_TO_MOVE_ON, Stage.NOT_ENGAGED}),
    Stage.READY_TO_MOVE_ON: frozenset({Stage.MOVED_ON, Stage.IN_SUPPORT}),
    Stage.MOVED_ON: frozenset(),
    Stage.DECLINED: frozenset(),
    Stage.NOT_ENGAGED: frozenset(),
}


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

    class Meta:
        ordering = ["-referred_at", "-pk"]
        indexes = [models.Index(fields=["team", "stage"]), models.Index(fields=["person", "stage"])]
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
