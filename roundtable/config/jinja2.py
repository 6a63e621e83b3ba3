"""The Jinja2 environment: NHS.UK macros, Django helpers and Roundtable's template globals."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from jinja2 import ChainableUndefined, Environment
from markupsafe import Markup

from roundtable.core.forms import error_summary_items, field_params
from roundtable.core.sessions import seconds_left
from roundtable.core.templating import date_format, querystring


def _url(viewname: str, *args: Any, **kwargs: Any) -> str:
    return reverse(viewname, args=args or None, kwargs=kwargs or None)


def _link(href: str, text: object) -> SafeString:
    """An escaped link, for component parameters that take HTML."""
    return format_html('<a href="{}">{}</a>', href, text)


class _WrittenOnce:
    """`template_name` written once for each set of values of `names` (and the script prefix,
    for its links), then kept. For the parts of the layout that are the same on every page for
    the same values: written through the NHS.UK macros, the header alone took a good part of a
    short page's time.

    The template is given those values alone: no request, no user, no clock. What it writes
    can depend on nothing else (it may call `url` and `static`), so that what is kept holds
    nothing that depends on what the reader may see or on the time (checked for each of them by
    `core/tests/test_written_once.py`)."""

    def __init__(self, env: Environment, template_name: str, *names: str, maxsize: int) -> None:
        self.env = env
        self.template_name = template_name
        self.names = names
        self._written = lru_cache(maxsize=maxsize)(self._write)

    def _write(self, script_prefix: str, *values: Hashable) -> Markup:
        context = dict(zip(self.names, values, strict=True))
        # Rendered by the autoescaping environment.
        return Markup(self.env.get_template(self.template_name).render(context))  # noqa: S704

    def __call__(self, *values: Hashable) -> Markup:
        return self._written(get_script_prefix(), *values)

    def cache_clear(self) -> None:
        self._written.cache_clear()


def _site_header(write: _WrittenOnce) -> Callable[[int, str, str], Markup]:
    """The header of a page for someone signed in (`core/_header.jinja`), by who they are and
    the section they are in (a few kilobytes for each person and section; a new name makes a
    new header)."""

    def site_header(person_id: int, full_name: str, active_nav: str) -> Markup:
        return write(person_id, full_name, str(active_nav))

    return site_header


def _site_footer(write: _WrittenOnce) -> Callable[[bool], Markup]:
    """The footer of every page (`core/_footer.jinja`), for someone signed in or not."""

    def site_footer(signed_in: bool) -> Markup:
        return write(bool(signed_in))

    return site_footer


def _site_breadcrumbs(write: _WrittenOnce) -> Callable[[list[dict[str, str]]], Markup]:
    """A page's breadcrumbs (`core/_breadcrumbs.jinja`, from `core.pages.breadcrumbs`), once for
    each trail of (text, link)."""

    def site_breadcrumbs(items: list[dict[str, str]]) -> Markup:
        return write(tuple((str(i["text"]), str(i["href"])) for i in items))

    return site_breadcrumbs


def _session_seconds_left(request: HttpRequest) -> int:
    return max(0, int(seconds_left(request, time.time())))


def environment(**options: Any) -> Environment:
    # The NHS.UK macros read optional nested parameters (params.hint.text and so on), which needs
    # an Undefined that can be chained without raising.
    options["undefined"] = ChainableUndefined
    options.setdefault("extensions", []).append("jinja2.ext.do")
    env = Environment(**options)  # noqa: S701  (Django's backend turns autoescape on)
    env.globals.update(
        {
            "static": static,
            "url": _url,
            "csrf_token": get_token,
            "get_messages": get_messages,
            "querystring": querystring,
            "link": _link,
            "field_params": field_params,
            "error_summary_items": error_summary_items,
            "settings_debug": settings.DEBUG,
            "session_warning_seconds": lambda: settings.SESSION_WARNING_SECONDS,
            "session_seconds_left": _session_seconds_left,
        }
    )
    header = _WrittenOnce(
        env, "core/_header.jinja", "person_id", "full_name", "active_nav", maxsize=2048
    )
    footer = _WrittenOnce(env, "core/_footer.jinja", "signed_in", maxsize=16)
    trail = _WrittenOnce(env, "core/_breadcrumbs.jinja", "trail", maxsize=2048)
    env.globals["site_header"] = _site_header(header)
    env.globals["site_footer"] = _site_footer(footer)
    env.globals["site_breadcrumbs"] = _site_breadcrumbs(trail)
    # The parts written once, for the tests to read and clear.
    env.extend(written_once=(header, footer, trail))
    env.filters["date"] = date_format
    return env
