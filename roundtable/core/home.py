"""Sections of the home page contributed by each app.

The home page belongs to no single app: each registers a section in its AppConfig.ready(), and
the home view shows them in order. This keeps dependencies pointing one way (apps depend on
core, never core or directory on the apps built on them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.safestring import SafeString

Section = Callable[[HttpRequest], SafeString | str]


@dataclass(frozen=True)
class HomeSection:
    order: int
    name: str
    render: Section


_sections: dict[str, HomeSection] = {}


def register(name: str, render: Section, *, order: int = 50) -> None:
    """`render(request)` returns the section's HTML, or an empty string to leave it out."""
    _sections[name] = HomeSection(order, name, render)


def render_sections(request: HttpRequest) -> list[SafeString]:
    rendered = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.name)):
        html = section.render(request)
        if html:
            rendered.append(SafeString(html))
    return rendered
