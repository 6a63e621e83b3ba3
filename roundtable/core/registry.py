"""What apps contribute to one another without importing each other: one kind of registry.

Dependencies point one way (apps depend on core; safety on care, never care on safety). Where a
lower layer shows or runs what a higher one adds — the home page's sections, `roundtable tick`'s
jobs, the access chokepoint's policies, the panels and badges safety adds to the care pages — the
lower layer keeps a `Registry`, and each app adds to it in its `AppConfig.ready()`.

Contributions have a name (adding the same name again replaces it, so `ready()` may run twice) and
an order; they come back sorted by order, then by name, so the result never depends on the order
in which apps happened to load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.http import HttpRequest
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Entry(Generic[T]):
    order: int
    name: str
    item: T


class Registry(Generic[T]):
    """Named contributions of one kind, kept in order."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}
        self._sorted: list[Entry[T]] | None = None

    def __repr__(self) -> str:
        return f"<Registry of {self.kind}: {', '.join(self._entries) or 'none'}>"

    def add(self, name: str, item: T, *, order: int = 50) -> None:
        self._entries[name] = Entry(order, name, item)
        self._sorted = None

    def clear(self) -> None:
        self._entries.clear()
        self._sorted = None

    def get(self, name: str) -> T:
        """The item registered under `name`; LookupError, naming the kind, when there is none."""
        try:
            return self._entries[name].item
        except KeyError:
            raise LookupError(f"No {self.kind} is registered as {name!r}.") from None

    def find(self, name: str, default: T) -> T:
        entry = self._entries.get(name)
        return default if entry is None else entry.item

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> frozenset[str]:
        return frozenset(self._entries)

    def in_order(self) -> list[Entry[T]]:
        """Every entry, by order then name (sorted once until the next `add`)."""
        if self._sorted is None:
            self._sorted = sorted(self._entries.values(), key=lambda e: (e.order, e.name))
        return self._sorted

    def __iter__(self) -> Iterator[T]:
        return (entry.item for entry in self.in_order())

    @contextmanager
    def kept(self, *, empty: bool = False) -> Iterator[Registry[T]]:
        """For tests: whatever is added or replaced inside the block is undone when it ends;
        with `empty`, the block starts with nothing registered."""
        saved = dict(self._entries)
        if empty:
            self.clear()
        try:
            yield self
        finally:
            self.clear()
            self._entries.update(saved)


R = TypeVar("R")


class Panels(Registry[Callable[[HttpRequest, R], str]], Generic[R]):
    """Panels that apps add to the page of one kind of record (a team, a person in care) that
    a lower layer owns: `render(request, record)` returns a panel's text or HTML, or "" to leave
    it out. Plain strings are escaped; return a SafeString (`render_to_string`) for HTML.

    A panel reads what it shows through the access rules for `request.user` itself: the page
    only says who is reading.
    """

    def render(self, request: HttpRequest, record: R) -> list[SafeString]:
        shown = []
        for render in self:
            panel = render(request, record)
            if panel:
                shown.append(SafeString(conditional_escape(panel)))
        return shown
