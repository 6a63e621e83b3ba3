"""Writes of the discussion around a decision: comments, and advice sought and given."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core import records
from roundtable.core.errors import NotAllowed
from roundtable.core.text import visible
from roundtable.decisions.models import (
    AdviceRequest,
    Comment,
    Decision,
    DecisionMethod,
    DecisionStatus,
)
from roundtable.decisions.selectors import is_member_of
from roundtable.directory.models import Person


@transaction.atomic
def comment_add(*, actor: Person, decision: Decision, body: str) -> Comment:
    if not is_member_of(decision.forum_id, actor) and not actor.is_staff:
        raise NotAllowed("Only members of this forum can comment on its decisions.")
    comment = Comment(
        decision=decision, author=actor, body=visible(body), revision=decision.current_revision
    )
    return records.create(comment, actor=actor, summary="Comment")


@transaction.atomic
def advice_request(*, actor: Person, decision: Decision, adviser: Person) -> AdviceRequest:
    if decision.method != DecisionMethod.ADVICE:
        raise ValidationError("Advice is sought only in the advice process.")
    if actor.pk != decision.proposer_id:
        raise ValidationError("The proposer seeks the advice.")
    if decision.status not in (DecisionStatus.DRAFT, DecisionStatus.OPEN):
        raise ValidationError("This decision is no longer open.")

    def check() -> None:
        if AdviceRequest.objects.filter(decision=decision, adviser=adviser).exists():
            raise ValidationError(f"Advice was already sought from {adviser.full_name}.")

    return records.create(
        AdviceRequest(decision=decision, adviser=adviser),
        actor=actor,
        summary=f"Advice sought: {adviser}",
        check=check,
    )


@transaction.atomic
def advice_give(*, actor: Person, request: AdviceRequest, advice: str) -> AdviceRequest:
    if actor.pk != request.adviser_id:
        raise NotAllowed("Only the person asked can give this advice.")
    if not visible(advice):
        raise ValidationError({"advice": "Write your advice"})
    request.advice = visible(advice)
    request.given_at = timezone.now()
    records.validate(request)
    request.save(update_fields=["advice", "given_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=request, summary="Advice given")
    return request
