"""Every write to people in care and their episodes. Validated, transactional, audited."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from nhs_number.validate import is_valid as nhs_number_is_valid

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.care.models import (
    CLOSED_STAGES,
    TRANSITIONS,
    ConsentToShare,
    Destination,
    Episode,
    PathwayEvent,
    PersonInCare,
    ReferralSource,
    Stage,
)
from roundtable.core.concurrency import ConcurrentEditError, save_versioned
from roundtable.decisions.models import Decision, DecisionKind, DecisionStatus
from roundtable.directory.models import Organisation, OrganisationKind, Person, Team

NHS_NUMBER_FORMAT = "Enter an NHS number with 10 digits, like 999 123 4578"


def normalise_nhs_number(value: str | None) -> str | None:
    """10 digits with spaces and dashes removed, or None for blank. Raises with a clear message.

    Validity is the Modulus 11 check (the `nhs-number` package).
    """
    if value is None or not value.strip():
        return None
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise ValidationError({"nhs_number": NHS_NUMBER_FORMAT})
    if not nhs_number_is_valid(digits):
        raise ValidationError(
            {"nhs_number": "This NHS number is not valid: check the digits and try again"}
        )
    return digits


@transaction.atomic
def person_in_care_create(
    *,
    actor: Person,
    local_id: str,
    name: str,
    nhs_number: str | None = None,
    date_of_birth: date | None = None,
    gp_practice: Organisation | None = None,
) -> PersonInCare:
    errors: dict[str, str] = {}
    if not local_id.strip():
        errors["local_id"] = "Enter the local identifier from the patient record"
    if not name.strip():
        errors["name"] = "Enter the person's name or initials"
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        errors["date_of_birth"] = "The date of birth must be in the past"
    if gp_practice is not None and gp_practice.kind != OrganisationKind.GP_PRACTICE:
        errors["gp_practice"] = "Choose a GP practice"
    if errors:
        raise ValidationError(errors)
    number = normalise_nhs_number(nhs_number)
    if number and PersonInCare.objects.filter(nhs_number=number).exists():
        raise ValidationError({"nhs_number": "Someone with this NHS number is already recorded"})
    if PersonInCare.objects.filter(local_id=local_id.strip()).exists():
        raise ValidationError(
            {"local_id": "Someone with this local identifier is already recorded"}
        )
    person = PersonInCare.objects.create(
        local_id=local_id.strip(),
        nhs_number=number,
        name=name.strip(),
        date_of_birth=date_of_birth,
        gp_practice=gp_practice,
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=person, summary="Person in care")
    return person


@transaction.atomic
def consent_give(
    *, actor: Person, person: PersonInCare, organisation: Organisation
) -> ConsentToShare:
    """The person agreed that `organisation` may see their details."""
    if ConsentToShare.objects.filter(
        person=person, organisation=organisation, withdrawn_at__isnull=True
    ).exists():
        raise ValidationError(f"Consent to share with {organisation.name} is already recorded.")
    consent = ConsentToShare.objects.create(
        person=person, organisation=organisation, recorded_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=consent,
        summary=f"Consent to share with {organisation.name}",
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Person, consent: ConsentToShare) -> ConsentToShare:
    if consent.withdrawn_at is not None:
        raise ValidationError("This consent was already withdrawn.")
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=consent, summary="Consent withdrawn")
    return consent


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
    return PathwayEvent.objects.create(
        episode=episode,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor,
        at=at,
        reason=reason,
        decision=decision,
    )


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
    if referral_source not in ReferralSource.values:
        raise ValidationError({"referral_source": "Choose where the referral came from"})
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
    if previous is not None:
        if key_worker is None and previous.key_worker and previous.key_worker.is_active:
            key_worker = previous.key_worker
        episode = Episode.objects.create(
            person=person,
            team=team,
            key_worker=key_worker,
            referral_source=ReferralSource.RE_REFERRAL,
            stage=Stage.IN_SUPPORT,
            referred_at=at,
            previous=previous,
        )
        days = (at - previous.closed_at).days if previous.closed_at else 0
        _event(
            episode,
            from_stage="",
            to_stage=Stage.IN_SUPPORT,
            actor=actor,
            at=at,
            reason=reason or f"Came back {days} days after moving on: straight back to the team.",
        )
    else:
        episode = Episode.objects.create(
            person=person,
            team=team,
            key_worker=key_worker,
            referral_source=referral_source,
            stage=Stage.REFERRED,
            referred_at=at,
        )
        _event(episode, from_stage="", to_stage=Stage.REFERRED, actor=actor, at=at, reason=reason)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=episode,
        summary=f"Referral to {team.name}" + (" (came back)" if previous else ""),
    )
    return episode


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

    Moving on needs a destination and an agreed move-on decision: nobody moves a person on alone.
    """
    at = at or timezone.now()
    current = Episode.objects.select_for_update().get(pk=episode.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError(current)
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": "Choose a stage from the list"})
    if to_stage not in TRANSITIONS[current.stage]:
        raise ValidationError(
            f"Someone who is {Stage(current.stage).label.lower()} cannot move to "
            f"{Stage(to_stage).label.lower()}."
        )
    if to_stage == Stage.MOVED_ON:
        if destination not in Destination.values:
            raise ValidationError({"destination": "Choose where the person is moving on to"})
        if (
            decision is None
            or decision.kind != DecisionKind.MOVE_ON
            or decision.status not in (DecisionStatus.AGREED, DecisionStatus.REVIEWED)
        ):
            raise ValidationError(
                {"decision": "Moving on needs an agreed move-on decision, shared by the team"}
            )
    elif destination:
        raise ValidationError({"destination": "A destination is only for moving on"})
    from_stage = current.stage
    current.stage = to_stage
    current.destination = destination
    if to_stage in CLOSED_STAGES:
        current.closed_at = at
    save_versioned(
        current,
        expected_version=current.version,
        fields=("stage", "destination", "closed_at"),
    )
    _event(
        current,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor,
        at=at,
        reason=reason.strip(),
        decision=decision,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=current,
        summary=f"{Stage(from_stage).label} → {Stage(to_stage).label}",
        changes={"stage": [from_stage, to_stage]},
    )
    return current
