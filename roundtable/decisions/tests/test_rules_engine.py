"""The rules of each decision method, representation, and participatory allocation."""

from __future__ import annotations

import pytest

from roundtable.decisions.rules_engine import (
    Bid,
    Participant,
    Tally,
    allocate,
    may_agree,
    representation,
)


def tally(**counts: int) -> Tally:
    return Tally(**counts)


@pytest.mark.parametrize(
    ("counts", "can_agree", "reason"),
    [
        ({}, False, "Silence is not consent"),
        ({"consent": 3, "objection": 1}, False, "an objection"),
        ({"consent": 3, "objection": 2}, False, "2 objections"),
        ({"abstain": 4}, False, "Silence is not consent"),
        ({"stand_aside": 2}, False, "Silence is not consent"),
        ({"consent": 1}, True, ""),
        ({"concern": 1, "stand_aside": 3, "abstain": 1}, True, ""),
    ],
)
def test_consent(counts, can_agree, reason):
    verdict = may_agree("consent", tally(**counts))
    assert verdict.can_agree is can_agree
    assert reason in verdict.reason


@pytest.mark.parametrize(
    ("counts", "can_agree"),
    [
        ({"consent": 5}, True),
        ({"consent": 3, "concern": 1}, True),
        ({"consent": 5, "stand_aside": 1}, False),
        ({"consent": 5, "objection": 1}, False),
        ({"consent": 1}, False),
        ({"consent": 2, "abstain": 1}, True),
    ],
)
def test_consensus(counts, can_agree):
    assert may_agree("consensus", tally(**counts)).can_agree is can_agree


def test_advice_process_needs_advice_given():
    assert not may_agree("advice", tally()).can_agree
    assert "Seek advice" in may_agree("advice", tally()).reason
    assert may_agree("advice", tally(), advice_given=1).can_agree
    # Objections are advice to weigh, not a veto, in the advice process.
    assert may_agree("advice", tally(objection=3), advice_given=2).can_agree


@pytest.mark.parametrize(
    ("counts", "threshold", "quorum", "can_agree"),
    [
        ({"consent": 3, "objection": 2}, 50, 5, True),  # 60% > 50%
        ({"consent": 2, "objection": 2}, 50, 4, False),  # 50% is not more than 50%
        ({"consent": 3, "objection": 2}, 60, 5, False),  # 60% is not more than 60%
        ({"consent": 3}, 50, 5, False),  # quorum not reached
        ({"consent": 3, "abstain": 2}, 50, 5, True),  # abstentions count to the quorum
        ({"abstain": 5}, 50, 5, False),  # nobody voted yes or no
        ({"concern": 2, "objection": 1}, 66, 3, True),  # 66.7% > 66%
    ],
)
def test_vote(counts, threshold, quorum, can_agree):
    verdict = may_agree(
        "vote", tally(**counts), vote_threshold_percent=threshold, vote_quorum=quorum
    )
    assert verdict.can_agree is can_agree


def test_unknown_method_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown decision method"):
        may_agree("coin toss", tally())


def p(slug: str | None, kind: str | None) -> Participant:
    return Participant(discipline_slug=slug, discipline_name=slug, organisation_kind=kind)


def test_representation_flags_each_missing_voice():
    result = representation(
        [p("nursing", "nhs_trust"), p("nursing", "nhs_trust")],
        min_disciplines=2,
        required_organisation_kinds=["vcse", "nhs_trust"],
        lived_experience_required=True,
    )
    assert not result.met
    assert result.missing == (
        "at least 2 disciplines (only 1 took part)",
        "someone from a VCSE organisation",
        "a lived-experience voice",
    )


def test_representation_met_and_lived_experience_from_discipline_or_organisation():
    by_discipline = representation(
        [p("nursing", "nhs_trust"), p("lived-experience", None), p("vcse-practitioner", "vcse")],
        min_disciplines=2,
        required_organisation_kinds=["vcse"],
        lived_experience_required=True,
    )
    assert by_discipline.met
    by_organisation = representation(
        [p("peer-support", "lived_experience")],
        min_disciplines=0,
        required_organisation_kinds=[],
        lived_experience_required=True,
    )
    assert by_organisation.lived_experience


def test_allocation_is_greedy_by_approvals_and_fits_the_budget():
    bids = [
        Bid(key=1, amount_pence=100, approvals=5, submitted_order=1),
        Bid(key=2, amount_pence=80, approvals=4, submitted_order=2),
        Bid(key=3, amount_pence=30, approvals=3, submitted_order=3),
    ]
    # 1 is funded (100 of 150); 2 does not fit in the 50 left and is skipped; 3 fits.
    assert allocate(bids, 150) == [1, 3]


def test_allocation_ties_go_to_the_smaller_amount_then_the_earlier_submission():
    bids = [
        Bid(key=1, amount_pence=60, approvals=4, submitted_order=1),
        Bid(key=2, amount_pence=50, approvals=4, submitted_order=2),
        Bid(key=3, amount_pence=50, approvals=4, submitted_order=0),
    ]
    assert allocate(bids, 100) == [3, 2]


def test_allocation_never_funds_proposals_nobody_approved_and_never_exceeds():
    bids = [
        Bid(key=1, amount_pence=10, approvals=0, submitted_order=1),
        Bid(key=2, amount_pence=200, approvals=9, submitted_order=2),
    ]
    assert allocate(bids, 100) == []
    assert allocate([], 100) == []
