"""Tests of change sent several times at one moment, on PostgreSQL (SQLite serialises writers):
"plan the next cycle" makes one cycle however many identical requests arrive together, through
the API and the page alike; a cycle is closed, and started, once."""

from __future__ import annotations

from roundtable.learning.models import ChangeCycle, CycleEvent
from roundtable.learning.services import cycles as services
from roundtable.learning.tests.test_cycles import PLAN, closed, first, start, tried
from roundtable.testing import build_system
from roundtable.tests.test_simultaneous_writes import API, RACES, Request, identical, one_wins

pytestmark = RACES


def test_the_next_cycle_is_planned_once() -> None:
    system = build_system()
    ramp = start(system)
    closed(tried(first(ramp), system.clinician_a), system.clinician_a)
    replies = identical(
        Request(
            system.clinician_a, "post", f"{API}/learning/tests-of-change/{ramp.pk}/cycles", PLAN
        )
    )
    one_wins(replies, won=201, says="Close cycle 2, with what you found")
    assert list(ChangeCycle.objects.filter(ramp=ramp).values_list("number", "status")) == [
        (1, "closed"),
        (2, "planned"),
    ]

    # The same from the ramp's page: one more cycle, once cycle 2 is closed.
    closed(tried(ChangeCycle.objects.get(ramp=ramp, number=2), system.vcse), system.vcse)
    form = {f"next-{name}": value for name, value in PLAN.items()}
    replies = identical(
        Request(
            system.vcse, "post", f"/learning/tests-of-change/{ramp.pk}/cycles/", form, page=True
        )
    )
    assert sorted(reply.status for reply in replies) == [302] + [400] * (len(replies) - 1)
    assert all("Close cycle 3" in reply.body for reply in replies if reply.status == 400)
    assert ChangeCycle.objects.filter(ramp=ramp).count() == 3


def test_a_cycle_is_started_and_closed_once() -> None:
    system = build_system()
    cycle = first(start(system))
    path = f"{API}/learning/cycles/{cycle.pk}"
    replies = identical(Request(system.clinician_a, "post", f"{path}/start", {"version": 1}))
    one_wins(replies, won=200, lost=(409,), says="Someone else changed this")
    body = {"what_happened": "Seven", "study": "Fewer", "act": "adapt", "version": 2}
    replies = identical(Request(system.clinician_a, "post", f"{path}/close", body))
    one_wins(replies, won=200, lost=(409,), says="Someone else changed this")
    assert CycleEvent.objects.filter(cycle=cycle).count() == 2
    # Closed once: the next cycle may follow.
    services.cycle_next(actor=system.clinician_a, ramp=cycle.ramp, **PLAN)
