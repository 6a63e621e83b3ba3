"""The front door: the offer catalogue, offers as shared decisions, and who may read them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from roundtable.audit.models import AuditEvent
from roundtable.care import selectors, services
from roundtable.care.models import CareDecision, Offer, PathwayEvent, Stage
from roundtable.decisions import selectors as decision_selectors
from roundtable.decisions import services as decision_services
from roundtable.decisions.selectors import DecisionFilter
from roundtable.directory import services as directory_services
from roundtable.directory.models import TeamKind
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def front_door(system):
    return forum_services.forum_create(
        actor=system.team_leader_a,
        name="North front door",
        kind=ForumKind.FRONT_DOOR,
        home_team=system.team_a,
        members=[system.clinician_a, system.team_leader_a, system.vcse],
    )


@pytest.fixture
def peer_support(system) -> Offer:
    return services.offer_create(
        actor=system.team_leader_a,
        name="Peer support at Open Door",
        kind="peer_support",
        organisation=system.vcse_org,
        description="Weekly time with a peer worker who has been there.",
    )


@pytest.fixture
def referral(system):
    person = services.person_in_care_create(actor=system.clinician_a, local_id="FD1", name="D. E.")
    return services.episode_refer(
        actor=system.clinician_a, person=person, team=system.team_a, referral_source="gp"
    )


def test_the_catalogue_refuses_bad_offers(system, peer_support):
    with pytest.raises(ValidationError) as refused:
        services.offer_create(actor=system.team_leader_a, name=" ", kind="x", organisation=None)
    assert set(refused.value.message_dict) == {"name", "kind", "organisation"}
    with pytest.raises(ValidationError, match="already an offer with this name"):
        services.offer_create(
            actor=system.team_leader_a,
            name="peer support at open door",
            kind="peer_support",
            organisation=system.vcse_org,
        )
    assert Offer.objects.count() == 1
    retired = services.offer_update(
        actor=system.team_leader_a,
        offer=peer_support,
        expected_version=peer_support.version,
        name=peer_support.name,
        kind=peer_support.kind,
        organisation=peer_support.organisation,
        description=peer_support.description,
        is_active=False,
    )
    assert selectors.offers() == []
    assert selectors.offers(active_only=False) == [retired]


def test_an_agreed_front_door_offer_is_made(system, front_door, peer_support, referral):
    queue = selectors.front_door_queue(system.clinician_a, front_door)
    assert [(r.episode, r.open_offer) for r in queue] == [(referral, None)]
    decision = services.front_door_offer_propose(
        actor=system.clinician_a, episode=referral, offer=peer_support, forum=front_door
    )
    assert decision.kind == "front_door_offer"
    assert decision.title == "Offer Peer support at Open Door to D. E."
    open_offer = selectors.front_door_queue(system.clinician_a, front_door)[0].open_offer
    assert open_offer is not None
    assert open_offer.decision == decision
    with pytest.raises(ValidationError, match="already open for positions"):
        services.front_door_offer_propose(
            actor=system.clinician_a, episode=referral, offer=peer_support, forum=front_door
        )
    decision_services.position_take(actor=system.team_leader_a, decision=decision, stance="consent")
    decision_services.decision_decide(
        actor=system.clinician_a,
        decision=decision,
        agreed=True,
        outcome="Peer support offered",
        rationale="What D. E. asked for.",
    )
    referral.refresh_from_db()
    assert referral.stage == Stage.OFFER_MADE
    assert referral.offer == peer_support
    assert referral.days_to_offer == 0
    event = PathwayEvent.objects.filter(episode=referral).last()
    assert event is not None
    assert (event.to_stage, event.decision) == ("offer_made", decision)
    assert selectors.front_door_queue(system.clinician_a, front_door) == []


def test_front_door_offers_are_refused_with_clear_messages(
    system, front_door, peer_support, referral, huddle
):
    with pytest.raises(ValidationError, match="Choose an offer"):
        services.front_door_offer_propose(
            actor=system.clinician_a, episode=referral, offer=None, forum=front_door
        )
    with pytest.raises(ValidationError, match="made at a front-door meeting"):
        services.front_door_offer_propose(
            actor=system.clinician_a, episode=referral, offer=peer_support, forum=huddle
        )
    services.episode_move(actor=system.clinician_a, episode=referral, to_stage="declined")
    referral.refresh_from_db()
    with pytest.raises(ValidationError, match="an offer is for a new referral"):
        services.front_door_offer_propose(
            actor=system.clinician_a, episode=referral, offer=peer_support, forum=front_door
        )
    assert CareDecision.objects.count() == 0


def test_a_move_on_decision_is_for_someone_ready(system, referral, huddle):
    with pytest.raises(ValidationError, match="not ready to move on"):
        services.move_on_propose(
            actor=system.clinician_a,
            episode=referral,
            destination="gp",
            forum=huddle,
            proposal="Back to the GP",
        )
    with pytest.raises(ValidationError) as refused:
        services.move_on_propose(
            actor=system.clinician_a,
            episode=referral,
            destination="moon",
            forum=huddle,
            proposal="",
        )
    assert set(refused.value.message_dict) == {"destination", "proposal"}


def test_decisions_about_a_person_are_only_for_those_who_may_see_them(
    system, front_door, peer_support, referral
):
    decision = services.front_door_offer_propose(
        actor=system.clinician_a, episode=referral, offer=peer_support, forum=front_door
    )
    # Team A's clinician (caring team) reads it; team B's does not.
    assert decision_selectors.decision_get(system.clinician_a, decision.pk) == decision
    with pytest.raises(Http404):
        decision_selectors.decision_get(system.clinician_b, decision.pk)
    assert decision not in decision_selectors.decision_log(system.clinician_b, DecisionFilter())
    assert decision in decision_selectors.decision_log(system.clinician_a, DecisionFilter())
    # A VCSE partner outside the team reads it once the person consents to share with their
    # organisation.
    with pytest.raises(Http404):
        decision_selectors.decision_get(system.south_coach, decision.pk)
    services.consent_give(
        actor=system.clinician_a, person=referral.person, organisation=system.vcse_org
    )
    assert decision_selectors.decision_get(system.south_coach, decision.pk) == decision


@pytest.fixture
def access_team(system):
    """A single point of access that an administrator made the front door for North CMHT."""
    team = directory_services.team_create(
        actor=system.administrator,
        name="Single point of access",
        organisation=system.trust,
        kind=TeamKind.FRONT_DOOR,
    )
    directory_services.front_door_set(
        actor=system.administrator, front_door=team, teams=[system.team_a]
    )
    return team


def test_a_front_door_forum_grants_nobody_sight_of_a_referral(system, front_door, referral):
    """Sitting in a front-door meeting, or setting one up, shows nobody a person in care."""
    front_door.memberships.create(person=system.south_coach)
    assert selectors.front_door_queue(system.south_coach, front_door) == []
    with pytest.raises(Http404):
        selectors.person_record(system.south_coach, referral.person_id)
    # A front-door forum of one's own, homed at one's own team, gives nothing either.
    own = forum_services.forum_create(
        actor=system.clinician_b,
        name="My front door",
        kind=ForumKind.FRONT_DOOR,
        home_team=system.team_b,
    )
    assert selectors.front_door_queue(system.clinician_b, own) == []
    with pytest.raises(Http404):
        selectors.person_get(system.clinician_b, referral.person_id)
    # And a forum cannot be homed at a team one is not in.
    with pytest.raises(ValidationError, match="Choose a team you are a member or leader of"):
        forum_services.forum_create(
            actor=system.lived_experience,
            name="Another front door",
            kind=ForumKind.FRONT_DOOR,
            home_team=system.team_a,
        )


def test_the_front_door_team_sees_a_referral_until_the_offer_is_made(
    system, front_door, peer_support, referral, access_team
):
    """Ivo Coach (South CMHT) is not in North CMHT but works in the single point of access, the
    front door for North CMHT: he sees the new referral while it waits for an offer, and no
    longer once the offer is made."""
    front_door.memberships.create(person=system.south_coach)
    assert selectors.front_door_queue(system.south_coach, front_door) == []
    directory_services.membership_add(
        actor=system.administrator, person=system.south_coach, team=access_team
    )
    assert [r.episode for r in selectors.front_door_queue(system.south_coach, front_door)] == [
        referral
    ]
    assert selectors.person_get(system.south_coach, referral.person_id) == referral.person
    decision = services.front_door_offer_propose(
        actor=system.south_coach, episode=referral, offer=peer_support, forum=front_door
    )
    decision_services.position_take(actor=system.clinician_a, decision=decision, stance="consent")
    # Recording the outcome makes the offer, though he is not in the caring team.
    decision_services.decision_decide(
        actor=system.south_coach,
        decision=decision,
        agreed=True,
        outcome="Peer support offered",
        rationale="What D. E. asked for.",
    )
    referral.refresh_from_db()
    assert referral.stage == Stage.OFFER_MADE
    with pytest.raises(Http404):
        selectors.person_record(system.south_coach, referral.person_id)
    # Changes to the person's care stay with the caring team.
    with pytest.raises(ValidationError, match="Only members of North CMHT"):
        services.episode_move(actor=system.south_coach, episode=referral, to_stage="waiting")
    with pytest.raises(ValidationError, match=r"Only the team caring for D\. E\."):
        services.consent_give(
            actor=system.south_coach, person=referral.person, organisation=system.vcse_org
        )


def test_only_a_front_door_team_serves_others_and_setting_it_is_audited(system, access_team):
    with pytest.raises(ValidationError, match="Only a front-door"):
        directory_services.front_door_set(
            actor=system.administrator, front_door=system.team_b, teams=[system.team_a]
        )
    with pytest.raises(ValidationError, match="cannot be a front door for itself"):
        directory_services.front_door_set(
            actor=system.administrator, front_door=access_team, teams=[access_team]
        )
    event = AuditEvent.objects.filter(
        object_type="directory.team", object_id=str(access_team.pk), action="update"
    ).get()
    assert event.actor == system.administrator
    assert event.changes == {"serves": [[], [system.team_a.pk]]}


def test_an_offer_is_made_only_at_the_front_door_for_the_referrals_team(
    system, peer_support, referral
):
    south_front_door = forum_services.forum_create(
        actor=system.clinician_b,
        name="South front door",
        kind=ForumKind.FRONT_DOOR,
        home_team=system.team_b,
        members=[system.clinician_a],
    )
    with pytest.raises(ValidationError, match="does not take referrals for North CMHT"):
        services.front_door_offer_propose(
            actor=system.clinician_a, episode=referral, offer=peer_support, forum=south_front_door
        )
    assert CareDecision.objects.count() == 0
