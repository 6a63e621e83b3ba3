"""Learning, not blame, as a team lives it — every page checked with axe-core on the way.

Someone on the lone mental health coach's caseload dies. The team leader records the event and
holds a SWARM huddle the same day with the coach and the team's VCSE partner, whose page shows
the person's decision history: who took part in each shared decision and who held it. The coach
is offered support and takes it up. An After Action Review follows with two safety actions; one
is done, with the evidence that it was. Later a thematic review links this event with another.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from roundtable.care.models import Episode
from roundtable.learning.models import (
    ActionStatus,
    LearningEvent,
    LearningResponse,
    ResponseKind,
    SafetyAction,
    SupportAfterEvent,
    TakenUp,
)
from roundtable.learning.tests.helpers import event, in_support, plan_held, zone_change_in_huddle
from roundtable.safety.tests.helpers import north_mdt
from roundtable.testing import build_system
from roundtable.tests.browser.test_directory_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(journey) -> None:
    page = journey.page
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")


def test_a_death_on_the_coachs_caseload_and_what_the_team_learns(journey):
    system = build_system()
    episode = in_support(system, "S1", "Dee Example")
    Episode.objects.filter(pk=episode.pk).update(key_worker=system.lone_coach)
    # Before: the team decided together about Dee, and its leader held the decision.
    mdt = north_mdt(system)
    plan_held(system, episode, mdt)
    zone_change_in_huddle(system, episode, mdt)
    earlier = event(system, title="A follow-up call was missed", happened_on=None)
    today = timezone.localdate()
    page = journey.page

    # The team leader records the death.
    sign_in(journey, system.team_leader_a.email)
    journey.goto("/learning/")
    page.get_by_role("button", name="Record an event").click()
    journey.check()
    page.get_by_label("Team").select_option(str(system.team_a.pk))
    page.get_by_label("Something happened", exact=True).check()
    page.get_by_label("Title").fill("Dee died at home")
    page.get_by_label("What happened?").fill(
        "Dee's brother found her at home this morning and rang the team base."
    )
    page.get_by_label("When did it happen?").fill(today.isoformat())
    page.get_by_label("Is it about a person in care? (optional)").select_option(
        str(episode.person_id)
    )
    page.get_by_role("button", name="Record the event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dee died at home")
    journey.check()
    death = LearningEvent.objects.get(title="Dee died at home")
    assert death.person_id == episode.person_id

    # The same day, a SWARM huddle; its page shows who decided what about Dee, together.
    page.get_by_label("SWARM huddle").check()
    page.get_by_role("button", name="Start the learning response").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SWARM huddle held on")
    history = page.get_by_role("heading", name="Decisions made together about Dee Example")
    expect(history).to_be_visible()
    section = page.locator(".rt-history")
    expect(section).to_contain_text("Positive risk-taking")
    expect(section).to_contain_text(f"Held by: {system.team_leader_a.full_name}")
    expect(section).to_contain_text(
        f"Took part: {system.vcse.full_name} (VCSE practitioner), {system.team_leader_a.full_name}"
    )
    expect(section).to_contain_text(
        f"In the room: {system.clinician_a.full_name}, {system.vcse.full_name}"
    )
    journey.check()
    swarm = LearningResponse.objects.get(kind=ResponseKind.SWARM)
    # Who took part: the coach, and the team's VCSE partner.
    for colleague, part in ((system.lone_coach, "Staff"), (system.vcse, "Partner organisation")):
        page.get_by_label(part, exact=True).check()
        page.get_by_label("A colleague's work e-mail (if they use Roundtable)").fill(
            colleague.email
        )
        page.get_by_role("button", name="Add who took part").click()
        expect(page.locator("main")).to_contain_text(colleague.full_name)
    journey.check()
    page.get_by_label("What happened?").fill("Dee died at home; a call had gone unanswered.")
    page.get_by_label("What was expected to happen?").fill("Weekly contact with Hana.")
    page.get_by_label("Why was it different?").fill("Nobody else knew the call was missed.")
    page.get_by_label("What do we do now?").fill("Support Hana first; an After Action Review.")
    page.get_by_role("button", name="Save the answers").click()
    expect(page.get_by_role("status")).to_contain_text("The answers are saved")
    journey.check()
    assert swarm.participants.count() == 2

    # The coach is offered support.
    journey.goto(f"/learning/events/{death.pk}/")
    page.get_by_label("Who is offered support").select_option(str(system.lone_coach.pk))
    page.get_by_label("What support is offered").fill(
        "Time with me tomorrow morning, and the coaches' peer circle this week."
    )
    page.get_by_role("button", name="Offer support").click()
    expect(page.locator("main")).to_contain_text("Support is offered to Hana Coach")
    expect(page.locator("#support")).to_be_visible()
    journey.check()
    sign_out(journey)

    # … and takes it up: only she and the team's leadership see it.
    sign_in(journey, system.lone_coach.email)
    journey.goto(f"/learning/events/{death.pk}/")
    expect(page.get_by_role("heading", name="Support offered to you")).to_be_visible()
    page.get_by_label("Yes, I take it up").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("main")).to_contain_text("your leadership team knows")
    journey.check()
    assert SupportAfterEvent.objects.get().taken_up == TakenUp.ACCEPTED
    sign_out(journey)
    sign_in(journey, system.clinician_a.email)
    journey.goto(f"/learning/events/{death.pk}/")
    expect(page.locator("main")).not_to_contain_text("Support after this event")
    sign_out(journey)

    # An After Action Review follows, with two safety actions.
    sign_in(journey, system.team_leader_a.email)
    journey.goto(f"/learning/events/{death.pk}/")
    page.get_by_label("After Action Review").check()
    page.get_by_role("button", name="Start the learning response").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("After Action Review held on")
    journey.check()
    for description, owner in (
        ("Missed contacts come to the daily huddle", system.team_leader_a),
        ("Ask each person when we may contact their family", system.clinician_a),
    ):
        page.get_by_label("What will change?").fill(description)
        page.get_by_label("Who owns it?").select_option(str(owner.pk))
        page.get_by_label("Due by").fill((today + timedelta(days=14)).isoformat())
        page.get_by_role("button", name="Agree the action").click()
        expect(page.locator("main")).to_contain_text(description)
    journey.check()
    review = LearningResponse.objects.get(kind=ResponseKind.AFTER_ACTION_REVIEW)
    assert review.actions.count() == 2

    # One is done, with the evidence that it was.
    huddle = SafetyAction.objects.get(description__startswith="Missed contacts")
    journey.goto(f"/learning/actions/{huddle.pk}/")
    page.get_by_label("Done", exact=True).check()
    page.get_by_label("What shows it is done? (needed once it is done)").fill(
        "Missed contacts is on the huddle's agenda; three picked up in its first week."
    )
    page.get_by_role("button", name="Move it on").click()
    expect(page.locator("main")).to_contain_text("Done")
    journey.check()
    huddle.refresh_from_db()
    assert huddle.status == ActionStatus.DONE
    assert huddle.evidence.startswith("Missed contacts is on the huddle's agenda")

    # Later, a thematic review links this event with another.
    journey.goto("/learning/thematic/new/")
    page.get_by_label(re.compile("Dee died at home")).check()
    page.get_by_label(re.compile("A follow-up call was missed")).check()
    page.get_by_role("button", name="Start the thematic review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thematic review held on")
    journey.check()
    thematic = LearningResponse.objects.get(kind=ResponseKind.THEMATIC_REVIEW)
    assert set(thematic.events.all()) == {death, earlier}
