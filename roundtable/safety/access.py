"""Safety plans and everything about a person's safety follow the person: visible to the teams
caring for them and partners they consented to share with (see `roundtable.care.access`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from roundtable.care.access import visible_people
from roundtable.core import access
from roundtable.safety.models import (
    PositiveRiskPlan,
    SafetyFormulation,
    SafetyFormulationVersion,
    SafetyPlan,
    SafetyPlanVersion,
    SafetyReview,
)


def _by_person(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(person_id__in=visible_people(user).values("pk"))


def _plan_versions(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(plan__person_id__in=visible_people(user).values("pk"))


def _formulation_versions(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(formulation__person_id__in=visible_people(user).values("pk"))


def _by_episode(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(episode__person_id__in=visible_people(user).values("pk"))


for model in (SafetyPlan, SafetyFormulation, SafetyReview):
    access.register(model, _by_person)
access.register(SafetyPlanVersion, _plan_versions)
access.register(SafetyFormulationVersion, _formulation_versions)
access.register(PositiveRiskPlan, _by_episode)
