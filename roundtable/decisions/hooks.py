"""What happens elsewhere when a decision is made, without decisions knowing who listens.

Apps built on decisions register a callback in their AppConfig.ready(); `decision_decide` calls
each one inside its transaction, so a callback that refuses (raises) undoes the outcome too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roundtable.decisions.models import Decision
    from roundtable.directory.models import Person

Callback = Callable[["Decision", "Person"], None]

_on_decided: dict[str, Callback] = {}


def on_decided(name: str, callback: Callback) -> None:
    """Call `callback(decision, actor)` whenever a decision's outcome is recorded."""
    _on_decided[name] = callback


def decided(decision: Decision, actor: Person) -> None:
    for name in sorted(_on_decided):
        _on_decided[name](decision, actor)
