"""What apps built on care add to the care pages, without care importing them.

Dependencies point one way (care ← safety): the safety app, say, registers in its
AppConfig.ready() a panel for a person's page, badges for the huddle board's cards and an extra
for the key worker's caseload; the care pages ask this registry and show whatever comes back.
Like `roundtable.core.home`, contributions are shown in `order`, then by name.

Every contribution returns text or HTML. Plain strings are escaped; return a SafeString
(`format_html`, `render_to_string`) for HTML. The board and caseload contributions are asked
once for the whole page with all its episodes, so each must answer in a fixed number of queries
however many people are on the board: they are called once per page, never once per card.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from roundtable.care.models import Episode, PersonInCare
from roundtable.directory.models import Team

PersonPanel = Callable[[HttpRequest, PersonInCare], str]
BoardBadges = Callable[[Any, Team, "QuerySet[Episode]"], dict[int, list[str]]]
CaseloadExtra = Callable[[Any, list[int]], dict[int, str]]

C = TypeVar("C")


@dataclass(frozen=True)
class _Registered(Generic[C]):
    order: int
    name: str
    compute: C


_person_panels: dict[str, _Registered[PersonPanel]] = {}
_board_badges: dict[str, _Registered[BoardBadges]] = {}
_caseload_extras: dict[str, _Registered[CaseloadExtra]] = {}


def _in_order(registry: dict[str, _Registered[C]]) -> list[_Registered[C]]:
    return sorted(registry.values(), key=lambda r: (r.order, r.name))


def _html(text: str) -> SafeString:
    """Escaped unless already marked safe."""
    return SafeString(conditional_escape(text))


# -- A person's page ------------------------------------------------------------------------------


def register_person_panel(name: str, render: PersonPanel, *, order: int = 50) -> None:
    """`render(request, person)` returns a panel's HTML for the person's page, or "" for none.

    Called only after the page has checked that `request.user` may see the person.
    """
    _person_panels[name] = _Registered(order, name, render)


def person_panels(request: HttpRequest, person: PersonInCare) -> list[SafeString]:
    """The panels for a person's page, in order; empty ones left out."""
    panels = []
    for registered in _in_order(_person_panels):
        html = registered.compute(request, person)
        if html:
            panels.append(_html(html))
    return panels


# -- The huddle board ----------------------------------------------------------------------------


def register_board_badges(name: str, compute: BoardBadges, *, order: int = 50) -> None:
    """`compute(user, team, episodes)` returns short badges ("Safety review overdue by 3 days")
    by episode id, for the episodes that have any. Once per board, in a fixed number of queries.

    `episodes` are those on the board (or the one card shown), already narrowed to what the user
    may see: filter, annotate or join to it, never widen it. A board has hundreds: read them as
    part of the badges' own query (`episode__in=episodes`) rather than as a list of ids."""
    _board_badges[name] = _Registered(order, name, compute)


def board_badges(user: Any, team: Team, episodes: QuerySet[Episode]) -> dict[int, list[SafeString]]:
    """Every registered badge of each episode on the board, in order (episodes with none are
    left out)."""
    found: dict[int, list[SafeString]] = {}
    for registered in _in_order(_board_badges):
        for episode_id, badges in registered.compute(user, team, episodes).items():
            found.setdefault(episode_id, []).extend(_html(b) for b in badges if b)
    return {episode_id: badges for episode_id, badges in found.items() if badges}


# -- A key worker's caseload ---------------------------------------------------------------------


def register_caseload_extra(name: str, compute: CaseloadExtra, *, order: int = 50) -> None:
    """`compute(user, episode_ids)` returns HTML by episode id to show beside each person on a
    key worker's caseload. Once per page, in a fixed number of queries."""
    _caseload_extras[name] = _Registered(order, name, compute)


def caseload_extras(user: Any, episode_ids: Iterable[int]) -> dict[int, list[SafeString]]:
    """Every registered extra of each episode on the caseload, in order."""
    ids = list(episode_ids)
    found: dict[int, list[SafeString]] = {}
    if not ids:
        return found
    for registered in _in_order(_caseload_extras):
        for episode_id, html in registered.compute(user, ids).items():
            if html:
                found.setdefault(episode_id, []).append(_html(html))
    return found
