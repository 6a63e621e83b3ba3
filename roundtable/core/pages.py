"""Small helpers every app's page views share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse


def breadcrumbs(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    """Home, then each (text, link); the last is the current page."""
    return [
        {"text": text, "href": href} for text, href in [("Home", reverse("directory:home")), *pairs]
    ]


def add_service_errors(
    form: Any, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form, on its fields where they match.

    `aliases` maps the service's names to the form's (amount_requested_pence → amount).
    """
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            field = aliases.get(name, name)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def form_status(*forms: Any) -> int:
    """400 when any bound form has errors, else 200."""
    return 400 if any(f is not None and f.is_bound and f.errors for f in forms) else 200
