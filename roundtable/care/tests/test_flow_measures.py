"""Flow measures: time to offer, ready to moved on, returns, caseload per key worker."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from roundtable.care import selectors, services
from roundtable.care.models import Stage
from roundtable.care.tests.conftest import agree_move_on

pytestmark = pytest.mark.django_db

START = datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("Europe/London"))


def journey(system, index, *, offer_after, ready_after=None, moved_on_after=None, forum=None):
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
            decision=agree_move_on(system, forum, episode) if stage == Stage.MOVED_ON else None,
        )
    return person, episode


def test_flow_measures(system, huddle):
    journey(system, 1, offer_after=3)
    journey(system, 2, offer_after=5, ready_after=30, moved_on_after=44, forum=huddle)
    person, _ = journey(system, 3, offer_after=7, ready_after=20, moved_on_after=30, forum=huddle)
    services.episode_refer(
        actor=system.clinician_a,
        person=person,
        team=system.team_a,
        referral_source="gp",
        at=START + timedelta(days=90),
    )
    measures = selectors.flow_measures(team_ids=[system.team_a.pk])
    assert measures.referral_to_offer.histogram == ((3, 1), (5, 1), (7, 1))
    assert measures.referral_to_offer.median == 5
    assert measures.ready_to_moved_on.histogram == ((10, 1), (14, 1))
    assert measures.ready_to_moved_on.median == 12
    assert measures.moved_on == 2
    assert measures.came_back == 1
    assert measures.caseload_by_key_worker == [("Amira Clinician", 2)]
    # Two key workers who share a name each have their own line.
    system.team_leader_a.full_name = "Amira Clinician"
    system.team_leader_a.save(update_fields=["full_name"])
    journey(system, 4, offer_after=2)
    caseloads = selectors.flow_measures(team_ids=[system.team_a.pk]).caseload_by_key_worker
    assert caseloads == [("Amira Clinician", 2), ("Amira Clinician", 1)]
    other_team = selectors.flow_measures(team_ids=[system.team_b.pk])
    assert other_team.referral_to_offer.count == 0
    assert other_team.referral_to_offer.median is None


def test_flow_measures_use_a_fixed_number_of_queries_whatever_the_size(
    system, huddle, django_assert_num_queries
):
    _, episode = journey(system, 0, offer_after=1)
    green = services.zones_ensure(team=system.team_a)[2]
    services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=green)
    with django_assert_num_queries(9):
        selectors.flow_measures()
    for i in range(1, 8):
        journey(system, i, offer_after=i + 1)
    with django_assert_num_queries(9):
        measures = selectors.flow_measures()
    assert measures.referral_to_offer.count == 8


@pytest.mark.parametrize(
    ("histogram", "median"),
    [
        ((), None),
        (((4, 1),), 4),
        (((1, 1), (3, 1)), 2),
        (((1, 2), (9, 1)), 1),
        (((1, 1), (2, 1), (10, 2)), 6),
        (((0, 3), (5, 3)), 2.5),
    ],
)
def test_median_from_a_histogram(histogram, median):
    assert selectors.Durations(histogram).median == median
