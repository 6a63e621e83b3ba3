"""The decision page's reads: tally, silence, representation, constant queries; the log."""

from __future__ import annotations

from datetime import date

import pytest

from roundtable.core import access
from roundtable.decisions import selectors, services
from roundtable.decisions.models import AdviceRequest, Comment, Decision, Hold, Position
from roundtable.directory.models import Person
from roundtable.forums.models import ForumMembership

pytestmark = pytest.mark.django_db

# decision, revisions, positions, members, holds, comments, advice, events, budget committed
DECISION_PAGE_QUERIES = 9


@pytest.fixture
def decision(system, board):
    budget = services.budget_create(
        actor=system.board_member,
        forum=board,
        name="Transformation",
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),
        total_pence=20_000_000,
    )
    return services.decision_propose(
        actor=system.board_member,
        forum=board,
        kind="funding",
        title="Peer support",
        proposal="Fund peer support",
        budget=budget,
        amount_requested_pence=4_500_000,
    )


def test_page_shows_silence_tally_and_missing_voices(system, decision):
    services.position_take(actor=system.clinician_a, decision=decision, stance="consent")
    page = selectors.decision_detail(system.vcse, decision.pk)
    assert page.tally.consent == 1
    assert {m.person.full_name for m in page.silent} == {
        "Erin Board",
        "Dev Voice",
        "Chloe Practitioner",
    }
    assert page.verdict.can_agree
    assert page.representation is not None
    assert not page.representation.met
    assert "a lived-experience voice" in page.representation.missing
    services.position_take(actor=system.lived_experience, decision=decision, stance="consent")
    services.position_take(actor=system.vcse, decision=decision, stance="consent")
    page = selectors.decision_detail(system.vcse, decision.pk)
    assert page.representation is not None
    assert page.representation.met
    assert page.budget is not None
    assert page.budget.remaining_pence == 20_000_000


def test_a_long_decision_uses_the_same_queries(system, board, decision, django_assert_num_queries):
    with django_assert_num_queries(DECISION_PAGE_QUERIES):
        selectors.decision_detail(system.vcse, decision.pk)
    people = Person.objects.bulk_create(
        Person(email=f"p{i}@example.nhs.uk", full_name=f"Person {i:03d}") for i in range(300)
    )
    people = list(Person.objects.filter(email__startswith="p", email__endswith="@example.nhs.uk"))
    ForumMembership.objects.bulk_create(ForumMembership(forum=board, person=p) for p in people)
    Position.objects.bulk_create(
        Position(decision=decision, revision=1, person=p, stance="consent") for p in people
    )
    Comment.objects.bulk_create(
        Comment(decision=decision, author=people[i], body=f"Comment {i}", revision=1)
        for i in range(200)
    )
    with django_assert_num_queries(DECISION_PAGE_QUERIES):
        page = selectors.decision_detail(system.vcse, decision.pk)
    assert len(page.current_positions) == 300
    assert len(page.comments) == 200


def test_log_filters_and_searches_the_proposal_text(system, board, decision):
    other = services.decision_propose(
        actor=system.board_member, forum=board, kind="other", title="Rota", proposal="Weekend cover"
    )
    log = selectors.decision_log
    assert list(log(system.vcse, selectors.DecisionFilter(kind="funding"))) == [decision]
    assert list(log(system.vcse, selectors.DecisionFilter(q="weekend"))) == [other]
    assert list(log(system.vcse, selectors.DecisionFilter(q="peer fund"))) == [decision]
    assert list(log(system.clinician_b, selectors.DecisionFilter(mine=True))) == []
    rows = list(selectors.decision_log_rows(log(system.vcse, selectors.DecisionFilter())))
    assert rows[0][:3] == ["id", "title", "forum"]
    assert {r[1] for r in rows[1:]} == {"Peer support", "Rota"}
    assert Decision.objects.count() == 2


def test_awaiting_my_position_follows_revisions(system, decision):
    assert selectors.awaiting_my_position(system.vcse) == [decision]
    services.position_take(actor=system.vcse, decision=decision, stance="consent")
    assert selectors.awaiting_my_position(system.vcse) == []
    services.decision_revise(actor=system.board_member, decision=decision, proposal="Revised")
    assert selectors.awaiting_my_position(system.vcse) == [decision]


def test_whatever_narrows_decisions_narrows_their_parts(system, board, decision):
    """An app that narrows who reads decisions (as care does for a decision about a person)
    narrows their positions, comments, holds and advice with them, without naming them."""
    other = services.decision_propose(
        actor=system.board_member, forum=board, kind="other", title="Rota", proposal="Weekends"
    )
    for each in (decision, other):
        services.comment_add(actor=system.clinician_a, decision=each, body="Yes")

    def decisions_of(model):
        return set(access.scoped(system.vcse, model).values_list("decision", flat=True))

    assert decisions_of(Comment) == {decision.pk, other.pk}

    def not_rota(user, queryset):
        return queryset.exclude(title="Rota")

    with access.narrowings.kept():
        access.narrow(Decision, not_rota)
        assert decisions_of(Comment) == {decision.pk}
        for model in (Position, Comment, Hold, AdviceRequest):
            assert other.pk not in decisions_of(model)
