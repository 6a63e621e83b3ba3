"""The one state-machine helper: its table is checked when declared, and a move writes its event.

Each app's own table is pinned in that app's tests (care/tests/test_services.py,
decisions/tests/test_transitions.py, voice/tests/test_transitions.py).
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from roundtable.core.transitions import StateMachine
from roundtable.voice.models import ConcernEvent


class Light(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


TABLE = {Light.RED: {Light.GREEN}, Light.GREEN: {Light.AMBER}, Light.AMBER: {Light.RED}}


def machine(table=TABLE):
    return StateMachine(
        Light, table, field="status", event=ConcernEvent, refusal="A {now} light cannot go {to}."
    )


def test_a_table_must_name_every_state_and_only_states():
    with pytest.raises(ValueError, match=r"missing \['amber'\]"):
        machine({Light.RED: {Light.GREEN}, Light.GREEN: {Light.RED}})
    with pytest.raises(ValueError, match=r"unknown \['blue'\]"):
        machine({**TABLE, Light.RED: {Light.GREEN, "blue"}})


def test_it_allows_only_what_the_table_lists():
    lights = machine()
    assert lights.following(Light.RED) == {Light.GREEN}
    assert lights.allows(Light.RED, Light.GREEN)
    assert not lights.allows(Light.RED, Light.AMBER)
    assert not lights.allows(Light.RED, Light.RED)
    assert not lights.allows("blue", Light.RED)


class Record:
    status = Light.RED


def test_a_refused_move_says_why_in_the_apps_words_and_writes_nothing():
    record = Record()
    with pytest.raises(ValidationError) as refused:
        machine().move(record, Light.AMBER)
    assert refused.value.messages == ["A red light cannot go amber."]
    assert record.status == Light.RED
