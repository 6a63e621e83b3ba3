"""A record's explicit state machine: which state may follow which, and the event each move writes.

A person's path through a team (care), a decision (decisions) and a concern (voice) each move
through states. Each app declares its table once, beside its models:

    CONCERN_STATES = StateMachine(
        ConcernStatus,
        {ConcernStatus.RAISED: {ConcernStatus.ACKNOWLEDGED}, ...},
        field="status",
        event=ConcernEvent,
        refusal="A concern that is {now} cannot become {to}.",
    )

and its services move a record with `move()`, inside their transaction, before saving it with
its version check: the move is refused in plain words when the table does not allow it, and
otherwise writes one row of the append-only event model — `from_<field>`, `to_<field>` and the
fields the service gives (who, when, why) — and sets the record's field. Forms offer
`following(state)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

E = TypeVar("E", bound=models.Model)


class StateMachine(Generic[E]):
    def __init__(
        self,
        states: type[models.TextChoices],
        legal: Mapping[str, Iterable[str]],
        *,
        field: str,
        event: type[E],
        refusal: str,
    ) -> None:
        values = set(states.values)
        missing = values - set(legal)
        unknown = (set(legal) | {to for targets in legal.values() for to in targets}) - values
        if missing or unknown:
            raise ValueError(
                f"The {states.__name__} table must list every state once and only states: "
                f"missing {sorted(missing)}, unknown {sorted(unknown)}."
            )
        self.states = states
        self.legal: dict[str, frozenset[str]] = {
            state: frozenset(targets) for state, targets in legal.items()
        }
        self.field = field
        self.event = event
        self.refusal = refusal

    def following(self, state: str) -> frozenset[str]:
        """The states that may follow `state`."""
        return self.legal[state]

    def allows(self, now: str, to: str) -> bool:
        return to in self.legal.get(now, ())

    def label(self, state: str) -> str:
        return str(self.states(state).label).lower()

    def check(self, record: models.Model, to: str) -> None:
        """Refuse, in the app's words, a move its table does not allow."""
        now = getattr(record, self.field)
        if not self.allows(now, to):
            raise ValidationError(self.refusal.format(now=self.label(now), to=self.label(to)))

    def move(self, record: models.Model, to: str, **event: Any) -> E:
        """Check the move, write its event (the states it went from and to, and `event`), and
        set the record's state. The caller saves the record, in the same transaction."""
        self.check(record, to)
        now = getattr(record, self.field)
        written = self.event._default_manager.create(
            **{f"from_{self.field}": now, f"to_{self.field}": to}, **event
        )
        setattr(record, self.field, to)
        return written
