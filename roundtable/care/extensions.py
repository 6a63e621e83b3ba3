"""What apps built on care add to the care pages, without care importing them.

Dependencies point one way (care ← safety): the safety app, say, registers in its
AppConfig.ready() a panel for a person's page, badges for the huddle board's cards and an extra
for the key worker's caseload; the care pages ask this registry and show whatever comes back.
Like `roundtable.core.home`, contributions are shown in `order`, then by name.

Every contribution returns text or HTML. Plain strings are escaped; return a SafeString
(`format_html`, `render_to_string`) for HTML. The board and caseload contributions are asked
once for the whole page with all its episodes, so each must answer in a fixed number of queries
however many people are on the board: they are called once per page, never once per card. A
board badge reads what it can with the board's own query of its episodes (`read=`): its
expressions are built once and kept with that query, so they may depend neither on the reader
nor on the time (ADR 0019: the bench keeps this rather than a query of each badge's own).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from roundtable.care.models import PersonInCare
from roundtable.care.selectors import BoardCard, CardEpisode
from roundtable.core.registry import Panels, Registry
from roundtable.directory.models import Team

PersonPanel = Callable[[HttpRequest, PersonInCare], str]
# The records an app keeps about a person in care, as (model, keys) pairs: what a report of who
# has read about the person reads the audit trail for.
PersonRecords = Callable[[PersonInCare], Iterable[tuple[type[Model], Iterable[int]]]]
CaseloadExtra = Callable[[Any, list[int]], dict[int, str]]

panel_registry: Panels[PersonInCare] = Panels("person page panel")
badge_registry: Registry[_BadgeSource] = Registry("huddle board badge")
caseload_registry: Registry[CaseloadExtra] = Registry("caseload extra")
person_records: Registry[PersonRecords] = Registry("records about a person in care")


def _html(text: str) -> SafeString:
    """Escaped unless already marked safe (quickly for plain text: a board has hundreds)."""
    if type(text) is str:
        return SafeString(html.escape(text))
    return SafeString(conditional_escape(text))


# -- A person's page ------------------------------------------------------------------------------


def register_person_panel(name: str, render: PersonPanel, *, order: int = 50) -> None:
    """`render(request, person)` returns a panel's HTML for the person's page, or "" for none.

    Called only after the page has checked that `request.user` may see the person.
    """
    panel_registry.add(name, render, order=order)


def person_panels(request: HttpRequest, person: PersonInCare) -> list[SafeString]:
    """The panels for a person's page, in order; empty ones left out."""
    return panel_registry.render(request, person)


# -- The huddle board ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BadgeRow:
    """A card on the board as a badge sees it: the card's episode and the values its `read`
    expressions took for that episode, by the names it gave them."""

    episode: CardEpisode
    values: dict[str, Any]


BoardRead = Callable[[], dict[str, Any]]
BoardBadges = Callable[[Any, Team, list[BadgeRow]], dict[int, list[str]]]


@dataclass(frozen=True)
class _BadgeSource:
    read: BoardRead | None
    compute: BoardBadges
    # The names `read` gives, with the names they take in the board's query.
    aliases: list[tuple[str, str]]
    # Whether a card with one of these badges needs discussing at today's huddle.
    needs_discussion: bool = False


def register_board_badges(
    name: str,
    compute: BoardBadges,
    *,
    read: BoardRead | None = None,
    order: int = 50,
    needs_discussion: bool = False,
) -> None:
    """Short badges ("Safety review overdue by 3 days") on the huddle board's cards.

    `read()` gives expressions on an `Episode` (`Subquery`, `Exists`, `F` …) by name, the same
    for everyone (the board has already narrowed its episodes to what the user may see) and at
    any moment: they are built once and kept for every board (a time zone is taken when the
    query is compiled, so leave it out). The board reads them in its own query of its episodes,
    so a badge costs no query of its own for what it can say from them. `compute(user, team,
    rows)` then returns the badges by episode id, for the episodes that have any; each row has
    the card's episode and the values of those expressions. Asked once per board (or for the one
    card on a card's page): any query it still needs must read all its rows at once, and only
    when one of them needs it.

    With `needs_discussion`, a card with one of these badges is among the people the team
    talks about at today's huddle (the board's filter and the huddle run).

    The rows are the cards the user may see: narrow, never widen them."""
    aliases = [(key, _alias(name, key)) for key in (read() if read is not None else {})]
    badge_registry.add(name, _BadgeSource(read, compute, aliases, needs_discussion), order=order)
    board_extras.cache_clear()


def _alias(name: str, key: str) -> str:
    """The name a badge's expression takes in the board's query: unique to the badge."""
    return re.sub(r"\W", "_", f"{name}_{key}")


@functools.cache
def board_extras() -> Mapping[str, Any]:
    """What the board's episode query reads for the badges (`selectors.huddle_board(extras=)`):
    built once, and again after a badge registers, so that the board can keep the query it
    builds with them."""
    extras: dict[str, Any] = {}
    for source in badge_registry:
        if source.read is not None:
            expressions = source.read()
            extras.update((alias, expressions[key]) for key, alias in source.aliases)
    return MappingProxyType(extras)


def board_badges(
    user: Any,
    team: Team,
    cards: Iterable[BoardCard],
    *,
    needs: dict[int, list[SafeString]] | None = None,
) -> dict[int, list[SafeString]]:
    """Every registered badge of each of these cards (read with `board_extras`), in order;
    episodes with none are left out. The badges that need discussion today are also put in
    `needs`, by episode, when it is given."""
    cards = list(cards)
    found: dict[int, list[SafeString]] = {}
    for source in badge_registry:
        rows = [
            BadgeRow(card.episode, {key: card.extras.get(alias) for key, alias in source.aliases})
            for card in cards
        ]
        for episode_id, badges in source.compute(user, team, rows).items():
            written = [_html(b) for b in badges if b]
            found.setdefault(episode_id, []).extend(written)
            if needs is not None and source.needs_discussion and written:
                needs.setdefault(episode_id, []).extend(written)
    return {episode_id: badges for episode_id, badges in found.items() if badges}


# -- A key worker's caseload ---------------------------------------------------------------------


def register_caseload_extra(name: str, compute: CaseloadExtra, *, order: int = 50) -> None:
    """`compute(user, episode_ids)` returns HTML by episode id to show beside each person on a
    key worker's caseload. Once per page, in a fixed number of queries."""
    caseload_registry.add(name, compute, order=order)


def caseload_extras(user: Any, episode_ids: Iterable[int]) -> dict[int, list[SafeString]]:
    """Every registered extra of each episode on the caseload, in order."""
    ids = list(episode_ids)
    found: dict[int, list[SafeString]] = {}
    if not ids:
        return found
    for compute in caseload_registry:
        for episode_id, extra in compute(user, ids).items():
            if extra:
                found.setdefault(episode_id, []).append(_html(extra))
    return found
