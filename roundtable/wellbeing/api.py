"""Wellbeing under /api/v1/wellbeing/: the monthly pulse, its results, support sessions, peer
circles and, for leaders, the isolation list. Thin: reads call selectors, writes one service.

Pulse answers carry no name (see docs/adr/0012-…); results come only for closed rounds with at
least `PULSE_MINIMUM_GROUP` answers. A second answer in a round, or a value outside 1 to 5, is a
422 and nothing is stored.
"""

# No `from __future__ import annotations`: ninja reads the annotations when endpoints are declared.
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from roundtable.core.api import CONFLICT, FORBIDDEN, NOT_FOUND, REFUSED, actor, paginated
from roundtable.core.schemas import ErrorOut, PathId
from roundtable.forums import selectors as forum_selectors
from roundtable.wellbeing import selectors, services
from roundtable.wellbeing.models import SupportSession
from roundtable.wellbeing.schemas import (
    IsolatedOut,
    PeerCircleOut,
    PulseAnswerIn,
    PulseRoundOut,
    RoundResultOut,
    SupportSessionCancelIn,
    SupportSessionChangeIn,
    SupportSessionIn,
    SupportSessionOut,
    TrendRowOut,
)

router = Router(tags=["wellbeing"])


@router.get("/pulse/current", response=list[PulseRoundOut])
def pulse_current(request: HttpRequest) -> list[selectors.PulseInvite]:
    """This month's check-in for each of your teams, and whether you have answered it."""
    services.pulse_rounds_open_for(person=actor(request))
    return selectors.my_pulse(actor(request))


@router.post(
    "/pulse/{round_id}/answers",
    response={201: ErrorOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def pulse_answer(request: HttpRequest, round_id: PathId, payload: PulseAnswerIn) -> Status[Any]:
    """Answer a check-in of one of your teams, once: a value for every statement and an
    optional comment. Stored without your name; the answer says only that it was received."""
    pulse_round = selectors.pulse_round_get(actor(request), round_id)
    values: dict[int, int | None] = {}
    for answer in payload.answers:
        if answer.statement in values:
            raise ValidationError({"answers": "Answer each statement once."})
        values[answer.statement] = answer.value
    services.pulse_answer(
        actor=actor(request), pulse_round=pulse_round, values=values, comment=payload.comment
    )
    return Status(201, {"detail": "Thank you: your answers are stored without your name."})


@router.get("/pulse/teams/{team_id}/results", response={200: list[RoundResultOut], **NOT_FOUND})
def pulse_results(request: HttpRequest, team_id: PathId) -> list[selectors.RoundResult]:
    """A team's rounds, newest first: results only once a round has closed with enough
    answers. For the team's members and its leaders."""
    team = selectors.team_get(team_id)
    return selectors.team_pulse(request.user, team)


@router.get("/pulse/system", response=list[TrendRowOut])
def pulse_system(request: HttpRequest) -> list[selectors.TrendRow]:
    """The whole system month by month, from the teams with enough answers that month."""
    return selectors.system_trend()[1]


@router.get("/support-sessions", response=list[SupportSessionOut])
@paginated
def support_sessions(request: HttpRequest) -> QuerySet[SupportSession]:
    """Support sessions of your teams, the teams you lead and your peer circles; newest first."""
    return selectors.support_sessions(request.user)


@router.post("/support-sessions", response={201: SupportSessionOut, **FORBIDDEN, **REFUSED})
def support_session_create(request: HttpRequest, payload: SupportSessionIn) -> Status[Any]:
    """Record a support session for a team you are in or lead, or a peer circle you are in."""
    team = circle = None
    try:
        if payload.team is not None:
            team = selectors.team_get(payload.team)
        if payload.peer_circle is not None:
            circle = selectors.peer_circle_get(payload.peer_circle)
    except Http404:
        raise ValidationError("There is no such team or peer circle.") from None
    ids = [i for i in [payload.facilitator, *payload.attendees] if i is not None]
    people = forum_selectors.people_by_id(request.user, ids)
    missing = [str(i) for i in ids if i not in people]
    if missing:
        raise ValidationError(f"There is no person you can see with id {', '.join(missing)}.")
    session = services.support_session_record(
        actor=actor(request),
        kind=payload.kind.value,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        team=team,
        peer_circle=circle,
        facilitator=people[payload.facilitator] if payload.facilitator else None,
        attendees=[people[i] for i in payload.attendees],
    )
    return Status(201, selectors.support_session_detail(request.user, session.pk, audit=False))


@router.patch(
    "/support-sessions/{session_id}",
    response={200: SupportSessionOut, **NOT_FOUND, **FORBIDDEN, **CONFLICT, **REFUSED},
)
def support_session_change(
    request: HttpRequest, session_id: PathId, payload: SupportSessionChangeIn
) -> SupportSession:
    """Put a session right: its kind, time, length or facilitator (only what you send)."""
    session = selectors.support_session_detail(request.user, session_id)
    sent = payload.model_fields_set
    facilitator = session.facilitator
    if "facilitator" in sent:
        facilitator = None
        wanted = payload.facilitator
        if wanted is not None:
            found = forum_selectors.people_by_id(request.user, [wanted])
            if wanted not in found:
                problem = f"There is no person you can see with id {wanted}."
                raise ValidationError({"facilitator": problem})
            facilitator = found[wanted]
    services.support_session_change(
        actor=actor(request),
        session=session,
        expected_version=payload.version,
        kind=payload.kind.value if payload.kind is not None else session.kind,
        starts_at=payload.starts_at if payload.starts_at is not None else session.starts_at,
        duration_minutes=payload.duration_minutes or session.duration_minutes,
        facilitator=facilitator,
    )
    return selectors.support_session_detail(request.user, session_id, audit=False)


@router.post(
    "/support-sessions/{session_id}/cancel",
    response={200: SupportSessionOut, **NOT_FOUND, **FORBIDDEN, **CONFLICT, **REFUSED},
)
def support_session_cancel(
    request: HttpRequest, session_id: PathId, payload: SupportSessionCancelIn
) -> SupportSession:
    """Cancel a session nobody is recorded as coming to, saying why. It stays listed."""
    session = selectors.support_session_detail(request.user, session_id)
    services.support_session_cancel(
        actor=actor(request),
        session=session,
        expected_version=payload.version,
        reason=payload.reason,
    )
    return selectors.support_session_detail(request.user, session_id, audit=False)


@router.get("/isolation", response={200: list[IsolatedOut], 403: ErrorOut})
def isolation(request: HttpRequest) -> list[selectors.IsolatedPerson]:
    """For leaders: people in the teams you lead who are the only one of their discipline in a
    team or locality, or without a team meeting or support session lately. 403 for others."""
    if not selectors.may_see_isolation(request.user):
        raise HttpError(403, "Only members of a team's leadership team see this list.")
    return selectors.isolation_list(actor(request))


@router.get("/peer-circles", response=list[PeerCircleOut])
def peer_circles(request: HttpRequest) -> list[selectors.CircleSummary]:
    """Every peer circle, its members' localities, and whether you are in it."""
    return selectors.peer_circles(actor(request))


@router.post(
    "/peer-circles/{circle_id}/join",
    response={201: PeerCircleOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def peer_circle_join(request: HttpRequest, circle_id: PathId) -> Status[Any]:
    """Join a peer circle of your own discipline, and its forum."""
    circle = selectors.peer_circle_get(circle_id)
    services.peer_circle_join(actor=actor(request), circle=circle)
    summary = next(c for c in selectors.peer_circles(actor(request)) if c.circle.pk == circle.pk)
    return Status(201, summary)
