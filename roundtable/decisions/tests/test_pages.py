"""Decision pages: the log and its CSV, proposing, the decision page and its actions, budgets,
allocation rounds, notices and the home section."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from roundtable.decisions import services
from roundtable.decisions.models import (
    AdviceRequest,
    AllocationRound,
    Approval,
    Budget,
    Comment,
    Decision,
    DecisionStatus,
    Hold,
    Notification,
    Position,
    PositionEvent,
    Revision,
)
from roundtable.directory.tests.helpers import add_members
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind, ForumMembership

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
POUNDS = 100


def raw(response) -> str:
    return str(unescape(response.content.decode()))


def text(response) -> str:
    """What the page says: tags removed, spaces collapsed."""
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    return re.sub(r" ([,.;:])", r"\1", words)


@pytest.fixture
def board(system):
    return forum_services.forum_create(
        actor=system.board_member,
        name="System board",
        kind=ForumKind.BOARD,
        home_team=system.board,
        min_disciplines=2,
        required_organisation_kinds=["vcse"],
        lived_experience_required=True,
        members=[system.lived_experience, system.vcse, system.clinician_a],
    )


@pytest.fixture
def budget(system, board):
    return services.budget_create(
        actor=system.board_member,
        forum=board,
        name="Community transformation 2026/27",
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),
        total_pence=200_000 * POUNDS,
    )


@pytest.fixture
def funding(system, board, budget):
    return services.decision_propose(
        actor=system.board_member,
        forum=board,
        kind="funding",
        title="Peer-support service at Test Mind",
        proposal="Fund a VCSE peer-support service for a year.",
        budget=budget,
        amount_requested_pence=45_000 * POUNDS,
    )


def propose_other(system, board, title="Open the front door at weekends", **extra):
    return services.decision_propose(
        actor=system.clinician_a,
        forum=board,
        kind="service_change",
        title=title,
        proposal="Staff the single point of access on Saturdays.",
        **extra,
    )


def agree(system, decision, **extra):
    for person in (system.lived_experience, system.vcse, system.clinician_a):
        services.position_take(actor=person, decision=decision, stance="consent")
    return services.decision_decide(
        actor=system.board_member,
        decision=decision,
        agreed=True,
        outcome="Fund it for a year.",
        rationale="Everyone consents.",
        **extra,
    )


def propose_form(**changes):
    data = {
        "kind": "funding",
        "budget": "",
        "amount": "45,000",
        "method": "consent",
        "vote_threshold_percent": "50",
        "vote_quorum": "1",
        "title": "Peer-support service at Test Mind",
        "proposal": "Fund a VCSE peer-support service for a year.",
        "closes_on": "",
        "closes_time": "",
        "review_on": "",
        "meeting": "",
    }
    data.update(changes)
    return data


# -- The decision log ---------------------------------------------------------------------------


def test_log_lists_decisions_with_their_holds(client_for, system, board, funding):
    agree(system, funding)
    services.hold_add(actor=system.board_member, decision=funding, message="")
    propose_other(system, board)
    html = text(client_for(system.clinician_b).get(reverse("decisions:log")))
    assert "2 decisions" in html
    assert "Peer-support service at Test Mind" in html
    assert "£45,000 agreed from Community transformation 2026/27" in html
    assert "Held by Erin Board, System leadership board: “I stand behind this with you.”" in html
    assert 'aria-current="page"' in html or "Decisions" in html


def test_log_filters_by_kind_status_forum_and_words(client_for, system, board, funding):
    propose_other(system, board)
    client = client_for(system.clinician_b)
    url = reverse("decisions:log")
    html = text(client.get(url, {"kind": "funding"}))
    assert "1 decision match these filters" in html
    assert "Open the front door at weekends" not in html
    html = text(client.get(url, {"q": "saturdays"}))  # in the proposal text only
    assert "Open the front door at weekends" in html
    assert "Peer-support service" not in html
    html = text(client.get(url, {"status": "agreed"}))
    assert "No decisions match these filters" in html
    html = text(client.get(url, {"mine": "on"}))
    assert "No decisions match these filters" in html  # clinician B is in no forum
    html = text(client.get(url, {"forum": str(board.pk), "status": "open"}))
    assert "2 decisions match these filters" in html
    # A forum that does not exist is ignored, not an error.
    assert client.get(url, {"forum": "99999"}).status_code == 200


def test_log_answers_htmx_with_only_the_results(client_for, system, board, funding):
    response = client_for(system.vcse).get(
        reverse("decisions:log"), {"kind": "funding"}, headers={"HX-Request": "true"}
    )
    html = raw(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="decision-results"' not in html
    assert "1 decision match these filters" in text(response)
    assert "/decisions/export.csv?kind=funding" in html
    assert "HX-Request" in response["Vary"]


def test_log_is_paginated(client_for, system, board, settings):
    settings.PAGE_SIZE = 5
    for i in range(7):
        propose_other(system, board, title=f"Change number {i}")
    client = client_for(system.vcse)
    first = text(client.get(reverse("decisions:log")))
    assert "Showing 1 to 5 of 7 decisions" in first
    second = text(client.get(reverse("decisions:log"), {"page": "2"}))
    assert "Change number 0" in second
    assert "Change number 6" not in second


def test_log_empty_state(client_for, system):
    html = text(client_for(system.vcse).get(reverse("decisions:log")))
    assert "No decisions yet" in html


def test_csv_export_streams_the_filtered_log(client_for, system, board, funding):
    agree(system, funding)
    services.hold_add(actor=system.board_member, decision=funding, message="")
    propose_other(system, board, title="=HYPERLINK(evil)")
    response = client_for(system.clinician_b).get(reverse("decisions:export"), {"kind": "funding"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="roundtable-decisions-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "title", "forum"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["title"] == "Peer-support service at Test Mind"
    assert row["status"] == "Agreed"
    assert row["amount requested (£)"] == "45000.00"
    assert row["amount agreed (£)"] == "45000.00"
    assert row["held by leaders"] == "1"
    everything = client_for(system.clinician_b).get(reverse("decisions:export"))
    rows = list(csv.reader(io.StringIO(b"".join(everything.streaming_content).decode())))
    assert len(rows) == 3
    # A cell that a spreadsheet would run as a formula is made plain text.
    assert "'=HYPERLINK(evil)" in [r[1] for r in rows]


# -- Proposing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("45000", 4_500_000),
        ("45,000", 4_500_000),
        ("£45,000.50", 4_500_050),
        (" £ 1,000 ", 100_000),
    ],
)
def test_propose_funding_in_pounds(client_for, system, board, budget, typed, pence):
    response = client_for(system.vcse).post(
        reverse("decisions:propose", args=[board.pk]),
        propose_form(budget=str(budget.pk), amount=typed),
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert response["Location"] == reverse("decisions:decision", args=[decision.pk])
    assert decision.amount_requested_pence == pence
    assert decision.proposer == system.vcse  # any organisation may propose
    assert decision.status == DecisionStatus.OPEN
    assert Notification.objects.filter(decision=decision, person=system.board_member).exists()


def test_propose_page_offers_the_forum_budgets_meetings_and_methods(
    client_for, system, board, budget
):
    starts = datetime.combine(timezone.localdate() + timedelta(days=1), time(10), tzinfo=LONDON)
    forum_services.meeting_create(
        actor=system.board_member,
        forum=board,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    response = client_for(system.lived_experience).get(
        reverse("decisions:propose", args=[board.pk])
    )
    html = raw(response)
    assert response.status_code == 200
    assert "Community transformation 2026/27: £200,000 remaining of £200,000" in html
    assert "Consent (no one objects)" in html
    assert 'value="consent" checked' in html
    assert "Threshold: more than this percentage of votes in favour" in html
    assert "at 10am" in html


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-500", "The amount requested cannot be negative"),
        ("lots", "Enter the amount requested in pounds, using numbers only"),
        ("45.505", "Enter the amount requested in pounds, using numbers only"),
        ("", "Enter the amount requested in pounds, like 45,000"),
        ("0", "The amount must be more than £0."),
        ("250,000", "£250,000 is more than the £200,000 remaining in Community transformation"),
    ],
)
def test_bad_amounts_are_explained_and_nothing_is_stored(
    client_for, system, board, budget, amount, message
):
    response = client_for(system.vcse).post(
        reverse("decisions:propose", args=[board.pk]),
        propose_form(budget=str(budget.pk), amount=amount),
    )
    html = text(response)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert message in html
    assert "Error: Propose a decision" in html
    assert Decision.objects.count() == 0


def test_propose_form_errors(client_for, system, board, budget):
    response = client_for(system.vcse).post(
        reverse("decisions:propose", args=[board.pk]),
        propose_form(
            kind="",
            title="",
            proposal="",
            method="vote",
            vote_threshold_percent="120",
            closes_on=(timezone.localdate() + timedelta(days=2)).isoformat(),
        ),
    )
    html = text(response)
    assert response.status_code == 400
    for message in (
        "Select the kind of decision",
        "Enter a title for the decision",
        "Enter the proposal",
        "The threshold is a percentage from 1 to 99",
        "Enter the closing time, like 17:00",
    ):
        assert message in html
    assert Decision.objects.count() == 0


def test_questions_that_do_not_apply_are_ignored(client_for, system, board, budget):
    response = client_for(system.vcse).post(
        reverse("decisions:propose", args=[board.pk]),
        propose_form(
            kind="other", budget=str(budget.pk), amount="lots", vote_threshold_percent="many"
        ),
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.budget is None
    assert decision.amount_requested_pence is None
    assert decision.vote_threshold_percent is None


def test_a_closing_time_in_the_past_is_refused(client_for, system, board):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client_for(system.vcse).post(
        reverse("decisions:propose", args=[board.pk]),
        propose_form(kind="other", closes_on=yesterday.isoformat(), closes_time="09:00"),
    )
    assert response.status_code == 400
    assert "The closing time must be in the future" in text(response)
    assert Decision.objects.count() == 0


def test_funding_needs_a_budget(client_for, system, board, budget):
    response = client_for(system.vcse).post(
        reverse("decisions:propose", args=[board.pk]), propose_form(budget="")
    )
    assert response.status_code == 400
    assert "Choose the budget the money would come from" in text(response)


def test_a_vote_with_a_meeting_is_proposed(client_for, system, board):
    starts = datetime.combine(timezone.localdate() + timedelta(days=1), time(10), tzinfo=LONDON)
    meeting = forum_services.meeting_create(
        actor=system.board_member,
        forum=board,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    closes = timezone.localdate() + timedelta(days=3)
    response = client_for(system.lived_experience).post(
        reverse("decisions:propose", args=[board.pk]),
        propose_form(
            kind="other",
            method="vote",
            vote_threshold_percent="60",
            vote_quorum="3",
            meeting=str(meeting.pk),
            closes_on=closes.isoformat(),
            closes_time="17:00",
            review_on=(closes + timedelta(days=90)).isoformat(),
        ),
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.vote_threshold_percent, decision.vote_quorum) == (60, 3)
    assert decision.meeting == meeting
    assert decision.closes_at == datetime.combine(closes, time(17), tzinfo=LONDON)
    assert decision.budget is None
    assert decision.amount_requested_pence is None
    html = text(client_for(system.lived_experience).get(response["Location"]))
    assert "more than 60% in favour, with at least 3 positions" in html


def test_only_forum_members_propose(client_for, system, board, budget):
    client = client_for(system.clinician_b)
    url = reverse("decisions:propose", args=[board.pk])
    response = client.get(url)
    assert response.status_code == 403
    assert "Only members of System board can propose decisions there" in text(response)
    response = client.post(url, propose_form(budget=str(budget.pk)))
    assert response.status_code == 400
    assert "Only members of System board can propose decisions there." in text(response)
    assert Decision.objects.count() == 0


# -- The decision page --------------------------------------------------------------------------


def test_decision_page_shows_the_proposal_positions_silence_and_missing_voices(
    client_for, system, funding
):
    system.clinician_a.job_title = "Community mental health nurse"
    system.clinician_a.save(update_fields=["job_title"])
    services.position_take(
        actor=system.clinician_a,
        decision=funding,
        stance="concern",
        reason="Check the waiting list",
    )
    html = text(client_for(system.vcse).get(reverse("decisions:decision", args=[funding.pk])))
    assert "Peer-support service at Test Mind" in html
    assert "Open for positions" in html
    assert "Funding" in html
    assert "Consent (no one objects)" in html
    assert "Erin Board" in html
    assert "The proposal (revision 1)" in html
    assert "Take your position" in html
    assert "Consent with a concern (1)" in html
    assert "Amira Clinician, Nursing, Test Mental Health Trust" in html
    assert "“Check the waiting list”" in html
    assert "Not heard from yet (3)" in html
    assert "Silence is not consent" in html
    assert "Can be agreed: nobody objects, and at least one person consents." in html
    assert "Missing voices" in html
    assert "a lived-experience voice" in html
    assert "someone from a VCSE organisation" in html
    assert "at least 2 disciplines (only 1 took part)" in html
    assert "By role (1) Community mental health nurse Amira Clinician" in html
    assert "£200,000" in html
    assert "£45,000" in html
    assert "Not agreed yet" in html


def test_take_a_position_and_change_it(client_for, system, funding):
    client = client_for(system.lived_experience)
    url = reverse("decisions:position", args=[funding.pk])
    response = client.post(url, {"stance": "objection", "reason": "No peer workers in the plan"})
    assert response.status_code == 302
    # To the confirmation, which takes the focus (test_position_focus.py checks in a browser).
    assert response["Location"].endswith("#message")
    html = text(client.get(response["Location"]))
    assert "Your position is recorded: objection, on revision 1." in html
    assert "Cannot be agreed yet: there is an objection on the current proposal." in html
    assert "Your position on revision 1: Objection" in html
    client.post(url, {"stance": "consent", "reason": ""})
    position = Position.objects.get(person=system.lived_experience)
    assert position.stance == "consent"
    assert PositionEvent.objects.filter(person=system.lived_experience).count() == 2


def test_an_objection_needs_a_reason(client_for, system, funding):
    response = client_for(system.lived_experience).post(
        reverse("decisions:position", args=[funding.pk]), {"stance": "objection", "reason": " "}
    )
    assert response.status_code == 400
    assert "Say what your objection is, so it can be worked on" in text(response)
    assert Position.objects.count() == 0


def test_no_position_on_a_closed_decision(client_for, system, funding):
    agree(system, funding)
    before = Position.objects.count()
    client = client_for(system.lived_experience)
    response = client.post(
        reverse("decisions:position", args=[funding.pk]), {"stance": "objection", "reason": "Late"}
    )
    assert response.status_code == 400
    assert "This decision is agreed: positions can no longer be taken." in text(response)
    assert Position.objects.count() == before
    html = text(client.get(reverse("decisions:decision", args=[funding.pk])))
    assert "Take your position" not in html


def test_a_non_member_sees_the_decision_but_cannot_take_a_position(client_for, system, funding):
    client = client_for(system.clinician_b)
    html = text(client.get(reverse("decisions:decision", args=[funding.pk])))
    assert "Take your position" not in html
    assert "Add a comment" not in html
    response = client.post(
        reverse("decisions:position", args=[funding.pk]), {"stance": "consent", "reason": ""}
    )
    assert response.status_code == 400
    assert "Only members of System board can take a position on its decisions." in text(response)
    assert Position.objects.count() == 0


def test_comments(client_for, system, funding):
    client = client_for(system.vcse)
    url = reverse("decisions:comment", args=[funding.pk])
    response = client.post(url, {"body": ""})
    assert response.status_code == 400
    assert "Write a comment" in text(response)
    response = client.post(url, {"body": "Could it start in the north?"})
    assert response.status_code == 302
    html = text(client.get(reverse("decisions:decision", args=[funding.pk])))
    assert "Discussion (1)" in html
    assert "Could it start in the north?" in html
    response = client_for(system.clinician_b).post(url, {"body": "Me too"})
    assert response.status_code == 400
    assert Comment.objects.count() == 1


# -- Revising -----------------------------------------------------------------------------------


def test_the_proposer_revises_and_earlier_positions_are_marked(client_for, system, funding):
    services.position_take(
        actor=system.lived_experience,
        decision=funding,
        stance="objection",
        reason="Peer workers must be paid the living wage",
    )
    client = client_for(system.board_member)
    url = reverse("decisions:revise", args=[funding.pk])
    html = text(client.get(url))
    assert "Objections and concerns to work in" in html
    assert "Peer workers must be paid the living wage" in html
    response = client.post(
        url,
        {
            "proposal": "Fund it, paying peer workers the real living wage.",
            "change_note": "Integrates Dev's objection",
            "version": str(funding.version),
        },
    )
    assert response.status_code == 302
    html = text(client.get(reverse("decisions:decision", args=[funding.pk])))
    assert "The proposal (revision 2)" in html
    assert "Earlier revisions (1)" in html
    assert "Integrates Dev's objection" in html
    assert "on an earlier revision (revision 1)" in html
    assert "Cannot be agreed yet: nobody has consented yet" in html


def test_only_the_proposer_revises(client_for, system, funding):
    url = reverse("decisions:revise", args=[funding.pk])
    client = client_for(system.vcse)
    assert client.get(url).status_code == 403
    response = client.post(url, {"proposal": "Mine now", "version": str(funding.version)})
    assert response.status_code == 403
    assert Revision.objects.count() == 1


def test_a_stale_revision_shows_both_versions(client_for, system, funding):
    stale = funding.version
    services.decision_revise(
        actor=system.board_member,
        decision=Decision.objects.get(pk=funding.pk),
        proposal="Their proposal, revision 2",
    )
    response = client_for(system.board_member).post(
        reverse("decisions:revise", args=[funding.pk]),
        {"proposal": "My proposal, typed meanwhile", "version": str(stale)},
    )
    html = text(response)
    assert response.status_code == 409
    assert "Someone else changed this decision while you were editing it." in html
    assert "Their version (revision 2)" in html
    assert "Their proposal, revision 2" in html
    assert "My proposal, typed meanwhile" in html
    assert Revision.objects.count() == 2


def test_no_revision_after_the_outcome(client_for, system, funding):
    agree(system, funding)
    decision = Decision.objects.get(pk=funding.pk)
    response = client_for(system.board_member).post(
        reverse("decisions:revise", args=[funding.pk]),
        {"proposal": "Too late", "version": str(decision.version)},
    )
    assert response.status_code == 400
    assert "This decision has an outcome or was withdrawn" in text(response)
    assert Revision.objects.count() == 1


# -- The outcome --------------------------------------------------------------------------------


def test_agreed_is_refused_while_there_is_an_objection(client_for, system, funding):
    services.position_take(
        actor=system.lived_experience, decision=funding, stance="objection", reason="Not yet"
    )
    client = client_for(system.board_member)
    url = reverse("decisions:outcome", args=[funding.pk])
    html = raw(client.get(url))
    assert "Cannot be agreed yet: there is an objection" in html
    assert 'value="45,000"' in html  # the amount agreed defaults to the amount requested
    response = client.post(
        url,
        {
            "result": "agreed",
            "outcome": "Fund it",
            "rationale": "Because",
            "amount_agreed": "45,000",
            "version": str(funding.version),
        },
    )
    html = text(response)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "There is an objection on the current proposal." in html
    assert Decision.objects.get(pk=funding.pk).status == DecisionStatus.OPEN


def test_agreed_funding_commits_the_budget(client_for, system, funding, budget):
    for person in (system.lived_experience, system.vcse, system.clinician_a):
        services.position_take(actor=person, decision=funding, stance="consent")
    client = client_for(system.board_member)
    response = client.post(
        reverse("decisions:outcome", args=[funding.pk]),
        {
            "result": "agreed",
            "outcome": "Fund the service for a year",
            "rationale": "Everyone consents; it fills a gap",
            "amount_agreed": "£45,000",
            "version": str(funding.version),
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(pk=funding.pk)
    assert decision.status == DecisionStatus.AGREED
    assert decision.amount_agreed_pence == 4_500_000
    html = text(client.get(reverse("decisions:budgets", args=[funding.forum_id])))
    assert "£155,000" in html


def test_the_amount_agreed_cannot_exceed_the_request(client_for, system, funding):
    for person in (system.lived_experience, system.vcse):
        services.position_take(actor=person, decision=funding, stance="consent")
    response = client_for(system.board_member).post(
        reverse("decisions:outcome", args=[funding.pk]),
        {
            "result": "agreed",
            "outcome": "Fund it",
            "rationale": "Because",
            "amount_agreed": "50,000",
            "version": str(funding.version),
        },
    )
    assert response.status_code == 400
    assert "The amount agreed cannot be more than was requested." in text(response)


def test_outcome_needs_a_statement_and_rationale(client_for, system, funding):
    response = client_for(system.vcse).post(
        reverse("decisions:outcome", args=[funding.pk]),
        {"result": "not_agreed", "outcome": "", "rationale": "", "version": str(funding.version)},
    )
    html = text(response)
    assert response.status_code == 400
    assert "Say what was decided" in html
    assert "Give the rationale: why this is the decision" in html


def test_a_stale_outcome_is_a_conflict(client_for, system, funding):
    stale = funding.version
    services.decision_revise(
        actor=system.board_member, decision=Decision.objects.get(pk=funding.pk), proposal="Again"
    )
    response = client_for(system.vcse).post(
        reverse("decisions:outcome", args=[funding.pk]),
        {"result": "not_agreed", "outcome": "No", "rationale": "Too dear", "version": str(stale)},
    )
    assert response.status_code == 409
    assert "The decision now" in text(response)
    assert Decision.objects.get(pk=funding.pk).status == DecisionStatus.OPEN


def test_only_members_record_the_outcome(client_for, system, funding):
    assert (
        client_for(system.clinician_b)
        .get(reverse("decisions:outcome", args=[funding.pk]))
        .status_code
        == 403
    )


def test_not_agreed_outcome_shows_on_the_page(client_for, system, funding):
    client = client_for(system.vcse)
    response = client.post(
        reverse("decisions:outcome", args=[funding.pk]),
        {
            "result": "not_agreed",
            "outcome": "Not this year",
            "rationale": "Other priorities",
            "version": str(funding.version),
        },
    )
    assert response.status_code == 302
    html = text(client.get(response["Location"]))
    assert "Outcome recorded: not agreed." in html
    assert "Not this year" in html
    assert "Reached without the voices this forum needs" in html


def test_the_log_flags_outcomes_reached_without_the_voices_the_forum_needs(
    client_for, system, board, funding
):
    """The board needs two disciplines, a VCSE voice and a lived-experience voice: an outcome
    reached with only the VCSE practitioner's position is flagged in the log, on the page and
    in the API; one reached with everyone's is not."""
    services.position_take(actor=system.vcse, decision=funding, stance="consent")
    services.decision_decide(
        actor=system.vcse,
        decision=funding,
        agreed=False,
        outcome="Not this year",
        rationale="Other priorities",
    )
    whole = services.decision_propose(
        actor=system.vcse, forum=board, kind="service_change", title="Open on Saturdays",
        proposal="Open the front door on Saturdays.",
    )  # fmt: skip
    agree(system, whole)
    client = client_for(system.vcse)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("decisions:log"))
    rows = [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split())
        for row in raw(response).split("<tr")[2:]
    ]
    flagged = [row for row in rows if "Reached without the voices this forum needs" in row]
    assert len(flagged) == 1
    assert "Peer-support service at Test Mind" in flagged[0]
    assert "without at least 2 disciplines (only 1 took part);" in flagged[0]
    assert "a lived-experience voice" in flagged[0]
    assert "Open on Saturdays" not in flagged[0]
    # The two it took: the positions of the decided decisions, and no attendance (no meeting).
    assert sum("decisions_position" in q["sql"] for q in captured.captured_queries) == 1
    api = client.get("/api/v1/decisions/decisions").json()["items"]
    by_title = {item["title"]: item["missing_voices"] for item in api}
    assert by_title["Open on Saturdays"] == []
    assert "a lived-experience voice" in by_title["Peer-support service at Test Mind"]


# -- Withdraw, review, hold ---------------------------------------------------------------------


def test_withdraw_asks_first(client_for, system, funding):
    client = client_for(system.board_member)
    url = reverse("decisions:withdraw", args=[funding.pk])
    html = text(client.get(url))
    assert "Withdraw “Peer-support service at Test Mind”?" in html
    assert Decision.objects.get(pk=funding.pk).status == DecisionStatus.OPEN
    assert client.post(url, {"note": "Funded elsewhere"}).status_code == 302
    assert Decision.objects.get(pk=funding.pk).status == DecisionStatus.WITHDRAWN
    response = client.post(url, {"note": "Again"})
    assert response.status_code == 400
    assert "A decision that is withdrawn cannot become withdrawn." in text(response)
    assert client_for(system.vcse).get(url).status_code == 403


def test_review(client_for, system, funding):
    client = client_for(system.vcse)
    url = reverse("decisions:review", args=[funding.pk])
    response = client.post(url, {"note": "Too early"})
    assert response.status_code == 400
    assert "A decision that is open for positions cannot become reviewed." in text(response)
    agree(system, funding)
    assert client.post(url, {"note": ""}).status_code == 400
    assert client.post(url, {"note": "It worked: 40 people supported"}).status_code == 302
    assert Decision.objects.get(pk=funding.pk).status == DecisionStatus.REVIEWED
    assert client_for(system.clinician_b).get(url).status_code == 403


def test_only_covering_leaders_hold_and_holds_show_everywhere(client_for, system, funding):
    url = reverse("decisions:hold", args=[funding.pk])
    assert client_for(system.clinician_a).get(url).status_code == 403
    client = client_for(system.board_member)
    response = client.post(url, {"message": "I stand behind this with you."})
    assert response.status_code == 400
    assert "Only an agreed decision can be held." in text(response)
    agree(system, funding)
    html = text(client.get(reverse("decisions:decision", args=[funding.pk])))
    assert "Hold this decision" in html
    html = text(client.get(url))
    assert "I stand behind this with you." in html  # the default message
    assert client.post(url, {"message": "I stand behind this with you."}).status_code == 302
    assert Hold.objects.count() == 1
    held = "Held by Erin Board, System leadership board: “I stand behind this with you.”"
    page = text(client.get(reverse("decisions:decision", args=[funding.pk])))
    assert held in page
    assert "Hold this decision" not in page  # already held by them
    assert held in text(client_for(system.clinician_b).get(reverse("decisions:log")))
    home = text(client_for(system.vcse).get(reverse("directory:home")))
    assert "Decision held: " in home
    assert held in home
    assert held in text(client_for(system.vcse).get(reverse("decisions:notifications")))
    response = client_for(system.board_member).post(url, {"message": "Again"})
    assert response.status_code == 400
    assert "You already hold this decision." in text(response)


# -- A consent round in a meeting ---------------------------------------------------------------


@pytest.fixture
def meeting(system, board):
    starts = timezone.now() - timedelta(minutes=10)
    meeting = forum_services.meeting_create(
        actor=system.board_member,
        forum=board,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    forum_services.attendance_set(
        actor=system.board_member,
        meeting=meeting,
        present=[system.lived_experience, system.vcse],
        apologies=[system.clinician_a],
    )
    return meeting


def test_consent_round_offers_only_people_present(client_for, system, board, meeting):
    decision = propose_other(system, board, meeting=meeting)
    client = client_for(system.board_member)
    url = reverse("decisions:round", args=[decision.pk])
    html = text(client.get(url))
    assert "Dev Voice" in html
    assert "Chloe Practitioner" in html
    assert "Amira Clinician" not in html
    response = client.post(
        url,
        {
            f"stance_{system.lived_experience.pk}": "concern",
            f"reason_{system.lived_experience.pk}": "",
            f"stance_{system.vcse.pk}": "consent",
        },
    )
    assert response.status_code == 400
    assert "Say what Dev Voice's concern is" in text(response)
    assert Position.objects.count() == 0
    response = client.post(
        url,
        {
            f"stance_{system.lived_experience.pk}": "concern",
            f"reason_{system.lived_experience.pk}": "Evenings too",
            f"stance_{system.vcse.pk}": "consent",
            # Someone not present is never recorded, whatever is sent.
            f"stance_{system.clinician_a.pk}": "consent",
        },
    )
    assert response.status_code == 302
    assert set(Position.objects.values_list("person_id", flat=True)) == {
        system.lived_experience.pk,
        system.vcse.pk,
    }
    assert all(p.meeting_id == meeting.pk for p in Position.objects.all())
    html = text(client.get(reverse("decisions:decision", args=[decision.pk])))
    assert "recorded in the meeting" in html
    assert "everyone recorded as present at the meeting" in html


def test_consent_round_needs_a_position(client_for, system, board, meeting):
    decision = propose_other(system, board, meeting=meeting)
    response = client_for(system.vcse).post(reverse("decisions:round", args=[decision.pk]), {})
    assert response.status_code == 400
    assert "Record the position of at least one person present" in text(response)


def test_consent_round_without_a_meeting_or_membership(client_for, system, board):
    decision = propose_other(system, board)
    response = client_for(system.vcse).get(reverse("decisions:round", args=[decision.pk]))
    assert response.status_code == 302
    assert (
        client_for(system.clinician_b)
        .get(reverse("decisions:round", args=[decision.pk]))
        .status_code
        == 403
    )


# -- The advice process -------------------------------------------------------------------------


def test_advice_is_sought_given_and_then_the_proposer_decides(client_for, system, board):
    decision = propose_other(system, board, method="advice")
    proposer = client_for(system.clinician_a)
    page = reverse("decisions:decision", args=[decision.pk])
    html = text(proposer.get(page))
    assert "No advice has been sought yet." in html
    assert "Cannot be agreed yet: seek advice" in html
    url = reverse("decisions:advice-request", args=[decision.pk])
    response = proposer.post(url, {"email": "nobody@test.nhs.uk"})
    assert response.status_code == 400
    assert "Nobody in Roundtable has this e-mail address" in text(response)
    assert proposer.post(url, {"email": system.lived_experience.email}).status_code == 302
    response = proposer.post(url, {"email": system.lived_experience.email})
    assert "Advice was already sought from Dev Voice." in text(response)
    asked = AdviceRequest.objects.get()
    give = reverse("decisions:advice-give", args=[decision.pk, asked.pk])
    assert client_for(system.vcse).get(give).status_code == 403
    adviser = client_for(system.lived_experience)
    assert "Give your advice" in text(adviser.get(page))
    assert adviser.post(give, {"advice": ""}).status_code == 400
    assert adviser.post(give, {"advice": "Ask the peer network first"}).status_code == 302
    html = text(client_for(system.clinician_a).get(page))
    assert "Ask the peer network first" in html
    assert "Can be agreed: advice has been given, and the proposer decides." in html
    # Only the proposer decides in the advice process.
    assert (
        client_for(system.vcse).get(reverse("decisions:outcome", args=[decision.pk])).status_code
        == 403
    )


def test_advice_is_sought_only_by_the_proposer(client_for, system, board):
    decision = propose_other(system, board, method="advice")
    response = client_for(system.vcse).post(
        reverse("decisions:advice-request", args=[decision.pk]),
        {"email": system.lived_experience.email},
    )
    assert response.status_code == 403
    assert AdviceRequest.objects.count() == 0


# -- Budgets and allocation rounds --------------------------------------------------------------


def test_budgets_are_listed_and_set_up(client_for, system, board, funding):
    client = client_for(system.vcse)
    url = reverse("decisions:budgets", args=[board.pk])
    html = text(client.get(url))
    assert "Community transformation 2026/27" in html
    assert "£200,000" in html
    response = client.post(
        url,
        {
            "name": "Winter pressures",
            "period_start": "2026-10-01",
            "period_end": "2026-09-01",
            "total": "-5",
        },
    )
    html = text(response)
    assert response.status_code == 400
    assert "The period must end on or after it starts" in html
    assert "The total cannot be negative" in html
    response = client.post(
        url,
        {
            "name": "community transformation 2026/27",
            "period_start": "2026-10-01",
            "period_end": "2027-03-31",
            "total": "1",
        },
    )
    assert "This forum already has a budget with this name" in text(response)
    response = client.post(
        url,
        {
            "name": "Winter pressures",
            "period_start": "2026-10-01",
            "period_end": "2027-03-31",
            "total": "£25,000",
        },
    )
    assert response.status_code == 302
    assert Budget.objects.get(name="Winter pressures").total_pence == 2_500_000


def test_only_members_set_up_budgets(client_for, system, board):
    client = client_for(system.clinician_b)
    url = reverse("decisions:budgets", args=[board.pk])
    html = text(client.get(url))
    assert "Set up a budget" not in html
    response = client.post(
        url,
        {"name": "Mine", "period_start": "2026-10-01", "period_end": "2027-03-31", "total": "100"},
    )
    assert response.status_code == 400
    assert "Only members of this forum can set up its budgets." in text(response)
    assert Budget.objects.count() == 0


def test_an_allocation_round_follows_the_published_rule(client_for, system, board, budget):
    bids = [
        services.decision_propose(
            actor=system.vcse,
            forum=board,
            kind="funding",
            title=title,
            proposal=title,
            budget=budget,
            amount_requested_pence=amount * POUNDS,
        )
        for title, amount in (
            ("Peer support", 120_000),
            ("Crisis café", 90_000),
            ("Allotment", 60_000),
        )
    ]
    client = client_for(system.vcse)
    url = reverse("decisions:round-new", args=[budget.pk])
    html = text(client.get(url))
    assert "most approvals first; ties go to the smaller amount, then the earlier proposal" in html
    closes = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post(
        url,
        {
            "title": "Spring round",
            "proposals": [str(bids[0].pk)],
            "closes_on": closes,
            "closes_time": "17:00",
        },
    )
    assert response.status_code == 400
    assert "Choose at least two funding proposals to compare" in text(response)
    assert AllocationRound.objects.count() == 0
    response = client.post(
        url,
        {
            "title": "Spring round",
            "proposals": [str(b.pk) for b in bids],
            "closes_on": closes,
            "closes_time": "17:00",
        },
    )
    assert response.status_code == 302
    allocation = AllocationRound.objects.get()
    page = reverse("decisions:allocation", args=[allocation.pk])
    assert response["Location"] == page
    # Peer support and the café have 2 approvals each; together they do not fit (£210,000).
    for person, chosen in (
        (system.vcse, [0, 1]),
        (system.lived_experience, [0, 1, 2]),
    ):
        response = client_for(person).post(page, {"approve": [str(bids[i].pk) for i in chosen]})
        assert response.status_code == 302
    assert Approval.objects.count() == 5
    html = raw(client_for(system.clinician_a).get(page))
    assert "Results so far" in html
    rows = [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in html.split("<tr")[2:]  # after the header row
    ]
    assert "Proposal Crisis café Approvals 2 Amount £90,000 Result Funded" in rows[0]
    assert "Proposal Peer support Approvals 2 Amount £120,000 Result Not funded" in rows[1]
    assert "does not fit in what is left" in rows[1]
    assert "Proposal Allotment Approvals 1 Amount £60,000 Result Funded" in rows[2]
    assert "a proposal that does not fit in what is left is skipped" in html
    # Someone outside the forum sees the results but cannot approve.
    other = text(client_for(system.clinician_b).get(page))
    assert "Your approvals" not in other
    assert (
        client_for(system.clinician_b).post(page, {"approve": [str(bids[2].pk)]}).status_code == 400
    )
    assert Approval.objects.count() == 5


def _results(html: str) -> list[str]:
    """The results table's rows as text, without the "you approve" marks."""
    rows = [" ".join(unescape(re.sub(r"<[^>]+>", " ", r)).split()) for r in html.split("<tr")[2:]]
    return [re.sub(r" \N{EN DASH} you approve", "", row) for row in rows]


def test_an_allocation_round_settles_what_was_decided_and_shares_what_is_left(
    client_for, system, board, budget
):
    """An agreed proposal in a round is committed once: taken from the budget, shown agreed at
    its agreed amount, and no longer approvable; proposals not agreed or withdrawn are out."""

    def bid(title, amount, proposer=system.vcse):
        return services.decision_propose(
            actor=proposer,
            forum=board,
            kind="funding",
            title=title,
            proposal=title,
            budget=budget,
            amount_requested_pence=amount,
        )

    cafe = bid("Crisis café", 90_000 * POUNDS)
    allotment = bid("Allotment", 30_000 * POUNDS)
    peer = bid("Peer support", 100_000 * POUNDS)
    walking = bid("Walking group", 10_000 * POUNDS)
    arts = bid("Arts on prescription", 5_000 * POUNDS, proposer=system.clinician_a)
    allocation = services.allocation_round_create(
        actor=system.vcse,
        budget=budget,
        title="Spring round",
        closes_at=timezone.now() + timedelta(days=7),
        proposals=[cafe, allotment, peer, walking, arts],
    )
    for person in (system.vcse, system.lived_experience, system.clinician_a):
        services.approval_set(
            actor=person, allocation=allocation, approve=[cafe, peer, walking, arts]
        )
    services.approval_set(actor=system.board_member, allocation=allocation, approve=[allotment])
    # The café is agreed at a little less than it asked for; the walking group is not agreed;
    # arts on prescription is withdrawn by its proposer.
    agree(system, cafe, amount_agreed_pence=8_500_050)
    for person in (system.lived_experience, system.vcse, system.clinician_a):
        services.position_take(actor=person, decision=walking, stance="consent")
    services.decision_decide(
        actor=system.board_member,
        decision=walking,
        agreed=False,
        outcome="Not this year.",
        rationale="A walking group already runs.",
    )
    services.decision_withdraw(actor=system.clinician_a, decision=arts)

    page = reverse("decisions:allocation", args=[allocation.pk])
    html = raw(client_for(system.vcse).get(page))
    flat = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    # £200,000 less the café's £85,000.50 — counted once.
    assert "£114,999.50 of £200,000 is left in the budget" in flat
    rows = _results(html)
    assert "Crisis café Approvals 3 Amount £85,000.50 agreed Result Agreed" in rows[0]
    # Peer support (3 approvals, £100,000) fits in the £114,999.50 left; the allotment
    # (1 approval, £30,000) no longer does.
    assert "Peer support Approvals 3 Amount £100,000 Result Funded" in rows[1]
    assert "Allotment Approvals 1 Amount £30,000 Result Not funded" in rows[2]
    assert "does not fit in what is left" in rows[2]
    assert "Arts on prescription Approvals 3 Amount £5,000 Result Withdrawn" in rows[3]
    assert "Walking group Approvals 3 Amount £10,000 Result Not agreed" in rows[4]
    # £85,000.50 agreed + £100,000 funded from what is left.
    assert "£185,000.50 would be funded" in flat
    # Only the open proposals can be ticked, each with its amount.
    boxes = re.findall(r'name="approve" type="checkbox" value="(\d+)"', html)
    assert sorted(map(int, boxes)) == sorted([peer.pk, allotment.pk])
    assert "Peer support (£100,000)" in flat
    # Approving a decided proposal is refused and changes nothing.
    before = sorted(Approval.objects.values_list("person_id", "decision_id"))
    response = client_for(system.board_member).post(page, {"approve": [str(cafe.pk)]})
    assert response.status_code == 400
    assert sorted(Approval.objects.values_list("person_id", "decision_id")) == before
    # Taking back one's approval of the open ones keeps the record of approvals of settled ones.
    client_for(system.vcse).post(page, {"approve": [str(peer.pk)]})
    assert set(
        Approval.objects.filter(person=system.vcse).values_list("decision_id", flat=True)
    ) == {cafe.pk, peer.pk, walking.pk, arts.pk}


# -- Notices and the home page ------------------------------------------------------------------


def test_notices_and_mark_all_as_read(client_for, system, funding):
    client = client_for(system.vcse)
    html = text(client.get(reverse("decisions:notifications")))
    assert "Awaiting your position:" in html
    assert "Peer-support service at Test Mind" in html
    response = client.post(reverse("decisions:notifications-read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(person=system.vcse, read_at__isnull=True).exists()
    html = text(client.get(reverse("decisions:notifications")))
    assert "You have no unread notices" in html
    assert client.get(reverse("decisions:notifications-read")).status_code == 405


def test_home_shows_what_awaits_my_position(client_for, system, funding):
    html = text(client_for(system.vcse).get(reverse("directory:home")))
    assert "Awaiting your position" in html
    assert "Peer-support service at Test Mind" in html
    assert "Your notices (1 unread)" in html
    html = text(client_for(system.clinician_b).get(reverse("directory:home")))
    assert "No open decision is waiting for your position." in html


def test_forum_page_links_to_its_decisions_and_budgets(client_for, system, board):
    html = raw(client_for(system.vcse).get(reverse("forums:forum", args=[board.pk])))
    assert reverse("decisions:propose", args=[board.pk]) in html
    assert reverse("decisions:budgets", args=[board.pk]) in html
    assert f"/decisions/?forum={board.pk}" in html
    other = text(client_for(system.clinician_b).get(reverse("forums:forum", args=[board.pk])))
    assert "Propose a decision" not in other


def test_pages_need_signing_in(client, funding):
    for url in (
        reverse("decisions:log"),
        reverse("decisions:export"),
        reverse("decisions:decision", args=[funding.pk]),
        reverse("decisions:notifications"),
    ):
        assert client.get(url).status_code == 302


# -- Query counts -------------------------------------------------------------------------------


def test_the_decision_page_uses_the_same_queries_however_long(
    client_for, system, board, funding, django_assert_num_queries
):
    services.position_take(actor=system.lived_experience, decision=funding, stance="consent")
    services.comment_add(actor=system.vcse, decision=funding, body="Small")
    client = client_for(system.vcse)
    url = reverse("decisions:decision", args=[funding.pk])
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200

    people = add_members(system.team_a, 300, prefix="crowd")
    ForumMembership.objects.bulk_create(ForumMembership(forum=board, person=p) for p in people)
    Position.objects.bulk_create(
        Position(
            decision=funding,
            revision=1,
            person=p,
            stance=["consent", "concern", "stand_aside"][i % 3],
            reason="A reason" if i % 3 == 1 else "",
        )
        for i, p in enumerate(people)
    )
    Comment.objects.bulk_create(
        Comment(decision=funding, author=people[i], body=f"Comment {i}", revision=1)
        for i in range(200)
    )
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert "Discussion (201)" in text(response)
