"""Every write to learning: validated, transactional, audited. A module for each feature;
the pages, the API and the demo call `services.<name>`."""

from roundtable.learning.services.responses import (
    ANSWERS,
    action_add,
    action_change,
    action_progress,
    event_record,
    factor_add,
    may_take_part,
    part_remove,
    participant_add,
    response_finish,
    response_start,
    response_update,
    statement_add,
)

__all__ = [
    "ANSWERS",
    "action_add",
    "action_change",
    "action_progress",
    "event_record",
    "factor_add",
    "may_take_part",
    "part_remove",
    "participant_add",
    "response_finish",
    "response_start",
    "response_update",
    "statement_add",
]
