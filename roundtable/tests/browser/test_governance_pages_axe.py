"""The information governance pages pass axe-core: finding a person in care (and being told no
one was found), and the report of who has looked at them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.governance.models import GovernanceRole, GovernanceRoleKind
from roundtable.safety.tests.helpers import in_support
from roundtable.testing import build_system, make_person
from roundtable.tests.browser.test_directory_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_privacy_officer_finds_who_has_looked_at_someone(journey):
    system = build_system()
    episode = in_support(system, "G1", "Robin Hazel")
    audit_record(actor=system.clinician_a, action=AuditAction.READ, obj=episode.person)
    officer = make_person(
        "privacy@test.nhs.uk",
        "Pat Privacy",
        discipline_slug="management",
        organisation=system.trust,
    )
    GovernanceRole.objects.create(
        person=officer, organisation=system.trust, role=GovernanceRoleKind.PRIVACY_OFFICER
    )
    page = journey.page
    sign_in(journey, officer.email)
    journey.goto("/governance/")
    journey.check()
    page.get_by_label("NHS number or local identifier").fill("nobody")
    page.get_by_role("button", name="Find the person").click()
    expect(page.get_by_role("alert")).to_contain_text("No one with that NHS number")
    journey.check()
    page.get_by_label("NHS number or local identifier").fill("G1")
    page.get_by_role("button", name="Find the person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has looked at Robin Hazel")
    expect(page.get_by_role("table")).to_contain_text("Amira Clinician")
    journey.check()
