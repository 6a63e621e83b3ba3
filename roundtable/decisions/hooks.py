"""What happens elsewhere when a decision is made, without decisions knowing who listens.

Apps built on decisions register a callback in their AppConfig.ready(); `decision_decide` calls
each one inside its transaction, so a callback that refuses (raises) undoes the outcome too.

They may also narrow a decision's audience: who is told of it and asked for a position. A
decision about a person in care is for those who may see the person, not the whole forum.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roundtable.decisions.models import Decision
    from roundtable.directory.models import Person

Callback = Callable[["Decision", "Person"], None]
Audience = Callable[["Decision", "set[int]"], "set[int]"]

_on_decided: dict[str, Callback] = {}
_audiences: dict[str, Audience] = {}


def on_decided(name: str, callback: Callback) -> None:
    """Call `callback(decision, actor)` whenever a decision's outcome is recorded."""
    _on_decided[name] = callback


def decided(decision: Decision, actor: Person) -> None:
    for name in sorted(_on_decided):
        _on_decided[name](decision, actor)


def narrow_audience(name: str, audience: Audience) -> None:
    """Let `audience(decision, person_ids)` keep only the people who may hear of `decision`."""
    _audiences[name] = audience


def audience(decision: Decision, person_ids: Iterable[int]) -> set[int]:
    """Of `person_ids`, those who may be told of the decision and asked for their position."""
    kept = set(person_ids)
    for name in sorted(_audiences):
        if not kept:
            break
        kept = _audiences[name](decision, kept)
    return kept
