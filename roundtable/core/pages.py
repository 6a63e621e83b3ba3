"""Small helpers every app's page views share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse

from roundtable.core.forms import plain_validation_error


def breadcrumbs(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    """Home, then each (text, link); the last is the current page."""
    return [
        {"text": text, "href": href} for text, href in [("Home", reverse("directory:home")), *pairs]
    ]


def add_service_errors(
    form: Any, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form, on its fields where they match.

    `aliases` maps the service's names to the form's (amount_requested_pence → amount). Django's
    own messages (a model's validation) come out in plain English, named by the form's label for
    the field, or by the service's name for one the form does not have.
    """
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = aliases.get(name, name)
            if field in form.fields:
                form.add_error(field, errors)
            else:
                plain = plain_validation_error(ValidationError({name: errors}))
                form.add_error(None, plain.messages)
    else:
        form.add_error(None, error.error_list)


def form_status(*forms: Any) -> int:
    """400 when any bound form has errors, else 200."""
    return 400 if any(f is not None and f.is_bound and f.errors for f in forms) else 200
