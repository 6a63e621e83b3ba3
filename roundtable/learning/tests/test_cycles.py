"""Tests of change, the services: a ramp starts with its first cycle planned (perhaps from a
learning statement the starter can see); a cycle is tried, then closed only with what was
studied and what comes next (adopt, adapt or abandon) — the database refuses it otherwise too;
the next cycle only once the one before is closed; only the team and its leaders; every refusal
stores nothing; every write is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.core.concurrency import ConcurrentEditError
from roundtable.core.errors import NotAllowed
from roundtable.learning import services as learning_services
from roundtable.learning.models import (
    CYCLE_STATES,
    Act,
    ChangeCycle,
    CycleEvent,
    CycleStatus,
    Ramp,
)
from roundtable.learning.services import cycles as services
from roundtable.learning.tests.helpers import event, swarm

pytestmark = pytest.mark.django_db

PLAN = {
    "change": "Ring people the day after discharge, not within the week",
    "prediction": "Nine in ten people are reached within two days",
    "measure": "Count calls made within two days, each week",
    "plan": "Amira and Chloe call, from Monday, for four weeks",
}


def start(system, actor=None, **changes):
    values = {
        "actor": actor or system.clinician_a,
        "team": system.team_a,
        "aim": "Everyone leaving our care hears from us within two days",
        **PLAN,
        **changes,
    }
    return services.ramp_start(**values)


def first(ramp) -> ChangeCycle:
    return ChangeCycle.objects.get(ramp=ramp, number=1)


def tried(cycle, actor) -> ChangeCycle:
    return services.cycle_start(actor=actor, cycle=cycle, expected_version=cycle.version)


def closed(cycle, actor, act=Act.ADAPT) -> ChangeCycle:
    return services.cycle_close(
        actor=actor,
        cycle=cycle,
        expected_version=cycle.version,
        what_happened="Seven in ten reached",
        study="Fewer than predicted: Friday discharges were missed",
        act=act,
        act_note="Add Friday discharges to Monday's list",
    )


def stored() -> tuple[int, int, int]:
    return Ramp.objects.count(), ChangeCycle.objects.count(), CycleEvent.objects.count()


def test_the_table_is_plan_do_study_act():
    """Pinned literally: planned, then tried, then closed; nothing after closed."""
    assert {state: set(CYCLE_STATES.following(state)) for state in CycleStatus.values} == {
        "planned": {"doing"},
        "doing": {"closed"},
        "closed": set(),
    }


def test_a_ramp_starts_with_its_first_cycle_planned_and_audited(system):
    ramp = start(system)
    cycle = first(ramp)
    assert (ramp.team, ramp.started_by, ramp.statement) == (
        system.team_a,
        system.clinician_a,
        None,
    )
    assert (cycle.number, cycle.status, cycle.change) == (1, "planned", PLAN["change"])
    assert cycle.started_by == system.clinician_a
    summaries = set(
        AuditEvent.objects.filter(action=AuditAction.CREATE).values_list("summary", flat=True)
    )
    assert "Test of change started in North CMHT" in summaries
    assert f"Cycle 1 planned in test of change {ramp.pk}" in summaries


def test_a_ramp_may_start_from_a_learning_statement_the_starter_sees(system, trust_leader):
    response = swarm(system, event(system))
    statement = learning_services.statement_add(
        actor=system.team_leader_a, response=response, text="Friday discharges are missed"
    )
    ramp = start(system, statement=statement)
    assert ramp.statement == statement

    # Ben, in South CMHT, cannot see North CMHT's learning: refused, by field, nothing stored.
    before = stored()
    with pytest.raises(ValidationError) as refused:
        start(system, actor=system.clinician_b, team=system.team_b, statement=statement)
    assert refused.value.message_dict == {
        "statement": [f"There is no learning statement you can see with id {statement.pk}"]
    }
    assert stored() == before


def test_missing_answers_are_refused_by_field_with_nothing_stored(system):
    with pytest.raises(ValidationError) as refused:
        start(system, aim="  ", change="", prediction="", measure="", plan="")
    assert refused.value.message_dict == {
        "aim": ["Say what the team is trying to achieve"],
        "change": ["Say what change you will try"],
        "prediction": ["Say what you predict will happen"],
        "measure": ["Say how you will know"],
        "plan": ["Say who does what, when and where"],
    }
    assert stored() == (0, 0, 0)


def test_only_the_team_and_those_who_lead_it(system, trust_leader):
    before = stored()
    with pytest.raises(NotAllowed, match="Only members of North CMHT and those who lead it"):
        start(system, actor=system.clinician_b)
    assert stored() == before
    # Jo leads the trust's teams, so she may start one and move it on.
    ramp = start(system, actor=trust_leader)
    cycle = first(ramp)
    with pytest.raises(NotAllowed):
        tried(cycle, system.clinician_b)
    with pytest.raises(NotAllowed):
        services.cycle_update(
            actor=system.clinician_b, cycle=cycle, expected_version=cycle.version, change="No"
        )
    cycle = tried(cycle, trust_leader)
    with pytest.raises(NotAllowed):
        closed(cycle, system.clinician_b)
    cycle = closed(cycle, trust_leader)
    with pytest.raises(NotAllowed):
        services.cycle_next(actor=system.clinician_b, ramp=ramp, **PLAN)
    assert ChangeCycle.objects.filter(ramp=ramp).count() == 1


def test_a_cycle_is_tried_then_closed_with_its_study_and_act(system):
    ramp = start(system)
    cycle = tried(first(ramp), system.clinician_a)
    assert (cycle.status, cycle.version) == ("doing", 2)
    cycle = closed(cycle, system.vcse, act=Act.ADOPT)
    cycle.refresh_from_db()
    assert (cycle.status, cycle.act, cycle.version) == ("closed", "adopt", 3)
    assert cycle.study == "Fewer than predicted: Friday discharges were missed"
    assert cycle.closed_at is not None
    moves = list(CycleEvent.objects.filter(cycle=cycle).values_list("from_status", "to_status"))
    assert moves == [("planned", "doing"), ("doing", "closed")]
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, summary=f"Cycle 1 of test of change {ramp.pk} closed: adopt"
    ).exists()


def test_a_cycle_cannot_be_closed_without_study_and_act(system):
    cycle = tried(first(start(system)), system.clinician_a)
    before = stored()
    with pytest.raises(ValidationError) as refused:
        services.cycle_close(
            actor=system.clinician_a,
            cycle=cycle,
            expected_version=cycle.version,
            what_happened="Seven in ten reached",
            study="   ",
            act="",
        )
    assert refused.value.message_dict == {
        "study": ["Say what you found when you compared what happened with your prediction"],
        "act": ["Choose whether to adopt, adapt or abandon the change"],
    }
    assert stored() == before
    cycle.refresh_from_db()
    assert (cycle.status, cycle.what_happened, cycle.version) == ("doing", "", 2)


def test_the_database_refuses_a_closed_cycle_without_study_or_act(system):
    cycle = first(start(system))
    for study, act in [("", "adopt"), ("We found it worked", ""), ("", "")]:
        cycle.status, cycle.study, cycle.act = CycleStatus.CLOSED, study, act
        with pytest.raises(IntegrityError), transaction.atomic():
            cycle.save()
    assert first(cycle.ramp).status == "planned"


def test_the_database_holds_one_open_cycle_a_ramp(system):
    ramp = start(system)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeCycle.objects.create(ramp=ramp, number=2, started_by=system.clinician_a, **PLAN)
    assert ChangeCycle.objects.filter(ramp=ramp).count() == 1


def test_a_planned_cycle_is_not_closed_and_a_closed_one_does_not_move(system):
    cycle = first(start(system))
    with pytest.raises(ValidationError, match="A cycle that is planned cannot become closed"):
        closed(cycle, system.clinician_a)
    cycle = closed(tried(cycle, system.clinician_a), system.clinician_a)
    with pytest.raises(ValidationError, match="A cycle that is closed cannot become being tried"):
        tried(cycle, system.clinician_a)
    with pytest.raises(ValidationError, match="This cycle is closed"):
        services.cycle_update(
            actor=system.clinician_a, cycle=cycle, expected_version=cycle.version, change="Else"
        )
    assert CycleEvent.objects.count() == 2


def test_a_cycle_is_written_until_it_closes_and_a_stale_copy_is_refused(system):
    cycle = first(start(system))
    stale_version = cycle.version
    cycle = services.cycle_update(
        actor=system.vcse,
        cycle=cycle,
        expected_version=cycle.version,
        change="Ring the same day",
        plan="Chloe calls",
    )
    cycle.refresh_from_db()
    assert (cycle.change, cycle.plan, cycle.prediction, cycle.version) == (
        "Ring the same day",
        "Chloe calls",
        PLAN["prediction"],
        2,
    )
    old = ChangeCycle.objects.get(pk=cycle.pk)
    old.version = stale_version
    with pytest.raises(ConcurrentEditError):
        services.cycle_update(
            actor=system.clinician_a, cycle=old, expected_version=stale_version, change="Mine"
        )
    with pytest.raises(ConcurrentEditError):
        services.cycle_start(actor=system.clinician_a, cycle=old, expected_version=stale_version)
    cycle.refresh_from_db()
    assert (cycle.change, cycle.status) == ("Ring the same day", "planned")


def test_the_next_cycle_waits_for_the_last_to_close(system):
    ramp = start(system)
    before = stored()
    with pytest.raises(ValidationError, match="Close cycle 1, with what you found"):
        services.cycle_next(actor=system.clinician_a, ramp=ramp, **PLAN)
    assert stored() == before
    closed(tried(first(ramp), system.clinician_a), system.clinician_a, act=Act.ABANDON)
    # Abandoned: a new idea towards the same aim.
    second = services.cycle_next(
        actor=system.team_leader_a, ramp=ramp, **{**PLAN, "change": "A text message instead"}
    )
    assert (second.number, second.status, second.change) == (2, "planned", "A text message instead")
    assert second.started_by == system.team_leader_a
    with pytest.raises(ValidationError, match="Close cycle 2"):
        services.cycle_next(actor=system.clinician_a, ramp=ramp, **PLAN)
    assert ChangeCycle.objects.filter(ramp=ramp).count() == 2
