"""Recording and referring people in care, and checking their NHS numbers."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.care import nhs_numbers
from roundtable.care.models import Episode, PersonInCare
from roundtable.care.services.pathway import episode_refer
from roundtable.core import records
from roundtable.core.text import visible
from roundtable.directory.models import Organisation, OrganisationKind, Person, Team

NHS_NUMBER_FORMAT = "Enter an NHS number with 10 digits, like 999 123 4578"


# A date of birth before this is a mistyped year, not someone in care.
EARLIEST_BIRTH = date(1900, 1, 1)


def normalise_nhs_number(value: str | None) -> str | None:
    """10 digits with spaces and dashes removed, or None for blank. Raises with a clear message.

    Valid means it passes the Modulus 11 check and can have been issued (`care.nhs_numbers`).
    """
    if value is None or not visible(value):
        return None
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise ValidationError({"nhs_number": NHS_NUMBER_FORMAT})
    problem = nhs_numbers.problem(digits)
    if problem:
        raise ValidationError({"nhs_number": problem})
    return digits


def _checked_person(
    *, local_id: str, name: str, date_of_birth: date | None, gp_practice: Organisation | None
) -> PersonInCare:
    """The person as they would be recorded (without their NHS number, checked on its own):
    refused, with every mistake at once, if they break a rule of their own, were born in the
    future or implausibly long ago, or their GP practice is not one."""
    person = PersonInCare(
        local_id=visible(local_id),
        name=visible(name),
        date_of_birth=date_of_birth,
        gp_practice=gp_practice,
    )
    errors: dict[str, str] = {}
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        errors["date_of_birth"] = "The date of birth must be in the past"
    elif date_of_birth is not None and date_of_birth < EARLIEST_BIRTH:
        errors["date_of_birth"] = (
            f"The date of birth must be in {EARLIEST_BIRTH.year} or later: check the year"
        )
    if gp_practice is not None and gp_practice.kind != OrganisationKind.GP_PRACTICE:
        errors["gp_practice"] = "Choose a GP practice"
    records.validate(person, also=errors)
    return person


@transaction.atomic
def person_refer(
    *,
    actor: Person,
    team: Team,
    local_id: str,
    name: str,
    referral_source: str,
    nhs_number: str | None = None,
    date_of_birth: date | None = None,
    gp_practice: Organisation | None = None,
    key_worker: Person | None = None,
    reason: str = "",
) -> Episode:
    """Refer someone to a team, recording them first unless they are already recorded.

    Someone already recorded — by NHS number, or else by local identifier — is referred as they
    are, and the answer is the same as for someone new: a referrer who could not see them learns
    nothing of whether they were known, and their team sees the person and this episode only,
    never another team's work with them. The match is in the audit trail.
    """
    _checked_person(
        local_id=local_id, name=name, date_of_birth=date_of_birth, gp_practice=gp_practice
    )
    number = normalise_nhs_number(nhs_number)
    person = _recorded(visible(local_id), number)
    created = False
    if person is None:
        try:
            # A savepoint: a simultaneous referral of the same new person may record them first.
            with transaction.atomic():
                person = person_in_care_create(
                    actor=actor,
                    local_id=local_id,
                    name=name,
                    nhs_number=number,
                    date_of_birth=date_of_birth,
                    gp_practice=gp_practice,
                )
            created = True
        except (IntegrityError, ValidationError):
            # Recorded meanwhile (the fields themselves were checked above).
            person = _recorded(visible(local_id), number)
            if person is None:
                raise
    if not created:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=person,
            summary="Referred as already recorded",
            changes={"matched_by": "nhs_number" if person.nhs_number == number else "local_id"},
        )
    return episode_refer(
        actor=actor,
        person=person,
        team=team,
        referral_source=referral_source,
        key_worker=key_worker,
        reason=reason,
    )


def _recorded(local_id: str, nhs_number: str | None) -> PersonInCare | None:
    """Someone already recorded with this NHS number, or else this local identifier."""
    if nhs_number:
        found = PersonInCare.objects.filter(nhs_number=nhs_number).first()
        if found is not None:
            return found
    return PersonInCare.objects.filter(local_id=local_id).first()


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
    """Record someone. Refuses someone already recorded: a referral goes through
    `person_refer`, which does not say whether they were."""
    person = _checked_person(
        local_id=local_id, name=name, date_of_birth=date_of_birth, gp_practice=gp_practice
    )
    number = normalise_nhs_number(nhs_number)
    person.nhs_number = number

    def check() -> None:
        if number and PersonInCare.objects.filter(nhs_number=number).exists():
            raise ValidationError(
                {"nhs_number": "Someone with this NHS number is already recorded"}
            )
        if PersonInCare.objects.filter(local_id=person.local_id).exists():
            raise ValidationError(
                {"local_id": "Someone with this local identifier is already recorded"}
            )

    return records.create(person, actor=actor, summary="Person in care", check=check)
