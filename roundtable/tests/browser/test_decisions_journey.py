"""A board funding decision made together: proposed, objected to, revised, consented, agreed,
held, and the budget follows.

The board member proposes £45,000 for a VCSE peer-support service from a £200,000 budget; the
lived-experience representative objects, with a reason; the proposer revises; everyone consents;
the outcome is agreed with its rationale; a leader holds it; £155,000 remains.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from roundtable.decisions import services
from roundtable.decisions.models import Decision
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind
from roundtable.testing import build_system
from roundtable.tests.browser.conftest import Journey
from roundtable.tests.browser.test_directory_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HELD = "Held by Erin Board, System leadership board: “I stand behind this with you.”"


@pytest.fixture
def second_journey(browser: Browser, live_server: Any) -> Iterator[Journey]:
    """Someone else, signed in at the same time in their own browser."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Journey(page, live_server.url)
    context.close()


def test_board_funding_decision_is_made_together_and_held(journey, second_journey):
    system = build_system()
    board = forum_services.forum_create(
        actor=system.board_member,
        name="System board",
        kind=ForumKind.BOARD,
        home_team=system.board,
        min_disciplines=2,
        required_organisation_kinds=["vcse"],
        lived_experience_required=True,
        members=[system.lived_experience, system.vcse, system.clinician_a],
    )
    page = journey.page

    # The board member sets up the £200,000 budget from the forum's page.
    sign_in(journey, system.board_member.email)
    journey.goto(f"/forums/{board.pk}/")
    page.get_by_role("link", name="Budgets", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Budgets")
    journey.check()
    page.get_by_label("Name").fill("Community transformation 2026/27")
    page.get_by_label("Period starts").fill("2026-04-01")
    page.get_by_label("Period ends").fill("2027-03-31")
    page.get_by_label("Total").fill("200,000")
    page.get_by_role("button", name="Set up budget").click()
    expect(
        page.get_by_text("Community transformation 2026/27 is set up: £200,000.")
    ).to_be_visible()
    journey.check()

    # … and proposes £45,000 for a VCSE peer-support service, by consent (the default).
    page.get_by_role("link", name="Propose a decision").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose a decision")
    journey.check()
    page.get_by_label("Title").fill("Peer-support service at Test Mind")
    page.get_by_label("Proposal").fill("Fund a VCSE peer-support service at Test Mind for a year.")
    page.get_by_label("Funding", exact=True).check()
    page.get_by_label("Budget", exact=True).select_option(label="Community transformation 2026/27")
    page.get_by_label("Amount requested").fill("45,000")
    expect(page.get_by_label("Consent (no one objects)")).to_be_checked()
    journey.check()
    page.get_by_role("button", name="Propose").click()
    expect(page.get_by_text("Your proposal is open.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Peer-support service at Test Mind")
    expect(page.get_by_text("Not heard from yet (4)")).to_be_visible()
    journey.check()
    decision = Decision.objects.get()
    decision_path = f"/decisions/{decision.pk}/"

    # The lived-experience representative finds it waiting for them, and objects.
    voice = second_journey
    sign_in(voice, system.lived_experience.email)
    voice.check()
    home_section = voice.page.locator("h3:has-text('Awaiting your position') + ul")
    home_section.get_by_role("link", name="Peer-support service at Test Mind").click()
    voice.check()
    voice.page.get_by_label("Objection", exact=True).check()
    voice.page.get_by_label("Your reason").fill(
        "Peer workers must be paid the real living wage, and have supervision."
    )
    voice.page.get_by_role("button", name="Save my position").click()
    expect(
        voice.page.get_by_text("Your position is recorded: objection, on revision 1.")
    ).to_be_visible()
    expect(
        voice.page.get_by_text(
            "Cannot be agreed yet: there is an objection on the current proposal."
        )
    ).to_be_visible()
    voice.check()

    # An objection blocks "agreed": the proposer is told why.
    journey.goto(decision_path + "outcome/")
    expect(page.get_by_text("Cannot be agreed yet: there is an objection")).to_be_visible()

    # The proposer integrates the objection in a revision.
    journey.goto(decision_path)
    page.get_by_role("link", name="Revise the proposal").click()
    expect(page.get_by_text("Peer workers must be paid the real living wage")).to_be_visible()
    journey.check()
    page.get_by_label("Revised proposal").fill(
        "Fund a VCSE peer-support service at Test Mind for a year. Peer workers are paid the "
        "real living wage and have monthly supervision."
    )
    page.get_by_label("What changed (optional)").fill("Integrates Dev's objection on pay")
    page.get_by_role("button", name="Save the revision").click()
    expect(page.get_by_role("heading", name="The proposal (revision 2)")).to_be_visible()
    expect(page.get_by_text("on an earlier revision (revision 1)")).to_be_visible()
    page.get_by_text("Earlier revisions (1)").click()
    expect(page.get_by_text("Revision 1", exact=True)).to_be_visible()
    journey.check()

    # Everyone consents to the revised proposal.
    voice.goto(decision_path)
    expect(voice.page.get_by_text("please give your position on revision 2")).to_be_visible()
    voice.page.get_by_label("Consent", exact=True).check()
    voice.page.get_by_role("button", name="Save my position").click()
    expect(
        voice.page.get_by_text("Your position is recorded: consent, on revision 2.")
    ).to_be_visible()
    voice.check()
    for person in (system.vcse, system.clinician_a):
        services.position_take(
            actor=person, decision=Decision.objects.get(pk=decision.pk), stance="consent"
        )
    journey.goto(decision_path)
    page.get_by_label("Consent", exact=True).check()
    page.get_by_role("button", name="Save my position").click()
    expect(page.get_by_text("Not heard from yet (0)")).to_be_visible()
    expect(
        page.get_by_text("Can be agreed: nobody objects, and at least one person consents.")
    ).to_be_visible()
    expect(
        page.get_by_text("The voices this forum's decisions need have taken part.")
    ).to_be_visible()
    journey.check()

    # The outcome is agreed, with its rationale; the amount agreed defaults to the request.
    page.get_by_role("link", name="Record the outcome").click()
    journey.check()
    page.get_by_label("Agreed", exact=True).check()
    expect(page.get_by_label("Amount agreed")).to_have_value("45,000")
    page.get_by_label("Outcome statement").fill("Fund the peer-support service for a year.")
    page.get_by_label("Rationale").fill(
        "Everyone consents to the revised proposal; it fills the gap in peer support."
    )
    journey.check()
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_text("Outcome recorded: agreed.")).to_be_visible()
    journey.check()

    # A leader of the system leadership team holds it, with the usual message.
    page.get_by_role("link", name="Hold this decision").click()
    expect(page.get_by_label("Your message to the people acting on it")).to_have_value(
        "I stand behind this with you."
    )
    journey.check()
    page.get_by_role("button", name="Hold this decision").click()
    expect(page.get_by_text(HELD).first).to_be_visible()
    journey.check()

    # The budget shows what is committed and what remains.
    funding = page.locator("h2:has-text('Funding') + dl")
    expect(
        funding.locator(".nhsuk-summary-list__row").filter(has_text="Remaining")
    ).to_contain_text("£155,000")
    page.get_by_role("link", name="Community transformation 2026/27").click()
    row = page.get_by_role("row").filter(has_text="Community transformation 2026/27")
    expect(row).to_contain_text("£45,000")
    expect(row).to_contain_text("£155,000")
    journey.check()

    # The hold is shown wherever the decision is: the log, and the others' home page.
    page.get_by_role("link", name="Decisions", exact=True).click()
    journey.check()
    page.get_by_label("Kind").select_option(label="Funding")
    expect(page.get_by_role("status")).to_contain_text("1 decision match these filters")
    expect(page.get_by_text(HELD)).to_be_visible()
    journey.check()
    voice.goto("/")
    expect(voice.page.get_by_text("Decision held:")).to_be_visible()
    expect(voice.page.get_by_text(HELD).first).to_be_visible()
    voice.page.get_by_role("link", name="All your notices").click()
    voice.check()
    voice.page.get_by_role("button", name="Mark all as read").click()
    expect(voice.page.get_by_text("You have no unread notices")).to_be_visible()
    voice.check()


def test_decision_pages_work_on_a_phone(phone_journey):
    system = build_system()
    board = forum_services.forum_create(
        actor=system.board_member,
        name="System board",
        kind=ForumKind.BOARD,
        members=[system.lived_experience, system.vcse],
    )
    decision = services.decision_propose(
        actor=system.board_member,
        forum=board,
        kind="service_change",
        title="Open the front door at weekends",
        proposal="Staff the single point of access on Saturdays.",
    )
    page = phone_journey.page
    sign_in(phone_journey, system.lived_experience.email)
    phone_journey.goto("/decisions/")
    phone_journey.goto(f"/decisions/{decision.pk}/")
    page.get_by_label("Consent with a concern", exact=True).check()
    page.get_by_role("button", name="Save my position").click()
    expect(
        page.get_by_text("Say what your concern is, so it can be worked on").first
    ).to_be_visible()
    phone_journey.check()  # the error summary and the field's error
    page.get_by_label("Your reason").fill("Who covers lone working on Saturdays?")
    page.get_by_role("button", name="Save my position").click()
    expect(page.get_by_text("Your position is recorded: consent with a concern")).to_be_visible()
    phone_journey.check()
    phone_journey.goto(f"/forums/{board.pk}/decisions/new/")
    phone_journey.goto(f"/forums/{board.pk}/budgets/")
    phone_journey.goto("/decisions/notifications/")


def test_every_other_decision_page_passes_axe(journey):
    """The pages the main journey does not visit, including their error and conflict states."""
    system = build_system()
    board = forum_services.forum_create(
        actor=system.board_member,
        name="System board",
        kind=ForumKind.BOARD,
        home_team=system.board,
        members=[system.lived_experience, system.vcse, system.clinician_a],
    )
    budget = services.budget_create(
        actor=system.board_member,
        forum=board,
        name="Community grants",
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),
        total_pence=100_000 * 100,
    )
    bids = [
        services.decision_propose(
            actor=system.vcse,
            forum=board,
            kind="funding",
            title=title,
            proposal=title,
            budget=budget,
            amount_requested_pence=amount * 100,
        )
        for title, amount in (("Crisis café", 60_000), ("Allotment", 50_000))
    ]
    starts = timezone.now() - timedelta(minutes=5)
    meeting = forum_services.meeting_create(
        actor=system.board_member,
        forum=board,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    forum_services.attendance_set(
        actor=system.board_member,
        meeting=meeting,
        present=[system.board_member, system.lived_experience],
        apologies=[],
    )
    in_meeting = services.decision_propose(
        actor=system.board_member,
        forum=board,
        kind="move_on",
        title="Move on to the GP with peer support",
        proposal="Discharge to the GP, with six weeks of peer support.",
        meeting=meeting,
    )
    advice = services.decision_propose(
        actor=system.board_member,
        forum=board,
        kind="service_change",
        method="advice",
        title="Try a drop-in clinic",
        proposal="A weekly drop-in at the library.",
    )
    asked = services.advice_request(
        actor=system.board_member, decision=advice, adviser=system.lived_experience
    )
    page = journey.page
    sign_in(journey, system.board_member.email)

    # An allocation round: refused with one proposal, then started, then approved.
    journey.goto(f"/decisions/budgets/{budget.pk}/rounds/new/")
    page.get_by_label("Title").fill("Spring grants")
    page.get_by_label("Crisis café").check()
    page.get_by_label("Closing date").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Start the round").click()
    expect(
        page.get_by_text("Choose at least two funding proposals to compare").first
    ).to_be_visible()
    journey.check()
    page.get_by_label("Allotment").check()
    page.get_by_role("button", name="Start the round").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring grants")
    journey.check()
    page.get_by_label("Allotment").check()
    page.get_by_role("button", name="Save my approvals").click()
    expect(page.get_by_text("Your approvals are saved.")).to_be_visible()
    journey.check()

    # The consent round: an objection without its reason, then the round saved.
    journey.goto(f"/decisions/{in_meeting.pk}/round/")
    dev = page.get_by_role("group", name="Dev Voice")
    dev.get_by_label("Objection", exact=True).check()
    page.get_by_role("button", name="Save the round").click()
    expect(page.get_by_text("Say what Dev Voice's objection is").first).to_be_visible()
    journey.check()
    page.get_by_label("Reason given by Dev Voice").fill("Six weeks is too short")
    page.get_by_role("button", name="Save the round").click()
    expect(
        page.get_by_text("Positions recorded for 1 person present at the meeting.")
    ).to_be_visible()
    journey.check()

    # The revise page's conflict: someone else saved a revision meanwhile.
    journey.goto(f"/decisions/{in_meeting.pk}/revise/")
    services.decision_revise(
        actor=system.board_member,
        decision=Decision.objects.get(pk=in_meeting.pk),
        proposal="Discharge to the GP, with twelve weeks of peer support.",
    )
    page.get_by_label("Revised proposal").fill("Discharge with eight weeks of peer support.")
    page.get_by_role("button", name="Save the revision").click()
    expect(page.get_by_role("heading", name="Their version (revision 2)")).to_be_visible()
    journey.check()

    # The outcome refused: nobody has consented to revision 2 yet.
    journey.goto(f"/decisions/{in_meeting.pk}/outcome/")
    page.get_by_label("Agreed", exact=True).check()
    page.get_by_label("Outcome statement").fill("Move on")
    page.get_by_label("Rationale").fill("Ready")
    page.get_by_role("button", name="Record the outcome").click()
    expect(
        page.get_by_text("Nobody has consented yet. Silence is not consent.").first
    ).to_be_visible()
    journey.check()

    # Not agreed, then reviewed (with a missing note first).
    page.get_by_label("Not agreed", exact=True).check()
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_text("Outcome recorded: not agreed.")).to_be_visible()
    page.get_by_role("link", name="Record a review").click()
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("Say what the review found").first).to_be_visible()
    journey.check()

    # Withdrawing asks first.
    journey.goto(f"/decisions/{bids[0].pk}/withdraw/")
    journey.goto(f"/decisions/{advice.pk}/")

    # The adviser gives advice.
    journey.goto("/sign-out/")
    page.get_by_role("button", name="Sign out").click()
    sign_in(journey, system.lived_experience.email)
    journey.goto(f"/decisions/{advice.pk}/advice/{asked.pk}/")
    page.get_by_role("button", name="Give advice").click()
    expect(page.get_by_text("Write your advice").first).to_be_visible()
    journey.check()
    page.get_by_label("Your advice").fill("Ask the library about quiet rooms.")
    page.get_by_role("button", name="Give advice").click()
    expect(page.get_by_text("Thank you: your advice is recorded.")).to_be_visible()
    journey.check()

    # A leader may hold only an agreed decision: the page says why not.
    journey.goto(f"/decisions/{bids[0].pk}/hold/")
    page.get_by_role("button", name="Hold this decision").click()
    expect(page.get_by_text("Only an agreed decision can be held.").first).to_be_visible()
    journey.check()

    # Empty states: no matching decisions, no notices, a budget with nothing committed.
    journey.goto("/decisions/?q=nothing+like+this")
    expect(page.get_by_text("No decisions match these filters")).to_be_visible()
    journey.goto("/decisions/notifications/")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("You have no unread notices")).to_be_visible()
    journey.check()
    journey.goto(f"/forums/{board.pk}/budgets/")
