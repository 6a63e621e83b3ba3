"""What every learning page shares: the renderer, the "Learning" breadcrumb, pages of a list."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.urls import reverse

from roundtable.core.pages import renderer
from roundtable.learning.presenters import STATUS_TAGS

_render = renderer("learning", {"status_tags": STATUS_TAGS})


def learning_crumb() -> tuple[str, str]:
    return ("Learning", reverse("learning:home"))


def page_of(request: HttpRequest, rows: Any) -> Page[Any]:
    return Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
