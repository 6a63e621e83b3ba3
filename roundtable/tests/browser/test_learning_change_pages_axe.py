"""The pages of what follows learning — support after an event, tests of change and the practice
exchange — and each of their forms refused with what to fix, pass axe-core (WCAG 2.2 AA and best
practice) with no Content-Security-Policy violation, on a desktop and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from roundtable.learning.models import Act
from roundtable.learning.services import cycles, exchange
from roundtable.learning.services import support as support_services
from roundtable.learning.tests.helpers import event
from roundtable.learning.tests.test_cycles import closed, first, start, tried
from roundtable.learning.tests.test_exchange import share
from roundtable.testing import build_system
from roundtable.tests.browser.test_directory_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["journey", "phone_journey"])
def test_support_tests_of_change_and_practice_pages_pass_axe(size, request):
    journey = request.getfixturevalue(size)
    system = build_system()
    about = event(system, title="Phones down")
    support_services.support_offer(
        actor=system.team_leader_a, event=about, person=system.lone_coach, what="Time with me"
    )
    # A ramp whose first cycle was adapted and whose second is being tried; another planned.
    ramp = start(system)
    cycle = closed(tried(first(ramp), system.clinician_a), system.clinician_a, act=Act.ADAPT)
    second = cycles.cycle_next(
        actor=system.clinician_a,
        ramp=ramp,
        change="The whole team marks missed contacts on the board",
        prediction="Ten a fortnight",
        measure="Marked cards",
        plan="From Monday",
    )
    tried(second, system.clinician_a)
    planned = start(system, aim="Every new referral hears an offer within a week")
    # Notes, with a comment and a "we tried this too" link.
    note = share(system)
    drawn = share(
        system, title="A missed-contact mark on the board", from_cycle=cycle, tags=["Huddles"]
    )
    exchange.comment_add(actor=system.vcse, note=note, text="We tried a peer worker first.")
    exchange.tried_too_link(actor=system.clinician_a, note=drawn, earlier=note)

    page = journey.page
    sign_in(journey, system.team_leader_a.email)
    for path in [
        "/learning/",
        f"/learning/events/{about.pk}/",  # with the support offered, and the form to offer it
        "/learning/tests-of-change/",
        "/learning/tests-of-change/new/",
        f"/learning/tests-of-change/{ramp.pk}/",
        f"/learning/tests-of-change/{planned.pk}/",
        "/learning/practice/",
        "/learning/practice/?q=huddle",
        "/learning/practice/?tag=huddles",
        "/learning/practice/?q=nothing+like+this",
        "/learning/practice/new/",
        f"/learning/practice/new/?cycle={cycle.pk}",
        f"/learning/practice/{note.pk}/",
        f"/learning/practice/{drawn.pk}/",
        f"/learning/practice/{note.pk}/edit/",
    ]:
        journey.goto(path)

    # Each form refused, with what to fix.
    journey.goto(f"/learning/events/{about.pk}/")
    page.get_by_role("button", name="Offer support").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose who is offered support")
    journey.check()
    journey.goto("/learning/tests-of-change/new/")
    page.get_by_role("button", name="Start the test of change").click()
    expect(page.get_by_role("alert")).to_be_visible()
    journey.check()
    journey.goto(f"/learning/tests-of-change/{ramp.pk}/")
    page.get_by_role("button", name="Close the cycle").click()
    expect(page.get_by_role("alert")).to_contain_text("adopt, adapt or abandon")
    journey.check()
    journey.goto("/learning/practice/new/")
    page.get_by_role("button", name="Share the note").click()
    expect(page.get_by_role("alert")).to_contain_text("Give the note a title")
    journey.check()
    journey.goto(f"/learning/practice/{note.pk}/")
    page.get_by_role("button", name="Add the comment").click()
    expect(page.get_by_role("alert")).to_contain_text("Write a comment")
    journey.check()

    # The person offered support sees it, and answers.
    page.context.clear_cookies()
    sign_in(journey, system.lone_coach.email)
    journey.goto(f"/learning/events/{about.pk}/")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose whether you take up the offer")
    journey.check()
