"""The offer catalogue."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from rules.permissions import has_perm as rule_allows

from roundtable.care.models import Offer
from roundtable.core import records
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


def _checked_offer(
    name: str, kind: str, description: str, organisation: Organisation | None
) -> Offer:
    """The offer as it would be written, without its organisation: refused, with every mistake
    at once, if it breaks a rule of its own or no organisation provides it."""
    offer = Offer(name=visible(name), kind=kind, description=visible(description))
    missing = {"organisation": "Choose the organisation that provides it"}
    records.validate(offer, also=missing if organisation is None else {})
    return offer


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
    offer = _checked_offer(name, kind, description, organisation)
    assert organisation is not None
    offer.organisation = organisation
    return records.create(
        offer,
        actor=actor,
        summary=offer.name,
        check=lambda: _check_offer_name(offer.name, exclude=None),
    )


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
    _checked_offer(name, kind, description, organisation)
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
