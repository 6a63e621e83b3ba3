"""Reads of safety plans, formulations, positive risk-taking plans and reviews due, always
through the access chokepoint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max, OuterRef, Subquery
from django.utils import timezone

from roundtable.care.models import Episode, PersonInCare, Zone
from roundtable.core import access
from roundtable.decisions.models import Decision, Hold
from roundtable.directory.models import Person, Team
from roundtable.safety.models import (
    PositiveRiskPlan,
    ReviewFrequency,
    SafetyFormulation,
    SafetyFormulationVersion,
    SafetyPlan,
    SafetyPlanVersion,
    SafetyReview,
)
from roundtable.safety.services import DEFAULT_REVIEW_DAYS


@dataclass
class SafetyRecord:
    person: PersonInCare
    plan: SafetyPlan | None
    plan_versions: list[SafetyPlanVersion]
    formulation: SafetyFormulation | None
    formulation_versions: list[SafetyFormulationVersion]
    reviews: list[SafetyReview]
    positive_risk_plans: list[PositiveRiskPlan]
    holds: dict[int, list[Hold]]

    @property
    def last_reviewed_on(self) -> date | None:
        return self.reviews[0].reviewed_on if self.reviews else None


def safety_record(user: Any, person_id: int) -> SafetyRecord:
    """A person's safety plan with its history, formulation, reviews and positive risk-taking
    plans. 404 unless the user may see the person; the read is audited."""
    person = access.get_visible(user, PersonInCare, pk=person_id)
    plan = (
        access.scoped(user, SafetyPlan).filter(person=person).select_related("written_by").first()
    )
    plan_versions = (
        list(
            access.scoped(user, SafetyPlanVersion)
            .filter(plan=plan)
            .select_related("written_by")
            .order_by("-number")
        )
        if plan
        else []
    )
    formulation = (
        access.scoped(user, SafetyFormulation)
        .filter(person=person)
        .select_related("written_by")
        .first()
    )
    formulation_versions = (
        list(
            access.scoped(user, SafetyFormulationVersion)
            .filter(formulation=formulation)
            .select_related("written_by")
            .order_by("-number")
        )
        if formulation
        else []
    )
    reviews = list(
        access.scoped(user, SafetyReview)
        .filter(person=person)
        .select_related("reviewed_by")
        .order_by("-reviewed_on", "-pk")
    )
    plans = list(
        access.scoped(user, PositiveRiskPlan)
        .filter(episode__person=person, decision__in=access.scoped(user, Decision))
        .select_related("decision__forum", "episode__team")
        .order_by("-decision__created_at")
    )
    holds: dict[int, list[Hold]] = {}
    for hold in (
        Hold.objects.filter(decision_id__in=[p.decision_id for p in plans])
        .select_related("leader", "leadership_team")
        .order_by("created_at", "pk")
    ):
        holds.setdefault(hold.decision_id, []).append(hold)
    return SafetyRecord(
        person, plan, plan_versions, formulation, formulation_versions, reviews, plans, holds
    )


def plan_version_get(user: Any, person_id: int, number: int) -> SafetyPlanVersion:
    """One version of a person's plan (for showing what changed), or 404."""
    return access.get_visible(
        user,
        SafetyPlanVersion,
        SafetyPlanVersion.objects.select_related("written_by", "plan__person"),
        plan__person_id=person_id,
        number=number,
        audit=False,
    )


def review_days(zones: list[Zone]) -> dict[int, int | None]:
    """How often each zone's people are reviewed: the team's choice, else the default for the
    zone's colour (None: no scheduled review). One query."""
    chosen = dict(
        ReviewFrequency.objects.filter(zone__in=zones).values_list("zone_id", "every_days")
    )
    return {z.pk: chosen.get(z.pk, DEFAULT_REVIEW_DAYS.get(z.colour)) for z in zones}


@dataclass
class ReviewDue:
    episode: Episode
    every_days: int
    last_reviewed_on: date | None
    due_on: date
    today: date

    @property
    def overdue(self) -> bool:
        return self.due_on < self.today

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.due_on).days, 0)


def reviews_due(
    user: Any,
    team: Team,
    *,
    key_worker: Person | None = None,
    within_days: int = 7,
    today: date | None = None,
) -> list[ReviewDue]:
    """Safety-plan reviews due within `within_days` (and overdue ones), soonest first.

    Each person is reviewed as often as their zone asks: a person never reviewed is due from the
    day they were zoned. When their zone changes, so does their next review. Three queries.
    """
    today = today or timezone.localdate()
    last_review = (
        SafetyReview.objects.filter(person=OuterRef("person"))
        .order_by()
        .values("person")
        .annotate(latest=Max("reviewed_on"))
        .values("latest")
    )
    episodes = (
        access.scoped(user, Episode)
        .filter(team=team, closed_at__isnull=True, zone__isnull=False)
        .select_related("person", "key_worker", "zone")
        .annotate(last_reviewed_on=Subquery(last_review[:1]))
        .order_by("person__name", "pk")
    )
    if key_worker is not None:
        episodes = episodes.filter(key_worker=key_worker)
    rows = list(episodes)
    days = review_days(list({e.zone for e in rows if e.zone is not None}))
    horizon = today + timedelta(days=within_days)
    due: list[ReviewDue] = []
    for episode in rows:
        assert episode.zone is not None
        every = days.get(episode.zone.pk)
        if every is None:
            continue
        last = getattr(episode, "last_reviewed_on", None)
        start = (episode.zone_since or episode.referred_at).date()
        # Reviewed: due `every` days (of the zone they are in now) after the last review. Never
        # reviewed: due from the day they were zoned.
        due_on = last + timedelta(days=every) if last else start
        if due_on <= horizon:
            due.append(ReviewDue(episode, every, last, due_on, today))
    return sorted(due, key=lambda r: (r.due_on, r.episode.person.name))


def positive_risk_plans_for(user: Any, episode_ids: list[int]) -> dict[int, list[PositiveRiskPlan]]:
    """Positive risk-taking plans of several episodes with their decision and hold count (for
    the huddle board and caseloads). One query."""
    found: dict[int, list[PositiveRiskPlan]] = {}
    plans = (
        access.scoped(user, PositiveRiskPlan)
        .filter(episode_id__in=episode_ids)
        .select_related("decision")
        .annotate(hold_count=Count("decision__holds", distinct=True))
        .order_by("-decision__created_at")
    )
    for plan in plans:
        found.setdefault(plan.episode_id, []).append(plan)
    return found
