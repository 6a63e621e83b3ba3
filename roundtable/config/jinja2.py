"""The Jinja2 environment: NHS.UK macros, Django helpers and Roundtable's template globals."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from jinja2 import ChainableUndefined, Environment

from roundtable.core.forms import error_summary_items, field_params
from roundtable.core.templating import date_format, querystring


def _url(viewname: str, *args: Any, **kwargs: Any) -> str:
    return reverse(viewname, args=args or None, kwargs=kwargs or None)


def _link(href: str, text: object) -> SafeString:
    """An escaped link, for component parameters that take HTML."""
    return format_html('<a href="{}">{}</a>', href, text)


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
    env.filters["date"] = date_format
    return env
