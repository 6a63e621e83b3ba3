"""The lone mental health coach raises an anonymous concern; the team's leadership acknowledges
it, agrees an action and addresses it; the coach follows it through the receipt link; it appears
on "You said, we did". Every page is checked with axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from roundtable.testing import build_system
from roundtable.tests.browser.test_directory_journey import sign_in
from roundtable.voice.models import Concern

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Nobody to talk to after difficult visits"
WHAT_WE_DID = "A peer circle of every mental health coach now meets every four weeks."


def switch_to(journey, email: str) -> None:
    journey.page.context.clear_cookies()
    sign_in(journey, email)


def test_lone_coach_raises_an_anonymous_concern_and_follows_it_to_you_said_we_did(journey):
    system = build_system()
    page = journey.page

    # The coach raises it anonymously.
    sign_in(journey, system.lone_coach.email)
    page.get_by_role("link", name="Voice", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voice")
    journey.check()
    page.get_by_role("button", name="Raise a concern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a concern")
    journey.check()
    # Sending it empty: an error summary, and nothing is stored.
    page.get_by_role("button", name="Raise the concern").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a short title for your concern")
    journey.check()
    assert not Concern.objects.exists()
    page.get_by_label("North CMHT (your team): goes to North CMHT leadership").check()
    page.get_by_label("Anonymously: nobody, not even the leadership team").check()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("What is the concern?").fill(
        "It's quite an isolating role: there is only me. After a hard visit there is nobody "
        "in the same role to talk it through with."
    )
    page.get_by_role("button", name="Raise the concern").click()
    expect(page.get_by_text("Keep this link: we cannot show it again")).to_be_visible()
    journey.check()
    receipt = page.locator("#receipt-url").inner_text().strip()
    assert "/voice/receipt/" in receipt
    concern = Concern.objects.get()
    assert concern.raised_by_id is None

    # The team's leadership acknowledges it.
    switch_to(journey, system.team_leader_a.email)
    expect(page.get_by_text("1 concern is waiting for your leadership team")).to_be_visible()
    journey.check()
    page.get_by_role("link", name="1 concern is waiting for your leadership team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Concerns for your leadership teams")
    journey.check()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("Anonymous", exact=True)).to_be_visible()
    journey.check()
    page.get_by_role("button", name="Acknowledge it").click()
    journey.check()
    page.get_by_label("A note to the person who raised it (optional)").fill(
        "Thank you for telling us. We hear you."
    )
    page.get_by_role("button", name="Acknowledge the concern").click()
    expect(page.get_by_text("Acknowledged. Next: agree an action")).to_be_visible()
    journey.check()

    # The coach follows it through the receipt link, signed out, and replies. The link is
    # swapped for an address without the token.
    page.context.clear_cookies()
    page.goto(receipt)
    expect(page).to_have_url(journey.base_url + "/voice/receipt/")
    journey.check()
    expect(page.get_by_text("Thank you for telling us. We hear you.")).to_be_visible()
    page.get_by_label("Your reply").fill("Thank you. Meeting other coaches would help most.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Meeting other coaches would help most.")).to_be_visible()
    journey.check()
    # On a shared computer they close it, and can open it again by pasting the link.
    page.get_by_role("button", name="Close the concern on this computer").click()
    expect(page.get_by_text("Your concern is now closed on this computer")).to_be_visible()
    journey.check()
    page.get_by_label("Your private link").fill(receipt)
    page.get_by_role("button", name="Open the concern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page).to_have_url(journey.base_url + "/voice/receipt/")

    # The leadership agrees an action, then addresses it.
    switch_to(journey, system.team_leader_a.email)
    journey.goto(f"/voice/concerns/{concern.pk}/")
    expect(page.get_by_text("Meeting other coaches would help most.")).to_be_visible()
    page.get_by_role("button", name="Agree an action").click()
    journey.check()
    page.get_by_label("What action is agreed?").fill("Start a peer circle of every coach.")
    page.get_by_label("Done by").fill((timezone.localdate() + timedelta(days=28)).isoformat())
    page.get_by_role("button", name="Agree the action").click()
    expect(page.get_by_text("Action agreed.")).to_be_visible()
    journey.check()
    page.get_by_role("button", name="Record what we did").click()
    journey.check()
    page.get_by_label("What we did").fill(WHAT_WE_DID)
    expect(page.get_by_label("Show it on You said, we did")).to_be_checked()
    page.get_by_role("button", name="Close as addressed").click()
    expect(page.get_by_text("The concern is addressed.")).to_be_visible()
    journey.check()

    # Signed in, the coach sees it addressed through the receipt link (which does not name
    # her), then on "You said, we did".
    switch_to(journey, system.lone_coach.email)
    page.goto(receipt)
    journey.check()
    expect(page.get_by_text("Hana")).to_have_count(0)
    expect(page.get_by_text(WHAT_WE_DID).first).to_be_visible()
    expect(page.get_by_text("This concern is closed")).to_be_visible()
    journey.goto("/voice/")
    page.get_by_role("link", name="See what has been done about concerns people raised").click()
    journey.check()
    page.get_by_role("link", name="North CMHT").click()
    expect(page.get_by_role("heading", name=f"You said: {TITLE}")).to_be_visible()
    expect(page.get_by_text(WHAT_WE_DID)).to_be_visible()
    expect(page.get_by_text("Hana")).to_have_count(1)  # only the account menu names her
    journey.check()
    assert len(journey.checked) >= 15
