"""What happens elsewhere when a decision is made, without decisions knowing who listens.

Apps built on decisions register a callback in their AppConfig.ready(); `decision_decide` calls
each one inside its transaction, so a callback that refuses (raises) undoes the outcome too.

They may also narrow a decision's audience: who is told of it and asked for a position. A
decision about a person in care is for those who may see the person, not the whole forum.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from roundtable.core.registry import Registry
from roundtable.decisions.models import Decision
from roundtable.directory.models import Person

Callback = Callable[[Decision, Person], None]
Audience = Callable[[Decision, set[int]], set[int]]

# `callback(decision, actor)`, called whenever a decision's outcome is recorded.
outcome_callbacks: Registry[Callback] = Registry("decision outcome callback")
# `audience(decision, person_ids)` keeps only the people who may hear of `decision`.
audience_narrowings: Registry[Audience] = Registry("decision audience")


def decided(decision: Decision, actor: Person) -> None:
    for callback in outcome_callbacks:
        callback(decision, actor)


def audience(decision: Decision, person_ids: Iterable[int]) -> set[int]:
    """Of `person_ids`, those who may be told of the decision and asked for their position."""
    kept = set(person_ids)
    for narrowing in audience_narrowings:
        if not kept:
            break
        kept = narrowing(decision, kept)
    return kept
