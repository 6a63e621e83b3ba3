"""Flow measures: time to offer, ready to moved on, returns, caseload per key worker."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from roundtable.care import selectors, services
from roundtable.care.models import Stage
from roundtable.decisions import services as decision_services
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind

pytestmark = pytest.mark.django_db

START = datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def agreed_move_on(system):
    forum = forum_services.forum_create(
        actor=system.team_leader_a,
        name="North huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        members=[system.clinician_a],
    )
    decision = decision_services.decision_propose(
        actor=system.team_leader_a, forum=forum, kind="move_on", title="Move on", proposal="GP"
    )
    decision_services.position_take(actor=system.clinician_a, decision=decision, stance="consent")
    decision_services.decision_decide(
        actor=system.team_leader_a, decision=decision, agreed=True, outcome="Yes", rationale="R"
    )
    return decision


def journey(system, index, *, offer_after, ready_after=None, moved_on_after=None, decision=None):
    person = services.person_in_care_create(
        actor=system.clinician_a, local_id=f"L{index}", name=f"P{index}"
    )
    at = START + timedelta(days=index)
    episode = services.episode_refer(
        actor=system.clinician_a,
        person=person,
        team=system.team_a,
        referral_source="gp",
        key_worker=system.clinician_a if index % 2 else system.team_leader_a,
        at=at,
    )
    steps = [(Stage.OFFER_MADE, offer_after), (Stage.IN_SUPPORT, offer_after)]
    if ready_after is not None:
        steps.append((Stage.READY_TO_MOVE_ON, ready_after))
    if moved_on_after is not None:
        steps.append((Stage.MOVED_ON, moved_on_after))
    for stage, days in steps:
        episode = services.episode_move(
            actor=system.clinician_a,
            episode=episode,
            to_stage=stage,
            at=at + timedelta(days=days),
            destination="gp" if stage == Stage.MOVED_ON else "",
            decision=decision if stage == Stage.MOVED_ON else None,
        )
    return person, episode


def test_flow_measures(system, agreed_move_on):
    journey(system, 1, offer_after=3)
    journey(system, 2, offer_after=5, ready_after=30, moved_on_after=44, decision=agreed_move_on)
    person, _ = journey(
        system, 3, offer_after=7, ready_after=20, moved_on_after=30, decision=agreed_move_on
    )
    services.episode_refer(
        actor=system.clinician_a,
        person=person,
        team=system.team_a,
        referral_source="gp",
        at=START + timedelta(days=90),
    )
    measures = selectors.flow_measures(team_ids=[system.team_a.pk])
    assert measures.referral_to_offer.days == (3, 5, 7)
    assert measures.referral_to_offer.median == 5
    assert measures.ready_to_moved_on.days == (10, 14)
    assert measures.ready_to_moved_on.median == 12
    assert measures.moved_on == 2
    assert measures.came_back == 1
    assert measures.caseload_by_key_worker == [("Amira Clinician", 2)]
    other_team = selectors.flow_measures(team_ids=[system.team_b.pk])
    assert other_team.referral_to_offer.count == 0
    assert other_team.referral_to_offer.median is None


def test_flow_measures_use_two_queries_whatever_the_size(
    system, agreed_move_on, django_assert_num_queries
):
    journey(system, 0, offer_after=1)
    with django_assert_num_queries(2):
        selectors.flow_measures()
    for i in range(1, 8):
        journey(system, i, offer_after=i + 1)
    with django_assert_num_queries(2):
        measures = selectors.flow_measures()
    assert measures.referral_to_offer.count == 8
