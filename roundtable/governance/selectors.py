"""Reads for information governance: who has looked at a person in care, for those who look after
governance in an organisation whose teams care (or cared) for them.

A person's access report is every audit event about their own record, their episodes and what
other apps keep about them (`care.extensions.person_records`), each list or board read that
showed them included — with who did it and how that person is related to them now: in a team
caring for them, in a partner organisation they agreed may see them, or neither. Reading the
report is itself audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.audit.selectors import events_about
from roundtable.audit.services import audit_record
from roundtable.care.extensions import person_records
from roundtable.care.models import ConsentToShare, Episode, PersonInCare
from roundtable.core.access import Reader
from roundtable.directory.models import Membership, Person
from roundtable.governance.models import GovernanceRole

CARING_TEAM = "Caring team"
CONSENTED_PARTNER = "Partner the person agreed may see them"
NEITHER = "Neither"


def governed_organisations(user: Reader) -> list[int]:
    if not isinstance(user, Person):
        return []
    return list(
        GovernanceRole.objects.filter(person=user).values_list("organisation_id", flat=True)
    )


def people_governed(user: Reader) -> QuerySet[PersonInCare]:
    """People in care with an episode, open or past, in a team of an organisation whose
    governance `user` looks after."""
    return PersonInCare.objects.filter(
        episodes__team__organisation_id__in=governed_organisations(user)
    ).distinct()


def person_find(user: Reader, identifier: str) -> PersonInCare | None:
    """A person governed by `user`, by NHS number (spaces ignored) or local identifier."""
    text = identifier.replace(" ", "")
    return (
        people_governed(user)
        .filter(**{"nhs_number" if text.isdigit() and len(text) == 10 else "local_id": text})
        .first()
    )


@dataclass(frozen=True)
class Access:
    at: datetime
    who: str
    organisation: str
    relationship: str
    action: str
    what: str


def access_report(user: Reader, person_id: int) -> tuple[PersonInCare, QuerySet[AuditEvent]]:
    """The person and every event about them, newest first; 404 unless `user` governs them.
    Audited as a read of the person."""
    person = people_governed(user).filter(pk=person_id).first()
    if person is None:
        raise Http404("No person in care found.")
    events = AuditEvent.objects.none()
    for records in person_records:
        for model, keys in records(person):
            for key in keys:
                events = events | events_about(model, key)
    audit_record(actor=user, action=AuditAction.READ, obj=person, summary="Access report")
    return person, events.select_related("actor__organisation").order_by("-at", "-id")


def accesses(person: PersonInCare, events: list[AuditEvent]) -> list[Access]:
    """The events as rows of the report, each with how its actor relates to the person now."""
    teams = Episode.objects.filter(person=person).values("team_id")
    caring = set(Membership.objects.filter(team_id__in=teams).values_list("person_id", flat=True))
    partners = set(
        ConsentToShare.objects.filter(person=person, withdrawn_at__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )
    rows = []
    for event in events:
        actor = event.actor
        if actor is None:
            who, organisation, relationship = "No one signed in", "", NEITHER
        else:
            who = actor.full_name
            organisation = actor.organisation.name if actor.organisation else ""
            if actor.pk in caring:
                relationship = CARING_TEAM
            elif actor.organisation_id in partners:
                relationship = CONSENTED_PARTNER
            else:
                relationship = NEITHER
        rows.append(
            Access(
                event.at,
                who,
                organisation,
                relationship,
                event.get_action_display(),
                event.summary or event.object_type,
            )
        )
    return rows
