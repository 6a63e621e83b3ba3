"""Refusals the services raise, answered by the pages and the API each in their own way."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class NotAllowed(ValidationError):
    """The person may not do this, because of who they are rather than what they asked.

    A page shows the message like any other refusal (the pages check the same rules first and
    rarely get here); the API answers 403 rather than 422, so that a program can tell "you may
    not" from "not like that". Nothing was changed either way.
    """
