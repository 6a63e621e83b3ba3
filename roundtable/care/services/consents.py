"""Consent to share, recorded and withdrawn by the team caring for the person."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.care.models import ConsentToShare, Episode, PersonInCare
from roundtable.core import records
from roundtable.core.errors import NotAllowed
from roundtable.directory.models import Membership, Organisation, Person


@transaction.atomic
def consent_give(
    *, actor: Person, person: PersonInCare, organisation: Organisation
) -> ConsentToShare:
    """The person agreed that `organisation` may see their details. Recorded by the team
    caring for them."""
    _check_cares_for(actor, person)

    def check() -> None:
        if ConsentToShare.objects.filter(
            person=person, organisation=organisation, withdrawn_at__isnull=True
        ).exists():
            raise ValidationError(f"Consent to share with {organisation.name} is already recorded.")

    return records.create(
        ConsentToShare(person=person, organisation=organisation, recorded_by=actor),
        actor=actor,
        summary=f"Consent to share with {organisation.name}",
        check=check,
    )


@transaction.atomic
def consent_withdraw(*, actor: Person, consent: ConsentToShare) -> ConsentToShare:
    _check_cares_for(actor, consent.person)
    if consent.withdrawn_at is not None:
        raise ValidationError("This consent was already withdrawn.")
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=consent, summary="Consent withdrawn")
    return consent


def caring_episode(actor: Person, person: PersonInCare) -> Episode | None:
    """The person's open episode with one of the actor's teams (the earliest), if any."""
    return (
        Episode.objects.filter(
            person=person,
            closed_at__isnull=True,
            team_id__in=Membership.objects.filter(person=actor).values("team_id"),
        )
        .select_related("team")
        .order_by("referred_at", "pk")
        .first()
    )


def _check_cares_for(actor: Person, person: PersonInCare) -> None:
    if caring_episode(actor, person) is None:
        raise NotAllowed(
            f"Only the team caring for {person.name} can record their consent to share."
        )
