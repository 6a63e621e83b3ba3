"""Directory services validate, audit every write and refuse stale edits."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.core.concurrency import ConcurrentEditError
from roundtable.directory import services
from roundtable.directory.models import Organisation, OrganisationKind, Person

pytestmark = pytest.mark.django_db


def test_organisation_create_is_audited(system):
    org = services.organisation_create(
        actor=system.administrator, name="New Mind", kind=OrganisationKind.VCSE, ods_code="8ab12"
    )
    assert org.ods_code == "8AB12"
    event = AuditEvent.objects.get(object_type="directory.organisation", object_id=str(org.pk))
    assert event.action == AuditAction.CREATE
    assert event.actor == system.administrator


def test_invalid_ods_code_stores_nothing(system):
    before = Organisation.objects.count()
    with pytest.raises(ValidationError):
        services.organisation_create(
            actor=system.administrator,
            name="Bad Surgery",
            kind=OrganisationKind.GP_PRACTICE,
            ods_code="12",
        )
    assert Organisation.objects.count() == before
    assert not AuditEvent.objects.filter(summary__contains="Bad Surgery").exists()


def test_update_records_what_changed(system):
    org = system.vcse_org
    services.organisation_update(
        actor=system.administrator, organisation=org, expected_version=org.version, name="Mind+"
    )
    org.refresh_from_db()
    assert org.name == "Mind+"
    assert org.version == 2
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert event.changes == {"name": ["Test Mind", "Mind+"]}


def test_a_stale_edit_is_refused_and_the_other_edit_survives(system):
    first = Organisation.objects.get(pk=system.vcse_org.pk)
    second = Organisation.objects.get(pk=system.vcse_org.pk)
    services.organisation_update(
        actor=system.administrator, organisation=first, expected_version=1, name="First"
    )
    with pytest.raises(ConcurrentEditError, match="Someone else changed this organisation"):
        services.organisation_update(
            actor=system.board_member, organisation=second, expected_version=1, name="Second"
        )
    assert Organisation.objects.get(pk=system.vcse_org.pk).name == "First"
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 1


def test_profile_update_is_optimistic_too(system):
    coach = Person.objects.get(pk=system.lone_coach.pk)
    services.person_update_profile(
        actor=coach, person=coach, expected_version=1, job_title="Mental health coach"
    )
    stale = Person.objects.get(pk=system.lone_coach.pk)
    with pytest.raises(ConcurrentEditError):
        services.person_update_profile(
            actor=system.administrator, person=stale, expected_version=1, job_title="Other"
        )
    assert Person.objects.get(pk=coach.pk).job_title == "Mental health coach"


def test_audit_events_cannot_be_changed_or_deleted(system):
    from roundtable.audit.models import AppendOnlyError

    event = AuditEvent.objects.create(action=AuditAction.READ)
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(summary="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_api_tokens_are_stored_hashed_and_can_be_revoked(system):
    token_row, token = services.api_token_create(actor=system.clinician_a, name="Script")
    assert token.startswith("rt_")
    assert token not in token_row.token_hash
    assert services.api_token_authenticate(token) == system.clinician_a
    services.api_token_revoke(actor=system.clinician_a, api_token=token_row)
    assert services.api_token_authenticate(token) is None
    assert services.api_token_authenticate("rt_not-a-token") is None


def test_a_name_taken_in_the_kind_whatever_its_case_is_refused_on_the_name(system):
    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.organisation_create(
            actor=system.administrator, name="test surgery", kind=OrganisationKind.GP_PRACTICE
        )
    assert refused.value.message_dict == {"name": [services.NAME_TAKEN]}
    assert Organisation.objects.count() == before
    # The same name is free in another kind of organisation.
    services.organisation_create(
        actor=system.administrator, name="Test Surgery", kind=OrganisationKind.VCSE
    )


def test_an_ods_code_taken_is_refused_on_the_ods_code_beside_a_name_taken(system):
    org = Organisation.objects.get(pk=system.vcse_org.pk)
    with pytest.raises(ValidationError) as refused:
        services.organisation_update(
            actor=system.administrator,
            organisation=org,
            expected_version=org.version,
            name="Test Mental Health Trust",
            kind=OrganisationKind.NHS_TRUST,
            ods_code="rwr",
        )
    assert refused.value.message_dict == {
        "name": [services.NAME_TAKEN],
        "ods_code": [services.ODS_CODE_TAKEN],
    }
    stored = Organisation.objects.get(pk=org.pk)
    assert (stored.name, stored.ods_code, stored.version) == ("Test Mind", None, 1)
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_an_organisation_keeps_its_own_name_and_ods_code(system):
    trust = Organisation.objects.get(pk=system.trust.pk)
    services.organisation_update(
        actor=system.administrator,
        organisation=trust,
        expected_version=trust.version,
        name="TEST MENTAL HEALTH TRUST",
        ods_code="RWR",
    )
    assert Organisation.objects.get(pk=trust.pk).name == "TEST MENTAL HEALTH TRUST"


def test_an_e_mail_address_someone_else_uses_is_refused_on_the_e_mail(system):
    coach = Person.objects.get(pk=system.lone_coach.pk)
    with pytest.raises(ValidationError) as refused:
        services.person_update_profile(
            actor=coach, person=coach, expected_version=1, email=system.vcse.email
        )
    assert refused.value.message_dict == {"email": [services.EMAIL_TAKEN]}
    assert Person.objects.get(pk=coach.pk).email == "coach@test.org.uk"
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()
