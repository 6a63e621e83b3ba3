"""Schemas shared by every app's API."""

from ninja import Field, Schema


class ErrorOut(Schema):
    """An error: what went wrong, in words. A 422 also lists `errors`, one per bad parameter."""

    detail: str


class ConflictOut(Schema):
    """A 409: someone saved the record since the `version` that was sent. Nothing was saved."""

    detail: str
    version: int = Field(description="The version now: read the record again, then retry.")
