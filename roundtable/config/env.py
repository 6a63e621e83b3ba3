"""Settings from environment variables that fail loudly.

Every reader names the variable it could not use, so a mistyped deployment refuses to start with
a message that says exactly what to fix instead of running with a silent default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class _Missing:
    pass


_MISSING = _Missing()


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    source = os.environ if environ is None else environ
    value = source.get(name)
    if value is None:
        return None
    return value.strip()


def env_str(
    name: str, default: str | _Missing = _MISSING, *, environ: Mapping[str, str] | None = None
) -> str:
    """A required (or defaulted) non-empty string."""
    value = _raw(name, environ)
    if value is None or value == "":
        if isinstance(default, _Missing):
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"The environment variable {name} must be true or false (got {value!r})."
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a whole number (got {value!r})."
        ) from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be at least {minimum} (got {number})."
        )
    return number


def env_choice(
    name: str, default: str, *, choices: list[str], environ: Mapping[str, str] | None = None
) -> str:
    """One of `choices`, as written there (case aside)."""
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    if value.lower() not in choices:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be one of {', '.join(choices)} (got {value!r})."
        )
    return value.lower()


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    value = _raw(name, environ)
    if value is None or value == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]
