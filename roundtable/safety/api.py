"""Safety plans, formulations, reviews and positive risk-taking under /api/v1/safety/. Thin.

Reads call the selectors: a person the caller may not see is a 404. Every write calls one
service, which checks that the caller is in a team caring for the person (else 422 saying so),
validates, saves in one transaction and writes the audit trail: a refused write is a 422 and
nothing was stored. Saving a plan or a formulation names the `version` that was read; if someone
saved since, the answer is 409 with the stored text, and nothing was overwritten.
"""

# No `from __future__ import annotations` here: ninja reads the endpoints' annotations when they
# are declared, and `paginate` cannot resolve a postponed `Query[...]` from this module.
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Status

from roundtable.care import services as care_services
from roundtable.care.models import PersonInCare, Zone
from roundtable.core.api import FORBIDDEN, NOT_FOUND, REFUSED, actor, given, named, paginated
from roundtable.core.concurrency import ConcurrentEditError
from roundtable.core.errors import NotAllowed
from roundtable.core.schemas import PathId
from roundtable.decisions.models import Hold
from roundtable.directory.models import Person, Team
from roundtable.forums import selectors as forum_selectors
from roundtable.forums.models import Meeting
from roundtable.safety import selectors, services
from roundtable.safety.models import (
    PositiveRiskPlan,
    SafetyFormulation,
    SafetyPlanVersion,
    SafetyReview,
)
from roundtable.safety.schemas import (
    FormulationConflictOut,
    FormulationIn,
    FormulationOut,
    PlanConflictOut,
    PlanIn,
    PlanOut,
    PlanVersionOut,
    PositiveRiskIn,
    PositiveRiskOut,
    ReviewDueOut,
    ReviewFrequenciesIn,
    ReviewFrequencyOut,
    ReviewOut,
    ReviewsDueQuery,
    SafetyRecordOut,
    SafetyReviewIn,
)

router = Router(tags=["safety"])


# What a positive risk-taking plan says, as the schemas and the service name it.
POSITIVE_RISK_PARTS = (
    "wants_to",
    "benefits",
    "possible_harms",
    "safeguards",
    "who_does_what",
    "review_on",
)
PLAN_CONFLICT = (
    "Someone else saved this plan since the version you sent. Nothing has been lost: compare "
    "with `plan`, then save again with its `version`."
)
FORMULATION_CONFLICT = (
    "Someone else saved this formulation since the version you sent. Nothing has been lost: "
    "compare with `formulation`, then save again with its `version`."
)


def _meeting(pk: int | None) -> Meeting | None:
    return None if pk is None else named("meeting", "meeting", forum_selectors.meeting_get, pk)


def _person(request: HttpRequest, person_id: PathId) -> PersonInCare:
    return selectors.person_get(request.user, person_id)


def _holds_out(holds: list[Hold]) -> list[dict[str, Any]]:
    return [
        {"leader": h.leader, "leadership_team": h.leadership_team.name, "message": h.message}
        for h in holds
    ]


def _positive_risk_out(plan: PositiveRiskPlan, holds: list[Hold]) -> dict[str, Any]:
    decision = plan.decision
    return {
        "decision": decision.pk,
        "title": decision.title,
        "status": decision.status,
        "forum": decision.forum,
        **{name: getattr(plan, name) for name in POSITIVE_RISK_PARTS},
        "holds": _holds_out(holds),
    }


def _review_out(review: SafetyReview) -> dict[str, Any]:
    return {
        "id": review.pk,
        "reviewed_on": review.reviewed_on,
        "reviewed_by": review.reviewed_by,
        "note": review.note,
        "plan_version": review.plan_version.number if review.plan_version else None,
    }


def _zone_out(zone: Zone) -> dict[str, Any]:
    return {"id": zone.pk, "name": zone.name, "colour": zone.colour}


# ---------------------------------------------------------------------------------------------
# A person's safety record
# ---------------------------------------------------------------------------------------------


@router.get("/people/{person_id}", response={200: SafetyRecordOut, **NOT_FOUND})
def person_record(request: HttpRequest, person_id: PathId) -> dict[str, Any]:
    """The person's safety plan, when it was last reviewed, their formulation, every review and
    their positive risk-taking plans with who holds them. For the teams caring for the person
    and partners they consented to share with."""
    record = selectors.safety_record(request.user, person_id)
    return {
        "person": {"id": record.person.pk, "name": record.person.name},
        "can_write": selectors.caring_episode_of(request.user, record.person) is not None,
        "plan": record.plan,
        "last_reviewed_on": record.last_reviewed_on,
        "formulation": record.formulation,
        "reviews": [_review_out(r) for r in record.reviews],
        "positive_risk_plans": [
            _positive_risk_out(p, record.holds.get(p.decision_id, []))
            for p in record.positive_risk_plans
        ],
    }


@router.put(
    "/people/{person_id}/plan",
    response={200: PlanOut, 409: PlanConflictOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def plan_save(request: HttpRequest, person_id: PathId, payload: PlanIn) -> Any:
    """Write the person's safety plan with them, or its next version: every step in their
    words (at least one), who wrote it together, and optionally a review-by date (not in the
    past). Every version is kept. Members of a team caring for the person only."""
    person = _person(request, person_id)
    try:
        services.safety_plan_save(
            actor=actor(request),
            person=person,
            values=payload.dict(exclude={"written_with", "review_on", "version"}),
            written_with=payload.written_with,
            review_on=payload.review_on,
            expected_version=payload.version,
        )
    except ConcurrentEditError:
        return Status(
            409, {"detail": PLAN_CONFLICT, "plan": selectors.plan_get(request.user, person)}
        )
    return selectors.plan_get(request.user, person)


@router.get("/people/{person_id}/plan/versions", response={200: list[PlanVersionOut], **NOT_FOUND})
@paginated
def plan_versions(request: HttpRequest, person_id: PathId) -> list[SafetyPlanVersion]:
    """Every version of the person's safety plan, newest first."""
    return selectors.safety_record(request.user, person_id).plan_versions


@router.put(
    "/people/{person_id}/formulation",
    response={
        200: FormulationOut,
        409: FormulationConflictOut,
        **NOT_FOUND,
        **FORBIDDEN,
        **REFUSED,
    },
)
def formulation_save(request: HttpRequest, person_id: PathId, payload: FormulationIn) -> Any:
    """Write the person's safety formulation (at least one part), or its next version."""
    person = _person(request, person_id)
    try:
        services.safety_formulation_save(
            actor=actor(request),
            person=person,
            values=payload.dict(exclude={"version"}),
            expected_version=payload.version,
        )
    except ConcurrentEditError:
        stored: SafetyFormulation | None = selectors.formulation_get(request.user, person)
        return Status(409, {"detail": FORMULATION_CONFLICT, "formulation": stored})
    return selectors.formulation_get(request.user, person)


@router.post(
    "/people/{person_id}/reviews", response={201: ReviewOut, **NOT_FOUND, **FORBIDDEN, **REFUSED}
)
def review_record(request: HttpRequest, person_id: PathId, payload: SafetyReviewIn) -> Any:
    """The plan was reviewed with the person and still stands (today unless `reviewed_on`)."""
    review = services.safety_review_record(
        actor=actor(request),
        person=_person(request, person_id),
        **given(payload, "note", "reviewed_on"),
    )
    return Status(201, _review_out(review))


@router.post(
    "/people/{person_id}/positive-risk",
    response={201: PositiveRiskOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def positive_risk_propose(request: HttpRequest, person_id: PathId, payload: PositiveRiskIn) -> Any:
    """Propose a positive risk-taking plan: a Shared decision of kind `positive_risk` in one of
    the caring team's forums. Members give their positions on it at
    /decisions/decisions/{decision}/position, and a leader holds it once agreed."""
    person = _person(request, person_id)
    episode = selectors.caring_episode_of(request.user, person)
    if episode is None:
        raise NotAllowed(
            f"{person.name} is not on the caseload of any of your teams: only the team caring "
            "for someone proposes a positive risk-taking plan with them."
        )
    decision = services.positive_risk_propose(
        actor=actor(request),
        episode=episode,
        forum=named("forum", "forum", forum_selectors.forum_get, payload.forum),
        meeting=_meeting(payload.meeting),
        **given(payload, *POSITIVE_RISK_PARTS),
    )
    plans = selectors.positive_risk_plans_for(request.user, [episode.pk])[episode.pk]
    plan = next(p for p in plans if p.decision_id == decision.pk)
    return Status(201, _positive_risk_out(plan, []))


# ---------------------------------------------------------------------------------------------
# A team's reviews
# ---------------------------------------------------------------------------------------------


def _key_worker(request: HttpRequest, team: Team, pk: int | None) -> Person | None:
    if pk is None:
        return None
    found = {p.pk: p for p in selectors.team_key_workers(request.user, team)}
    if pk not in found:
        raise ValidationError({"key_worker": f"There is no member of {team.name} with id {pk}."})
    return found[pk]


@router.get(
    "/teams/{team_id}/reviews-due",
    response={200: list[ReviewDueOut], **NOT_FOUND, **REFUSED},
)
def reviews_due(
    request: HttpRequest, team_id: PathId, filters: Query[ReviewsDueQuery]
) -> list[dict[str, Any]]:
    """Safety-plan reviews due in the team within `within_days` (7 unless asked) and every
    overdue one, overdue first. Each person is reviewed as often as their zone asks. For
    members of the team."""
    team = selectors.my_team_get(actor(request), team_id)
    due = selectors.reviews_due(
        request.user,
        team,
        key_worker=_key_worker(request, team, filters.key_worker),
        within_days=filters.within_days,
    )
    rows = []
    for d in due:
        zone = d.episode.zone
        assert zone is not None
        rows.append(
            {
                "person": {"id": d.episode.person.pk, "name": d.episode.person.name},
                "episode": d.episode.pk,
                "zone": _zone_out(zone),
                "key_worker": d.episode.key_worker,
                "every_days": d.every_days,
                "last_reviewed_on": d.last_reviewed_on,
                "due_on": d.due_on,
                "overdue": d.overdue,
                "days_overdue": d.days_overdue,
            }
        )
    return rows


def _frequencies_out(team: Team) -> list[dict[str, Any]]:
    return [
        {
            "zone": _zone_out(row.zone),
            "every_days": row.every_days,
            "chosen_days": row.chosen_days,
            "default_days": row.default_days,
        }
        for row in selectors.review_frequencies(care_services.zones_ensure(team=team))
    ]


@router.get(
    "/teams/{team_id}/review-frequencies",
    response={200: list[ReviewFrequencyOut], **NOT_FOUND},
)
def review_frequencies(request: HttpRequest, team_id: PathId) -> list[dict[str, Any]]:
    """How often the team reviews the safety plans of people in each of its zones."""
    return _frequencies_out(selectors.my_team_get(actor(request), team_id))


@router.put(
    "/teams/{team_id}/review-frequencies",
    response={200: list[ReviewFrequencyOut], **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def review_frequencies_set(
    request: HttpRequest, team_id: PathId, payload: ReviewFrequenciesIn
) -> list[dict[str, Any]]:
    """Set the review frequency of some of the team's zones: a number of days from 1 to 366,
    or null for the default of the zone's colour. All or nothing; errors are keyed
    `zone_<id>`."""
    team = selectors.my_team_get(actor(request), team_id)
    services.review_frequencies_set(
        actor=actor(request),
        team=team,
        every_days={row.zone: row.every_days for row in payload.frequencies},
    )
    return _frequencies_out(team)
