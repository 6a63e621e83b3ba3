"""Learning, not blame, under /api/v1/learning/: events, learning responses (SWARM huddles, After
Action Reviews, MDT reviews, thematic reviews) with what they record, and safety actions. Thin.

Reads call the selectors, through the access rules of `roundtable.learning.access`: an event,
response or action the caller may not see — one about a person in care they may not see, or of
a team that is not theirs — is a 404, and is absent from every list. Every write calls one
service, which checks who may make it (403 otherwise: members of the team and those who lead
it), validates and saves in one transaction: a refused write is a 422 that says why, by field,
and nothing was stored. A record a body names by id that the caller may not see is a 422 on that
field that says only that there is none. Changing a response or an action names the `version`
that was read: if someone has saved since, the answer is 409 with the `version` now.
"""

# No `from __future__ import annotations`: ninja reads the annotations when endpoints are declared,
# and `paginate` cannot resolve a postponed `Query[...]` from this module.
import functools

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from roundtable.care import selectors as care_selectors
from roundtable.care.models import Episode, PersonInCare
from roundtable.core.api import (
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    REFUSED,
    actor,
    all_named,
    given,
    named,
    paginated,
    patched,
)
from roundtable.core.schemas import PathId
from roundtable.directory.models import Organisation, Person, Team
from roundtable.forums import selectors as forum_selectors
from roundtable.learning import selectors, services
from roundtable.learning.models import (
    ContributoryFactor,
    LearningEvent,
    LearningResponse,
    LearningStatement,
    Participant,
    SafetyAction,
)
from roundtable.learning.schemas.responses import (
    ContributoryFactorIn,
    ContributoryFactorOut,
    LearningAnswersIn,
    LearningEventIn,
    LearningEventOut,
    LearningEventSummary,
    LearningListQuery,
    LearningParticipantIn,
    LearningParticipantOut,
    LearningResponseIn,
    LearningResponseOut,
    LearningResponseSummary,
    LearningStatementIn,
    LearningStatementOut,
    LearningVersionIn,
    OverdueActionOut,
    SafetyActionChangeIn,
    SafetyActionIn,
    SafetyActionOut,
    SafetyActionProgressIn,
)
from roundtable.learning.services import ANSWERS

router = Router(tags=["learning"])

_WRITES = {**NOT_FOUND, **FORBIDDEN, **REFUSED}
_CHANGES = {**_WRITES, **CONFLICT}


# ---------------------------------------------------------------------------------------------
# Helpers: the records a request names by id
# ---------------------------------------------------------------------------------------------


def _team(field: str, pk: int | None) -> Team | None:
    return None if pk is None else named(field, "team", forum_selectors.team_get, pk)


def _colleague(request: HttpRequest, field: str, pk: int | None) -> Person | None:
    """A member of staff named by id in a body field, read through the access policy."""
    if pk is None:
        return None
    return all_named(field, "person", forum_selectors.people_by_id(request.user, [pk]), [pk])[0]


def _person_in_care(request: HttpRequest, pk: int | None) -> PersonInCare | None:
    """Someone in care the caller may see: anyone else is "no person in care with id …", the
    same words as for an id that names no one, so nothing is revealed about them."""
    if pk is None:
        return None
    get = functools.partial(care_selectors.person_get, request.user)
    return named("person", "person in care", get, pk)


def _episode(request: HttpRequest, pk: int | None) -> Episode | None:
    if pk is None:
        return None
    get = functools.partial(care_selectors.episode_get, request.user, audit=False)
    return named("episode", "episode", get, pk)


def _events(request: HttpRequest, ids: list[int]) -> list[LearningEvent]:
    """The events a body names, in its order, each one the caller may see (one query)."""
    found = {e.pk: e for e in selectors.event_list(request.user).filter(pk__in=ids)}
    return all_named("events", "event", found, ids)


def _response(request: HttpRequest, response_id: int) -> LearningResponse:
    """A response to act on (the write is audited, so the read is not)."""
    return selectors.response_get(request.user, response_id, audit=False)


# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------


@router.get("/events", response=list[LearningEventSummary])
@paginated
def event_list(request: HttpRequest, filters: Query[LearningListQuery]) -> QuerySet[LearningEvent]:
    """Events of your teams and the teams you lead, newest first; an event about someone in
    care only if you may see them."""
    return selectors.event_list(request.user, _team("team", filters.team))


@router.post("/events", response={201: LearningEventOut, **FORBIDDEN, **REFUSED})
def event_record(request: HttpRequest, payload: LearningEventIn) -> Status[selectors.EventPage]:
    """Record that something happened, or nearly happened, in your team (or one you lead): the
    minimum facts in plain words, and the person in care it is about, if anyone."""
    event = services.event_record(
        actor=actor(request),
        team=named("team", "team", forum_selectors.team_get, payload.team),
        person=_person_in_care(request, payload.person),
        episode=_episode(request, payload.episode),
        **given(payload, "title", "what_happened", "happened_on", "place"),
        kind=payload.kind.value,
    )
    return Status(201, selectors.event_page(request.user, event.pk))


@router.get("/events/{event_id}", response={200: LearningEventOut, **NOT_FOUND})
def event_detail(request: HttpRequest, event_id: PathId) -> selectors.EventPage:
    """An event, with the learning responses to it that you may see."""
    return selectors.event_page(request.user, event_id)


# ---------------------------------------------------------------------------------------------
# Learning responses
# ---------------------------------------------------------------------------------------------


@router.get("/responses", response=list[LearningResponseSummary])
@paginated
def response_list(
    request: HttpRequest, filters: Query[LearningListQuery]
) -> QuerySet[LearningResponse]:
    """Learning responses of your teams and the teams you lead, newest first; one that learns
    from an event you may not see is not listed."""
    return selectors.response_list(request.user, _team("team", filters.team))


@router.post("/responses", response={201: LearningResponseOut, **FORBIDDEN, **REFUSED})
def response_start(
    request: HttpRequest, payload: LearningResponseIn
) -> Status[selectors.ResponsePage]:
    """Start a learning response in proportion to what happened: a SWARM huddle, After Action
    Review or MDT review of one event, or a thematic review of two or more events of teams you
    lead, held by one of their teams."""
    response = services.response_start(
        actor=actor(request),
        kind=payload.kind.value,
        events=_events(request, payload.events),
        held_on=payload.held_on,
        team=_team("team", payload.team),
    )
    return Status(201, selectors.response_page(request.user, response.pk))


@router.get("/responses/{response_id}", response={200: LearningResponseOut, **NOT_FOUND})
def response_detail(request: HttpRequest, response_id: PathId) -> selectors.ResponsePage:
    """A response with everything it records: its events, the questions its kind asks and the
    answers, what made a difference, who took part, what was learned and its safety actions."""
    return selectors.response_page(request.user, response_id)


@router.put("/responses/{response_id}", response={200: LearningResponseOut, **_CHANGES})
def response_update(
    request: HttpRequest, response_id: PathId, payload: LearningAnswersIn
) -> selectors.ResponsePage:
    """Write the answers to the response's questions, and when it was held, while it is open."""
    response = _response(request, response_id)
    services.response_update(
        actor=actor(request),
        response=response,
        expected_version=payload.version,
        **patched(payload, response, "held_on", *ANSWERS),
    )
    return selectors.response_page(request.user, response_id)


@router.post("/responses/{response_id}/finish", response={200: LearningResponseOut, **_CHANGES})
def response_finish(
    request: HttpRequest, response_id: PathId, payload: LearningVersionIn
) -> selectors.ResponsePage:
    """Finish the response once every question its kind asks is answered: its record then
    stays as it is, and it still gains safety actions."""
    services.response_finish(
        actor=actor(request),
        response=_response(request, response_id),
        expected_version=payload.version,
    )
    return selectors.response_page(request.user, response_id)


# -- What a response records ------------------------------------------------------------------


@router.post("/responses/{response_id}/factors", response={201: ContributoryFactorOut, **_WRITES})
def factor_add(
    request: HttpRequest, response_id: PathId, payload: ContributoryFactorIn
) -> Status[ContributoryFactor]:
    """Something in the work system (SEIPS) that made a difference, in plain words."""
    factor = services.factor_add(
        actor=actor(request),
        response=_response(request, response_id),
        element=payload.element.value,
        note=payload.note,
    )
    return Status(201, factor)


@router.delete("/responses/{response_id}/factors/{factor_id}", response={204: None, **_WRITES})
def factor_remove(request: HttpRequest, response_id: PathId, factor_id: PathId) -> Status[None]:
    """Remove a factor recorded by mistake, while the response is open."""
    response = _response(request, response_id)
    factor = selectors.factor_get(request.user, response, factor_id)
    services.part_remove(actor=actor(request), part=factor)
    return Status(204, None)


@router.post(
    "/responses/{response_id}/participants", response={201: LearningParticipantOut, **_WRITES}
)
def participant_add(
    request: HttpRequest, response_id: PathId, payload: LearningParticipantIn
) -> Status[Participant]:
    """Someone who took part: a colleague of any discipline or organisation, or — where
    appropriate — the person or their family, described rather than named, whose part is
    compassionate engagement."""
    organisation: Organisation | None = None
    if payload.organisation is not None:
        get_organisation = forum_selectors.organisation_get
        organisation = named("organisation", "organisation", get_organisation, payload.organisation)
    participant = services.participant_add(
        actor=actor(request),
        response=_response(request, response_id),
        took_part_as=payload.took_part_as.value,
        person=_colleague(request, "person", payload.person),
        described_as=payload.described_as,
        organisation=organisation,
    )
    return Status(201, participant)


@router.delete(
    "/responses/{response_id}/participants/{participant_id}", response={204: None, **_WRITES}
)
def participant_remove(
    request: HttpRequest, response_id: PathId, participant_id: PathId
) -> Status[None]:
    """Remove someone recorded as taking part by mistake, while the response is open."""
    response = _response(request, response_id)
    participant = selectors.participant_get(request.user, response, participant_id)
    services.part_remove(actor=actor(request), part=participant)
    return Status(204, None)


@router.post("/responses/{response_id}/statements", response={201: LearningStatementOut, **_WRITES})
def statement_add(
    request: HttpRequest, response_id: PathId, payload: LearningStatementIn
) -> Status[LearningStatement]:
    """What was learned, in a sentence or two others can use, while the response is open."""
    statement = services.statement_add(
        actor=actor(request), response=_response(request, response_id), text=payload.text
    )
    return Status(201, statement)


@router.post("/responses/{response_id}/actions", response={201: SafetyActionOut, **_WRITES})
def action_add(
    request: HttpRequest, response_id: PathId, payload: SafetyActionIn
) -> Status[SafetyAction]:
    """A safety action the team agreed: what will change, who sees it through and by when
    (both required), and the learning statement it acts on, if one. Added to a finished
    response too, as its learning is acted on."""
    response = _response(request, response_id)
    statement = None
    if payload.statement is not None:
        get_statement = functools.partial(selectors.statement_get, request.user, response)
        statement = named(
            "statement", "learning statement in this response", get_statement, payload.statement
        )
    action = services.action_add(
        actor=actor(request),
        response=response,
        description=payload.description,
        owner=_colleague(request, "owner", payload.owner),
        due_on=payload.due_on,
        statement=statement,
    )
    return Status(201, action)


# ---------------------------------------------------------------------------------------------
# Safety actions
# ---------------------------------------------------------------------------------------------


@router.get("/actions/overdue", response=list[OverdueActionOut])
@paginated
def actions_overdue(request: HttpRequest) -> QuerySet[SafetyAction]:
    """Safety actions of your teams and the teams you lead that are not done by their due
    date, the longest overdue first."""
    user = actor(request)
    return selectors.overdue_actions(user, selectors.teams_recording(user))


@router.get("/actions/{action_id}", response={200: SafetyActionOut, **NOT_FOUND})
def action_detail(request: HttpRequest, action_id: PathId) -> SafetyAction:
    """A safety action: what, who sees it through, by when, and — once done — the evidence."""
    return selectors.action_get(request.user, action_id)


@router.put("/actions/{action_id}", response={200: SafetyActionOut, **_CHANGES})
def action_change(
    request: HttpRequest, action_id: PathId, payload: SafetyActionChangeIn
) -> SafetyAction:
    """Put right what an action is, who sees it through or when it is due, until it is done."""
    return services.action_change(
        actor=actor(request),
        action=selectors.action_get(request.user, action_id, audit=False),
        expected_version=payload.version,
        description=payload.description,
        owner=_colleague(request, "owner", payload.owner),
        due_on=payload.due_on,
    )


@router.post("/actions/{action_id}/progress", response={200: SafetyActionOut, **_CHANGES})
def action_progress(
    request: HttpRequest, action_id: PathId, payload: SafetyActionProgressIn
) -> SafetyAction:
    """Move an action on: in progress, or done — with the evidence that it was, and the day.
    For members of its team and those who lead it."""
    return services.action_progress(
        actor=actor(request),
        action=selectors.action_get(request.user, action_id, audit=False),
        expected_version=payload.version,
        to_status=payload.to_status.value,
        evidence=payload.evidence,
        completed_on=payload.completed_on,
    )
