"""The offer catalogue."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from roundtable.care import selectors, services
from roundtable.care.forms import OfferEditForm, OfferForm
from roundtable.care.views._common import _care_crumb, _page, _render
from roundtable.core.pages import allowed, breadcrumbs, me, posted, require, submit


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


@require_http_methods(["GET", "POST"])
def offer_new(request: HttpRequest) -> HttpResponse:
    require(request, "care.change_offers")
    form = OfferForm(posted(request), organisations=selectors.organisations())
    outcome = submit(
        request,
        form,
        lambda data: services.offer_create(
            actor=me(request),
            name=data["name"],
            kind=data["kind"],
            organisation=data["organisation"],
            description=data["description"],
        ),
    )
    if outcome.saved:
        messages.success(request, f"{outcome.value.name} is in the catalogue.")
        return redirect("care:offers")
    context = {
        "page_title": "Add an offer",
        "page_has_errors": bool(form.errors),
        "form": form,
        "breadcrumbs": breadcrumbs(_care_crumb(), _offers_crumb(), ("Add an offer", "")),
    }
    return _render(request, "care/offer_form.jinja", context, status=outcome.status(form))


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
            name=data["name"],
            kind=data["kind"],
            organisation=data["organisation"],
            description=data["description"],
            is_active=data["is_active"],
        ),
    )
    if outcome.saved:
        messages.success(request, f"{outcome.value.name} is saved.")
        return redirect("care:offers")
    latest = selectors.offer_get(offer_id) if outcome.conflict else None
    context = {
        "page_title": f"Change {offer.name}",
        "page_has_errors": bool(form.errors),
        "form": form,
        "offer": offer,
        "latest": latest,
        "breadcrumbs": breadcrumbs(_care_crumb(), _offers_crumb(), (offer.name, "")),
    }
    return _render(request, "care/offer_form.jinja", context, status=outcome.status(form))
