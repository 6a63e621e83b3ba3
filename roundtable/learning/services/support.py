"""Support after events: the team's leadership offers support to someone in the team after
something happened, and they say whether they take it up.

The offer is wellbeing's own record of support offered (`wellbeing.services
.support_offered_record`: who, what, which leader), so it sits with every other offer of support;
`SupportAfterEvent` adds the event it follows, the support session it points to if any, and the
answer. Only the person offered it and the leadership of their team see it (`learning.access`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core import records
from roundtable.core.concurrency import ConcurrentEditError, save_versioned
from roundtable.core.errors import NotAllowed
from roundtable.core.text import visible
from roundtable.directory.models import Person
from roundtable.directory.queries import leads_team
from roundtable.learning.models import LearningEvent, SupportAfterEvent, TakenUp
from roundtable.wellbeing import services as wellbeing_services
from roundtable.wellbeing.models import SupportSession

ANSWERS = (TakenUp.ACCEPTED, TakenUp.DECLINED)


@transaction.atomic
def support_offer(
    *,
    actor: Person,
    event: LearningEvent,
    person: Person | None,
    what: str,
    session: SupportSession | None = None,
) -> SupportAfterEvent:
    """A leader of the event's team offers someone in the team support after it.

    One unanswered offer per person and event: the event is locked while it is checked, so a
    retried or doubled request finds the first offer instead of making a second.
    """
    event = (
        LearningEvent.objects.select_for_update(of=("self",))
        .select_related("team")
        .get(pk=event.pk)
    )
    if not leads_team(actor, event.team):
        raise NotAllowed(f"Only the leadership of {event.team.name} offers support after it.")
    errors: dict[str, str] = {}
    if not visible(what):
        errors["what"] = "Say what support is offered"
    if person is None:
        errors["person"] = "Choose who is offered support"
    elif SupportAfterEvent.objects.filter(
        event=event, offer__person=person, taken_up=TakenUp.WAITING
    ).exists():
        errors["person"] = (
            f"{person.full_name} has already been offered support after this event and has not "
            "answered yet"
        )
    if session is not None and (session.team_id != event.team_id or session.is_cancelled):
        errors["session"] = f"Choose a support session of {event.team.name} that is going ahead"
    if errors:
        raise ValidationError(errors)
    assert person is not None
    offer = wellbeing_services.support_offered_record(
        actor=actor, person=person, team=event.team, what=what, on=timezone.localdate()
    )
    return records.create(
        SupportAfterEvent(event=event, offer=offer, session=session),
        actor=actor,
        summary=f"Support after a learning event offered to {person.full_name}",
    )


@transaction.atomic
def support_answer(
    *, actor: Person, support: SupportAfterEvent, expected_version: int, taken_up: str
) -> SupportAfterEvent:
    """The person offered support takes it up or declines it (and may change their mind)."""
    support = (
        SupportAfterEvent.objects.select_for_update(of=("self",))
        .select_related("offer")
        .get(pk=support.pk)
    )
    if support.offer.person_id != actor.pk:
        raise NotAllowed("Only the person offered support answers the offer.")
    if taken_up not in ANSWERS:
        raise ValidationError({"taken_up": "Choose whether you take up the offer"})
    if support.version != expected_version:
        raise ConcurrentEditError(support)
    support.taken_up = taken_up
    support.answered_at = timezone.now()
    save_versioned(support, expected_version=expected_version, fields=("taken_up", "answered_at"))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=support,
        summary=f"Support after a learning event: {support.get_taken_up_display().lower()}",
    )
    return support
