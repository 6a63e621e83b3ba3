"""A request that is undone keeps its reads audited: whoever sent it may have been shown them."""

from __future__ import annotations

import pytest

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.audit.services import audit_record, audit_shown, reads_kept_if_undone
from roundtable.directory.models import Person
from roundtable.testing import System

pytestmark = pytest.mark.django_db


class Refused(Exception):
    pass


def kinds() -> list[tuple[str, str]]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", "summary"))


def test_an_undone_block_keeps_its_reads_and_loses_its_writes(system: System) -> None:
    before = AuditEvent.objects.count()

    def read_change_and_be_refused() -> None:
        with reads_kept_if_undone():
            audit_record(actor=system.clinician_a, action=AuditAction.READ, obj=system.clinician_b)
            audit_shown(actor=system.clinician_a, model=Person, ids=[1, 2], summary="A list")
            audit_record(actor=system.clinician_a, action=AuditAction.UPDATE, summary="A change")
            Person.objects.filter(pk=system.clinician_b.pk).update(full_name="Changed")
            raise Refused

    with pytest.raises(Refused):
        read_change_and_be_refused()
    assert kinds()[before:] == [("read", ""), ("read", "A list (2 shown)")]
    kept = AuditEvent.objects.order_by("pk")[before:]
    assert kept[0].actor == system.clinician_a
    assert kept[0].object_id == str(system.clinician_b.pk)
    assert kept[1].shown == [1, 2]
    system.clinician_b.refresh_from_db()
    assert system.clinician_b.full_name != "Changed"


def test_a_block_that_succeeds_records_each_read_once(system: System) -> None:
    before = AuditEvent.objects.count()
    with reads_kept_if_undone():
        audit_record(actor=system.clinician_a, action=AuditAction.READ, obj=system.clinician_b)
    assert kinds()[before:] == [("read", "")]


def test_an_outer_block_undone_keeps_the_reads_of_the_blocks_inside_it(system: System) -> None:
    before = AuditEvent.objects.count()

    def shown(summary: str, refused: bool = False) -> None:
        with reads_kept_if_undone():
            audit_shown(actor=system.clinician_a, model=Person, ids=[3], summary=summary)
            if refused:
                raise Refused

    def outer() -> None:
        with reads_kept_if_undone():
            shown("Inner, kept")
            with pytest.raises(Refused):
                shown("Inner, undone", refused=True)
            shown("Outer", refused=True)

    with pytest.raises(Refused):
        outer()
    assert sorted(summary for _, summary in kinds()[before:]) == [
        "Inner, kept (1 shown)",
        "Inner, undone (1 shown)",
        "Outer (1 shown)",
    ]


def test_reads_outside_a_block_are_not_collected(system: System) -> None:
    """Outside a block, nothing is held on to (and nothing is recorded twice later)."""
    audit_record(actor=system.clinician_a, action=AuditAction.READ, obj=system.clinician_b)
    before = AuditEvent.objects.count()

    def refused() -> None:
        with reads_kept_if_undone():
            raise Refused

    with pytest.raises(Refused):
        refused()
    assert AuditEvent.objects.count() == before
