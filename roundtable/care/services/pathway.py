"""The pathway: a referral opens an episode, and each move along it is an append-only event."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.care.models import (
    CLOSED_STAGES,
    PATHWAY,
    CareDecision,
    Destination,
    Episode,
    PathwayEvent,
    PersonInCare,
    ReferralSource,
    Stage,
)
from roundtable.care.services._common import is_team_member
from roundtable.core import dates, records
from roundtable.core.concurrency import ConcurrentEditError, save_versioned
from roundtable.core.errors import NotAllowed
from roundtable.core.text import visible
from roundtable.decisions.models import Decision, DecisionKind, DecisionStatus
from roundtable.directory.models import Person, Team


def _event(
    episode: Episode,
    *,
    from_stage: str,
    to_stage: str,
    actor: Person,
    at: datetime,
    reason: str = "",
    decision: Decision | None = None,
) -> PathwayEvent:
    event = PathwayEvent(
        episode=episode,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor,
        at=at,
        reason=reason,
        decision=decision,
    )
    # Written beside the episode's own audit event, with the referrer's words as its reason.
    records.validate(event)
    event.save(force_insert=True)
    return event


@transaction.atomic
def episode_refer(
    *,
    actor: Person,
    person: PersonInCare,
    team: Team,
    referral_source: str,
    key_worker: Person | None = None,
    at: datetime | None = None,
    reason: str = "",
) -> Episode:
    """A referral to a team. Someone who moved on from this team within the re-referral window
    (default 6 months) comes straight back to the team, in support, linked to their previous
    episode, with their previous key worker: "comes back if need be" without starting again.
    """
    at = at or timezone.now()
    # "Came back" is the service's to record (below): the page never offers it, nor the API.
    if referral_source not in set(ReferralSource.values) - {ReferralSource.RE_REFERRAL}:
        raise ValidationError({"referral_source": "Choose where the referral came from"})
    # The page offers the team's active members as key workers; the API is held to the same rule.
    if key_worker is not None and not key_worker.is_active:
        raise ValidationError({"key_worker": "Choose a key worker whose account is open"})
    if key_worker is not None and not is_team_member(key_worker, team.pk):
        raise ValidationError({"key_worker": f"Choose a key worker who is in {team.name}"})

    def check() -> None:
        # One open episode per person and team (a constraint): a second referral at the same
        # moment waits for the first and is then refused like any later one.
        if Episode.objects.filter(person=person, team=team, closed_at__isnull=True).exists():
            raise ValidationError(f"{person.name} already has an open episode with {team.name}.")

    window = timedelta(days=settings.REREFERRAL_WINDOW_DAYS)
    previous = (
        Episode.objects.filter(
            person=person,
            team=team,
            stage=Stage.MOVED_ON,
            closed_at__gte=at - window,
            next__isnull=True,
        )
        .order_by("-closed_at")
        .first()
    )
    if previous is not None and key_worker is None:
        kept = previous.key_worker
        if kept and kept.is_active and is_team_member(kept, team.pk):
            key_worker = kept
    episode = records.create(
        _referral(
            person=person,
            team=team,
            referral_source=referral_source,
            key_worker=key_worker,
            at=at,
            previous=previous,
        ),
        actor=actor,
        summary=f"Referral to {team.name}" + (" (came back)" if previous else ""),
        check=check,
    )
    if previous is not None and not reason:
        days = dates.days_between(previous.closed_at, at) if previous.closed_at else 0
        reason = f"Came back {days} days after moving on: straight back to the team."
    _event(episode, from_stage="", to_stage=episode.stage, actor=actor, at=at, reason=reason)
    return episode


def _referral(
    *,
    person: PersonInCare,
    team: Team,
    referral_source: str,
    key_worker: Person | None,
    at: datetime,
    previous: Episode | None,
) -> Episode:
    """The episode of a referral, to be written: straight back in support after a recent move on
    (`previous`), or else referred."""
    if previous is not None:
        return Episode(
            person=person,
            team=team,
            key_worker=key_worker,
            referral_source=ReferralSource.RE_REFERRAL,
            stage=Stage.IN_SUPPORT,
            stage_since=at,
            referred_at=at,
            previous=previous,
            zone=previous.zone if previous.zone and not previous.zone.marks_ready else None,
        )
    return Episode(
        person=person,
        team=team,
        key_worker=key_worker,
        referral_source=referral_source,
        stage=Stage.REFERRED,
        stage_since=at,
        referred_at=at,
    )


@transaction.atomic
def episode_move(
    *,
    actor: Person,
    episode: Episode,
    to_stage: str,
    reason: str = "",
    destination: str = "",
    decision: Decision | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Episode:
    """Move an episode along its path. Illegal moves are refused with a message saying why.

    The team caring for the person moves them. Moving on needs a destination and an agreed
    move-on decision: nobody moves a person on alone.
    """
    if not is_team_member(actor, episode.team_id):
        raise NotAllowed(
            f"Only members of {episode.team.name} can change {episode.person.name}'s stage."
        )
    return _episode_move(
        actor=actor,
        episode=episode,
        to_stage=to_stage,
        reason=reason,
        destination=destination,
        decision=decision,
        expected_version=expected_version,
        at=at,
    )


def _episode_move(
    *,
    actor: Person,
    episode: Episode,
    to_stage: str,
    reason: str,
    destination: str = "",
    decision: Decision | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Episode:
    at = at or timezone.now()
    current = Episode.objects.select_for_update().get(pk=episode.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError(current)
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": "Choose a stage from the list"})
    PATHWAY.check(current, to_stage)
    if to_stage == Stage.MOVED_ON:
        if destination not in Destination.values:
            raise ValidationError({"destination": "Choose where the person is moving on to"})
        if (
            decision is None
            or decision.kind != DecisionKind.MOVE_ON
            or decision.status not in (DecisionStatus.AGREED, DecisionStatus.REVIEWED)
            or not CareDecision.objects.filter(decision=decision, episode=current).exists()
        ):
            raise ValidationError(
                {
                    "decision": "Moving on needs an agreed move-on decision about this person, "
                    "shared by the team"
                }
            )
    elif destination:
        raise ValidationError({"destination": "A destination is only for moving on"})
    from_stage = current.stage
    if to_stage == Stage.OFFER_MADE and current.days_to_offer is None:
        current.days_to_offer = dates.days_between(current.referred_at, at)
    if to_stage == Stage.MOVED_ON:
        current.days_ready_to_moved_on = dates.days_between(current.stage_since, at)
    PATHWAY.move(
        current,
        to_stage,
        episode=current,
        actor=actor,
        at=at,
        reason=visible(reason),
        decision=decision,
    )
    current.stage_since = at
    current.destination = destination
    if to_stage in CLOSED_STAGES:
        current.closed_at = at
    records.validate(current)  # the stage and destination chosen, by the episode's own rules too
    save_versioned(
        current,
        expected_version=current.version,
        fields=(
            "stage",
            "stage_since",
            "destination",
            "closed_at",
            "days_to_offer",
            "days_ready_to_moved_on",
        ),
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=current,
        summary=f"{Stage(from_stage).label} → {Stage(to_stage).label}",
        changes={"stage": [from_stage, to_stage]},
    )
    return current
