"""Schemas shared by every app's API."""

from ninja import Schema


class ErrorOut(Schema):
    """An error: what went wrong, in words. A 422 also lists `errors`, one per bad parameter."""

    detail: str
