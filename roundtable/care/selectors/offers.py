"""The offer catalogue."""

from __future__ import annotations

from django.http import Http404

from roundtable.care.models import Offer


def offers(*, active_only: bool = True) -> list[Offer]:
    found = Offer.objects.select_related("organisation").order_by("name", "pk")
    if active_only:
        found = found.filter(is_active=True)
    return list(found)


def offer_get(offer_id: int) -> Offer:
    offer = Offer.objects.select_related("organisation").filter(pk=offer_id).first()
    if offer is None:
        raise Http404("No offer found.")
    return offer
