"""A team leader sets up the daily huddle, records who came, subscribes, sees presence change."""

from __future__ import annotations

import re
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from roundtable.testing import build_system
from roundtable.tests.browser.test_directory_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_leader_runs_the_daily_huddle_and_presence_follows(journey):
    system = build_system()
    page = journey.page
    sign_in(journey, system.team_leader_a.email)

    # Before: leaders have not been with the North CMHT.
    journey.goto(f"/presence/teams/{system.team_a.pk}/")
    expect(page.get_by_text("Not reached in 28 days")).to_be_visible()

    # Set up the forum.
    journey.goto("/forums/")
    page.get_by_role("link", name="Set up a forum").click()
    journey.check()
    page.get_by_label("Name").fill("North CMHT daily huddle")
    page.get_by_label("Daily huddle").check()
    page.get_by_label("Home team (optional)").select_option(label="North CMHT")
    page.get_by_role("button", name="Save forum").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("North CMHT daily huddle")
    journey.check()

    # Weekdays at 09:15, starting last week so that some have already happened.
    page.get_by_role("link", name="Set up recurring meetings").first.click()
    journey.check()
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        expect(page.get_by_label(day)).to_be_checked()
    expect(page.get_by_label("Saturday")).not_to_be_checked()
    page.get_by_label("Starts at").fill("09:15")
    page.get_by_label("Length in minutes").fill("15")
    first_day = timezone.localdate() - timedelta(days=7)
    page.get_by_label("First day").fill(first_day.isoformat())
    page.get_by_role("button", name="Set up meetings").click()
    expect(page.get_by_text("Recurring meetings set up")).to_be_visible()
    journey.check()

    # The most recent huddle: record who was there, with a VCSE guest.
    page.get_by_role("heading", name="Recent meetings").wait_for()
    page.locator("h2:has-text('Recent meetings') + ul a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Meeting on")
    journey.check()
    page.get_by_role("link", name="Record who was there").click()
    journey.check()
    leader_group = page.get_by_role("group", name="Gita Leader")
    leader_group.get_by_label("Present").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved.")).to_be_visible()
    journey.check()
    page.get_by_role("link", name="Record who was there").click()
    page.get_by_label("Their work e-mail, if they use Roundtable").fill(system.vcse.email)
    page.get_by_role("button", name="Add guest").click()
    expect(page.get_by_text("Chloe Practitioner added as a guest.")).to_be_visible()
    journey.check()
    page.get_by_role("link", name="Back to the meeting").click()
    expect(page.get_by_text("Present, guest from Test Mind")).to_be_visible()
    journey.check()

    # Subscribe: the feed is valid iCalendar with the huddles at 09:15 London time.
    page.get_by_role("link", name="Your meetings in your calendar").click()
    journey.check()
    feed_url = page.locator("#feed-url").inner_text().strip()
    response = page.request.get(feed_url)
    assert response.ok
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.body())
    starts = [
        event.decoded("DTSTART").astimezone(ZoneInfo("Europe/London"))
        for event in calendar.walk("VEVENT")
    ]
    assert len(starts) >= 55
    assert {start.time() for start in starts} == {time(9, 15)}
    assert {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")} == {"North CMHT daily huddle"}

    # After: the team's leadership was there this week.
    page.get_by_role("link", name="Presence", exact=True).click()
    journey.check()
    row = page.get_by_role("row").filter(has_text="North CMHT")
    expect(row).to_contain_text("Within 7 days")
    row.get_by_role("link", name="North CMHT").click()
    expect(page.get_by_role("row").filter(has_text="North CMHT leadership")).to_contain_text("Yes")
    journey.check()


def test_leader_records_being_in_the_building_from_home(journey):
    from roundtable.forums import services

    system = build_system()
    services.site_create(actor=system.administrator, name="South base", teams=[system.team_b])
    page = journey.page
    sign_in(journey, system.board_member.email)
    journey.check()
    page.get_by_label("Which building are you in?").select_option(label="South base")
    page.get_by_role("button", name="I'm in the building today").click()
    expect(page.get_by_text("you are recorded as in South base today")).to_be_visible()
    journey.check()
    journey.goto("/presence/?status=week")
    expect(page.get_by_role("row").filter(has_text="South CMHT")).to_contain_text("Today")
    assert re.search(r"Within 7 days", page.content())


def test_recording_a_past_meeting_and_a_lived_experience_guest(journey):
    """A meeting dated in the past is confirmed before it is recorded; a guest without an
    account is recorded with the kind of organisation they are from and their role."""
    from roundtable.forums import services
    from roundtable.forums.models import ForumKind

    system = build_system()
    forum = services.forum_create(
        actor=system.team_leader_a,
        name="North risk panel",
        kind=ForumKind.RISK_PANEL,
        lived_experience_required=True,
    )
    page = journey.page
    sign_in(journey, system.team_leader_a.email)
    journey.goto(f"/forums/{forum.pk}/meetings/new/")
    page.get_by_label("Date").fill("2020-01-01")
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Ends at").fill("11:00")
    page.get_by_role("button", name="Schedule meeting").click()
    expect(
        page.get_by_text("You are recording a meeting that has already happened")
    ).to_be_visible()
    journey.check()
    page.get_by_role("button", name="Record meeting").click()
    expect(
        page.get_by_role("link", name="Tick the box if the meeting has already happened")
    ).to_be_visible()
    journey.check()
    page.get_by_label("Yes, this meeting has already happened: record it").check()
    page.get_by_role("button", name="Record meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meeting on 1 January 2020")
    journey.check()

    page.get_by_role("link", name="Record who was there").click()
    page.get_by_label("Or their name").fill("Sam Rivers")
    page.get_by_label(
        "Or, if their organisation is not listed, the kind of organisation"
    ).select_option(label="Lived-experience network")
    page.get_by_label("Their role (optional)").fill("Lived-experience representative")
    page.get_by_role("button", name="Add guest").click()
    expect(page.get_by_text("Sam Rivers added as a guest.")).to_be_visible()
    journey.check()
    page.get_by_role("link", name="Back to the meeting").click()
    expect(
        page.get_by_text(
            "Present, guest (Lived-experience network), Lived-experience representative"
        )
    ).to_be_visible()
