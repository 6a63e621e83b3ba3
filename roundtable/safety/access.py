"""A safety plan, formulation and their reviews are the person's own, coproduced with them, and
follow the person: whoever may see the person sees them (see `roundtable.care.access`). A
positive risk-taking plan is a shared decision about one episode, and follows the episode."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from roundtable.care.access import visible_episodes, visible_people
from roundtable.core import access
from roundtable.directory.models import Person
from roundtable.safety.models import (
    PositiveRiskPlan,
    SafetyFormulation,
    SafetyFormulationVersion,
    SafetyPlan,
    SafetyPlanVersion,
    SafetyReview,
)


def _by_person(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(person_id__in=visible_people(user).values("pk"))


def _plan_versions(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(plan__person_id__in=visible_people(user).values("pk"))


def _formulation_versions(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(formulation__person_id__in=visible_people(user).values("pk"))


def _by_episode(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(episode_id__in=visible_episodes(user).values("pk"))


for model in (SafetyPlan, SafetyFormulation, SafetyReview):
    access.register(model, _by_person)
access.register(SafetyPlanVersion, _plan_versions)
access.register(SafetyFormulationVersion, _formulation_versions)
access.register(PositiveRiskPlan, _by_episode)
