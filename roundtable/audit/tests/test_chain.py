"""The audit trail's chain of seals: sealed in order, verified link by link, broken at the right
place when a row is changed or removed behind the application's back (on SQLite, where nothing
stops it), and on PostgreSQL not changeable or removable at all."""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, close_old_connections, connection, transaction

from roundtable.audit import chain
from roundtable.audit.models import AuditAction, AuditChain, AuditEvent
from roundtable.audit.services import audit_record
from roundtable.core import ticks
from roundtable.testing import build_system
from roundtable.tests.test_simultaneous_writes import RACES

ON_SQLITE = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="Changing a row behind the application's back: on PostgreSQL the trigger refuses it "
    "(test_postgresql_refuses_to_change_or_delete_an_audit_row).",
)
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="The trigger is installed on PostgreSQL only."
)


def recorded(system, n: int) -> list[AuditEvent]:
    return [
        audit_record(
            actor=system.clinician_a,
            action=AuditAction.READ,
            obj=system.team_a,
            summary=f"Read {i}",
            changes={"i": [i, i + 1], "note": "café"},
        )
        for i in range(n)
    ]


def raw(sql: str, *params: int | str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_events_are_sealed_in_order_and_the_chain_holds(system):
    before = AuditEvent.objects.count()  # the set-up's own events
    events = recorded(system, 5)
    assert chain.seal() == before + 5
    assert chain.seal() == 0  # nothing new
    sealed = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in sealed] == list(range(1, before + 6))
    assert [e.pk for e in sealed] == sorted(e.pk for e in sealed)  # oldest first
    assert all(len(e.digest) == 64 for e in sealed)
    assert len({e.digest for e in sealed}) == len(sealed)
    head = AuditChain.objects.get()
    assert (head.seq, head.digest) == (sealed[-1].seq, sealed[-1].digest)
    verdict = chain.verify()
    assert verdict.intact
    assert (verdict.checked, verdict.unsealed) == (before + 5, 0)
    # Recorded later: at the end of the chain, which still holds.
    later = recorded(system, 2)
    assert chain.verify().unsealed == 2
    assert chain.seal() == 2
    assert AuditEvent.objects.get(pk=later[-1].pk).seq == before + 7
    assert chain.verify().intact
    assert events[0].pk < later[0].pk


@pytest.mark.django_db
def test_a_seal_covers_everything_the_event_says(system):
    event = recorded(system, 1)[0]
    chain.seal()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.seq is not None
    previous = AuditEvent.objects.filter(seq=event.seq - 1).values_list("digest", flat=True)
    before = previous.first() or chain.GENESIS
    assert event.digest == chain.seal_of(before, event.seq, event)
    for name, other in (
        ("summary", "Read nothing"),
        ("action", AuditAction.UPDATE),
        ("object_id", "999"),
        ("changes", {"i": [0, 2], "note": "café"}),
        ("shown", [1]),
        ("actor_id", None),
    ):
        copy = AuditEvent.objects.get(pk=event.pk)
        setattr(copy, name, other)
        assert chain.seal_of(before, event.seq, copy) != event.digest, name
    assert chain.seal_of(before, event.seq + 1, event) != event.digest


@ON_SQLITE
@pytest.mark.django_db
def test_verify_finds_the_first_event_changed_behind_the_applications_back(system):
    events = recorded(system, 6)
    chain.seal()
    third, fifth = (AuditEvent.objects.get(pk=events[i].pk) for i in (2, 4))
    raw("UPDATE audit_auditevent SET summary = %s WHERE id = %s", "Nothing to see", fifth.pk)
    raw("UPDATE audit_auditevent SET changes = %s WHERE id = %s", '{"i": [9, 9]}', third.pk)
    verdict = chain.verify()
    assert not verdict.intact
    assert (verdict.broken_at, verdict.event_id) == (third.seq, third.pk)
    assert third.seq is not None
    assert verdict.checked == third.seq - 1
    assert "changed" in verdict.reason
    with pytest.raises(CommandError) as broken:
        call_command("audit", "verify", stdout=StringIO())
    assert f"broken at place {third.seq} (event {third.pk})" in str(broken.value)


@ON_SQLITE
@pytest.mark.django_db
def test_verify_finds_an_event_removed_in_the_middle_or_at_the_end(system):
    events = recorded(system, 4)
    chain.seal()
    second, last = (AuditEvent.objects.get(pk=events[i].pk) for i in (1, -1))
    raw("DELETE FROM audit_auditevent WHERE id = %s", last.pk)
    verdict = chain.verify()
    assert (verdict.broken_at, verdict.event_id) == (last.seq, None)
    assert "missing" in verdict.reason
    raw("DELETE FROM audit_auditevent WHERE id = %s", second.pk)
    assert chain.verify().broken_at == second.seq


@pytest.mark.django_db
def test_the_command_says_the_chain_holds_and_the_tick_seals(system):
    recorded(system, 3)
    assert ticks.jobs.get("audit") is chain.tick
    summary = chain.tick(None)  # type: ignore[arg-type]
    assert summary.endswith("audit events sealed")
    recorded(system, 1)
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "The audit trail holds:" in out.getvalue()
    assert "1 recorded since the last seal are not sealed yet." in out.getvalue()
    out = StringIO()
    call_command("audit", "seal", stdout=out)
    assert out.getvalue().strip() == "1 audit events sealed."


@ON_POSTGRESQL
@pytest.mark.django_db
def test_postgresql_refuses_to_change_or_delete_an_audit_row(system):
    event = recorded(system, 1)[0]
    for sql in (
        "UPDATE audit_auditevent SET summary = 'Nothing to see' WHERE id = %s",
        "UPDATE audit_auditevent SET actor_id = NULL WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="Audit events cannot be"), transaction.atomic():
            raw(sql, event.pk)
    # Sealing, once, is the one change allowed; sealing again is not.
    chain.seal()
    assert chain.verify().intact
    for sql in (
        "UPDATE audit_auditevent SET digest = 'x' WHERE id = %s",
        "UPDATE audit_auditevent SET seq = NULL WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
            raw(sql, event.pk)
    assert AuditEvent.objects.filter(pk=event.pk, summary="Read 0").exists()


@pytest.mark.parametrize("_", [0], ids=["two-seals"])
@RACES[0]
@RACES[1]
@RACES[2]
def test_two_seals_at_once_never_give_two_events_one_place(_):
    system = build_system()
    recorded(system, 40)
    barrier = threading.Barrier(2)
    sealed: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            sealed.append(chain.seal())
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    assert not errors, errors
    total = AuditEvent.objects.count()
    assert sorted(sealed) == [0, total]  # one run sealed them all; the other found none left
    places = AuditEvent.objects.values_list("seq", flat=True)
    assert sorted(p or 0 for p in places) == list(range(1, total + 1))
    assert chain.verify().intact
