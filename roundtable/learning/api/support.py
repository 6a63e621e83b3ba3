"""Support after an event: a leader of the event's team offers someone in the team support; the
person answers. Seen only by them and the team's leadership: anyone else gets an empty list, or
404 for one offer."""

import functools

from django.http import HttpRequest
from ninja import Router, Status

from roundtable.core.api import CONFLICT, FORBIDDEN, NOT_FOUND, REFUSED, actor, all_named, named
from roundtable.core.schemas import PathId
from roundtable.forums import selectors as forum_selectors
from roundtable.learning import selectors
from roundtable.learning.models import SupportAfterEvent
from roundtable.learning.schemas.support import (
    SupportAfterEventOut,
    SupportAnswerIn,
    SupportOfferIn,
)
from roundtable.learning.selectors import support as support_selectors
from roundtable.learning.services import support as services
from roundtable.wellbeing import selectors as wellbeing_selectors

router = Router(tags=["learning"])


@router.get("/events/{event_id}/support", response={200: list[SupportAfterEventOut], **NOT_FOUND})
def support_list(request: HttpRequest, event_id: PathId) -> list[SupportAfterEvent]:
    """The support offered after the event that you may see: offered to you, or — if you lead
    the event's team — to anyone in it."""
    event = selectors.event_get(request.user, event_id)
    return support_selectors.event_support(request.user, event).offers


@router.post(
    "/events/{event_id}/support",
    response={201: SupportAfterEventOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def support_offer(
    request: HttpRequest, event_id: PathId, payload: SupportOfferIn
) -> Status[SupportAfterEvent]:
    """Offer someone in the event's team support after it: for the team's leadership. One
    unanswered offer per person and event."""
    event = selectors.event_get(request.user, event_id)
    person = None
    if payload.person is not None:
        found = forum_selectors.people_by_id(request.user, [payload.person])
        person = all_named("person", "person", found, [payload.person])[0]
    session = None
    if payload.session is not None:
        get = functools.partial(wellbeing_selectors.support_session_detail, audit=False)
        session = named(
            "session", "support session", lambda pk: get(request.user, pk), payload.session
        )
    support = services.support_offer(
        actor=actor(request), event=event, person=person, what=payload.what, session=session
    )
    return Status(201, support)


@router.post(
    "/support/{support_id}/answer",
    response={200: SupportAfterEventOut, **NOT_FOUND, **FORBIDDEN, **REFUSED, **CONFLICT},
)
def support_answer(
    request: HttpRequest, support_id: PathId, payload: SupportAnswerIn
) -> SupportAfterEvent:
    """Take up or decline support offered to you (you may change your mind)."""
    return services.support_answer(
        actor=actor(request),
        support=support_selectors.support_get(request.user, support_id),
        expected_version=payload.version,
        taken_up=payload.taken_up.value,
    )
