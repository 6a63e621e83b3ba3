"""Safety plans, safety formulations, positive risk-taking plans and proportionate review.

Written with the person and shared by the team, never scored: there is no field, choice or label
here (or anywhere in Roundtable) that rates risk as low, medium or high (NICE NG225). A safety plan
and a formulation are versioned documents: the current text lives on the document and every save
adds an append-only version, so nothing written is ever lost.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q

from roundtable.care.models import Episode, PersonInCare, Zone
from roundtable.core.models import VersionedModel
from roundtable.directory.models import Person


class SafetyPlanContent(models.Model):
    """The Stanley-Brown safety planning steps, plus what matters to the person, in their words."""

    warning_signs = models.TextField(
        "warning signs",
        blank=True,
        help_text="Thoughts, feelings or situations that tell me a crisis may be starting.",
    )
    things_i_can_do = models.TextField(
        "things I can do myself",
        blank=True,
        help_text="To take my mind off things without contacting anyone.",
    )
    people_and_places = models.TextField(
        "people and places that help take my mind off things", blank=True
    )
    people_to_ask = models.TextField("people I can ask for help", blank=True)
    professionals = models.TextField(
        "professionals and services I can contact",
        blank=True,
        help_text="Including crisis lines, for example NHS 111 (option 2) and Samaritans 116 123.",
    )
    safer_surroundings = models.TextField("making my surroundings safer", blank=True)
    what_matters = models.TextField("what matters to me", blank=True)

    FIELDS: ClassVar[tuple[str, ...]] = (
        "warning_signs",
        "things_i_can_do",
        "people_and_places",
        "people_to_ask",
        "professionals",
        "safer_surroundings",
        "what_matters",
    )

    class Meta:
        abstract = True


class SafetyPlan(SafetyPlanContent, VersionedModel):
    person = models.OneToOneField(
        PersonInCare, on_delete=models.PROTECT, related_name="safety_plan"
    )
    written_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    written_with = models.CharField(
        "written with",
        max_length=300,
        help_text="Who wrote it together: the person, and anyone they chose to involve.",
        error_messages={
            "blank": "Say who wrote the plan together: the person, and anyone they chose to involve"
        },
    )
    review_on = models.DateField("review by", null=True, blank=True)

    def __str__(self) -> str:
        return f"Safety plan for {self.person}"


class SafetyPlanVersion(SafetyPlanContent):
    """One saved version of a safety plan. Never changed."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    written_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    written_with = models.CharField(max_length=300)
    review_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="safety_plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan} (version {self.number})"


class FormulationContent(models.Model):
    """A safety formulation: the five Ps and what might happen and what would help."""

    presenting = models.TextField("presenting", blank=True, help_text="What is happening now.")
    predisposing = models.TextField(
        "predisposing", blank=True, help_text="What in the person's life makes this more likely."
    )
    precipitating = models.TextField(
        "precipitating", blank=True, help_text="What brought it on this time."
    )
    perpetuating = models.TextField("perpetuating", blank=True, help_text="What keeps it going.")
    protective = models.TextField(
        "protective", blank=True, help_text="Strengths, people and reasons for living."
    )
    what_might_happen = models.TextField("what might happen and what would help", blank=True)

    FIELDS: ClassVar[tuple[str, ...]] = (
        "presenting",
        "predisposing",
        "precipitating",
        "perpetuating",
        "protective",
        "what_might_happen",
    )

    class Meta:
        abstract = True


class SafetyFormulation(FormulationContent, VersionedModel):
    person = models.OneToOneField(
        PersonInCare, on_delete=models.PROTECT, related_name="safety_formulation"
    )
    written_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Safety formulation for {self.person}"


class SafetyFormulationVersion(FormulationContent):
    formulation = models.ForeignKey(
        SafetyFormulation, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    written_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["formulation", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["formulation", "number"], name="safety_formulation_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.formulation} (version {self.number})"


class PositiveRiskPlan(models.Model):
    """The content of a positive risk-taking decision: what the person wants to do and how the
    team will support it. The decision itself (positions, outcome, holds) is a Shared decision."""

    decision = models.OneToOneField(
        "decisions.Decision",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="positive_risk_plan",
    )
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="positive_risk_plans"
    )
    wants_to = models.TextField(
        "what the person wants to do",
        error_messages={"blank": "Say what the person wants to do"},
    )
    benefits = models.TextField(
        "the benefits", error_messages={"blank": "Say what the benefits are"}
    )
    possible_harms = models.TextField(
        "the possible harms", error_messages={"blank": "Say what could go wrong"}
    )
    safeguards = models.TextField(
        "the safeguards", error_messages={"blank": "Say what safeguards are agreed"}
    )
    who_does_what = models.TextField("who does what", error_messages={"blank": "Say who does what"})
    review_on = models.DateField(
        "review on", error_messages={"null": "Enter the date the plan will be reviewed"}
    )

    def __str__(self) -> str:
        return f"Positive risk-taking plan {self.decision_id}"


class ReviewFrequency(models.Model):
    """How often the team reviews the safety plans of people in one of its zones: review in
    proportion to the team's input, instead of one schedule for everyone."""

    zone = models.OneToOneField(Zone, on_delete=models.CASCADE, related_name="review_frequency")
    every_days = models.PositiveSmallIntegerField("review every (days)")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(every_days__gte=1) & Q(every_days__lte=366),
                name="review_frequency_1_to_366_days",
            )
        ]

    def __str__(self) -> str:
        return f"{self.zone}: every {self.every_days} days"


class SafetyReview(models.Model):
    """The person's safety plan was reviewed with them. Never changed."""

    person = models.ForeignKey(PersonInCare, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="safety_reviews")
    reviewed_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField()
    note = models.TextField(blank=True)
    plan_version = models.ForeignKey(
        SafetyPlanVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        indexes = [models.Index(fields=["person", "reviewed_on"])]

    def __str__(self) -> str:
        return f"Safety review of {self.person} on {self.reviewed_on}"
