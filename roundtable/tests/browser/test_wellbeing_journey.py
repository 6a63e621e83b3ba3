"""The lone coach answers the monthly check-in, joins the coaches' peer circle; the team leader
sees who may be on their own. Every page is checked with axe-core, on a phone screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from roundtable.testing import build_system, discipline
from roundtable.tests.browser.test_directory_journey import sign_in
from roundtable.wellbeing import services
from roundtable.wellbeing.models import PulseAnswer, PulseResponseMarker, SupportSession

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_in_peer_circle_and_isolation_on_a_phone(phone_journey):
    journey = phone_journey
    system = build_system()
    services.peer_circle_create(
        actor=system.south_coach,
        name="Mental health coaches' peer circle",
        discipline=discipline("mental-health-coach"),
    )
    page = journey.page
    sign_in(journey, system.lone_coach.email)
    journey.goto("/wellbeing/")
    journey.check()
    page.get_by_role("link", name="Answer the check-in for North CMHT").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monthly check-in")
    journey.check()
    # Sent with one statement unanswered: an error, nothing stored.
    for index, group in enumerate(page.get_by_role("group").all()):
        if index < 4:
            group.get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose an answer for")
    journey.check()
    assert not PulseAnswer.objects.exists()
    page.get_by_role("group", name="I had emotional support when I needed it").get_by_label(
        "Disagree", exact=True
    ).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Your answers are stored without your name")).to_be_visible()
    journey.check()
    assert PulseAnswer.objects.count() == 5
    assert PulseResponseMarker.objects.get().person == system.lone_coach

    journey.goto("/wellbeing/peer-circles/")
    page.get_by_role("link", name="Mental health coaches' peer circle").click()
    journey.check()
    page.get_by_role("button", name="Join this peer circle").click()
    expect(page.get_by_text("You have joined Mental health coaches' peer circle")).to_be_visible()
    journey.check()

    page.context.clear_cookies()
    sign_in(journey, system.team_leader_a.email)
    journey.goto("/wellbeing/isolation/")
    row = page.get_by_role("row").filter(has_text="Hana Coach")
    expect(row).to_contain_text("The only mental health coach in North CMHT")
    expect(row).to_contain_text("Mental health coaches' peer circle")
    journey.check()
    journey.goto(f"/wellbeing/pulse/{system.team_a.pk}/results/")
    expect(page.get_by_text("Results are shown when the check-in closes")).to_be_visible()
    journey.check()

    # Tomorrow's reflective practice, recorded, put right, then called off with a reason.
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    journey.goto("/wellbeing/support/new/")
    journey.check()
    page.get_by_label("Reflective practice").check()
    page.get_by_label("For", exact=True).select_option(label="North CMHT")
    page.get_by_label("Date").fill(tomorrow)
    page.get_by_label("Starts at").fill("13:00")
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_text("Reflective practice recorded.")).to_be_visible()
    journey.check()
    page.get_by_role("link", name="Change the session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the reflective practice")
    page.get_by_label("Starts at").fill("14:30")
    page.get_by_label("Length in minutes").fill("5")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_role("alert")).to_contain_text("A session lasts from 15 minutes to 8 hours")
    journey.check()
    page.get_by_label("Length in minutes").fill("90")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_text("Reflective practice changed.")).to_be_visible()
    session = SupportSession.objects.get()
    assert (timezone.localtime(session.starts_at).hour, session.duration_minutes) == (14, 90)
    page.get_by_role("link", name="Cancel the session").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancel the reflective practice")
    journey.check()
    page.get_by_label("Why is it cancelled?").fill("The facilitator is off sick")
    page.get_by_role("button", name="Cancel the session").click()
    expect(page.get_by_text("Cancelled on")).to_contain_text("The facilitator is off sick")
    journey.check()
    session.refresh_from_db()
    assert session.is_cancelled
