"""Concerns under /api/v1/voice/: raise, follow, act on, reply, "You said, we did". Thin.

Every write calls one service, which checks who may make it, validates and saves in one
transaction: a refused write is a 422 that says why, and nothing was stored. Acting on a concern
names the `version` read; if it changed since, the answer is 409. Only the leadership team that
owns a concern acts on it (403 for others who can read it, 404 for those who cannot).
An anonymous raiser follows and replies with the receipt token; who uses it is not recorded.
"""

# No `from __future__ import annotations`: ninja reads the annotations when endpoints are declared.
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Status
from ninja.errors import HttpError
from rules.permissions import has_perm as rule_allows

from roundtable.core.api import (
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    REFUSED,
    actor,
    given,
    named,
    paginated,
)
from roundtable.core.schemas import PathId
from roundtable.voice import selectors, services
from roundtable.voice.models import Concern
from roundtable.voice.schemas import (
    AddressIn,
    BoardItem,
    ConcernActionIn,
    ConcernDetail,
    ConcernIn,
    ConcernNoteIn,
    ConcernQuery,
    ConcernSummary,
    NotTakenForwardIn,
    RaisedOut,
    ReplyIn,
    ReplyOut,
    YouSaidWeDidQuery,
)

router = Router(tags=["voice"])


def _owned(request: HttpRequest, concern_id: PathId) -> Concern:
    """A concern the person may read (else 404) and act on (else 403)."""
    concern = selectors.concern_get(request.user, concern_id)
    if not rule_allows("voice.act", request.user, concern):  # type: ignore[no-untyped-call]
        raise HttpError(
            403, f"Only members of {concern.owner.name}, which has this concern, can act on it."
        )
    return concern


@router.get("/concerns", response=list[ConcernSummary])
@paginated
def concern_list(request: HttpRequest, filters: Query[ConcernQuery]) -> QuerySet[Concern]:
    """Concerns your leadership teams have now: open ones first, the soonest due first."""
    status = "open" if filters.open else (filters.status.value if filters.status else "")
    return selectors.concerns_for_my_leadership(actor(request), status=status)


@router.get("/concerns/mine", response=list[ConcernSummary])
@paginated
def concern_mine(request: HttpRequest) -> QuerySet[Concern]:
    """Concerns you raised with your name. Anonymous ones are followed by their receipt."""
    return selectors.concerns_raised_by(request.user)


@router.post("/concerns", response={201: RaisedOut, **FORBIDDEN, **REFUSED})
def concern_raise(request: HttpRequest, payload: ConcernIn) -> Status[dict[str, Any]]:
    """Raise a concern to one of your teams, an organisation you work in, or the whole system.

    Anonymous: nothing records who you are. The answer holds the receipt token, once: keep it
    to follow the concern and reply (`/voice/receipts/{token}`).
    """
    team = organisation = None
    if payload.to.value == "team":
        if payload.team is None:
            raise ValidationError({"team": "Give the team the concern goes to."})
        team = named("team", "team", selectors.team_get, payload.team)
    elif payload.to.value == "organisation":
        if payload.organisation is None:
            raise ValidationError({"organisation": "Give the organisation it goes to."})
        organisation = named(
            "organisation", "organisation", selectors.organisation_get, payload.organisation
        )
    _, token = services.concern_raise(
        actor=actor(request),
        level=payload.to.value,
        team=team,
        organisation=organisation,
        **given(payload, "title", "body", "anonymous"),
    )
    page = selectors.concern_by_receipt(token)
    return Status(
        201,
        {
            "concern": page,
            "receipt_token": token,
            "receipt_url": request.build_absolute_uri(reverse("voice:receipt", args=[token])),
        },
    )


@router.get("/concerns/{concern_id}", response={200: ConcernDetail, **NOT_FOUND})
def concern_detail(request: HttpRequest, concern_id: PathId) -> selectors.ConcernPage:
    """A concern with its history and replies: for its leadership teams and its named raiser."""
    return selectors.concern_detail(request.user, concern_id)


_ACTS = {**NOT_FOUND, **FORBIDDEN, **CONFLICT, **REFUSED}


def _act(
    request: HttpRequest,
    concern_id: int,
    change: Callable[..., object],
    payload: Any,
    *names: str,
) -> selectors.ConcernPage:
    """One step of the owning leadership team on a concern (`change`, a service taking the
    version read and the body's fields of these `names`): 404 for a concern you may not see,
    403 unless you may act on it, 409 for a stale version, 422 for a step the concern's status
    does not allow. Answers the concern."""
    change(
        actor=actor(request),
        concern=_owned(request, concern_id),
        expected_version=payload.version,
        **given(payload, *names),
    )
    return selectors.concern_detail(request.user, concern_id)


@router.post("/concerns/{concern_id}/acknowledge", response={200: ConcernDetail, **_ACTS})
def concern_acknowledge(
    request: HttpRequest, concern_id: PathId, payload: ConcernNoteIn
) -> selectors.ConcernPage:
    """ "We have heard it." The owning leadership team then agrees an action, or says why not."""
    return _act(request, concern_id, services.concern_acknowledge, payload, "note")


@router.post("/concerns/{concern_id}/action", response={200: ConcernDetail, **_ACTS})
def concern_agree_action(
    request: HttpRequest, concern_id: PathId, payload: ConcernActionIn
) -> selectors.ConcernPage:
    """Agree the action and the day it will be done by."""
    change = services.concern_agree_action
    return _act(request, concern_id, change, payload, "action", "action_due_on")


@router.post("/concerns/{concern_id}/address", response={200: ConcernDetail, **_ACTS})
def concern_address(
    request: HttpRequest, concern_id: PathId, payload: AddressIn
) -> selectors.ConcernPage:
    """Close it as addressed, saying what we did (shown on You said, we did unless not)."""
    change = services.concern_address
    return _act(request, concern_id, change, payload, "what_we_did", "on_board")


@router.post("/concerns/{concern_id}/not-taken-forward", response={200: ConcernDetail, **_ACTS})
def concern_not_take_forward(
    request: HttpRequest, concern_id: PathId, payload: NotTakenForwardIn
) -> selectors.ConcernPage:
    """Close it as not taken forward, with the reason."""
    change = services.concern_not_take_forward
    return _act(request, concern_id, change, payload, "reason", "on_board")


@router.post(
    "/concerns/{concern_id}/replies",
    response={201: ReplyOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def concern_reply(request: HttpRequest, concern_id: PathId, payload: ReplyIn) -> Status[Any]:
    """Reply on a concern: its owning leadership team, or its named raiser."""
    concern = selectors.concern_get(request.user, concern_id)
    if not rule_allows("voice.reply", request.user, concern):  # type: ignore[no-untyped-call]
        raise HttpError(403, "Only the raiser and the leadership team it is with can reply.")
    reply = services.concern_reply(actor=actor(request), concern=concern, body=payload.body)
    return Status(201, reply)


@router.get("/receipts/{token}", response={200: ConcernDetail, **NOT_FOUND})
def receipt_detail(request: HttpRequest, token: str) -> selectors.ConcernPage:
    """Follow a concern by its receipt token. Who uses it is not recorded."""
    return selectors.concern_by_receipt(token)


@router.post(
    "/receipts/{token}/replies", response={201: ReplyOut, **NOT_FOUND, **FORBIDDEN, **REFUSED}
)
def receipt_reply(request: HttpRequest, token: str, payload: ReplyIn) -> Status[Any]:
    """Reply as the raiser, through the receipt: anonymous stays anonymous."""
    page = selectors.concern_by_receipt(token)
    reply = services.concern_reply_by_receipt(concern=page.concern, body=payload.body)
    return Status(201, reply)


@router.get("/you-said-we-did", response=list[BoardItem])
@paginated
def board(request: HttpRequest, filters: Query[YouSaidWeDidQuery]) -> QuerySet[Any]:
    """Closed concerns and what was done — or why not — for a team, an organisation (with its
    teams) or, with neither, those raised to the whole system. Never who raised them."""
    # A filter naming nothing is a parameter that does not fit, as elsewhere: 422.
    team = organisation = None
    if filters.team is not None:
        team = named("team", "team", selectors.team_get, filters.team)
    elif filters.organisation is not None:
        organisation = named(
            "organisation", "organisation", selectors.organisation_get, filters.organisation
        )
    return selectors.board(team=team, organisation=organisation)
