"""Private links: addresses whose path is itself a secret, such as an anonymous concern's receipt
link (`/voice/receipt/<token>/`). Whoever holds one may open what it is for, and whoever can
join it to a person has named an anonymous raiser (ADR 0012). So a private link is never written
down next to anything that says who used it:

- `secret_in_path("token")` marks the view a private link leads to (apps mark their own views;
  core knows none of them).
- `carries_secret(url)` says whether a URL is a private link; the sign-in page drops a `next`
  that is one, rather than carrying it through the form.
- `RedactPrivateLinks` is a log filter for Django's request loggers: it writes
  `/voice/receipt/…/` in place of the secret.

`core.axes_handler` keeps failed sign-ins without the request's parameters, which django-axes
would otherwise store beside the e-mail address, IP address and browser.

This module is imported while logging is set up, before the apps are loaded: it must not import
models.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.urls import Resolver404, get_script_prefix, resolve

_SECRET_PARTS = "private_link_secret_parts"

View = TypeVar("View", bound=Callable[..., Any])


def secret_in_path(*names: str) -> Callable[[View], View]:
    """Mark a view whose URL carries a secret in the path parts `names` (its URL keyword
    arguments). The mark survives decorators that use `functools.wraps`."""

    def mark(view: View) -> View:
        setattr(view, _SECRET_PARTS, names)
        return view

    return mark


def _secrets(path: str) -> list[str]:
    """The secret parts of `path` if it leads to a marked view; none otherwise."""
    prefix = get_script_prefix()
    if prefix != "/" and path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    try:
        match = resolve(path)
    except Resolver404:
        return []
    names = getattr(match.func, _SECRET_PARTS, ())
    return [str(match.kwargs[name]) for name in names if match.kwargs.get(name)]


def carries_secret(url: str) -> bool:
    """Whether `url` (a path or a whole address, with or without a query) is a private link."""
    return bool(_secrets(urlsplit(url).path))


def redact(path: str) -> str:
    """`path` with each secret in it written `…` (and its query dropped); unchanged if it is not
    a private link."""
    base, question, _query = path.partition("?")
    secrets = _secrets(base)
    if not secrets:
        return path
    for secret in secrets:
        base = base.replace(secret, "…")
    return base + ("?…" if question else "")


class RedactPrivateLinks(logging.Filter):
    """Redact private links in the records of the loggers it is attached to.

    `django.server` (the development server's access log), `django.request` (every 4xx and 5xx
    answer) and `django.security.csrf` print the request's path, and a log line has a time that
    can be matched to who was signed in then. The filter rewrites the record's message and
    arguments in place, so that every handler, and any logger the record passes up to, sees the
    redacted text. It never drops a record, and never lets an error escape into the caller.
    """

    # A path: a slash that does not start `//` (as in `https://`), up to a space or a quote.
    PATH = re.compile(r"(?<!/)/(?!/)[^\s\"'<>]*")

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if isinstance(record.msg, str):
                record.msg = self._redacted(record.msg)
            if isinstance(record.args, tuple):
                record.args = tuple(
                    self._redacted(arg) if isinstance(arg, str) else arg for arg in record.args
                )
        except Exception:  # a log call must never fail because of this filter
            return True
        return True

    def _redacted(self, text: str) -> str:
        if "/" not in text:
            return text
        return self.PATH.sub(lambda found: redact(found.group(0)), text)
