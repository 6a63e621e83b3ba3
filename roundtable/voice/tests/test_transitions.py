"""A concern's state machine, pinned here as the service standard describes it (not read back
from the code): acknowledged before anything else; not taken forward, with a reason, only once
acknowledged; closed for good once addressed or not taken forward."""

import pytest
from django.core.exceptions import ValidationError

from roundtable.voice import services
from roundtable.voice.models import CONCERN_STATES, ConcernEvent
from roundtable.voice.tests.helpers import MONDAY, raise_to_team

LEGAL = {
    "raised": {"acknowledged"},
    "acknowledged": {"action_agreed", "not_taken_forward"},
    "action_agreed": {"addressed", "not_taken_forward"},
    "addressed": set(),
    "not_taken_forward": set(),
}


def test_the_table_is_the_one_the_service_standard_describes():
    assert {state: set(targets) for state, targets in CONCERN_STATES.legal.items()} == LEGAL


def test_each_move_writes_one_event_from_and_to(system):
    concern, _ = raise_to_team(system)
    services.concern_acknowledge(
        actor=system.team_leader_a, concern=concern, expected_version=concern.version, today=MONDAY
    )
    event = ConcernEvent.objects.filter(concern=concern).order_by("pk").reverse()[0]
    assert (event.from_status, event.to_status, event.kind) == (
        "raised",
        "acknowledged",
        "acknowledged",
    )
    assert event.actor == system.team_leader_a


def test_a_move_the_table_refuses_writes_no_event(system):
    concern, _ = raise_to_team(system)
    with pytest.raises(ValidationError, match="A concern that is raised cannot become addressed"):
        services.concern_address(
            actor=system.team_leader_a,
            concern=concern,
            expected_version=concern.version,
            what_we_did="Done",
            today=MONDAY,
        )
    written = ConcernEvent.objects.filter(concern=concern).values_list("to_status", flat=True)
    assert list(written) == ["raised"]
