"""What every care page shares: the renderer, the "Care" breadcrumb and pages of a long list."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse

from roundtable.care import presenters
from roundtable.care.models import ZoneColour
from roundtable.core.pages import renderer

ZONE_TAGS = {
    ZoneColour.RED: "red",
    ZoneColour.AMBER: "orange",
    ZoneColour.GREEN: "green",
    ZoneColour.BLUE: "blue",
    ZoneColour.PURPLE: "purple",
    ZoneColour.GREY: "grey",
}


def _care_crumb() -> tuple[str, str]:
    return ("Care", reverse("care:home"))


_render = renderer(
    "care",
    {
        "nhs_number": presenters.nhs_number,
        "days_since": presenters.days_since,
        "days_text": presenters.days_text,
        "sbard_parts": presenters.sbard_parts,
        "zone_tags": ZONE_TAGS,
    },
)


def _page(request: HttpRequest, items: list[Any]) -> Any:
    return Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
