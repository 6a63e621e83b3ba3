"""Tests of change under /api/v1/learning/: ramps of Plan-Do-Study-Act cycles towards an aim, and
their cycles. Thin.

Reads call the selectors: a ramp or cycle of a team that is not yours (nor one you lead) is a
404, and is absent from every list. Every write calls one service, which checks who may make it
(403 otherwise), validates and saves in one transaction: a refused write is a 422 that says why,
by field, and nothing was stored. Changing a cycle names the `version` that was read: if someone
has saved since, the answer is 409 with the `version` now.
"""

# No `from __future__ import annotations`: ninja reads the annotations when endpoints are declared,
# and `paginate` cannot resolve a postponed `Query[...]` from this module.
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status

from roundtable.core.api import (
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    REFUSED,
    actor,
    given,
    named,
    paginated,
    patched,
)
from roundtable.core.schemas import PathId
from roundtable.forums import selectors as forum_selectors
from roundtable.learning.models import ChangeCycle, LearningStatement, Ramp
from roundtable.learning.schemas.cycles import (
    CycleChangeIn,
    CycleCloseIn,
    CycleOut,
    CyclePlanIn,
    RampIn,
    RampOut,
    RampSummary,
)
from roundtable.learning.schemas.responses import LearningListQuery, LearningVersionIn
from roundtable.learning.selectors import cycles as selectors
from roundtable.learning.services import cycles as services

router = Router(tags=["learning"])

_WRITES = {**NOT_FOUND, **FORBIDDEN, **REFUSED}
_CHANGES = {**_WRITES, **CONFLICT}
_PLAN = ("change", "prediction", "measure", "plan")


def _statement(request: HttpRequest, pk: int | None) -> LearningStatement | None:
    if pk is None:
        return None

    def get(statement_id: int) -> LearningStatement:
        found = selectors.statement_find(request.user, statement_id)
        if found is None:
            raise Http404
        return found

    return named("statement", "learning statement you can see", get, pk)


def _cycle(request: HttpRequest, cycle_id: int) -> ChangeCycle:
    """A cycle to act on (the write is audited, so the read is not)."""
    return selectors.cycle_get(request.user, cycle_id, audit=False)


@router.get("/tests-of-change", response=list[RampSummary])
@paginated
def ramp_list(request: HttpRequest, filters: Query[LearningListQuery]) -> QuerySet[Ramp]:
    """Tests of change of your teams and the teams you lead, newest first, each with how many
    cycles it has and its latest cycle's status and act."""
    team = None
    if filters.team is not None:
        team = named("team", "team", forum_selectors.team_get, filters.team)
    return selectors.ramp_list(request.user, team)


@router.post("/tests-of-change", response={201: RampOut, **FORBIDDEN, **REFUSED})
def ramp_start(request: HttpRequest, payload: RampIn) -> Status[selectors.RampPage]:
    """Start a test of change in your team (or one you lead): its aim and the plan of its first
    cycle, perhaps from a learning statement you can see."""
    ramp = services.ramp_start(
        actor=actor(request),
        team=named("team", "team", forum_selectors.team_get, payload.team),
        statement=_statement(request, payload.statement),
        **given(payload, "aim", *_PLAN),
    )
    return Status(201, selectors.ramp_page(request.user, ramp.pk, audit=False))


@router.get("/tests-of-change/{ramp_id}", response={200: RampOut, **NOT_FOUND})
def ramp_detail(request: HttpRequest, ramp_id: PathId) -> selectors.RampPage:
    """A test of change: its aim, where it came from and its cycles in order."""
    return selectors.ramp_page(request.user, ramp_id)


@router.post("/tests-of-change/{ramp_id}/cycles", response={201: CycleOut, **_WRITES})
def cycle_next(request: HttpRequest, ramp_id: PathId, payload: CyclePlanIn) -> Status[ChangeCycle]:
    """Plan the next cycle, once the one before is closed (whatever it chose: after abandon, a
    new idea towards the same aim). Sent twice at once, it makes one cycle."""
    cycle = services.cycle_next(
        actor=actor(request),
        ramp=selectors.ramp_get(request.user, ramp_id, audit=False),
        **given(payload, *_PLAN),
    )
    return Status(201, cycle)


@router.get("/cycles/{cycle_id}", response={200: CycleOut, **NOT_FOUND})
def cycle_detail(request: HttpRequest, cycle_id: PathId) -> ChangeCycle:
    """One cycle of a test of change: its plan, what happened, the study and the act."""
    return selectors.cycle_get(request.user, cycle_id)


@router.put("/cycles/{cycle_id}", response={200: CycleOut, **_CHANGES})
def cycle_update(request: HttpRequest, cycle_id: PathId, payload: CycleChangeIn) -> ChangeCycle:
    """Write a cycle's plan, and what happened, while it is not closed."""
    cycle = _cycle(request, cycle_id)
    return services.cycle_update(
        actor=actor(request),
        cycle=cycle,
        expected_version=payload.version,
        **patched(payload, cycle, *services.TEXTS),
    )


@router.post("/cycles/{cycle_id}/start", response={200: CycleOut, **_CHANGES})
def cycle_start(request: HttpRequest, cycle_id: PathId, payload: LearningVersionIn) -> ChangeCycle:
    """Begin trying a planned cycle's change."""
    return services.cycle_start(
        actor=actor(request), cycle=_cycle(request, cycle_id), expected_version=payload.version
    )


@router.post("/cycles/{cycle_id}/close", response={200: CycleOut, **_CHANGES})
def cycle_close(request: HttpRequest, cycle_id: PathId, payload: CycleCloseIn) -> ChangeCycle:
    """Close a cycle being tried, with what you found against the prediction (study) and what
    the team does next (act: adopt, adapt or abandon): both are required."""
    return services.cycle_close(
        actor=actor(request),
        cycle=_cycle(request, cycle_id),
        expected_version=payload.version,
        act=payload.act.value if payload.act is not None else "",
        **given(payload, "what_happened", "study", "act_note"),
    )
