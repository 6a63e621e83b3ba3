"""The offer catalogue."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from rules.permissions import has_perm as rule_allows

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.care.models import Offer, OfferKind
from roundtable.core.concurrency import update_versioned
from roundtable.core.errors import NotAllowed
from roundtable.core.integrity import create_or_refuse, same_ignoring_case
from roundtable.core.text import visible
from roundtable.directory.models import Organisation, Person


def _check_may_change_offers(actor: Person) -> None:
    """The catalogue is the system's: administrators and leaders look after it (the rule
    `care.change_offers`, which also decides whether the pages offer it)."""
    if not rule_allows("care.change_offers", actor):  # type: ignore[no-untyped-call]
        raise NotAllowed("Only administrators and leaders can change the offer catalogue.")


def _check_offer(name: str, kind: str, organisation: Organisation | None) -> None:
    errors: dict[str, str] = {}
    if not visible(name):
        errors["name"] = "Enter the name of the offer"
    if kind not in OfferKind.values:
        errors["kind"] = "Choose the kind of offer"
    if organisation is None:
        errors["organisation"] = "Choose the organisation that provides it"
    if errors:
        raise ValidationError(errors)


def _check_offer_name(name: str, *, exclude: int | None) -> None:
    """Offer names are unique whatever their case (a constraint on the lowered name)."""
    same_name = Offer.objects.filter(same_ignoring_case("name", visible(name)))
    if exclude is not None:
        same_name = same_name.exclude(pk=exclude)
    if same_name.exists():
        raise ValidationError({"name": "There is already an offer with this name"})


@transaction.atomic
def offer_create(
    *,
    actor: Person,
    name: str,
    kind: str,
    organisation: Organisation | None,
    description: str = "",
) -> Offer:
    _check_may_change_offers(actor)
    _check_offer(name, kind, organisation)
    assert organisation is not None
    offer = create_or_refuse(
        lambda: _check_offer_name(name, exclude=None),
        lambda: Offer.objects.create(
            name=visible(name),
            kind=kind,
            organisation=organisation,
            description=visible(description),
        ),
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=offer, summary=offer.name)
    return offer


def offer_update(
    *,
    actor: Person,
    offer: Offer,
    expected_version: int,
    name: str,
    kind: str,
    organisation: Organisation | None,
    description: str,
    is_active: bool,
) -> Offer:
    _check_may_change_offers(actor)
    _check_offer(name, kind, organisation)
    return create_or_refuse(
        lambda: _check_offer_name(name, exclude=offer.pk),
        lambda: update_versioned(
            offer,
            actor=actor,
            expected_version=expected_version,
            fields=("name", "kind", "organisation", "description", "is_active"),
            values={
                "name": visible(name),
                "kind": kind,
                "organisation": organisation,
                "description": visible(description),
                "is_active": is_active,
            },
            summary=lambda o: f"Offer {o.name}",
        ),
    )
