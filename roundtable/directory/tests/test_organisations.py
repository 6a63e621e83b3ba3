"""Organisations: the list by kind, an organisation's page, and adding or changing one."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.directory.models import Organisation

pytestmark = pytest.mark.django_db

ADD = reverse("directory:organisation-add")


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
