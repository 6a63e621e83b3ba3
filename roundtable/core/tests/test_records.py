"""`core.records`: the one way a service adds and removes a record — the model's record rules,
then the service's own check, then the write and its audit event; nothing written on refusal."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.core import records
from roundtable.directory.models import Locality, Team, TeamKind
from roundtable.testing import System

pytestmark = pytest.mark.django_db


def test_a_record_is_saved_and_its_creation_audited(system: System) -> None:
    locality = records.create(
        Locality(name="East"), actor=system.administrator, summary="Locality East"
    )
    assert Locality.objects.get(pk=locality.pk).name == "East"
    event = AuditEvent.objects.get(object_type="directory.locality", object_id=str(locality.pk))
    assert (event.action, event.summary, event.actor_id) == (
        AuditAction.CREATE,
        "Locality East",
        system.administrator.pk,
    )


def test_the_models_own_rules_refuse_before_anything_is_written(system: System) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        records.create(Locality(name="x" * 121), actor=system.administrator, summary="Too long")
    assert list(refused.value.message_dict) == ["name"]
    assert not Locality.objects.filter(name__startswith="xxx").exists()
    assert AuditEvent.objects.count() == before


def test_a_choice_the_model_does_not_offer_is_refused(system: System) -> None:
    team = Team(name="Odd", organisation=system.trust, kind="not-a-kind")
    with pytest.raises(ValidationError) as refused:
        records.create(team, actor=system.administrator, summary="Team Odd")
    assert list(refused.value.message_dict) == ["kind"]
    assert not Team.objects.filter(name="Odd").exists()


def test_the_services_check_runs_after_the_record_rules_and_refuses_in_its_words(
    system: System,
) -> None:
    calls: list[str] = []

    def check() -> None:
        calls.append("check")
        raise ValidationError({"name": "Choose another name"})

    with pytest.raises(ValidationError) as refused:
        records.create(
            Locality(name="East"), actor=system.administrator, summary="East", check=check
        )
    assert refused.value.message_dict == {"name": ["Choose another name"]}
    assert calls == ["check"]
    assert not Locality.objects.filter(name="East").exists()


def test_the_records_it_refers_to_are_not_looked_up_again(system: System) -> None:
    team = Team(name="Harbour CMHT", organisation=system.trust, kind=TeamKind.CMHT)
    with CaptureQueriesContext(connection) as queries:
        records.validate(team)
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        records.validate(team, unique=True)  # the organisation looked up, and the unique checks
    assert len(queries) > 0


def test_uniqueness_in_djangos_words_only_when_asked(system: System) -> None:
    records.validate(Locality(name=system.north.name))  # the constraint's to keep
    with pytest.raises(ValidationError) as refused:
        records.validate(Locality(name=system.north.name), unique=True)
    assert list(refused.value.message_dict) == ["name"]


def test_a_removal_is_audited_while_the_record_still_has_its_id(system: System) -> None:
    locality = Locality.objects.create(name="West")
    pk = locality.pk
    records.delete(locality, actor=system.administrator, summary="Locality West")
    assert not Locality.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(object_type="directory.locality", object_id=str(pk))
    assert (event.action, event.summary) == (AuditAction.DELETE, "Locality West")


def test_the_services_own_refusals_come_together_with_the_models(system: System) -> None:
    team = Team(name="", organisation=system.trust, kind="not-a-kind")
    with pytest.raises(ValidationError) as refused:
        records.validate(team, also={"kind": "Choose the kind of team"})
    # The service's words for the field it names, the model's rule for the other field.
    assert refused.value.message_dict["kind"] == ["Choose the kind of team"]
    assert set(refused.value.message_dict) == {"kind", "name"}
