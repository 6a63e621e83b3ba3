"""Helpers shared by every app's API module: who is asking, the records a body names, the
answers an operation documents, pages of a list, and the plain-English schema errors.

An app's `api.py` is thin: it reads the request with these, calls a selector or a service, and
returns what it got. Errors are raised, never built: `Http404` (404), `HttpError(403, …)`,
Django's `ValidationError` (422, by field) and `ConcurrentEditError` (409, with the `version`
now) are turned into JSON by the handlers in `roundtable.config.api`, which also document, on
every operation, the errors any operation of its kind can answer (401, 400…).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from roundtable.audit.services import reads_kept_if_undone
from roundtable.core.access import Reader
from roundtable.core.schemas import ConflictOut, ErrorOut, RefusedOut

if TYPE_CHECKING:  # the user model, for the type checker only: core imports no app
    from roundtable.directory.models import Person

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

# The answers an operation documents because of what it does, beside those of its kind: 404 for
# a record it names that you may not see, 403 for a rule of its own, 422 for a refusal (with
# `errors` by field) and 409 for a change to a copy that is out of date (with the `version` now).
# `@router.post(..., response={200: ThingOut, **NOT_FOUND, **REFUSED})`.
NOT_FOUND: dict[int, Any] = {404: ErrorOut}
FORBIDDEN: dict[int, Any] = {403: ErrorOut}
REFUSED: dict[int, Any] = {422: RefusedOut}
CONFLICT: dict[int, Any] = {409: ConflictOut}


def actor(request: HttpRequest) -> Person:
    """The person making the request: the API's authentication has made sure there is one."""
    user = request.user
    assert user.is_authenticated, "the API authenticates every request before its operation"
    return user


def may(request: HttpRequest, permission: str, obj: Any, message: str) -> None:
    """403 with `message` (who may, in words) unless the person may do `permission` to `obj`:
    the rule the pages use too (django-rules)."""
    if not request.user.has_perm(permission, obj):
        raise HttpError(403, message)


def named(field: str, noun: str, get: Callable[[int], T], pk: int) -> T:
    """The record a body field or query parameter names by id, found with `get` (a selector,
    which raises Http404 for a record that does not exist or that the person may not see). An id
    that names nothing is a 422 about that field, since the request itself was found: "There is no
    forum with id 12." """
    try:
        return get(pk)
    except Http404:
        raise ValidationError({field: f"There is no {noun} with id {pk}."}) from None


def all_named(field: str, noun: str, found: Mapping[int, T], ids: Iterable[int]) -> list[T]:
    """The records a body field names by id, in its order, from `found`: what a selector found
    of them for the person asking, by id (one query for them all). An id among them that names
    nothing they may see is a 422 about that field: "There is no person you can see with id 7."
    """
    wanted = list(dict.fromkeys(ids))
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise ValidationError(
            {field: f"There is no {noun} you can see with id {', '.join(missing)}."}
        )
    return [found[pk] for pk in wanted]


def given(payload: Schema, *names: str) -> dict[str, Any]:
    """The named fields of a request's body as it gives them, for a service that takes them by
    the same names: `services.budget_create(actor=..., forum=forum, **given(payload, "name"))`.
    (A field that picks from a list is the schema's enum: the services take its `.value`.)"""
    return {name: getattr(payload, name) for name in names}


def patched(payload: Schema, record: Any, *names: str) -> dict[str, Any]:
    """For a change (PATCH) to a service that takes every field: each named field as the body
    gives it, or as the record has it now where the body leaves it out (or null)."""
    sent = given(payload, *names)
    return {name: getattr(record, name) if value is None else value for name, value in sent.items()}


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
    "datetime_range": "must be between the years {first} and {last}",
    "control_characters": "must not contain control characters, such as NUL",
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
    if kind == "string_too_short" and context.get("min_length") == 1:
        return "must not be empty"
    template = _SCHEMA_PROBLEMS.get(kind)
    if template is not None:
        try:
            return template.format(**context)
        except (KeyError, ValueError):
            pass  # a context other than expected: say it the general way below
    message = str(error.get("msg") or "").removeprefix("Value error, ")
    return f"is not valid: {message}" if message else "is not valid"


def schema_problems(errors: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The body of a 422 for a request that does not fit its schema, from pydantic-style errors
    (`loc`, `type`, `ctx`): each parameter named, with what is wrong with it in plain English
    ("query parameter locality must be a whole number"), not pydantic's words; `type` is
    pydantic's, for programs. An error may name its parameter itself, as `where`."""
    listed = [
        {
            "loc": list(error.get("loc", ())),
            "msg": f"{error.get('where') or _where(error.get('loc', ()))} "
            f"{plain_schema_problem(error)}",
            "type": str(error.get("type", "")),
        }
        for error in errors
    ]
    problems = "; ".join(str(e["msg"]) for e in listed)
    return {"detail": f"Check the request: {problems}.", "errors": listed}


def _where(loc: Sequence[Any]) -> str:
    """`["query", "locality"]` → `query parameter locality`."""
    if not loc:
        return "request"
    source, *rest = loc
    names = {"query": "query parameter", "path": "path parameter", "body": "body field"}
    if source == "body" and len(rest) > 1:
        rest = rest[1:]  # ninja names the body parameter first ("payload"): not the client's word
    field = ".".join(str(part) for part in rest)
    return f"{names.get(str(source), str(source))} {field}".strip()


WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def one_transaction(func: F) -> F:
    """Every write endpoint runs in one transaction with the answer it reads back (applied to
    the whole API in roundtable.config.api): should reading the answer fail, the change is
    undone with it, so that an error never follows a change that was kept and a client's retry
    cannot make a duplicate. What the request read stays audited (`reads_kept_if_undone`)."""

    @functools.wraps(func)
    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method not in WRITES:
            return func(request, *args, **kwargs)
        with reads_kept_if_undone():
            return func(request, *args, **kwargs)

    return cast(F, run)


Shown = Callable[[Reader, list[Any]], None]


# The furthest page a list may be asked for: far beyond any list's length, and small enough that
# the rows to skip (page times page size) stay a number the database holds.
LAST_PAGE = 1_000_000_000


class _Pages(PageNumberPagination):
    """Pages of a list; `shown(user, items)` is told what each page showed (to audit it)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=LAST_PAGE, description="Which page, from 1.")
        page_size: int | None = Field(
            None, ge=1, le=LAST_PAGE, description="Items a page (100 at most; more gives 100)."
        )

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
