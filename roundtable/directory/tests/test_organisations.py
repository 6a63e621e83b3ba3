"""Organisations: the list by kind, an organisation's page, and adding or changing one."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.directory.models import Organisation, OrganisationKind
from roundtable.directory.tests.helpers import field_error

pytestmark = pytest.mark.django_db

ADD = reverse("directory:organisation-add")
# Session and person, then the organisations (on the list page) or the organisations to choose
# from (on the add page); the change page reads the organisation changed as well.
LIST_QUERIES = ADD_QUERIES = 3
CHANGE_QUERIES = 4


def add_organisations(count: int) -> None:
    Organisation.objects.bulk_create(
        Organisation(name=f"Extra Mind {i:03d}", kind=OrganisationKind.VCSE) for i in range(count)
    )


def test_organisations_are_grouped_by_kind(client_for, system):
    html = client_for(system.vcse).get(reverse("directory:organisations")).content.decode()
    assert "<h2>NHS trust</h2>" in html
    assert "<h2>GP practice</h2>" in html
    assert "ODS F81001" in html
    assert "Add an organisation" not in html


def test_filter_organisations_by_kind(client_for, system):
    html = (
        client_for(system.vcse)
        .get(reverse("directory:organisations"), {"kind": "vcse"})
        .content.decode()
    )
    assert "Test Mind" in html
    assert "Test Surgery" not in html


def test_organisation_page_lists_teams_members_and_people(client_for, system):
    html = (
        client_for(system.vcse)
        .get(reverse("directory:organisation", args=[system.trust.pk]))
        .content.decode()
    )
    assert "North CMHT" in html
    assert "RWR" in html
    assert "Test ICB" in html  # its parent


def test_administrator_adds_an_organisation(client_for, system):
    client = client_for(system.administrator)
    response = client.post(
        ADD, {"name": "Harbour Peer Support", "kind": "vcse", "ods_code": "8hh12", "parent": ""}
    )
    assert response.status_code == 302
    org = Organisation.objects.get(name="Harbour Peer Support")
    assert org.ods_code == "8HH12"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(org.pk), actor=system.administrator
    ).exists()


def test_invalid_ods_code_gets_the_error_summary_and_stores_nothing(client_for, system):
    client = client_for(system.administrator)
    before = Organisation.objects.count()
    response = client.post(
        ADD, {"name": "Riverside Surgery", "kind": "gp_practice", "ods_code": "RWX"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Enter an ODS code for a gp practice in the right format" in html
    assert 'href="#id_ods_code"' in html
    assert "<title>Error: Add an organisation" in html
    assert 'value="Riverside Surgery"' in html  # what was typed is kept
    assert Organisation.objects.count() == before


def test_missing_name_and_kind_are_explained(client_for, system):
    html = unescape(client_for(system.administrator).post(ADD, {}).content.decode())
    assert "Enter the organisation's name" in html
    assert "Select the kind of organisation" in html


def test_duplicate_ods_code_and_name_are_refused(client_for, system):
    client = client_for(system.administrator)
    html = client.post(
        ADD, {"name": "Test Surgery", "kind": "gp_practice", "ods_code": "F81001"}
    ).content.decode()
    assert "Another organisation already has this ODS code" in html
    assert "There is already an organisation of this kind with this name" in html


def test_non_administrators_cannot_add_or_change(client_for, system):
    client = client_for(system.board_member)
    assert client.get(ADD).status_code == 403
    edit = reverse("directory:organisation-edit", args=[system.trust.pk])
    assert client.post(edit, {"name": "X", "kind": "nhs_trust"}).status_code == 403


def test_change_an_organisation_and_detect_a_stale_edit(client_for, system):
    client = client_for(system.administrator)
    edit = reverse("directory:organisation-edit", args=[system.vcse_org.pk])
    data = {"name": "Test Mind Essex", "kind": "vcse", "ods_code": "", "parent": "", "version": 1}
    assert client.post(edit, data).status_code == 302
    stale = client.post(edit, {**data, "name": "Another name"})
    assert stale.status_code == 409
    assert "Someone else changed this organisation" in stale.content.decode()
    assert Organisation.objects.get(pk=system.vcse_org.pk).name == "Test Mind Essex"


def test_a_name_taken_whatever_its_case_is_refused_on_the_name_and_nothing_is_added(
    client_for, system
):
    before = Organisation.objects.count()
    response = client_for(system.administrator).post(
        ADD, {"name": "test surgery", "kind": "gp_practice", "ods_code": ""}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        field_error(html, "name") == "There is already an organisation of this kind with this name"
    )
    assert field_error(html, "ods_code") is None
    assert 'href="#id_name"' in html
    assert Organisation.objects.count() == before
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_an_ods_code_taken_is_refused_on_the_ods_code_and_nothing_is_added(client_for, system):
    before = Organisation.objects.count()
    response = client_for(system.administrator).post(
        ADD, {"name": "Riverside Surgery", "kind": "gp_practice", "ods_code": " f81001 "}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert field_error(html, "ods_code") == "Another organisation already has this ODS code"
    assert field_error(html, "name") is None
    assert Organisation.objects.count() == before
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_a_change_to_a_name_and_ods_code_taken_is_refused_and_nothing_changes(client_for, system):
    edit = reverse("directory:organisation-edit", args=[system.vcse_org.pk])
    data = {"name": "TEST ICB", "kind": "icb", "ods_code": "qh8", "parent": "", "version": 1}
    response = client_for(system.administrator).post(edit, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        field_error(html, "name") == "There is already an organisation of this kind with this name"
    )
    assert field_error(html, "ods_code") == "Another organisation already has this ODS code"
    assert "<h1>Change Test Mind</h1>" in html  # named as it is, not as typed
    assert 'value="TEST ICB"' in html  # what was typed is kept
    stored = Organisation.objects.get(pk=system.vcse_org.pk)
    assert (stored.name, stored.kind, stored.ods_code, stored.version) == (
        "Test Mind",
        "vcse",
        None,
        1,
    )
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_the_organisations_page_uses_the_same_queries_whatever_the_number(
    client_for, system, django_assert_num_queries
):
    client = client_for(system.vcse)
    url = reverse("directory:organisations")
    with django_assert_num_queries(LIST_QUERIES):
        client.get(url)
    add_organisations(20)
    with django_assert_num_queries(LIST_QUERIES):
        html = client.get(url).content.decode()
    assert "Extra Mind 019" in html


def test_adding_and_changing_use_the_same_queries_whatever_the_number(
    client_for, system, django_assert_num_queries
):
    client = client_for(system.administrator)
    edit = reverse("directory:organisation-edit", args=[system.trust.pk])
    with django_assert_num_queries(ADD_QUERIES):
        client.get(ADD)
    with django_assert_num_queries(CHANGE_QUERIES):
        client.get(edit)
    add_organisations(20)
    with django_assert_num_queries(ADD_QUERIES):
        client.get(ADD)
    with django_assert_num_queries(CHANGE_QUERIES):
        html = client.get(edit).content.decode()
    assert "Extra Mind 019" in html
    assert f'<option value="{system.icb.pk}"' in html
    assert f'<option value="{system.trust.pk}"' not in html  # not part of itself
