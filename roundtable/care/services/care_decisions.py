"""Shared decisions about a person: an offer for a new referral at the front door, and a move
on."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roundtable.care.access import front_door_teams
from roundtable.care.models import CareDecision, Destination, Episode, Offer, Stage
from roundtable.care.services._common import _check_caring_team
from roundtable.care.services.pathway import _episode_move
from roundtable.core import records
from roundtable.core.concurrency import save_versioned
from roundtable.core.text import visible
from roundtable.decisions import services as decision_services
from roundtable.decisions.models import Decision, DecisionKind, DecisionStatus
from roundtable.directory.models import Person
from roundtable.forums.models import Forum, ForumKind, Meeting


def _locked(episode: Episode) -> Episode:
    """The episode as stored now, locked until the transaction ends. A rule about its open
    decisions ("one open offer decision for a referral") is checked and kept by one request at
    a time: a second proposal sent at the same moment waits for the first, then sees it."""
    return (
        Episode.objects.select_for_update(of=("self",))
        .select_related("person", "team")
        .get(pk=episode.pk)
    )


def care_decision_propose(
    *,
    actor: Person,
    episode: Episode,
    forum: Forum,
    meeting: Meeting | None,
    kind: str,
    title: str,
    proposal: str,
    review_on: date | None = None,
    offer: Offer | None = None,
    destination: str = "",
) -> Decision:
    """Propose a shared decision about a person's episode, linked to it before it opens.

    The link makes the decision readable only by those who may see the person, and so the forum
    is asked for positions only once it is there: its members who may not see the person are
    never told of it (`access.decision_audience`). Call it inside the caller's transaction.
    """
    if meeting is not None and (
        meeting.forum_id != forum.pk
        or meeting.is_cancelled
        or timezone.localdate(meeting.starts_at) != timezone.localdate()
    ):
        # The pages offer only today's meetings of the forum; the API is held to the same rule.
        raise ValidationError({"meeting": f"Choose one of today's meetings of {forum.name}"})
    # The link is written with the decision, which has its own audit event; its destination
    # is the team's choice.
    link = CareDecision(episode=episode, offer=offer, destination=destination)
    records.validate(link)
    decision = decision_services.decision_propose(
        actor=actor,
        forum=forum,
        meeting=meeting,
        kind=kind,
        title=title,
        proposal=proposal,
        review_on=review_on,
        open_now=False,
    )
    link.decision = decision
    link.save(force_insert=True)
    return decision_services.decision_open(actor=actor, decision=decision)


@transaction.atomic
def front_door_offer_propose(
    *,
    actor: Person,
    episode: Episode,
    offer: Offer | None,
    forum: Forum,
    meeting: Meeting | None = None,
    proposal: str = "",
) -> Decision:
    """Propose an offer for a new referral, as a shared decision of the front-door forum.

    When the forum agrees, the episode moves to "offer made" with this decision (see
    `front_door_offer_agreed`).
    """
    if offer is None or not offer.is_active:
        raise ValidationError({"offer": "Choose an offer from the catalogue"})
    if forum.kind != ForumKind.FRONT_DOOR:
        raise ValidationError({"forum": "Front-door offers are made at a front-door meeting"})
    episode = _locked(episode)
    if episode.stage != Stage.REFERRED:
        raise ValidationError(
            f"{episode.person.name} is {Stage(episode.stage).label.lower()}: an offer is for "
            "a new referral."
        )
    if not front_door_teams(forum).filter(pk=episode.team_id).exists():
        raise ValidationError(
            f"{forum.name} does not take referrals for {episode.team.name}: choose its own "
            "front-door meeting."
        )
    if CareDecision.objects.filter(
        episode=episode, offer__isnull=False, decision__status=DecisionStatus.OPEN
    ).exists():
        raise ValidationError(f"An offer for {episode.person.name} is already open for positions.")
    return care_decision_propose(
        actor=actor,
        episode=episode,
        forum=forum,
        meeting=meeting,
        kind=DecisionKind.FRONT_DOOR_OFFER,
        title=f"Offer {offer.name} to {episode.person.name}",
        proposal=visible(proposal)
        or f"Offer {episode.person.name} {offer.name} ({offer.organisation.name}).",
        offer=offer,
    )


def front_door_offer_agreed(decision: Decision, actor: Person) -> None:
    """An agreed front-door offer is made: the episode moves to "offer made" with the offer."""
    if decision.kind != DecisionKind.FRONT_DOOR_OFFER or decision.status != DecisionStatus.AGREED:
        return
    link = CareDecision.objects.filter(decision=decision).select_related("episode").first()
    if link is None or link.offer_id is None or link.episode.stage != Stage.REFERRED:
        return
    # The agreed decision is the authority: whoever in the forum records it makes the offer.
    episode = _episode_move(
        actor=actor,
        episode=link.episode,
        to_stage=Stage.OFFER_MADE,
        reason=decision.outcome,
        decision=decision,
    )
    episode.offer_id = link.offer_id
    save_versioned(episode, expected_version=episode.version, fields=("offer",))


@transaction.atomic
def move_on_propose(
    *,
    actor: Person,
    episode: Episode,
    destination: str,
    forum: Forum,
    proposal: str,
    meeting: Meeting | None = None,
) -> Decision:
    """Raise a move-on decision for someone ready to move on, for the team to share."""
    _check_caring_team(actor, episode, "raise a move-on decision")
    errors: dict[str, str] = {}
    if destination not in Destination.values:
        errors["destination"] = "Choose where the person is moving on to"
    if not visible(proposal):
        errors["proposal"] = "Say what the move on is and how the person comes back if need be"
    if forum.home_team_id != episode.team_id or forum.is_archived:
        # The page offers the team's forums in use; the API is held to the same rule.
        errors["forum"] = f"Choose a forum of {episode.team.name}"
    if errors:
        raise ValidationError(errors)
    episode = _locked(episode)
    if episode.stage != Stage.READY_TO_MOVE_ON:
        raise ValidationError(
            f"{episode.person.name} is not ready to move on: move them to the ready-to-move-on "
            "zone first."
        )
    if CareDecision.objects.filter(
        episode=episode,
        decision__kind=DecisionKind.MOVE_ON,
        decision__status__in=[DecisionStatus.OPEN, DecisionStatus.AGREED],
    ).exists():
        raise ValidationError(
            f"A move-on decision for {episode.person.name} is already open or agreed."
        )
    return care_decision_propose(
        actor=actor,
        episode=episode,
        forum=forum,
        meeting=meeting,
        kind=DecisionKind.MOVE_ON,
        title=f"{episode.person.name} moves on: {Destination(destination).label}",
        proposal=proposal,
        destination=destination,
    )
