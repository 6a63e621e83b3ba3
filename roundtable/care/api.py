"""People in care, their episodes, the huddle board, offers and flow under /api/v1/care/. Thin.

Reads call the selectors, through the access chokepoint: someone a user may not see is a 404,
never a 403, so that the answer does not reveal that they exist. A team's board, zones, "ready
to move on" list and flow are for its members: to anyone else the team is not found (404), as
on the pages. Every write calls one service, which validates, saves in one transaction and
writes the audit trail, so a refused write (422) stores nothing. Someone who sees a person but
can never change their care — a partner who sees them by the person's consent — gets 403, as do
people who may not refer to a team, record consent or change the offer catalogue (the rules in
`roundtable/care/rules.py`, shared with the pages). Changing an episode, a zone, an action or an
offer names the `version` that was read: if someone has saved since, the answer is 409 with the
current version, and nothing is overwritten.
"""

# No `from __future__ import annotations` here: ninja reads the endpoints' annotations when they
# are declared, and `paginate` cannot resolve a postponed `Query[...]` from this module.
import functools
from datetime import datetime, time
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from roundtable.care import selectors, services
from roundtable.care.models import (
    CareAction,
    ConsentToShare,
    Episode,
    HuddleNote,
    Offer,
    PersonInCare,
    Zone,
)
from roundtable.care.schemas import (
    ActionOut,
    BoardOut,
    CardOut,
    CareActionIn,
    CareDecisionRef,
    CaseloadOut,
    ConsentIn,
    ConsentOut,
    EpisodeOut,
    FlowOut,
    FlowQuery,
    HuddleBoardQuery,
    HuddleNoteIn,
    MoveOnDecisionIn,
    NoteOut,
    OfferChanges,
    OfferDecisionIn,
    OfferIn,
    OfferOut,
    OfferQuery,
    PeopleInCareQuery,
    PersonCreatedOut,
    PersonIn,
    PersonInCareOut,
    PersonRecordOut,
    ReadyOut,
    ReferralIn,
    ReferralOut,
    StageIn,
    VersionIn,
    ZoneChanges,
    ZoneIn,
    ZoneOut,
    ZoneSetIn,
)
from roundtable.core.api import (
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    REFUSED,
    actor,
    all_named,
    given,
    may,
    named,
    paginated,
    patched,
)
from roundtable.core.schemas import PathId
from roundtable.decisions import selectors as decision_selectors
from roundtable.decisions.models import Decision
from roundtable.directory.models import Organisation, Person, Team
from roundtable.forums import selectors as forum_selectors
from roundtable.forums.models import Meeting

router = Router(tags=["care"])


# ---------------------------------------------------------------------------------------------
# Helpers: who is asking, may they, and the records a body refers to by id
# ---------------------------------------------------------------------------------------------


def _may_change_care(request: HttpRequest, episode: Episode, doing: str) -> None:
    may(
        request,
        "care.change_episode",
        episode,
        f"Only members of {episode.team.name}, the team caring for {episode.person.name}, "
        f"can {doing}.",
    )


def _person(request: HttpRequest, field: str, pk: int | None) -> Person | None:
    """A member of staff named by id in a body field, read through the access policy."""
    if pk is None:
        return None
    return all_named(field, "person", forum_selectors.people_by_id(request.user, [pk]), [pk])[0]


def _team_meeting(team: Team, pk: int | None) -> Meeting | None:
    if pk is None:
        return None
    get_meeting = functools.partial(selectors.team_meeting_get, team)
    return named("meeting", f"meeting of {team.name} today", get_meeting, pk)


def _organisation(pk: int) -> Organisation:
    return named("organisation", "organisation", forum_selectors.organisation_get, pk)


def _forum_meeting(pk: int | None) -> Meeting | None:
    return None if pk is None else named("meeting", "meeting", forum_selectors.meeting_get, pk)


def _episode(request: HttpRequest, episode_id: PathId) -> Episode:
    """An episode to act on (the write is audited, so the read is not)."""
    return selectors.episode_get(request.user, episode_id, audit=False)


# ---------------------------------------------------------------------------------------------
# People in care
# ---------------------------------------------------------------------------------------------


@router.get("/people", response=list[PersonInCareOut])
@paginated(shown=selectors.people_shown)
def person_list(request: HttpRequest, filters: Query[PeopleInCareQuery]) -> QuerySet[PersonInCare]:
    """The people in care you may see, by name: those your teams care for (or cared for within
    the re-referral window), and those who consented to share with your organisation. Each page
    read is recorded in the audit trail, naming the people on it."""
    return selectors.people_in_care(request.user, q=filters.q)


@router.post("/people", response={201: PersonCreatedOut, **FORBIDDEN, **REFUSED})
def person_create(request: HttpRequest, payload: PersonIn) -> Status[dict[str, Any]]:
    """Record someone with their first referral, to a team you are a member of.

    Roundtable is not the patient record: it holds the local identifier, a name or initials and,
    if known, the NHS number (checked with Modulus 11). Both are stored, or (422) neither.
    Someone already recorded (by NHS number, or else local identifier) is referred as they are,
    with the same answer as for someone new: it never says whether a person was known. Your team
    then sees them and this episode, not other teams' work with them.
    """
    referral = payload.referral
    team = named("referral.team", "team", forum_selectors.team_get, referral.team)
    may(
        request,
        "care.refer_to_team",
        team,
        f"Only members of {team.name} can refer someone to it.",
    )
    key_worker = _person(request, "referral.key_worker", referral.key_worker)
    gp_practice = None
    if payload.gp_practice is not None:
        gp_practice = named(
            "gp_practice", "organisation", forum_selectors.organisation_get, payload.gp_practice
        )
    episode = services.person_refer(
        actor=actor(request),
        team=team,
        **given(payload, "local_id", "name", "nhs_number", "date_of_birth"),
        gp_practice=gp_practice,
        referral_source=referral.referral_source.value,
        key_worker=key_worker,
        reason=referral.reason,
    )
    return Status(201, {"person": episode.person, "episode": _episode(request, episode.pk)})


@router.get("/people/{person_id}", response={200: PersonRecordOut, **NOT_FOUND})
def person_detail(request: HttpRequest, person_id: PathId) -> selectors.PersonDetail:
    """Someone's record: details, consents, episodes, every change of stage and zone, SBARD
    notes, actions and the shared decisions about them. Recorded in the audit trail."""
    return selectors.person_detail(request.user, person_id)


@router.post(
    "/people/{person_id}/consents",
    response={201: ConsentOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def consent_give(
    request: HttpRequest, person_id: PathId, payload: ConsentIn
) -> Status[ConsentToShare]:
    """Record that the person agreed a partner organisation may see their details. Its staff
    see the person from now on, until the consent is withdrawn. The caring team only."""
    person = selectors.person_get(request.user, person_id)
    may(
        request,
        "care.record_consent",
        person,
        f"Only the teams caring for {person.name} can record their consent.",
    )
    organisation = _organisation(payload.organisation)
    consent = services.consent_give(actor=actor(request), person=person, organisation=organisation)
    return Status(201, consent)


@router.post(
    "/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def consent_withdraw(request: HttpRequest, consent_id: PathId) -> ConsentToShare:
    """Record that the person withdrew a consent to share: the partner no longer sees them."""
    consent = selectors.consent_get(request.user, consent_id)
    may(
        request,
        "care.record_consent",
        consent.person,
        f"Only the teams caring for {consent.person.name} can record their consent.",
    )
    return services.consent_withdraw(actor=actor(request), consent=consent)


# ---------------------------------------------------------------------------------------------
# Episodes and their path
# ---------------------------------------------------------------------------------------------


@router.post(
    "/people/{person_id}/referrals",
    response={201: EpisodeOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def referral_create(
    request: HttpRequest, person_id: PathId, payload: ReferralIn
) -> Status[Episode]:
    """Refer someone already recorded to a team you are a member of.

    Someone who moved on from that team within the re-referral window comes straight back, in
    support, linked to their previous episode (`previous`, `came_back`) and with their previous
    key worker unless another is given: they do not start again at the front door.
    """
    person = selectors.person_get(request.user, person_id)
    team = named("team", "team", forum_selectors.team_get, payload.team)
    may(
        request,
        "care.refer_to_team",
        team,
        f"Only members of {team.name} can refer someone to it.",
    )
    episode = services.episode_refer(
        actor=actor(request),
        person=person,
        team=team,
        referral_source=payload.referral_source.value,
        key_worker=_person(request, "key_worker", payload.key_worker),
        reason=payload.reason,
    )
    return Status(201, _episode(request, episode.pk))


@router.get("/episodes/{episode_id}", response={200: EpisodeOut, **NOT_FOUND})
def episode_detail(request: HttpRequest, episode_id: PathId) -> Episode:
    """An episode: someone's time with one team. Recorded in the audit trail."""
    return selectors.episode_get(request.user, episode_id)


@router.post(
    "/episodes/{episode_id}/stage",
    response={200: EpisodeOut, **NOT_FOUND, **FORBIDDEN, **CONFLICT, **REFUSED},
)
def episode_move(request: HttpRequest, episode_id: PathId, payload: StageIn) -> Episode:
    """Move someone along their path: referred → offer made → waiting → in support → ready to
    move on → moved on (or declined, or not engaged). A move the path does not allow is refused
    with a message saying why. Moving on needs a `destination` and an agreed move-on
    `decision` about them: nobody moves a person on alone. The caring team only."""
    episode = _episode(request, episode_id)
    _may_change_care(request, episode, "move them along their path")
    decision: Decision | None = None
    if payload.decision is not None:
        get_decision = functools.partial(decision_selectors.decision_get, request.user)
        decision = named("decision", "decision", get_decision, payload.decision)
    services.episode_move(
        actor=actor(request),
        episode=episode,
        to_stage=payload.to_stage.value,
        reason=payload.reason,
        destination=payload.destination.value if payload.destination else "",
        decision=decision,
        expected_version=payload.version,
    )
    return _episode(request, episode_id)


# ---------------------------------------------------------------------------------------------
# Zones
# ---------------------------------------------------------------------------------------------


@router.get("/teams/{team_id}/zones", response={200: list[ZoneOut], **NOT_FOUND})
@paginated
def zone_list(request: HttpRequest, team_id: PathId) -> list[Zone]:
    """Your team's zones in board order. A team that has never used its board starts with five
    that each say what the team does: Red, Amber, Green, Blue and Ready to move on."""
    team = selectors.care_team_get(request.user, team_id)
    return services.zones_ensure(team=team)


@router.post("/teams/{team_id}/zones", response={201: ZoneOut, **NOT_FOUND, **FORBIDDEN, **REFUSED})
def zone_create(request: HttpRequest, team_id: PathId, payload: ZoneIn) -> Status[Zone]:
    """Add a zone to your team's board, at the end."""
    team = selectors.care_team_get(request.user, team_id)
    zone = services.zone_create(
        actor=actor(request),
        team=team,
        colour=payload.colour.value,
        **given(payload, "name", "meaning"),
    )
    return Status(201, zone)


@router.patch(
    "/zones/{zone_id}",
    response={200: ZoneOut, **NOT_FOUND, **CONFLICT, **FORBIDDEN, **REFUSED},
)
def zone_update(request: HttpRequest, zone_id: PathId, payload: ZoneChanges) -> Zone:
    """Rename, recolour, reword or reorder one of your team's zones. A rename shows in its
    history too: past zone changes point at the zone."""
    zone = selectors.care_zone_get(actor(request), zone_id)
    return services.zone_update(
        actor=actor(request),
        zone=zone,
        expected_version=payload.version,
        colour=payload.colour.value if payload.colour is not None else zone.colour,
        **patched(payload, zone, "name", "meaning", "position"),
    )


@router.post(
    "/zones/{zone_id}/archive",
    response={200: ZoneOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def zone_archive(request: HttpRequest, zone_id: PathId) -> Zone:
    """Stop using a zone: refused while anyone is in it, and for the ready-to-move-on zone.
    Its history stays."""
    zone = selectors.care_zone_get(actor(request), zone_id)
    return services.zone_archive(actor=actor(request), zone=zone)


# ---------------------------------------------------------------------------------------------
# The huddle board
# ---------------------------------------------------------------------------------------------


@router.get("/teams/{team_id}/huddle", response={200: BoardOut, **NOT_FOUND, **REFUSED})
def huddle_board(
    request: HttpRequest, team_id: PathId, filters: Query[HuddleBoardQuery]
) -> selectors.HuddleBoard:
    """Your team's huddle board: the people it supports, grouped by zone, each card with their
    key worker, days in the zone, open actions, the latest SBARD note and the move-on decision.
    With `meeting`, who is present at it too. The same number of queries however many people."""
    team = selectors.care_team_get(request.user, team_id)
    meeting = _team_meeting(team, filters.meeting)
    zones = services.zones_ensure(team=team)
    return selectors.huddle_board(request.user, team, zones=zones, meeting=meeting)


@router.post(
    "/episodes/{episode_id}/zone",
    response={200: CardOut, **NOT_FOUND, **FORBIDDEN, **CONFLICT, **REFUSED},
)
def episode_zone_set(
    request: HttpRequest, episode_id: PathId, payload: ZoneSetIn
) -> selectors.BoardCard:
    """Move someone to another zone at the huddle, with why; with `meeting`, who was in the room
    is recorded with it. Into the ready-to-move-on zone makes them ready to move on; out of it
    takes them back into support. Answers their card on the board."""
    episode = _episode(request, episode_id)
    _may_change_care(request, episode, "change their zone")
    get_zone = functools.partial(selectors.team_zone_get, episode.team)
    zone = named("zone", f"zone of {episode.team.name}", get_zone, payload.zone)
    services.episode_zone_set(
        actor=actor(request),
        episode=episode,
        zone=zone,
        reason=payload.reason,
        meeting=_team_meeting(episode.team, payload.meeting),
        expected_version=payload.version,
    )
    _, card = selectors.board_card(request.user, episode_id)
    return card


@router.post(
    "/episodes/{episode_id}/notes",
    response={201: NoteOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def huddle_note_add(
    request: HttpRequest, episode_id: PathId, payload: HuddleNoteIn
) -> Status[HuddleNote]:
    """Add an SBARD handover note — situation, background, assessment, recommendation,
    decision — with at least one part written. Notes are never changed: a later one adds."""
    episode = _episode(request, episode_id)
    _may_change_care(request, episode, "write huddle notes about them")
    note = services.huddle_note_add(
        actor=actor(request),
        episode=episode,
        **given(payload, *services.SBARD_FIELDS),
        meeting=_team_meeting(episode.team, payload.meeting),
    )
    return Status(201, note)


@router.post(
    "/episodes/{episode_id}/actions",
    response={201: ActionOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def action_add(
    request: HttpRequest, episode_id: PathId, payload: CareActionIn
) -> Status[CareAction]:
    """Agree an action for someone: what, who and by when."""
    episode = _episode(request, episode_id)
    _may_change_care(request, episode, "add actions for them")
    action = services.care_action_add(
        actor=actor(request),
        episode=episode,
        owner=_person(request, "owner", payload.owner),
        **given(payload, "description", "due_on"),
        meeting=_team_meeting(episode.team, payload.meeting),
    )
    return Status(201, action)


@router.post(
    "/actions/{action_id}/done",
    response={200: ActionOut, **NOT_FOUND, **FORBIDDEN, **CONFLICT, **REFUSED},
)
def action_complete(request: HttpRequest, action_id: PathId, payload: VersionIn) -> CareAction:
    """Mark an action done."""
    action = selectors.care_action_get(request.user, action_id)
    may(
        request,
        "care.change_episode",
        action.episode,
        f"Only members of {action.episode.team.name} can complete its actions.",
    )
    services.care_action_complete(
        actor=actor(request), action=action, expected_version=payload.version
    )
    return selectors.care_action_get(request.user, action_id)


# ---------------------------------------------------------------------------------------------
# The offer catalogue and the front door
# ---------------------------------------------------------------------------------------------

_OFFERS_FORBIDDEN = "Only administrators and leaders can change the offer catalogue."


@router.get("/offers", response=list[OfferOut])
@paginated
def offer_list(request: HttpRequest, filters: Query[OfferQuery]) -> list[Offer]:
    """What the front door can offer, from any organisation in the system, by name."""
    return selectors.offers(active_only=not filters.include_inactive)


@router.post("/offers", response={201: OfferOut, **FORBIDDEN, **REFUSED})
def offer_create(request: HttpRequest, payload: OfferIn) -> Status[Offer]:
    """Add an offer to the catalogue. Administrators and leaders only."""
    may(request, "care.change_offers", None, _OFFERS_FORBIDDEN)
    offer = services.offer_create(
        actor=actor(request),
        kind=payload.kind.value,
        organisation=_organisation(payload.organisation),
        **given(payload, "name", "description"),
    )
    return Status(201, offer)


@router.patch(
    "/offers/{offer_id}",
    response={200: OfferOut, **NOT_FOUND, **FORBIDDEN, **CONFLICT, **REFUSED},
)
def offer_update(request: HttpRequest, offer_id: PathId, payload: OfferChanges) -> Offer:
    """Change an offer; `is_active: false` stops offering it. Administrators and leaders only."""
    offer = selectors.offer_get(offer_id)
    may(request, "care.change_offers", None, _OFFERS_FORBIDDEN)
    organisation = offer.organisation
    if payload.organisation is not None:
        organisation = _organisation(payload.organisation)
    return services.offer_update(
        actor=actor(request),
        offer=offer,
        expected_version=payload.version,
        kind=payload.kind.value if payload.kind is not None else offer.kind,
        organisation=organisation,
        **patched(payload, offer, "name", "description", "is_active"),
    )


@router.get("/front-door/{forum_id}/referrals", response={200: list[ReferralOut], **NOT_FOUND})
@paginated
def front_door_queue(request: HttpRequest, forum_id: PathId) -> list[selectors.Referral]:
    """New referrals to the teams of a front-door forum you are a member of, oldest first, each
    with the offer decision open for it, if any."""
    forum = selectors.front_door_forum_get(actor(request), forum_id)
    return selectors.front_door_queue(request.user, forum)


@router.post(
    "/episodes/{episode_id}/offer-decision",
    response={201: CareDecisionRef, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def offer_decision_propose(
    request: HttpRequest, episode_id: PathId, payload: OfferDecisionIn
) -> Status[Decision]:
    """Propose an offer for a new referral, as a shared decision of a front-door forum you are a
    member of. When the forum agrees it (see the decisions API), the offer is made."""
    episode = _episode(request, episode_id)
    offer = named("offer", "offer", selectors.offer_get, payload.offer)
    get_forum = functools.partial(selectors.front_door_forum_get, actor(request))
    forum = named("forum", "front-door forum you are a member of", get_forum, payload.forum)
    decision = services.front_door_offer_propose(
        actor=actor(request),
        episode=episode,
        offer=offer,
        forum=forum,
        meeting=_forum_meeting(payload.meeting),
        proposal=payload.proposal,
    )
    return Status(201, decision)


@router.post(
    "/episodes/{episode_id}/move-on-decision",
    response={201: CareDecisionRef, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def move_on_decision_propose(
    request: HttpRequest, episode_id: PathId, payload: MoveOnDecisionIn
) -> Status[Decision]:
    """Raise a move-on decision for someone ready to move on, for the team to share in one of
    its forums. Once agreed, move them on with `POST /care/episodes/{id}/stage`."""
    episode = _episode(request, episode_id)
    _may_change_care(request, episode, "raise a move-on decision about them")
    forum = named("forum", "forum", forum_selectors.forum_get, payload.forum)
    decision = services.move_on_propose(
        actor=actor(request),
        episode=episode,
        destination=payload.destination.value,
        forum=forum,
        proposal=payload.proposal,
        meeting=_forum_meeting(payload.meeting),
    )
    return Status(201, decision)


# ---------------------------------------------------------------------------------------------
# Ready to move on, caseloads and flow
# ---------------------------------------------------------------------------------------------


@router.get("/teams/{team_id}/ready", response={200: list[ReadyOut], **NOT_FOUND})
@paginated
def ready_list(request: HttpRequest, team_id: PathId) -> list[selectors.ReadyRow]:
    """People in your team who are ready to move on, longest waiting first, with their move-on
    decision: whether it is shared (agreed with the team) and held by a leader."""
    team = selectors.care_team_get(request.user, team_id)
    return selectors.ready_to_move_on(request.user, team)


@router.get("/caseload", response=list[CaseloadOut])
@paginated
def my_caseload(request: HttpRequest) -> list[Episode]:
    """The open episodes you are key worker for, by team and name."""
    return selectors.caseload(request.user, actor(request))


@router.get("/caseload/{person_id}", response={200: list[CaseloadOut], **NOT_FOUND})
@paginated
def caseload(request: HttpRequest, person_id: PathId) -> list[Episode]:
    """A colleague's caseload (someone who shares a team with you): the open episodes they are
    key worker for that you may see."""
    key_worker = selectors.colleague_get(actor(request), person_id)
    return selectors.caseload(request.user, key_worker)


@router.get("/flow", response={200: FlowOut, **NOT_FOUND})
def flow(request: HttpRequest, filters: Query[FlowQuery]) -> selectors.TeamsFlow:
    """Flow for your teams: days from referral to offer and from ready to moved on (median and
    histogram), how many moved on and came back, open episodes per key worker, and the zone mix
    at the end of each day. Counts and durations only: nobody is identifiable in them."""
    since = None
    if filters.since is not None:
        since = datetime.combine(filters.since, time.min, tzinfo=timezone.get_current_timezone())
    return selectors.my_flow_measures(
        actor(request), team_ids=filters.team, since=since, zone_days=filters.zone_days
    )
