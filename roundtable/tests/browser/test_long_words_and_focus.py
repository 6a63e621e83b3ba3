"""Issue 16, in a browser: long unbroken words never widen a page on a 320-pixel screen (wide
tables scroll in their own region), and after saving a position the focus is on the
confirmation, as it is on the error summary after a mistake."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from roundtable.decisions import services as decision_services
from roundtable.decisions.models import DecisionKind
from roundtable.directory.services import api_token_create
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind
from roundtable.testing import build_system
from roundtable.tests.browser.conftest import Journey
from roundtable.tests.browser.test_directory_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORD = "0" * 5000


@pytest.fixture
def narrow_journey(browser: Browser, live_server: Any) -> Iterator[Journey]:
    """The smallest phone screen WCAG reflow asks for: 320 CSS pixels wide."""
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Journey(page, live_server.url)
    context.close()


def sideways(journey: Journey) -> int:
    """How many pixels the page scrolls sideways (0: it fits the screen)."""
    return int(
        journey.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )


def test_a_5000_character_word_does_not_widen_any_page_at_320_pixels(narrow_journey):
    system = build_system()
    forum = forum_services.forum_create(
        actor=system.clinician_a,
        name="0" * 200,
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        purpose=WORD,
    )
    decision = decision_services.decision_propose(
        actor=system.clinician_a,
        forum=forum,
        kind=DecisionKind.SERVICE_CHANGE,
        title="0" * 150,
        proposal=WORD,
    )
    decision_services.comment_add(actor=system.clinician_a, decision=decision, body=WORD)
    decision_services.position_take(
        actor=system.clinician_a, decision=decision, stance="concern", reason=WORD
    )
    sign_in(narrow_journey, system.clinician_a.email)
    for path in ("/", "/forums/", f"/forums/{forum.pk}/", f"/decisions/{decision.pk}/"):
        narrow_journey.goto(path)
        assert sideways(narrow_journey) == 0, path
    expect(narrow_journey.page.get_by_text(WORD).first).to_be_visible()


def test_a_wide_table_scrolls_in_its_own_region_not_the_page(narrow_journey):
    """The API tokens table (a plain NHS.UK table, not a stacking one) with a token named by a
    long word: the table scrolls inside its region, which the keyboard can reach."""
    system = build_system()
    api_token_create(actor=system.clinician_a, name="x" * 100)
    sign_in(narrow_journey, system.clinician_a.email)
    narrow_journey.goto("/account/api-tokens/")
    page = narrow_journey.page
    assert sideways(narrow_journey) == 0
    region = page.get_by_role("region", name="Your API tokens")
    expect(region).to_have_attribute("tabindex", "0")
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")  # it scrolls, the page not
    region.focus()
    page.keyboard.press("ArrowRight")
    # The browser scrolls smoothly: wait until it has moved (no fixed wait).
    page.wait_for_function("r => r.scrollLeft > 0", arg=region.element_handle())


def test_after_saving_a_position_the_confirmation_has_the_focus(journey):
    system = build_system()
    forum = forum_services.forum_create(
        actor=system.clinician_a,
        name="North huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        members=[system.vcse],
    )
    decision = decision_services.decision_propose(
        actor=system.clinician_a,
        forum=forum,
        kind=DecisionKind.SERVICE_CHANGE,
        title="Open the drop-in on Saturdays",
        proposal="Open the drop-in on Saturday mornings for a trial of three months.",
    )
    page = journey.page
    sign_in(journey, system.vcse.email)
    journey.goto(f"/decisions/{decision.pk}/")
    page.get_by_label("Consent", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save my position").click()
    assert page.url.endswith(f"/decisions/{decision.pk}/#message")
    banner = page.locator("#message")
    expect(banner).to_have_text("Information: Your position is recorded: consent, on revision 1.")
    expect(banner).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "message"
    journey.check()
