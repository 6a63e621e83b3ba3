"""Decision pages: revising, the outcome, withdrawing, reviewing and holding."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roundtable.decisions import services
from roundtable.decisions.models import Decision, DecisionStatus, Hold, Revision
from roundtable.decisions.tests.helpers import agree_for_a_year as agree
from roundtable.decisions.tests.helpers import raw, text

pytestmark = pytest.mark.django_db


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
