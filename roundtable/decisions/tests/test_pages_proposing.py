"""Decision pages: proposing, its form and its errors."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.decisions.models import Decision, DecisionStatus, Notification
from roundtable.decisions.tests.helpers import raw, text
from roundtable.forums import services as forum_services

pytestmark = pytest.mark.django_db


LONDON = ZoneInfo("Europe/London")


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
