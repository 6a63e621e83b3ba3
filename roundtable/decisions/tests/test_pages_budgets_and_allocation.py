"""Decision pages: budgets and participatory allocation rounds."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.decisions import services
from roundtable.decisions.models import AllocationRound, Approval, Budget
from roundtable.decisions.tests.helpers import POUNDS, raw, text
from roundtable.decisions.tests.helpers import agree_for_a_year as agree

pytestmark = pytest.mark.django_db


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
