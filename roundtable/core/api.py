"""Helpers shared by every app's API module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from ninja.pagination import PageNumberPagination, paginate

F = TypeVar("F", bound=Callable[..., Any])


def paginated(func: F) -> F:
    """`?page=` and `?page_size=` (up to 100), `settings.PAGE_SIZE` a page unless asked.

    Lists answer `{"items": [...], "count": n}`.
    """
    return cast(F, paginate(PageNumberPagination, page_size=settings.PAGE_SIZE)(func))
