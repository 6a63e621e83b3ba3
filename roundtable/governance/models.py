"""Who looks after information governance for an organisation: its Caldicott guardian, privacy
officer and information governance lead. They see who has looked at the people in care its teams
look after (`selectors.access_report`)."""

from __future__ import annotations

from django.db import models

from roundtable.core.models import TimeStampedModel
from roundtable.directory.models import Organisation, Person


class GovernanceRoleKind(models.TextChoices):
    CALDICOTT_GUARDIAN = "caldicott_guardian", "Caldicott guardian"
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer"
    IG_LEAD = "ig_lead", "Information governance lead"


class GovernanceRole(TimeStampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="governance_roles")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="governance_roles"
    )
    role = models.CharField(max_length=20, choices=GovernanceRoleKind.choices)

    class Meta:
        ordering = ["organisation__name", "role", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation", "role"], name="governance_role_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}, {self.organisation}"
