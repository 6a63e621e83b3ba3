"""The offer catalogue."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from roundtable.care import selectors, services
from roundtable.care.forms import OfferEditForm, OfferForm
from roundtable.care.models import Offer
from roundtable.care.views._common import _care_crumb, _page, _render
from roundtable.core.pages import allowed, breadcrumbs, fields, me, posted, require, submit

# What an offer says, as the form names it and the services take it.
OFFER_FIELDS = ("name", "kind", "organisation", "description")


def _offers_crumb() -> tuple[str, str]:
    return ("Offers", reverse("care:offers"))


@require_GET
def offers(request: HttpRequest) -> HttpResponse:
    catalogue = selectors.offers(active_only=False)
    context = {
        "page_title": "Offers",
        "page": _page(request, catalogue),
        "active_count": sum(1 for o in catalogue if o.is_active),
        "can_change": allowed(request, "care.change_offers"),
        "breadcrumbs": breadcrumbs(_care_crumb(), ("Offers", "")),
    }
    return _render(request, "care/offers.jinja", context)


def _offer_form_page(
    request: HttpRequest,
    form: OfferForm,
    status: int,
    *,
    title: str,
    offer: Offer | None = None,
    latest: Offer | None = None,
) -> HttpResponse:
    """Adding an offer, or changing one (`offer`), shown again with what to fix; `latest` is the
    offer as someone else saved it meanwhile."""
    context = {
        "page_title": title,
        "page_has_errors": bool(form.errors),
        "form": form,
        "offer": offer,
        "latest": latest,
        "breadcrumbs": breadcrumbs(
            _care_crumb(), _offers_crumb(), (offer.name if offer else title, "")
        ),
    }
    return _render(request, "care/offer_form.jinja", context, status=status)


@require_http_methods(["GET", "POST"])
def offer_new(request: HttpRequest) -> HttpResponse:
    require(request, "care.change_offers")
    form = OfferForm(posted(request), organisations=selectors.organisations())
    outcome = submit(
        request,
        form,
        lambda data: services.offer_create(actor=me(request), **fields(data, *OFFER_FIELDS)),
    )
    if outcome.saved:
        messages.success(request, f"{outcome.value.name} is in the catalogue.")
        return redirect("care:offers")
    return _offer_form_page(request, form, outcome.status(form), title="Add an offer")


@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = selectors.offer_get(offer_id)
    require(request, "care.change_offers")
    initial = {
        "name": offer.name,
        "kind": offer.kind,
        "organisation": offer.organisation_id,
        "description": offer.description,
        "is_active": offer.is_active,
        "version": offer.version,
    }
    form = OfferEditForm(posted(request), organisations=selectors.organisations(), initial=initial)
    outcome = submit(
        request,
        form,
        lambda data: services.offer_update(
            actor=me(request),
            offer=offer,
            expected_version=data["version"],
            **fields(data, *OFFER_FIELDS, "is_active"),
        ),
    )
    if outcome.saved:
        messages.success(request, f"{outcome.value.name} is saved.")
        return redirect("care:offers")
    latest = selectors.offer_get(offer_id) if outcome.conflict else None
    return _offer_form_page(
        request,
        form,
        outcome.status(form),
        title=f"Change {offer.name}",
        offer=offer,
        latest=latest,
    )
