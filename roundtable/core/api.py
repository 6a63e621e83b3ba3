"""Helpers shared by every app's API module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast, overload

from django.conf import settings
from django.http import HttpRequest
from ninja.pagination import PageNumberPagination, paginate

F = TypeVar("F", bound=Callable[..., Any])
Shown = Callable[[Any, list[Any]], None]


class _Pages(PageNumberPagination):
    """Pages of a list; `shown(user, items)` is told what each page showed (to audit it)."""

    def __init__(self, *, shown: Shown | None = None, **kwargs: Any) -> None:
        self.shown = shown
        super().__init__(**kwargs)

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        if self.shown is not None:
            page[self.items_attribute] = items = list(page[self.items_attribute])
            self.shown(request.user, items)
        return page


@overload
def paginated(func: F) -> F: ...
@overload
def paginated(*, shown: Shown) -> Callable[[F], F]: ...
def paginated(func: F | None = None, *, shown: Shown | None = None) -> Any:
    """`?page=` and `?page_size=` (up to 100), `settings.PAGE_SIZE` a page unless asked.

    Lists answer `{"items": [...], "count": n}`. A list of people in care passes `shown`, which
    audits the page that was read.
    """
    decorate = paginate(_Pages, page_size=settings.PAGE_SIZE, shown=shown)
    if func is None:
        return decorate
    return cast(F, decorate(func))
