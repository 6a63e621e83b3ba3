"""Shared decisions: proposing, positions, revisions, outcomes, holds, funding, meetings."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from roundtable.core.concurrency import ConcurrentEditError
from roundtable.decisions import services
from roundtable.decisions.models import (
    Decision,
    DecisionEvent,
    DecisionStatus,
    Hold,
    Notification,
    NotificationKind,
    Position,
    PositionEvent,
)
from roundtable.decisions.selectors import budget_committed
from roundtable.forums import services as forum_services

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
POUNDS = 100


def propose_funding(system, board, budget, amount=45_000 * POUNDS):
    return services.decision_propose(
        actor=system.board_member,
        forum=board,
        kind="funding",
        title="Peer-support service at Test Mind",
        proposal="Fund a VCSE peer-support service for a year.",
        budget=budget,
        amount_requested_pence=amount,
    )


def test_the_funding_journey_objection_revision_consent_hold(system, board, budget):
    decision = propose_funding(system, board, budget)
    assert decision.status == DecisionStatus.OPEN
    # Members are asked for their position; the proposer is not notified of their own proposal.
    waiting = set(
        Notification.objects.filter(
            decision=decision, kind=NotificationKind.AWAITING_POSITION
        ).values_list("person_id", flat=True)
    )
    assert waiting == {system.lived_experience.pk, system.vcse.pk, system.clinician_a.pk}

    services.position_take(
        actor=system.lived_experience,
        decision=decision,
        stance="objection",
        reason="People with lived experience must help design it.",
    )
    services.position_take(actor=system.vcse, decision=decision, stance="consent")
    with pytest.raises(ValidationError, match="objection on the current proposal"):
        services.decision_decide(
            actor=system.board_member,
            decision=decision,
            agreed=True,
            outcome="Fund it",
            rationale="Need",
        )

    services.decision_revise(
        actor=system.board_member,
        decision=decision,
        proposal="Fund it, co-designed with the lived-experience network.",
        change_note="Integrates the objection: co-design.",
    )
    decision.refresh_from_db()
    assert decision.current_revision == 2
    # Earlier positions are kept, on revision 1.
    assert Position.objects.filter(decision=decision, revision=1).count() == 2
    assert not Position.objects.filter(decision=decision, revision=2).exists()

    for person in (system.lived_experience, system.vcse, system.clinician_a):
        services.position_take(actor=person, decision=decision, stance="consent")
    services.decision_decide(
        actor=system.board_member,
        decision=decision,
        agreed=True,
        outcome="Fund the peer-support service: £45,000 for a year.",
        rationale="Meets the gap in peer support; co-designed.",
    )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.AGREED
    assert decision.amount_agreed_pence == 45_000 * POUNDS
    assert budget.total_pence - budget_committed(budget) == 155_000 * POUNDS

    hold = services.hold_add(
        actor=system.board_member, decision=decision, message="I stand behind this with you."
    )
    assert hold.leadership_team == system.system_leadership
    assert Notification.objects.filter(
        person=system.lived_experience, decision=decision, kind=NotificationKind.HELD
    ).exists()
    statuses = list(
        DecisionEvent.objects.filter(decision=decision).values_list("to_status", flat=True)
    )
    assert statuses == ["draft", "open", "open", "agreed"]


def test_silence_is_never_consent(system, board):
    decision = services.decision_propose(
        actor=system.board_member, forum=board, kind="service_change", title="T", proposal="P"
    )
    with pytest.raises(ValidationError, match="Silence is not consent"):
        services.decision_decide(
            actor=system.board_member, decision=decision, agreed=True, outcome="O", rationale="R"
        )
    # Not agreed can always be recorded, with its rationale.
    services.decision_decide(
        actor=system.board_member,
        decision=decision,
        agreed=False,
        outcome="Not now",
        rationale="Nobody took it up",
    )


def test_concerns_and_objections_need_a_reason_and_positions_keep_history(system, board):
    decision = services.decision_propose(
        actor=system.board_member, forum=board, kind="other", title="T", proposal="P"
    )
    for stance in ("concern", "objection"):
        with pytest.raises(ValidationError, match="Say what your"):
            services.position_take(actor=system.vcse, decision=decision, stance=stance, reason=" ")
    services.position_take(actor=system.vcse, decision=decision, stance="consent")
    services.position_take(actor=system.vcse, decision=decision, stance="concern", reason="Cost")
    services.position_take(actor=system.vcse, decision=decision, stance="concern", reason="Cost")
    current = Position.objects.get(decision=decision, person=system.vcse)
    assert (current.stance, current.reason) == ("concern", "Cost")
    history = list(
        PositionEvent.objects.filter(decision=decision, person=system.vcse).values_list(
            "stance", flat=True
        )
    )
    assert history == ["consent", "concern"]  # the repeat changed nothing


def test_bad_input_changes_nothing(system, board, budget):
    with pytest.raises(ValidationError, match="more than £0"):
        propose_funding(system, board, budget, amount=-5)
    with pytest.raises(ValidationError, match="more than the £200,000 remaining"):
        propose_funding(system, board, budget, amount=250_000 * POUNDS)
    with pytest.raises(ValidationError, match="Only members of System board"):
        services.decision_propose(
            actor=system.clinician_b, forum=board, kind="other", title="T", proposal="P"
        )
    assert not Decision.objects.exists()

    decision = propose_funding(system, board, budget)
    services.position_take(actor=system.vcse, decision=decision, stance="consent")
    services.decision_decide(
        actor=system.board_member, decision=decision, agreed=True, outcome="Yes", rationale="R"
    )
    with pytest.raises(ValidationError, match="positions can no longer be taken"):
        services.position_take(actor=system.clinician_a, decision=decision, stance="consent")
    with pytest.raises(ValidationError, match="can no longer be revised"):
        services.decision_revise(actor=system.board_member, decision=decision, proposal="New")
    assert Position.objects.filter(decision=decision).count() == 1


def test_a_proposal_cannot_take_more_than_remains_when_agreed(system, board, budget):
    first = propose_funding(system, board, budget, amount=150_000 * POUNDS)
    second = propose_funding(system, board, budget, amount=100_000 * POUNDS)
    for decision in (first, second):
        services.position_take(actor=system.vcse, decision=decision, stance="consent")
    services.decision_decide(
        actor=system.board_member, decision=first, agreed=True, outcome="Yes", rationale="R"
    )
    with pytest.raises(ValidationError, match="remaining"):
        services.decision_decide(
            actor=system.board_member, decision=second, agreed=True, outcome="Yes", rationale="R"
        )
    services.decision_decide(
        actor=system.board_member,
        decision=second,
        agreed=True,
        outcome="Part-fund",
        rationale="R",
        amount_agreed_pence=50_000 * POUNDS,
    )
    assert budget_committed(budget) == 200_000 * POUNDS


def test_stale_outcome_is_refused(system, board):
    decision = services.decision_propose(
        actor=system.board_member, forum=board, kind="other", title="T", proposal="P"
    )
    services.position_take(actor=system.vcse, decision=decision, stance="consent")
    stale_version = decision.version
    services.decision_revise(
        actor=system.board_member, decision=Decision.objects.get(pk=decision.pk), proposal="P2"
    )
    with pytest.raises(ConcurrentEditError):
        services.decision_decide(
            actor=system.board_member,
            decision=decision,
            agreed=False,
            outcome="O",
            rationale="R",
            expected_version=stale_version,
        )
    assert Decision.objects.get(pk=decision.pk).status == DecisionStatus.OPEN


def test_only_covering_leaders_hold_and_only_agreed_decisions(system, board):
    decision = services.decision_propose(
        actor=system.board_member, forum=board, kind="other", title="T", proposal="P"
    )
    with pytest.raises(ValidationError, match="Only an agreed decision"):
        services.hold_add(actor=system.board_member, decision=decision, message="")
    services.position_take(actor=system.vcse, decision=decision, stance="consent")
    services.decision_decide(
        actor=system.board_member, decision=decision, agreed=True, outcome="O", rationale="R"
    )
    with pytest.raises(ValidationError, match="leadership team that covers"):
        services.hold_add(actor=system.team_leader_a, decision=decision, message="")
    services.hold_add(actor=system.lived_experience, decision=decision, message="")
    assert Hold.objects.get().message == "I stand behind this with you."
    with pytest.raises(ValidationError, match="already hold"):
        services.hold_add(actor=system.lived_experience, decision=decision, message="Again")


def test_in_a_meeting_only_people_present_can_be_recorded(system, board):
    starts = datetime.combine(timezone.localdate(), time(10, 0), tzinfo=LONDON)
    meeting = forum_services.meeting_create(
        actor=system.board_member,
        forum=board,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    forum_services.attendance_set(
        actor=system.board_member,
        meeting=meeting,
        present=[system.board_member, system.vcse, system.lived_experience],
        apologies=[system.clinician_a],
    )
    decision = services.decision_propose(
        actor=system.board_member,
        forum=board,
        kind="service_change",
        title="T",
        proposal="P",
        meeting=meeting,
    )
    with pytest.raises(ValidationError, match="Amira Clinician was not recorded as present"):
        services.consent_round(
            actor=system.board_member,
            decision=decision,
            meeting=meeting,
            positions={system.vcse: ("consent", ""), system.clinician_a: ("consent", "")},
        )
    assert not Position.objects.exists()
    services.consent_round(
        actor=system.board_member,
        decision=decision,
        meeting=meeting,
        positions={
            system.vcse: ("consent", ""),
            system.lived_experience: ("concern", "Review in 3 months"),
        },
    )
    assert Position.objects.filter(decision=decision, meeting=meeting).count() == 2


def test_advice_process(system, board):
    decision = services.decision_propose(
        actor=system.board_member,
        forum=board,
        kind="other",
        title="T",
        proposal="P",
        method="advice",
    )
    request = services.advice_request(
        actor=system.board_member, decision=decision, adviser=system.lived_experience
    )
    with pytest.raises(ValidationError, match="at least one piece"):
        services.decision_decide(
            actor=system.board_member, decision=decision, agreed=True, outcome="O", rationale="R"
        )
    with pytest.raises(ValidationError, match="Only the person asked"):
        services.advice_give(actor=system.vcse, request=request, advice="x")
    services.advice_give(actor=system.lived_experience, request=request, advice="Go ahead")
    with pytest.raises(ValidationError, match="proposer makes the decision"):
        services.decision_decide(
            actor=system.vcse, decision=decision, agreed=True, outcome="O", rationale="R"
        )
    services.decision_decide(
        actor=system.board_member, decision=decision, agreed=True, outcome="O", rationale="R"
    )


def test_state_machine_refuses_illegal_moves(system, board):
    decision = services.decision_propose(
        actor=system.board_member, forum=board, kind="other", title="T", proposal="P"
    )
    services.decision_withdraw(actor=system.board_member, decision=decision, note="Not needed")
    with pytest.raises(ValidationError, match="withdrawn cannot become reviewed"):
        services.decision_review(actor=system.board_member, decision=decision, note="x")
    with pytest.raises(ValidationError, match="not open for an outcome"):
        services.decision_decide(
            actor=system.board_member, decision=decision, agreed=False, outcome="O", rationale="R"
        )
