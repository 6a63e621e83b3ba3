"""Helpers shared by every app's API module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast, overload

from django.conf import settings
from django.http import HttpRequest
from ninja.pagination import PageNumberPagination, paginate

F = TypeVar("F", bound=Callable[..., Any])

# What a request that does not fit its schema got wrong, in plain English, by pydantic's type of
# error: each follows the name of the parameter ("query parameter locality must be a whole
# number"). Dates and times are asked for as the API takes them, in ISO 8601.
_SCHEMA_PROBLEMS: dict[str, str] = {
    "missing": "is missing",
    "string_too_long": "must be {max_length:,} characters or fewer",
    "string_too_short": "must be {min_length:,} characters or more",
    "too_long": "must have {max_length:,} items or fewer",
    "too_short": "must have {min_length:,} items or more",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "decimal_parsing": "must be a number",
    "decimal_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "date_parsing": "must be a real date, like 2026-03-20",
    "date_type": "must be a real date, like 2026-03-20",
    "date_from_datetime_parsing": "must be a real date, like 2026-03-20",
    "date_from_datetime_inexact": "must be a date without a time, like 2026-03-20",
    "datetime_parsing": "must be a real date and time, like 2026-03-20T09:15:00Z",
    "datetime_type": "must be a real date and time, like 2026-03-20T09:15:00Z",
    "datetime_from_date_parsing": "must be a real date and time, like 2026-03-20T09:15:00Z",
    "time_parsing": "must be a real time, like 09:15",
    "time_type": "must be a real time, like 09:15",
    "timezone_aware": "must include its time zone, like 2026-03-20T09:15:00Z",
    "timezone_naive": "must not include a time zone",
    "greater_than_equal": "must be {ge} or more",
    "greater_than": "must be more than {gt}",
    "less_than_equal": "must be {le} or less",
    "less_than": "must be less than {lt}",
    "literal_error": "must be {expected}",
    "enum": "must be {expected}",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "json_invalid": "is not valid JSON",
    "uuid_parsing": "must be a UUID",
}


def plain_schema_problem(error: dict[str, Any]) -> str:
    """What is wrong with one parameter, from one of pydantic's errors, in plain English to
    follow the parameter's name: "must be 60 characters or fewer", "is missing"."""
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    template = _SCHEMA_PROBLEMS.get(kind)
    if template is not None:
        try:
            return template.format(**context)
        except (KeyError, ValueError):
            pass  # a context other than expected: say it the general way below
    message = str(error.get("msg") or "").removeprefix("Value error, ")
    return f"is not valid: {message}" if message else "is not valid"


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
