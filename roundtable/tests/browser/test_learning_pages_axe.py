"""Every learning page, and each of its forms refused with what to fix, passes axe-core (WCAG 2.2
AA and best practice) with no Content-Security-Policy violation, on a desktop and a phone.

The start page and home page section, events (list, new, one), a thematic review, the responses
list, a response with everything it records, asking before removing or finishing, an action,
and the team and leadership team pages with their overdue safety actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from roundtable.learning import services
from roundtable.learning.models import SafetyAction, TookPart, WorkSystem
from roundtable.learning.tests.helpers import event, in_support, swarm
from roundtable.testing import build_system
from roundtable.tests.browser.test_directory_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["journey", "phone_journey"])
def test_every_learning_page_and_its_errors_pass_axe(size, request):
    journey = request.getfixturevalue(size)
    system = build_system()
    episode = in_support(system, name="Dee Example")
    about = event(system, episode=episode, title="Missed follow-up call")
    event(system, title="Phones down")
    response = swarm(system, about)
    factor = services.factor_add(
        actor=system.clinician_a, response=response, element=WorkSystem.TASKS, note="Lists"
    )
    family = services.participant_add(
        actor=system.clinician_a,
        response=response,
        took_part_as=TookPart.FAMILY,
        described_as="her sister",
    )
    services.participant_add(
        actor=system.clinician_a, response=response, took_part_as=TookPart.STAFF, person=system.vcse
    )
    services.statement_add(actor=system.clinician_a, response=response, text="Fridays need a plan")
    action = services.action_add(
        actor=system.clinician_a,
        response=response,
        description="Call in 72h",
        owner=system.clinician_a,
        due_on=timezone.localdate(),
    )
    SafetyAction.objects.filter(pk=action.pk).update(
        due_on=timezone.localdate() - timedelta(days=2)
    )
    page = journey.page
    sign_in(journey, system.team_leader_a.email)
    for path in [
        "/",
        "/learning/",
        f"/directory/teams/{system.team_a.pk}/",  # with its overdue safety actions
        f"/directory/leadership/{system.team_a_leadership.pk}/",
        "/learning/events/",
        "/learning/events/new/",
        f"/learning/events/{about.pk}/",
        "/learning/thematic/new/",
        "/learning/responses/",
        f"/learning/responses/{response.pk}/",
        f"/learning/responses/{response.pk}/finish/",
        f"/learning/responses/{response.pk}/factors/{factor.pk}/remove/",
        f"/learning/responses/{response.pk}/participants/{family.pk}/remove/",
        f"/learning/actions/{action.pk}/",
    ]:
        journey.goto(path)
    # Each form refused, with what to fix.
    journey.goto("/learning/events/new/")
    page.get_by_role("button", name="Record the event").click()
    expect(page.get_by_role("alert")).to_contain_text("Give the event a short title")
    journey.check()
    journey.goto(f"/learning/responses/{response.pk}/")
    page.get_by_role("button", name="Agree the action").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose who owns the action")
    journey.check()
    page.get_by_role("button", name="Add who took part").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose how they took part")
    journey.check()
    page.get_by_role("button", name="Add the factor").click()
    journey.check()
    journey.goto(f"/learning/responses/{response.pk}/finish/")
    page.get_by_role("button", name="Finish the response").click()
    expect(page.get_by_role("alert")).to_contain_text("before finishing")
    journey.check()
    journey.goto("/learning/thematic/new/")
    page.get_by_role("button", name="Start the thematic review").click()
    journey.check()
    journey.goto(f"/learning/actions/{action.pk}/")
    page.get_by_role("button", name="Move it on").click()
    journey.check()
    journey.goto(f"/learning/events/{about.pk}/")
    page.get_by_role("button", name="Start the learning response").click()
    journey.check()
