"""The warning before a session ends for want of activity: shown as a dialog that takes the focus
and passes axe-core; "Stay signed in" (or Escape) closes it and keeps the session going; when the
time runs out the page goes to the sign-in page, saying why."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from roundtable.core.sessions import SEEN
from roundtable.testing import build_system
from roundtable.tests.browser.test_directory_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_warning_keeps_a_session_going_or_lets_it_end(journey, settings):
    # Two minutes without activity, the warning two seconds later (118 seconds before the end).
    settings.SESSION_IDLE_MINUTES = 2
    settings.SESSION_WARNING_SECONDS = 118
    system = build_system()
    page = journey.page
    sign_in(journey, system.clinician_a.email)
    journey.goto("/")
    warning = page.get_by_role("dialog", name="You will be signed out soon")
    expect(warning).to_be_visible()
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    journey.check()

    stay.click()
    expect(warning).to_be_hidden()
    # Still signed in, and the session was kept going: it shows again two seconds later, and
    # Escape keeps it going too.
    expect(warning).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # The time runs out behind the page's back: the next check finds it over.
    for stored in Session.objects.all():
        data = stored.get_decoded()
        data[SEEN] = time.time() - 3 * 60
        stored.session_data = Session.objects.encode(data)
        stored.save()
    page.evaluate("window.location.reload()")
    expect(
        page.get_by_text("You have been signed out because you had not done anything")
    ).to_be_visible()
    journey.check()
