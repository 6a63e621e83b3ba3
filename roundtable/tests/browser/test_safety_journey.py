"""A safety plan written with the person, and a positive risk-taking plan shared by the team.

Dee's key worker writes her safety plan with her and prints it; at the MDT the clinician
proposes a positive risk-taking plan; the VCSE practitioner and the team leader consent; the
outcome is agreed and the team leader holds it; Dee's safety page shows it. Dee is green and
was just reviewed, so no review is due; when the huddle moves her to red, the team's list shows
her review due within the week, and a week and a day later, overdue.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from roundtable.care import services as care_services
from roundtable.decisions.models import Decision
from roundtable.forums import services as forum_services
from roundtable.safety.models import SafetyReview
from roundtable.safety.tests.helpers import in_support, north_mdt
from roundtable.testing import build_system
from roundtable.tests.browser.conftest import Journey
from roundtable.tests.browser.test_directory_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HELD = "Held by Gita Leader, North CMHT leadership: “I stand behind this with you.”"


@pytest.fixture
def colleague(browser: Browser, live_server: Any) -> Iterator[Journey]:
    """A colleague at the MDT, signed in on their own device."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Journey(page, live_server.url)
    context.close()


def consent(journey: Journey, decision_path: str) -> None:
    journey.goto(decision_path)
    journey.page.get_by_label("Consent", exact=True).check()
    journey.page.get_by_role("button", name="Save my position").click()
    expect(journey.page.get_by_text("Your position is recorded: consent")).to_be_visible()
    journey.check()


def test_a_safety_plan_and_a_positive_risk_taking_plan_made_together(journey, colleague):
    system = build_system()
    episode = in_support(system, "D1", name="Dee Example")
    person = episode.person
    mdt = north_mdt(system)
    starts = timezone.now() - timedelta(minutes=5)
    forum_services.meeting_create(
        actor=system.team_leader_a, forum=mdt, starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    zones = {z.name: z for z in care_services.zones_ensure(team=system.team_a)}
    care_services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zones["Green"])
    page = journey.page
    safety_path = f"/safety/people/{person.pk}/"
    reviews_path = f"/safety/teams/{system.team_a.pk}/reviews/"

    # The key worker and Dee write the plan together, in Dee's words.
    sign_in(journey, system.clinician_a.email)
    journey.goto(safety_path)
    expect(page.get_by_text("Dee Example has no safety plan yet.")).to_be_visible()
    page.get_by_role("button", name="Write the plan with Dee Example").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write the safety plan")
    journey.check()
    page.get_by_label("Warning signs").fill("I stop sleeping and stop answering my sister.")
    page.get_by_label("Things I can do myself").fill("Walk Biscuit; put my playlist on.")
    page.get_by_label("People I can ask for help").fill("My sister Jo: 07700 900123.")
    page.get_by_label("Professionals and services I can contact").fill(
        "Amira, my key worker; NHS 111, option 2; Samaritans 116 123."
    )
    page.get_by_label("What matters to me").fill("Biscuit, and getting back to work.")
    page.get_by_label("Written with").fill("Dee and her key worker")
    page.get_by_label("Review by (optional)").fill(
        (timezone.localdate() + timedelta(days=30)).isoformat()
    )
    journey.check()
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("Version 1 of Dee Example's safety plan is saved")).to_be_visible()
    expect(page.get_by_text("Walk Biscuit; put my playlist on.")).to_be_visible()
    journey.check()

    # The print view: the plan alone, with a working Print button.
    page.get_by_role("link", name="Print the plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My safety plan: Dee Example")
    expect(page.get_by_text("Written with Dee and her key worker.")).to_be_visible()
    expect(page.locator(".nhsuk-header")).to_have_count(0)
    journey.check()
    page.evaluate("window.print = () => { window.rtPrinted = true; }")
    page.get_by_role("button", name="Print this plan").click()
    assert page.evaluate("window.rtPrinted") is True
    page.get_by_role("link", name="Back to Dee Example's safety page").click()
    journey.check()

    # At the MDT, the clinician proposes a positive risk-taking plan.
    page.get_by_role("link", name="Propose a positive risk-taking plan").click()
    journey.check()
    page.get_by_label("What the person wants to do").fill("Go walking alone on the moors")
    page.get_by_label("The benefits").fill("Confidence, fitness and time that is hers")
    page.get_by_label("The possible harms").fill("Getting lost; a bad day far from help")
    page.get_by_label("The safeguards").fill("Phone charged; Jo knows the route and the time back")
    page.get_by_label("Who does what").fill(
        "Amira plans the routes with Dee; Chloe walks the first one with her"
    )
    page.get_by_label("Review on").fill((timezone.localdate() + timedelta(days=28)).isoformat())
    expect(page.get_by_label("Where the team shares it")).to_have_value(str(mdt.pk))
    page.get_by_label("In today's meeting (optional)").select_option(index=1)
    journey.check()
    page.get_by_role("button", name="Propose the plan").click()
    expect(page.get_by_text("The positive risk-taking plan is open.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Positive risk-taking: Dee Example"
    )
    journey.check()
    decision = Decision.objects.get()
    decision_path = f"/decisions/{decision.pk}/"

    # The VCSE practitioner consents, then the team leader.
    sign_in(colleague, system.vcse.email)
    consent(colleague, decision_path)
    colleague.goto("/sign-out/")
    colleague.page.get_by_role("button", name="Sign out").click()
    sign_in(colleague, system.team_leader_a.email)
    consent(colleague, decision_path)

    # The outcome is recorded as agreed.
    journey.goto(decision_path)
    page.get_by_role("link", name="Record the outcome").click()
    journey.check()
    page.get_by_label("Agreed", exact=True).check()
    page.get_by_label("Outcome statement").fill("Dee walks alone, with the safeguards.")
    page.get_by_label("Rationale").fill("It matters to her; the harms are planned for.")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_text("Outcome recorded: agreed.")).to_be_visible()
    journey.check()

    # The team leader holds it.
    colleague.goto(decision_path)
    colleague.page.get_by_role("link", name="Hold this decision").click()
    expect(colleague.page.get_by_label("Your message to the people acting on it")).to_have_value(
        "I stand behind this with you."
    )
    colleague.check()
    colleague.page.get_by_role("button", name="Hold this decision").click()
    expect(colleague.page.get_by_text(HELD).first).to_be_visible()
    colleague.check()

    # Dee's safety page shows the plan, agreed and held.
    journey.goto(safety_path)
    plans = page.locator("#positive-risk + ul")
    expect(plans).to_contain_text("Positive risk-taking: Dee Example")
    expect(plans).to_contain_text("Agreed")
    expect(plans).to_contain_text(HELD)

    # Dee is green and was reviewed today: no review is due this week.
    journey.goto(reviews_path)
    expect(page.get_by_role("status")).to_contain_text("No reviews are due in the next 7 days")
    expect(page.get_by_role("link", name="Dee Example")).to_have_count(0)

    # At the huddle, the team moves Dee to red.
    journey.goto(f"/care/teams/{system.team_a.pk}/huddle/")
    page.get_by_role("link", name="Dee Example", exact=True).click()  # opens her card
    page.get_by_label("Change zone for Dee Example").select_option(label="Red")
    page.get_by_role("button", name="Change zone for Dee Example").click()
    expect(page.get_by_text("Dee Example moved to Red.").first).to_be_visible()
    journey.check()

    # Red is reviewed weekly: her review is now due within the week.
    journey.goto(reviews_path)
    expect(page.get_by_role("status")).to_contain_text("1 review is due in the next 7 days")
    row = page.get_by_role("row").filter(has_text="Dee Example")
    expect(row).to_contain_text("Due in 7 days")
    expect(row).to_contain_text("Red")

    # A week and a day later (the last review moved back to simulate time), it is overdue.
    SafetyReview.objects.filter(person=person).update(
        reviewed_on=timezone.localdate() - timedelta(days=8)
    )
    journey.goto(reviews_path)
    expect(page.get_by_role("status")).to_contain_text("1 overdue")
    expect(page.get_by_role("row").filter(has_text="Dee Example")).to_contain_text(
        "Overdue by 1 day"
    )
    # The key worker's own list shows it too.
    page.get_by_label("Key worker").select_option(label="Amira Clinician")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("status")).to_contain_text("for Amira Clinician's caseload")
    expect(page.get_by_role("row").filter(has_text="Dee Example")).to_contain_text("Overdue")
    journey.check()

    # The home page says so too, linking to the team's list.
    journey.goto("/")
    expect(page.get_by_text("North CMHT: 1 due in the next 7 days, 1 overdue")).to_be_visible()


def test_every_other_safety_page_passes_axe(journey):
    """The pages and states the main journey does not visit: errors, the conflict page,
    a version, the formulation, a review and the review frequency."""
    from roundtable.safety import services
    from roundtable.safety.tests.helpers import PLAN

    system = build_system()
    episode = in_support(system, "D2", name="Dee Example")
    person = episode.person
    page = journey.page
    sign_in(journey, system.clinician_a.email)

    # Errors: an empty plan with a review date in the past.
    journey.goto(f"/safety/people/{person.pk}/plan/")
    page.get_by_label("Review by (optional)").fill(
        (timezone.localdate() - timedelta(days=1)).isoformat()
    )
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("Write at least one step of the plan").first).to_be_visible()
    journey.check()

    # The conflict page: someone saved while Amira was writing.
    page.get_by_label("Warning signs").fill("Amira's words")
    page.get_by_label("Written with").fill("Dee")
    page.get_by_label("Review by (optional)").fill("")
    services.safety_plan_save(
        actor=system.vcse, person=person, values=PLAN, written_with="Dee and Chloe"
    )
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("Someone else saved this plan while you were writing.")).to_be_visible()
    expect(page.get_by_text("Saved by Chloe Practitioner at").first).to_be_visible()
    expect(page.get_by_role("textbox", name="Warning signs")).to_have_value("Amira's words")
    journey.check()
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("Version 2 of Dee Example's safety plan is saved")).to_be_visible()
    journey.goto(f"/safety/people/{person.pk}/plan/versions/1/")

    # The formulation, a review, and the team's review frequency.
    journey.goto(f"/safety/people/{person.pk}/formulation/")
    page.get_by_label("Protective").fill("Biscuit; her sister Jo.")
    page.get_by_role("button", name="Save the formulation").click()
    expect(page.get_by_text("Version 1 of the formulation is saved.")).to_be_visible()
    journey.check()
    journey.goto(f"/safety/people/{person.pk}/reviews/new/")
    page.get_by_label("What you talked about (optional)").fill("Still fits.")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("The review of Dee Example's safety plan is recorded.")).to_be_visible()
    journey.check()
    journey.goto(f"/safety/teams/{system.team_a.pk}/review-frequency/")
    page.get_by_label("Amber: review every (days)").fill("0")
    page.get_by_role("button", name="Save review frequencies").click()
    expect(page.get_by_text("Enter a number of days from 1 to 366 for Amber").first).to_be_visible()
    journey.check()
    page.get_by_label("Amber: review every (days)").fill("10")
    page.get_by_role("button", name="Save review frequencies").click()
    expect(page.get_by_text("North CMHT's review frequencies are saved.")).to_be_visible()
    journey.check()
