"""A huddle of 17 people around one screen: the board fits in about two screens at 1280 px and
does not scroll sideways at 320 px; the team leader runs the huddle person by person with the
keyboard alone, changing a zone on the way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from roundtable.care import services
from roundtable.care.models import Episode
from roundtable.safety import services as safety_services
from roundtable.safety.tests.helpers import PLAN
from roundtable.testing import build_system
from roundtable.tests.browser.test_directory_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = [
    "Ada Ash", "Ben Birch", "Cara Cole", "Dev Dunn", "Eli East", "Fay Ford", "Gus Gale",
    "Hana Hill", "Ivo Irwin", "Jo Jones", "Kai King", "Lea Lowe", "Mo Moss", "Nia Nash",
    "Oli Orr", "Pam Page", "Raj Rao",
]  # fmt: skip


def tab_to(page: Page, target: Locator, limit: int = 120) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would."""
    handle = target.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
    raise AssertionError(f"Tab never reached {target}")


def build_board(system) -> list[Episode]:
    zones = {z.name: z for z in services.zones_ensure(team=system.team_a)}
    order = ["Red", "Amber", "Amber", "Green", "Green", "Green", "Blue", "Blue"]
    episodes = []
    for i, name in enumerate(NAMES):
        person = services.person_in_care_create(
            actor=system.clinician_a, local_id=f"H{i:02d}", name=name
        )
        episode = services.episode_refer(
            actor=system.clinician_a,
            person=person,
            team=system.team_a,
            referral_source="gp",
            key_worker=system.clinician_a if i % 2 else system.vcse,
        )
        for stage in ("offer_made", "in_support"):
            episode = services.episode_move(
                actor=system.clinician_a, episode=episode, to_stage=stage
            )
        if i < 15:  # two people not yet zoned
            episode = services.episode_zone_set(
                actor=system.clinician_a, episode=episode, zone=zones[order[i % len(order)]]
            )
            safety_services.safety_plan_save(
                actor=system.clinician_a, person=person, values=PLAN, written_with="Them"
            )
        services.huddle_note_add(
            actor=system.clinician_a,
            episode=episode,
            situation=f"{name} talked through the week with their key worker at length. " * 3,
            recommendation="Keep the plan as agreed and review at the next huddle.",
        )
        services.care_action_add(
            actor=system.clinician_a,
            episode=episode,
            description=f"Call {name} about the next appointment",
            owner=system.clinician_a,
            due_on=timezone.localdate() + timedelta(days=0 if i in (3, 8) else 5),
        )
        episodes.append(episode)
    return episodes


def test_a_huddle_of_seventeen_is_run_with_the_keyboard_alone(journey, phone_journey):
    system = build_system()
    build_board(system)
    page = journey.page
    board = f"/care/teams/{system.team_a.pk}/huddle/"
    sign_in(journey, system.team_leader_a.email)
    journey.goto(board)
    expect(page.get_by_text("17 people on the board.")).to_be_visible()
    # About two screens at 1280 px (the viewport is 900 px high): the page down to the end of
    # the board.
    height = page.evaluate(
        "() => document.getElementById('board').getBoundingClientRect().bottom + window.scrollY"
    )
    assert height <= 2 * 900, f"the board of 17 ends {height} px down the page"

    # Filters: only the people who need discussion today (two unzoned, two actions due).
    page.get_by_label("Only people who need discussion today").check()
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Showing 4 of 17 people.")).to_be_visible()
    journey.check()
    journey.goto(board)

    # Run the huddle, keyboard only.
    tab_to(page, page.get_by_role("link", name="Run the huddle"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Person 1 of 4 who need discussion today")).to_be_visible()
    journey.check()
    first = page.get_by_role("heading", level=1).inner_text()
    assert first in ("Oli Orr", "Pam Page")  # not yet zoned: first, as on the board
    # Give the first person a zone, with the keyboard: the page comes back to the same person.
    select = page.get_by_label(f"Change zone for {first}")
    tab_to(page, select)
    page.keyboard.press("ArrowDown")  # "Red", the first zone
    tab_to(page, page.get_by_role("button", name=f"Change zone for {first}"))
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"{first} moved to Red.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(first)
    journey.check()
    seen = [first]
    for _ in range(10):
        nxt = page.locator("#run-next")
        if nxt.inner_text().startswith("End the huddle"):
            break
        tab_to(page, nxt)
        page.keyboard.press("Enter")
        expect(page.get_by_text("who need discussion today")).to_be_visible()
        journey.check()
        seen.append(page.get_by_role("heading", level=1).inner_text())
    assert len(seen) == len(set(seen)) >= 3, seen
    tab_to(page, page.locator("#run-next"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("North CMHT")

    # The print view, and the board on a 320 px phone: no sideways scroll.
    journey.goto(f"/care/teams/{system.team_a.pk}/huddle/print/")
    phone = phone_journey.page
    phone.set_viewport_size({"width": 320, "height": 740})
    sign_in(phone_journey, system.team_leader_a.email)
    phone_journey.goto(board)
    wide = phone.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert wide <= 0, f"the board scrolls sideways by {wide} px at 320 px"
