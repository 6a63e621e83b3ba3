"""Sections of the home page contributed by each app.

The home page belongs to no single app: each registers a section in its AppConfig.ready(), and
the home view shows them in order. This keeps dependencies pointing one way (apps depend on
core, never core or directory on the apps built on them).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

from roundtable.core.registry import Registry

Section = Callable[[HttpRequest], SafeString | str]

# `render(request)` returns the section's HTML, or an empty string to leave it out.
sections: Registry[Section] = Registry("home page section")


def render_sections(request: HttpRequest) -> list[SafeString]:
    rendered = []
    for render in sections:
        html = render(request)
        if html:
            rendered.append(SafeString(html))
    return rendered
