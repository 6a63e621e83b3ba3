"""Schemas and input types shared by every app's API.

The API's input policy lives here, one type per kind of value, and every app's schemas use them:

- `Id`: a record's id, a whole number from 1 to the largest the database holds (a JSON `true` is
  not an id);
- `Count`: a whole number of things (amounts in pence, positions, days), bounded the same way;
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
from pydantic import AfterValidator, AwareDatetime, BeforeValidator
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


Id = Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=LARGEST_WHOLE_NUMBER)]
Count = Annotated[int, BeforeValidator(_whole_number), Field(ge=0, le=LARGEST_WHOLE_NUMBER)]
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
