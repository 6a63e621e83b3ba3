"""The Jinja2 environment: NHS.UK macros, Django helpers and Roundtable's template globals."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from jinja2 import ChainableUndefined, Environment
from markupsafe import Markup

from roundtable.core.forms import error_summary_items, field_params
from roundtable.core.templating import date_format, querystring


def _url(viewname: str, *args: Any, **kwargs: Any) -> str:
    return reverse(viewname, args=args or None, kwargs=kwargs or None)


def _link(href: str, text: object) -> SafeString:
    """An escaped link, for component parameters that take HTML."""
    return format_html('<a href="{}">{}</a>', href, text)


def _site_header(env: Environment) -> Callable[[int, str, str], Markup]:
    """The header of a page for someone signed in (`core/_header.jinja`), by who they are and
    the section they are in. It is the same on every page of a section, and writing it through
    the NHS.UK macros took a good part of a short page's time, so each is written once and kept
    (a few kilobytes for each person and section; a new name makes a new header)."""

    @lru_cache(maxsize=2048)
    def written(script_prefix: str, person_id: int, full_name: str, active_nav: str) -> Markup:
        template = env.get_template("core/_header.jinja")
        return Markup(  # noqa: S704  (rendered by the autoescaping environment)
            template.render(person_id=person_id, full_name=full_name, active_nav=active_nav)
        )

    def site_header(person_id: int, full_name: str, active_nav: str) -> Markup:
        return written(get_script_prefix(), person_id, full_name, str(active_nav))

    return site_header


def _site_footer(env: Environment) -> Callable[[bool], Markup]:
    """The footer of every page (`core/_footer.jinja`), for someone signed in or not: written
    once for each, like the header."""

    @lru_cache(maxsize=16)
    def written(script_prefix: str, signed_in: bool) -> Markup:
        template = env.get_template("core/_footer.jinja")
        return Markup(template.render(signed_in=signed_in))  # noqa: S704  (autoescaped)

    def site_footer(signed_in: bool) -> Markup:
        return written(get_script_prefix(), bool(signed_in))

    return site_footer


def _site_breadcrumbs(env: Environment) -> Callable[[list[dict[str, str]]], Markup]:
    """A page's breadcrumbs (`core/_breadcrumbs.jinja`, from `core.pages.breadcrumbs`): the same
    for every visit to a page, so each trail is written once and kept, like the header."""

    @lru_cache(maxsize=2048)
    def written(trail: tuple[tuple[str, str], ...]) -> Markup:
        template = env.get_template("core/_breadcrumbs.jinja")
        items = [{"text": text, "href": href} for text, href in trail]
        return Markup(template.render(items=items))  # noqa: S704  (autoescaped)

    def site_breadcrumbs(items: list[dict[str, str]]) -> Markup:
        return written(tuple((str(i["text"]), str(i["href"])) for i in items))

    return site_breadcrumbs


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
        }
    )
    env.globals["site_header"] = _site_header(env)
    env.globals["site_footer"] = _site_footer(env)
    env.globals["site_breadcrumbs"] = _site_breadcrumbs(env)
    env.filters["date"] = date_format
    return env
