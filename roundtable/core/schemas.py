"""Schemas and input types shared by every app's API.

The API's input policy lives here, one type per kind of value, and every app's schemas use them:

- `Id`: a record's id, a whole number from 1 to the largest the database holds (a JSON `true` is
  not an id);
- `Count`: a whole number of things (amounts in pence, positions, days), bounded the same way;
  a narrower one is `Annotated[int, Field(ge=…, le=…), WHOLE_NUMBER]`;
- `Version`: the `version` of a record a change names, bounded like an id;
- `PathId`: a record's id in a path, documented with an id's bounds; one outside them names no
  record, so it is not found (404) rather than refused;
- `Moment`: a date and time given as ISO 8601 text with its offset (never a Unix number),
  between the years 1900 and 2200 once converted to UTC, so that no stored time can fall outside
  what Python and the pages can show.

Text is checked for NUL and other control characters once, for every request, by
`roundtable.core.middleware.ApiInputPolicy`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

# The largest whole number PostgreSQL's bigint (and SQLite's integer) holds: ids are bigint.
LARGEST_WHOLE_NUMBER = 2**63 - 1
FIRST_YEAR = 1900
LAST_YEAR = 2200


def _whole_number(value: Any) -> Any:
    """Refuse true/false where a number belongs (pydantic would read `true` as 1)."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def _moment_text(value: Any) -> Any:
    """A date and time arrives as text: a number is not read as seconds since 1970."""
    if isinstance(value, datetime):
        return value  # from Python, not from a request
    if not isinstance(value, str):
        raise PydanticCustomError("datetime_type", "Input should be a valid datetime")
    return value


def _moment_in_range(value: datetime) -> datetime:
    try:
        year = value.astimezone(UTC).year
    except OverflowError:  # past the end of year 9999 once in UTC
        year = LAST_YEAR + 1
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PydanticCustomError(
            "datetime_range",
            "Input should be between {first} and {last}",
            {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return value


# The bounds come before the validator: after it, pydantic would describe them in the OpenAPI
# document as `ge`/`le` rather than `minimum`/`maximum`, which clients do not read.
WHOLE_NUMBER = BeforeValidator(_whole_number)
"""For a whole number with narrower bounds: `Annotated[int, Field(ge=1, le=99), WHOLE_NUMBER]`."""
Id = Annotated[int, Field(ge=1, le=LARGEST_WHOLE_NUMBER), WHOLE_NUMBER]
Count = Annotated[int, Field(ge=0, le=LARGEST_WHOLE_NUMBER), WHOLE_NUMBER]
# The id of a record in a path (`/teams/{team_id}`). The document gives an id's bounds, but one
# outside them is not refused: like any other id that names no record, it is not found (404).
PathId = Annotated[
    int,
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": LARGEST_WHOLE_NUMBER}),
]
# The `version` of a record that a change names (the one that was read), bounded the same way.
Version = Annotated[int, Field(ge=1, le=LARGEST_WHOLE_NUMBER), WHOLE_NUMBER]
Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_moment_text),
    AfterValidator(_moment_in_range),
    Field(description=f"ISO 8601 with its offset; years {FIRST_YEAR} to {LAST_YEAR} in UTC."),
]


class ErrorOut(Schema):
    """An error: what went wrong, in words. A 422 also lists `errors`, one per bad parameter."""

    detail: str


class ConflictOut(Schema):
    """A 409: someone saved the record since the `version` that was sent. Nothing was saved."""

    detail: str
    version: int = Field(description="The version now: read the record again, then retry.")


class ProblemOut(Schema):
    """One parameter of a request that does not fit the API's schema."""

    loc: list[str | int] = Field(description='Where: `["body", "title"]`, `["query", "page"]`.')
    msg: str = Field(description="What is wrong with it, in plain English.")
    type: str = Field(description="The kind of problem, for programs (pydantic's name for it).")


class RefusedOut(ErrorOut):
    """A 422: the request does not fit the API's schema, or a service refused it. Nothing was
    saved."""

    errors: list[ProblemOut] | dict[str, list[str]] = Field(
        default_factory=list,
        description="For a request that does not fit the schema, a list with one item for each "
        "parameter that is wrong; for a refusal, each field's messages by the field's name "
        "(`__all__` for those about the whole request). Not sent when an `Idempotency-Key` was "
        "used for another request.",
    )


def not_null(schema: dict[str, Any]) -> None:
    """`json_schema_extra` for a field of a PATCH body that may be left out (to keep what is
    stored) but not sent as `null`: the document then says it is never null."""
    branches = [branch for branch in schema.get("anyOf", []) if branch != {"type": "null"}]
    if "anyOf" in schema and len(branches) == 1:
        del schema["anyOf"]
        schema.update(branches[0])
    schema.pop("default", None)
