"""A person's path through North CMHT, decided together at every step.

A clinician refers Sam; the front door proposes peer support from the VCSE partner, the team
consents and the offer is made; Sam moves through the zones at the huddle (keyboard only, the
board updating in place), gets an SBARD note in the card and a move-on decision on the card's
own page; the team shares the move on to the GP and the team leader holds it;
Sam moves on; two months later Sam comes back straight into support, with their key worker and
their history.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from roundtable.care import services
from roundtable.care.models import Episode, Offer, PersonInCare
from roundtable.decisions.models import Decision
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind
from roundtable.testing import build_system
from roundtable.tests.browser.conftest import Journey
from roundtable.tests.browser.test_directory_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HELD = "Held by Gita Leader, North CMHT leadership: “I stand behind this with you.”"


@pytest.fixture
def partner(browser: Browser, live_server: Any) -> Iterator[Journey]:
    """A second person signed in at the same time in their own browser."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Journey(page, live_server.url)
    context.close()


def take_position(journey: Journey, decision_path: str, name: str) -> None:
    """Someone consents to a decision on its page."""
    journey.goto(decision_path)
    journey.page.get_by_label("Consent", exact=True).check()
    journey.page.get_by_role("button", name="Save my position").click()
    expect(journey.page.get_by_text("Your position is recorded: consent")).to_be_visible()
    journey.check()


def record_agreed(journey: Journey, outcome: str, rationale: str) -> None:
    page = journey.page
    page.get_by_role("link", name="Record the outcome").click()
    journey.check()
    page.get_by_label("Agreed", exact=True).check()
    page.get_by_label("Outcome statement").fill(outcome)
    page.get_by_label("Rationale").fill(rationale)
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_text("Outcome recorded: agreed.")).to_be_visible()
    journey.check()


def open_card_by_keyboard(journey: Journey, card_id: str) -> None:
    """Press Enter on Sam's name on the board: the card opens in place, its name focused."""
    page = journey.page
    page.locator(f"#{card_id}-name a").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{card_id}.rt-card--open")).to_be_visible()
    expect(page.locator(f"#{card_id}-name")).to_be_focused()
    journey.check()


def change_zone_by_keyboard(journey: Journey, card_id: str, zone: str) -> None:
    """Choose a zone on Sam's open card and press Enter on its button: the board updates in
    place, and the card stays open."""
    page = journey.page
    page.get_by_label("Change zone for Sam Example").select_option(label=zone)
    page.get_by_role("button", name="Change zone for Sam Example").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#board-status")).to_have_text(f"Sam Example moved to {zone}.")
    # Focus follows the card to its new zone.
    expect(page.locator(f"#{card_id}-name")).to_be_focused()
    section = page.locator("section.rt-zone").filter(has=page.get_by_role("heading", name=zone))
    expect(section.get_by_role("link", name="Sam Example", exact=True)).to_be_visible()
    journey.check()


def same_page(page: Page) -> bool:
    """Whether the page has not reloaded since `mark` was set."""
    return bool(page.evaluate("() => window.rtMark === 'board'"))


def test_a_person_is_referred_offered_supported_moved_on_and_comes_back(journey, partner):
    system = build_system()
    members = [system.team_leader_a, system.clinician_a, system.vcse]
    front_door = forum_services.forum_create(
        actor=system.team_leader_a,
        name="North front door",
        kind=ForumKind.FRONT_DOOR,
        home_team=system.team_a,
        members=members,
    )
    huddle = forum_services.forum_create(
        actor=system.team_leader_a,
        name="North huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        members=members,
    )
    starts = timezone.now() - timedelta(minutes=1)
    meetings = {}
    for forum in (front_door, huddle):
        meetings[forum.pk] = forum_services.meeting_create(
            actor=system.team_leader_a,
            forum=forum,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
        )
        forum_services.attendance_set(
            actor=system.team_leader_a, meeting=meetings[forum.pk], present=members
        )
    services.offer_create(
        actor=system.team_leader_a,
        name="Peer support at Open Door",
        kind="peer_support",
        organisation=system.vcse_org,
        description="Weekly time with a peer worker who has been there.",
    )
    page = journey.page

    # (1) The clinician refers Sam through the referral page.
    sign_in(journey, system.clinician_a.email)
    page.get_by_role("link", name="Care", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Care")
    journey.check()
    page.get_by_role("button", name="Refer someone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer someone")
    journey.check()
    page.get_by_role("button", name="Refer").click()
    expect(
        page.get_by_text("Enter the local identifier from the patient record").first
    ).to_be_visible()
    journey.check()  # the error summary and the fields' errors
    page.get_by_label("Local identifier").fill("RT-0001")
    page.get_by_label("NHS number (optional)").fill("999 123 4578")
    page.get_by_label("Name or initials").fill("Sam Example")
    page.get_by_label("Date of birth (optional)").fill("1988-03-14")
    page.get_by_label("GP practice (optional)").select_option(label="Test Surgery")
    expect(page.get_by_label("Team", exact=True)).to_have_value(str(system.team_a.pk))
    page.get_by_label("GP or primary care").check()
    page.get_by_label("Key worker (optional)").select_option(label="Amira Clinician (North CMHT)")
    page.get_by_label("Reason for the referral (optional)").fill("Low mood; would like peers.")
    page.get_by_role("button", name="Refer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Example")
    expect(page.get_by_text("Sam Example is referred to North CMHT.")).to_be_visible()
    expect(page.get_by_text("999 123 4578")).to_be_visible()
    journey.check()
    person = PersonInCare.objects.get(local_id="RT-0001")
    person_path = f"/care/people/{person.pk}/"

    # (2) At the front door the clinician proposes peer support, in today's meeting.
    journey.goto("/care/")
    page.get_by_role("link", name="North front door").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("North front door")
    expect(page.get_by_text("New referrals (1)")).to_be_visible()
    journey.check()
    page.get_by_label("Offer for Sam Example").select_option(
        label="Peer support at Open Door (Test Mind)"
    )
    page.get_by_label("Take it in today's meeting (optional)").select_option(index=1)
    page.get_by_role("button", name="Propose this offer for Sam Example").click()
    expect(page.get_by_text("The offer for Sam Example is open for positions")).to_be_visible()
    journey.check()
    page.get_by_role("link", name="Take positions on the offer for Sam Example").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Offer Peer support at Open Door to Sam Example"
    )
    journey.check()
    offer_path = page.url.removeprefix(journey.base_url)

    # The VCSE practitioner consents on the decision page; the clinician records the outcome.
    sign_in(partner, system.vcse.email)
    take_position(partner, offer_path, "Chloe Practitioner")
    journey.goto(offer_path)
    record_agreed(journey, "Offer peer support at Open Door.", "What Sam asked for: peers.")

    # The offer is made; the clinician moves Sam into support on their page.
    journey.goto(person_path)
    episode_section = page.locator("section.rt-episode").first
    expect(episode_section).to_contain_text("Offer made")
    expect(episode_section).to_contain_text("Peer support at Open Door (Test Mind)")
    expect(
        page.get_by_role("link", name="Offer Peer support at Open Door to Sam Example").first
    ).to_be_visible()
    journey.check()
    page.get_by_label("In support", exact=True).check()
    page.get_by_role("button", name="Change stage").click()
    expect(page.get_by_text("Sam Example is now in support.")).to_be_visible()
    journey.check()
    episode = Episode.objects.get(person=person)
    card_id = f"card-{episode.pk}"

    # (3) At the huddle, with the meeting chosen, Sam moves through the zones by keyboard.
    journey.goto("/care/")
    page.get_by_role("link", name="Huddle board of North CMHT").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("North CMHT")
    expect(page.get_by_role("heading", name="Not yet zoned (1 person)")).to_be_visible()
    journey.check()
    page.get_by_label("Record changes in").select_option(str(meetings[huddle.pk].pk))
    page.get_by_role("button", name="Choose meeting").click()
    expect(page.get_by_text("Recording in North huddle")).to_be_visible()
    expect(
        page.get_by_text("In the room: Amira Clinician, Chloe Practitioner, Gita Leader.")
    ).to_be_visible()
    journey.check()
    page.evaluate("() => { window.rtMark = 'board'; }")
    open_card_by_keyboard(journey, card_id)
    for zone in ("Amber", "Green", "Ready to move on"):
        change_zone_by_keyboard(journey, card_id, zone)
    assert same_page(page), "the board reloaded instead of updating in place"

    # An SBARD note at the huddle, in place as well, in the card still open.
    situation = page.get_by_label("Situation (SBARD note for Sam Example)")
    situation.fill("Back at work part time.")
    page.get_by_label("Recommendation (SBARD note for Sam Example)").fill("Move on to the GP.")
    page.get_by_role("button", name="Add note for Sam Example").click()
    expect(page.locator("#board-status")).to_have_text("SBARD note added for Sam Example.")
    expect(page.locator(f"#{card_id}")).to_contain_text("Back at work part time.")
    expect(page.locator(f"#{card_id}-name")).to_be_focused()
    assert same_page(page)
    journey.check()

    # (4) Raise the move-on decision to the GP on the card's own page (as without JavaScript).
    page.get_by_role("link", name="Close the card for Sam Example").click()
    expect(page.locator(f"#{card_id}.rt-card--open")).to_have_count(0)
    card_path = page.locator(f"#{card_id}-name a").get_attribute("href")
    assert card_path == f"/care/teams/{system.team_a.pk}/huddle/episodes/{episode.pk}/" + (
        f"?meeting={meetings[huddle.pk].pk}"
    )
    journey.goto(card_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Example")
    expect(page.get_by_text("Recording in North huddle")).to_be_visible()
    page.get_by_label("Moving on to (for Sam Example)").select_option(label="GP and primary care")
    expect(
        page.get_by_label("Forum that shares the decision (move on for Sam Example)")
    ).to_have_value(str(huddle.pk))
    page.get_by_role("button", name="Raise move-on decision for Sam Example").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_text("Error: Say what the move on is")).to_be_visible()
    journey.check()  # the card's page with its error summary
    page.get_by_label("Proposal (move on for Sam Example)").fill(
        "Sam moves on to the GP with peer support; comes back straight to us if need be."
    )
    page.get_by_role("button", name="Raise move-on decision for Sam Example").click()
    expect(page.get_by_text("The move-on decision for Sam Example is open")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("North CMHT")
    assert page.url.endswith(f"#{card_id}")
    card = page.locator(f"#{card_id}")
    expect(card).to_contain_text("Move on: open for positions")
    journey.check()
    open_card_by_keyboard(journey, card_id)
    expect(card).to_contain_text("Shared: not yet. Held: not yet.")
    card.get_by_role("link", name="Sam Example moves on: GP and primary care").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sam Example moves on: GP and primary care"
    )
    journey.check()
    move_on_path = page.url.removeprefix(journey.base_url)

    # The team consents, the outcome is agreed, and the team leader holds it.
    take_position(partner, move_on_path, "Chloe Practitioner")
    journey.goto(move_on_path)
    record_agreed(journey, "Sam moves on to the GP.", "The work we agreed is done.")
    partner.goto("/sign-out/")
    partner.page.get_by_role("button", name="Sign out").click()
    sign_in(partner, system.team_leader_a.email)
    partner.goto(move_on_path)
    partner.page.get_by_role("link", name="Hold this decision").click()
    partner.check()
    partner.page.get_by_role("button", name="Hold this decision").click()
    expect(partner.page.get_by_text(HELD).first).to_be_visible()
    partner.check()

    # The ready list shows the move on shared and held.
    journey.goto(f"/care/teams/{system.team_a.pk}/ready/")
    row = page.get_by_role("row").filter(has_text="Sam Example")
    expect(row).to_contain_text("Yes, agreed")
    expect(row).to_contain_text("Yes, by Gita Leader")
    journey.check()

    # (5) On Sam's page, Sam moves on to the GP with that decision.
    row.get_by_role("link", name="Sam Example", exact=True).click()
    expect(page.get_by_text(HELD).first).to_be_visible()
    journey.check()
    page.get_by_label("Moved on", exact=True).check()
    page.get_by_label("Moving on to (only for moving on)").select_option(
        label="GP and primary care"
    )
    page.get_by_label("Agreed move-on decision (only for moving on)").select_option(
        label="Sam Example moves on: GP and primary care"
    )
    page.get_by_label("Why (optional)").fill("Agreed with Sam and the GP.")
    page.get_by_role("button", name="Change stage").click()
    expect(page.get_by_text("Sam Example is now moved on: GP and primary care.")).to_be_visible()
    expect(page.get_by_role("heading", name="North CMHT (closed)")).to_be_visible()
    journey.check()
    decision = Decision.objects.get(kind="move_on")
    moved_on = Episode.objects.get(pk=episode.pk).events.last()
    assert moved_on is not None
    assert moved_on.decision == decision

    # (6) Two months later: Sam comes back, straight into support with their key worker.
    # Closed at noon, 60 calendar days ago where the service is (days are counted as people count
    # them, so the time of day the test runs at, and summer time, must not change the figure).
    sixty_days_ago = timezone.localdate() - timedelta(days=60)
    closed_at = timezone.make_aware(datetime.combine(sixty_days_ago, time(12)))
    Episode.objects.filter(pk=episode.pk).update(closed_at=closed_at)
    journey.goto(person_path)
    page.get_by_role("link", name="Refer Sam Example again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer Sam Example again")
    journey.check()
    page.get_by_label("Self-referral").check()
    page.get_by_role("button", name="Refer").click()
    expect(page.get_by_text("Sam Example is back with North CMHT, in support.")).to_be_visible()
    current = page.locator("section.rt-episode").first
    expect(current).to_contain_text("In support")
    expect(current).to_contain_text("Amira Clinician")
    expect(current).to_contain_text("Came back after 60 days.")
    expect(current).to_contain_text("Came back 60 days after moving on")
    previous = page.locator("section.rt-episode").nth(1)
    expect(previous).to_contain_text("North CMHT (closed)")
    expect(previous).to_contain_text("Back at work part time.")
    current.get_by_role("link", name="Their previous episode").click()
    journey.check()

    # Caseloads and zones, empty and full.
    journey.goto("/care/caseload/")
    expect(page.get_by_role("link", name="Sam Example", exact=True)).to_be_visible()
    journey.goto(f"/care/teams/{system.team_a.pk}/zones/")
    journey.goto("/care/offers/")


def test_every_other_care_page_passes_axe(journey):
    """The pages the main journey does not visit, with their errors, conflicts and questions."""
    system = build_system()
    front_door = forum_services.forum_create(
        actor=system.team_leader_a,
        name="North front door",
        kind=ForumKind.FRONT_DOOR,
        home_team=system.team_a,
        members=[system.team_leader_a, system.clinician_a],
    )
    person = services.person_in_care_create(
        actor=system.team_leader_a, local_id="RT-0002", name="Kit Example"
    )
    episode = services.episode_refer(
        actor=system.team_leader_a, person=person, team=system.team_a, referral_source="self"
    )
    for stage in ("offer_made", "in_support"):
        episode = services.episode_move(actor=system.team_leader_a, episode=episode, to_stage=stage)
    zones = {z.name: z for z in services.zones_ensure(team=system.team_a)}
    services.episode_zone_set(actor=system.team_leader_a, episode=episode, zone=zones["Blue"])
    page = journey.page
    sign_in(journey, system.team_leader_a.email)

    # The front door with nothing waiting and an empty catalogue; adding an offer, with errors.
    journey.goto(f"/care/front-door/{front_door.pk}/")
    expect(page.get_by_text("No new referrals are waiting.")).to_be_visible()
    page.get_by_role("link", name="Add an offer").click()
    journey.check()
    page.get_by_role("button", name="Add the offer").click()
    expect(page.get_by_text("Enter the name of the offer").first).to_be_visible()
    journey.check()
    page.get_by_label("Name").fill("Coaching at Test Mind")
    page.get_by_label("Kind of support").select_option(label="Mental health coach")
    page.get_by_label("Provided by").select_option(label="Test Mind")
    page.get_by_role("button", name="Add the offer").click()
    expect(page.get_by_text("Coaching at Test Mind is in the catalogue.")).to_be_visible()
    journey.check()

    # Changing it after someone else did: their version is shown.
    page.get_by_role("link", name="Change Coaching at Test Mind").click()
    journey.check()
    stale = services.offer_update(
        actor=system.board_member,
        offer=Offer.objects.get(name="Coaching at Test Mind"),
        expected_version=1,
        name="Coaching at Test Mind (weekdays)",
        kind="mental_health_coach",
        organisation=system.vcse_org,
        description="",
        is_active=True,
    )
    page.get_by_label("Offered now").uncheck()
    page.get_by_role("button", name="Save the offer").click()
    expect(page.get_by_role("heading", name="The version saved meanwhile")).to_be_visible()
    expect(page.get_by_text(stale.name).first).to_be_visible()
    journey.check()

    # Zones: add with errors, change, and stop using one that is in use (refused).
    journey.goto(f"/care/teams/{system.team_a.pk}/zones/")
    page.get_by_role("button", name="Add the zone").click()
    expect(page.get_by_text("Enter the zone's name").first).to_be_visible()
    journey.check()
    page.get_by_role("link", name="Change Red").click()
    journey.check()
    page.get_by_label("Order on the board").fill("-1")
    page.get_by_role("button", name="Save the zone").click()
    expect(page.get_by_text("The order is a whole number, 0 or more").first).to_be_visible()
    journey.check()
    journey.goto(f"/care/teams/{system.team_a.pk}/zones/{zones['Blue'].pk}/archive/")
    page.get_by_role("button", name="Stop using Blue").click()
    expect(page.get_by_text("1 person is in Blue").first).to_be_visible()
    journey.check()

    # The board: a zone change without a zone is refused in place, in the card opened.
    journey.goto(f"/care/teams/{system.team_a.pk}/huddle/")
    page.get_by_role("link", name="Kit Example", exact=True).click()
    expect(page.get_by_label("Situation (SBARD note for Kit Example)")).to_be_visible()
    journey.check()  # the card opened in place, with its forms
    page.get_by_role("button", name="Change zone for Kit Example").click()
    expect(page.locator("#board-status")).to_have_text("There is a problem: Choose a zone")
    expect(page.get_by_text("Error: Choose a zone")).to_be_visible()
    journey.check()
    # The print view and running the huddle, with nobody to discuss but Kit (no zone yet).
    journey.goto(f"/care/teams/{system.team_a.pk}/huddle/print/")
    journey.goto(f"/care/teams/{system.team_a.pk}/huddle/run/")

    # A card's own page: an action without what or when is refused there, with the errors.
    journey.goto(f"/care/teams/{system.team_a.pk}/huddle/episodes/{episode.pk}/")
    expect(page.get_by_text("Once the team moves Kit Example to a zone")).to_be_visible()
    page.get_by_role("button", name="Add action for Kit Example").click()
    expect(page.get_by_text("Error: Say what will be done")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kit Example")
    journey.check()

    # Consent: recorded, then withdrawn after asking.
    journey.goto(f"/care/people/{person.pk}/")
    page.get_by_label("Partner organisation").select_option(label="Test Mind")
    page.get_by_role("button", name="Record consent to share").click()
    expect(page.get_by_text("Recorded: Kit Example agreed to share")).to_be_visible()
    journey.check()
    page.get_by_role("link", name="Withdraw consent to share with Test Mind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Withdraw consent to share with Test Mind?"
    )
    journey.check()
    page.get_by_role("button", name="Withdraw consent").click()
    expect(
        page.get_by_text("Consent withdrawn: Test Mind no longer sees Kit Example.")
    ).to_be_visible()
    journey.check()

    # Empty lists: nobody ready, a colleague's empty caseload.
    journey.goto(f"/care/teams/{system.team_a.pk}/ready/")
    expect(page.get_by_text("Nobody in North CMHT is ready to move on")).to_be_visible()
    journey.goto(f"/care/caseload/{system.vcse.pk}/")
    expect(page.get_by_text("Chloe Practitioner is not key worker for anyone")).to_be_visible()
