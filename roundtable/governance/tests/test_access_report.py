"""Who has looked at a person in care: for the Caldicott guardian, privacy officer or IG lead of
an organisation whose teams care for them, and no one else; every read, change and list that
showed them, with who and how they are related to the person; itself audited; as CSV too."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.audit.services import audit_record, audit_shown
from roundtable.care import services as care_services
from roundtable.care.models import PersonInCare
from roundtable.governance.models import GovernanceRole, GovernanceRoleKind
from roundtable.safety.tests.helpers import in_support, text
from roundtable.testing import make_person

pytestmark = pytest.mark.django_db

HOME = reverse("governance:home")


def officer(system, organisation=None):
    person = make_person(
        "privacy@test.nhs.uk",
        "Pat Privacy",
        discipline_slug="management",
        organisation=organisation or system.trust,
    )
    GovernanceRole.objects.create(
        person=person,
        organisation=organisation or system.trust,
        role=GovernanceRoleKind.PRIVACY_OFFICER,
    )
    return person


def report(person_in_care: PersonInCare) -> str:
    return reverse("governance:access-report", args=[person_in_care.pk])


def test_the_privacy_officer_finds_a_person_and_sees_who_looked(system, client_for):
    episode = in_support(system, "R1", "Rowan Ash")
    person = episode.person
    care_services.consent_give(
        actor=system.clinician_a, person=person, organisation=system.vcse_org
    )
    partner = make_person(
        "peer@test.org.uk",
        "Vic Partner",
        discipline_slug="peer-support",
        organisation=system.vcse_org,
    )
    # The caring team opened the record; the VCSE partner saw them on a list; someone else
    # (say, under emergency access) opened it too.
    audit_record(actor=system.clinician_a, action=AuditAction.READ, obj=person)
    audit_shown(actor=partner, model=PersonInCare, ids=[person.pk], summary="Caseload")
    audit_record(actor=system.board_member, action=AuditAction.READ, obj=episode)
    client = client_for(officer(system))

    assert "Privacy officer, Test Mental Health Trust" in text(client.get(HOME))
    found = client.get(HOME, {"identifier": "R1"})
    assert found.status_code == 302
    assert found["Location"] == report(person)
    missing = client.get(HOME, {"identifier": "nobody"})
    assert missing.status_code == 400
    assert "No one with that NHS number or local identifier" in text(missing)

    body = text(client.get(report(person)))
    assert "Who has looked at Rowan Ash" in body
    assert "Amira Clinician" in body
    assert "Caring team" in body
    assert "Vic Partner" in body
    assert "Partner the person agreed may see them" in body
    assert "Erin Board" in body
    assert "Neither" in body
    assert "Caseload (1 shown)" in body
    # Reading the report is itself recorded.
    assert AuditEvent.objects.filter(
        action=AuditAction.READ, summary="Access report", object_id=str(person.pk)
    ).exists()


def test_the_report_downloads_as_csv(system, client_for):
    episode = in_support(system, "R2", "Sky Birch")
    audit_record(actor=system.clinician_a, action=AuditAction.READ, obj=episode.person)
    client = client_for(officer(system))
    url = reverse("governance:access-report-csv", args=[episode.person.pk])
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0] == ["when", "who", "organisation", "relationship", "action", "what"]
    assert ["Amira Clinician", "Test Mental Health Trust", "Caring team", "Viewed"] in [
        row[1:5] for row in rows[1:]
    ]


def test_only_governance_roles_of_an_organisation_caring_for_the_person_see_it(system, client_for):
    episode = in_support(system, "R3", "Ash Oak")
    url = report(episode.person)
    # The clinician caring for them has no governance role: no way in.
    assert client_for(system.clinician_a).get(HOME).status_code == 404
    assert client_for(system.clinician_a).get(url).status_code == 404
    # A privacy officer of another organisation does not govern them.
    other = officer(system, organisation=system.vcse_org)
    client = client_for(other)
    assert client.get(url).status_code == 404
    assert client.get(HOME, {"identifier": "R3"}).status_code == 400


def test_the_page_reads_the_same_queries_however_many_events(system, client_for):
    episode = in_support(system, "R4", "Lee Elm")
    client = client_for(officer(system))
    url = report(episode.person)
    audit_record(actor=system.clinician_a, action=AuditAction.READ, obj=episode.person)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for person in (system.clinician_b, system.board_member, system.vcse, system.team_leader_a):
        audit_record(actor=person, action=AuditAction.READ, obj=episode)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
