"""The lone mental health coach finds their team, their locality and their peers elsewhere."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from roundtable.testing import PASSWORD, build_system

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(journey, email: str, password: str = PASSWORD) -> None:
    page = journey.page
    journey.goto("/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_lone_coach_finds_team_locality_and_peers(journey):
    system = build_system()
    page = journey.page

    sign_in(journey, system.lone_coach.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Hana")
    journey.check()

    # Their team and its locality.
    page.get_by_role("link", name="North CMHT").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("North CMHT")
    expect(page.get_by_text("North", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Mental health coach (1)")).to_be_visible()
    journey.check()

    # People of the same discipline, by filtering the directory.
    page.get_by_role("link", name="People", exact=True).click()
    journey.check()
    # Choosing a discipline updates the results in place (htmx) and the address to match.
    page.get_by_label("Discipline").select_option(label="Mental health coach")
    expect(page.get_by_role("status")).to_contain_text("2 people match these filters")
    expect(page).to_have_url(re.compile(r"discipline=mental-health-coach"))
    journey.check()
    results = page.get_by_role("table")
    expect(results.get_by_role("link", name="Ivo Coach")).to_be_visible()
    expect(results.get_by_text("South CMHT (South)")).to_be_visible()

    # And from their own profile: colleagues of the same discipline in other localities.
    page.get_by_role("link", name="Hana Coach").first.click()
    journey.check()
    expect(
        page.get_by_role("heading", name="Other mental health coach colleagues in other localities")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="South locality")).to_be_visible()
    page.get_by_role("link", name="Ivo Coach").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ivo Coach")
    journey.check()
    assert len(journey.checked) >= 6


def test_a_team_without_its_own_leadership_finds_the_leadership_covering_it(journey):
    system = build_system()
    page = journey.page
    sign_in(journey, system.clinician_b.email)
    page.get_by_role("link", name="South CMHT").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("South CMHT")
    page.get_by_role("link", name="System leadership board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("System leadership board")
    expect(page.get_by_text("The whole system: every organisation and team")).to_be_visible()
    expect(page.get_by_role("link", name="Erin Board")).to_be_visible()
    journey.check()
    # Back to every leadership team through the breadcrumbs, and from there the team's page.
    page.get_by_role("link", name="Leadership teams").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leadership teams")
    journey.check()
    page.get_by_role("link", name="North CMHT leadership").click()
    expect(page.get_by_role("link", name="Gita Leader")).to_be_visible()
    journey.check()


def test_wrong_passwords_lock_the_account_with_a_clear_message(journey, settings):
    system = build_system()
    page = journey.page
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(journey, system.clinician_a.email, "wrong-password")
        expect(page.get_by_role("alert")).to_contain_text("Enter a correct e-mail address")
        journey.check()
    sign_in(journey, system.clinician_a.email, "wrong-password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is locked")
    journey.check()


def test_administrator_sees_ods_code_errors_in_the_error_summary(phone_journey):
    system = build_system()
    journey = phone_journey
    page = journey.page
    sign_in(journey, system.administrator.email)
    journey.goto("/directory/organisations/add/")
    page.get_by_label("Name").fill("Riverside Surgery")
    page.get_by_label("GP practice").check()
    page.get_by_label("ODS code (optional)").fill("RWX")
    page.get_by_role("button", name="Save organisation").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    # The NHS.UK error summary moves focus to itself so screen readers announce it.
    assert page.evaluate("document.activeElement.classList.contains('nhsuk-error-summary')")
    journey.check()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_ods_code"
    page.get_by_label("ODS code (optional)").fill("F81999")
    page.get_by_role("button", name="Save organisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside Surgery")
    journey.check()


def test_every_directory_page_passes_axe(journey):
    system = build_system()
    page = journey.page
    sign_in(journey, system.administrator.email)
    journey.check()
    for path in [
        "/directory/teams/",
        f"/directory/teams/{system.board.pk}/",
        "/directory/organisations/",
        "/directory/organisations/?kind=vcse",
        f"/directory/organisations/{system.trust.pk}/",
        f"/directory/organisations/{system.trust.pk}/edit/",
        f"/directory/people/{system.administrator.pk}/edit/",
        "/directory/leadership/",
        "/directory/leadership/?level=team",
        f"/directory/leadership/{system.system_leadership.pk}/",
        f"/directory/leadership/{system.team_a_leadership.pk}/",
        f"/directory/organisations/{system.icb.pk}/",
        "/account/api-tokens/",
        "/sign-out/",
        "/directory/teams/999999/",
    ]:
        journey.goto(path)

    # Make an API token, see it once, revoke it after confirming.
    journey.goto("/account/api-tokens/")
    page.get_by_label("What is this token for?").fill("Reporting script")
    page.get_by_role("button", name="Make a token").click()
    expect(page.locator("#new-token")).to_contain_text("rt_")
    journey.check()
    page.get_by_role("link", name="Revoke Reporting script").click()
    journey.check()
    page.get_by_role("button", name="Revoke token").click()
    expect(page.get_by_role("cell", name="Revoked")).to_be_visible()
    journey.check()

    # Sign out from the header, confirming first.
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Roundtable")
    journey.check()
