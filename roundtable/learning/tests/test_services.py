"""Events, learning responses and safety actions: what is recorded, and what is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from roundtable.core.concurrency import ConcurrentEditError
from roundtable.core.errors import NotAllowed
from roundtable.directory.models import LeadershipLevel, LeadershipMembership, LeadershipTeam
from roundtable.learning import services
from roundtable.learning.models import (
    ACTION_STATES,
    ActionEvent,
    ActionStatus,
    EventKind,
    LearningEvent,
    LearningResponse,
    Participant,
    ResponseKind,
    ResponseStatus,
    SafetyAction,
    TookPart,
    WorkSystem,
)
from roundtable.learning.tests.helpers import days_ago, event, in_support, swarm

pytestmark = pytest.mark.django_db


def _messages(error: ValidationError) -> dict[str, list[str]]:
    return {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}


# -- Events -------------------------------------------------------------------------------------


def test_an_event_is_recorded_with_the_minimum_facts(system):
    recorded = services.event_record(
        actor=system.team_leader_a,
        team=system.team_a,
        kind=EventKind.HAPPENED,
        title="  Death of someone on the caseload ",
        what_happened="They died at home. Their coach had seen them on Monday.",
        happened_on=days_ago(0),
        place="At home",
    )
    stored = LearningEvent.objects.get()
    assert stored == recorded
    assert (stored.title, stored.place, stored.recorded_by) == (
        "Death of someone on the caseload",
        "At home",
        system.team_leader_a,
    )
    assert stored.person is None


def test_an_event_names_the_person_of_its_episode(system):
    episode = in_support(system)
    recorded = event(system, episode=episode)
    assert (recorded.person_id, recorded.episode_id) == (episode.person_id, episode.pk)


def test_bad_events_are_refused_all_at_once_and_nothing_is_stored(system):
    with pytest.raises(ValidationError) as refused:
        services.event_record(
            actor=system.team_leader_a,
            team=system.team_a,
            kind=EventKind.NEAR_MISS,
            title="",
            what_happened="x" * 200_000,
            happened_on=timezone.localdate() + timedelta(days=1),
        )
    assert _messages(refused.value) == {
        "title": ["Give the event a short title"],
        "what_happened": ["Keep what happened to 20,000 characters or fewer"],
        "happened_on": ["The date it happened cannot be in the future"],
    }
    with pytest.raises(ValidationError) as refused:
        services.event_record(
            actor=system.team_leader_a,
            team=system.team_a,
            kind=EventKind.NEAR_MISS,
            title="A near miss",
            what_happened="",
            happened_on=None,
        )
    assert _messages(refused.value) == {
        "what_happened": ["Say what happened, in plain words"],
        "happened_on": ["Enter the date it happened"],
    }
    assert not LearningEvent.objects.exists()


def test_only_someone_who_may_see_the_person_names_them(system):
    south_person = in_support(system, "S9").person  # in North CMHT's care
    with pytest.raises(ValidationError) as refused:
        services.event_record(
            actor=system.clinician_b,  # South CMHT: may not see them
            team=system.team_b,
            kind=EventKind.NEAR_MISS,
            title="A near miss",
            what_happened="A letter went to the wrong address.",
            happened_on=days_ago(1),
            person=south_person,
        )
    assert _messages(refused.value) == {"person": ["Choose someone in your team's care"]}
    assert not LearningEvent.objects.exists()


def test_only_the_team_and_its_leaders_record_its_events(system):
    with pytest.raises(NotAllowed):
        event(system, actor=system.clinician_b)  # South CMHT, recording for North
    assert not LearningEvent.objects.exists()


# -- Responses ----------------------------------------------------------------------------------


def test_a_swarm_huddle_learns_from_one_event_of_its_team(system):
    about = event(system)
    response = swarm(system, about)
    assert (response.kind, response.team, response.status) == (
        ResponseKind.SWARM,
        system.team_a,
        ResponseStatus.OPEN,
    )
    assert list(response.events.all()) == [about]
    assert response.held_on == timezone.localdate()


def test_a_response_of_one_kind_covers_one_event(system):
    first, second = event(system), event(system, title="Another")
    with pytest.raises(ValidationError) as refused:
        services.response_start(
            actor=system.team_leader_a,
            kind=ResponseKind.AFTER_ACTION_REVIEW,
            events=[first, second],
        )
    assert _messages(refused.value) == {
        "events": ["Choose the one event this response learns from"]
    }
    with pytest.raises(ValidationError) as refused:
        services.response_start(
            actor=system.team_leader_a,
            kind=ResponseKind.SWARM,
            events=[first],
            held_on=days_ago(5),
        )
    assert _messages(refused.value) == {
        "held_on": ["A response is held on or after the day of what it learns from"]
    }
    assert not LearningResponse.objects.exists()


def _trust_leader(system):
    trust_leadership = LeadershipTeam.objects.create(
        name="Trust leadership",
        level=LeadershipLevel.ORGANISATION,
        organisation=system.trust,
    )
    LeadershipMembership.objects.create(
        leadership_team=trust_leadership, person=system.team_leader_a
    )
    return system.team_leader_a


def test_a_thematic_review_links_events_of_teams_the_leader_leads(system):
    north = event(system)
    south = event(system, team=system.team_b, actor=system.clinician_b)
    # Leading North CMHT alone does not cover South's event, which its leader does not see.
    with pytest.raises(ValidationError) as refused:
        services.response_start(
            actor=system.team_leader_a,
            kind=ResponseKind.THEMATIC_REVIEW,
            events=[north, south],
            team=system.team_a,
        )
    assert _messages(refused.value) == {"events": ["Choose only events you can see"]}
    # A member of North CMHT sees its events but does not lead it.
    with pytest.raises(ValidationError) as refused:
        services.response_start(
            actor=system.clinician_a,
            kind=ResponseKind.THEMATIC_REVIEW,
            events=[north, event(system, title="Another North event")],
            team=system.team_a,
        )
    assert _messages(refused.value) == {"events": ["Choose only events of teams you lead"]}

    leader = _trust_leader(system)  # now leads every team of the trust
    with pytest.raises(ValidationError) as refused:
        services.response_start(
            actor=leader, kind=ResponseKind.THEMATIC_REVIEW, events=[north], team=system.team_a
        )
    assert _messages(refused.value) == {
        "events": ["Choose two or more events for a thematic review"]
    }
    review = services.response_start(
        actor=leader,
        kind=ResponseKind.THEMATIC_REVIEW,
        events=[north, south],
        team=system.team_a,
    )
    assert set(review.events.all()) == {north, south}


def test_a_response_is_written_finished_and_then_kept_as_it_is(system):
    response = swarm(system, event(system))
    with pytest.raises(ValidationError) as refused:
        services.response_finish(
            actor=system.team_leader_a, response=response, expected_version=response.version
        )
    assert _messages(refused.value) == {
        "what_happened": ["Answer “What happened?” before finishing"],
        "what_was_expected": ["Answer “What was expected to happen?” before finishing"],
        "why_different": ["Answer “Why was it different?” before finishing"],
        "what_now": ["Answer “What do we do now?” before finishing"],
    }
    answers = {
        "what_happened": "The call was not made.",
        "what_was_expected": "A call within 72 hours.",
        "why_different": "The list lived in one person's diary.",
        "what_now": "Calls go on the huddle board.",
    }
    response = services.response_update(
        actor=system.clinician_a,
        response=response,
        expected_version=1,
        held_on=response.held_on,
        **answers,
    )
    assert response.version == 2
    stale = LearningResponse.objects.get()
    with pytest.raises(ConcurrentEditError):
        services.response_update(
            actor=system.vcse,
            response=stale,
            expected_version=1,
            held_on=stale.held_on,
            what_now="Something else",
        )
    finished = services.response_finish(
        actor=system.team_leader_a, response=response, expected_version=2
    )
    assert finished.status == ResponseStatus.FINISHED
    with pytest.raises(ValidationError, match="finished"):
        services.statement_add(actor=system.team_leader_a, response=finished, text="More")
    assert LearningResponse.objects.get().what_now == "Calls go on the huddle board."


def test_factors_are_of_the_work_system_and_in_plain_words(system):
    response = swarm(system, event(system))
    factor = services.factor_add(
        actor=system.clinician_a,
        response=response,
        element=WorkSystem.TOOLS,
        note="The follow-up list was on paper.",
    )
    assert factor.get_element_display() == "Tools and technology"
    with pytest.raises(ValidationError) as refused:
        services.factor_add(actor=system.clinician_a, response=response, element="", note="")
    assert _messages(refused.value) == {
        "element": ["Choose the part of the work system"],
        "note": ["Say, in plain words, what made a difference"],
    }


def test_who_took_part_and_compassionate_engagement(system):
    about = event(system, episode=in_support(system))
    response = swarm(system, about)
    coach = services.participant_add(
        actor=system.team_leader_a,
        response=response,
        took_part_as=TookPart.STAFF,
        person=system.lone_coach,
    )
    assert coach.organisation == system.vcse_org
    assert not coach.compassionate_engagement
    sister = services.participant_add(
        actor=system.team_leader_a,
        response=response,
        took_part_as=TookPart.FAMILY,
        described_as="Her sister",
    )
    assert sister.compassionate_engagement
    assert sister.person is None
    with pytest.raises(ValidationError) as refused:
        services.participant_add(
            actor=system.team_leader_a,
            response=response,
            took_part_as=TookPart.STAFF,
            person=system.lone_coach,
        )
    assert _messages(refused.value) == {"person": ["Hana Coach is already recorded as taking part"]}
    with pytest.raises(ValidationError) as refused:
        services.participant_add(
            actor=system.team_leader_a, response=response, took_part_as=TookPart.STAFF
        )
    assert _messages(refused.value) == {"person": ["Choose a colleague, or describe who took part"]}
    assert Participant.objects.count() == 2


def test_the_person_or_family_take_part_only_in_a_response_about_someone(system):
    response = swarm(system, event(system))  # names no one in care
    with pytest.raises(ValidationError) as refused:
        services.participant_add(
            actor=system.team_leader_a,
            response=response,
            took_part_as=TookPart.PERSON_IN_CARE,
            described_as="The person",
        )
    assert _messages(refused.value) == {
        "took_part_as": ["This response is about no one person in care"]
    }


# -- Safety actions -----------------------------------------------------------------------------


def test_an_action_needs_an_owner_and_a_due_date(system):
    response = swarm(system, event(system))
    with pytest.raises(ValidationError) as refused:
        services.action_add(
            actor=system.team_leader_a,
            response=response,
            description="Put follow-up calls on the board",
            owner=None,
            due_on=None,
        )
    assert _messages(refused.value) == {
        "owner": ["Choose who owns the action"],
        "due_on": ["Enter the date it is due"],
    }
    with pytest.raises(ValidationError) as refused:
        services.action_add(
            actor=system.team_leader_a,
            response=response,
            description="",
            owner=system.clinician_a,
            due_on=response.held_on - timedelta(days=1),
        )
    assert _messages(refused.value) == {
        "description": ["Say what the action is"],
        "due_on": ["The due date cannot be before the response was held"],
    }
    assert not SafetyAction.objects.exists()


def test_an_action_is_done_only_with_evidence(system):
    response = swarm(system, event(system))
    action = services.action_add(
        actor=system.team_leader_a,
        response=response,
        description="Put follow-up calls on the board",
        owner=system.clinician_a,
        due_on=timezone.localdate() + timedelta(days=14),
    )
    assert (action.team, action.status) == (system.team_a, ActionStatus.AGREED)
    with pytest.raises(ValidationError) as refused:
        services.action_progress(
            actor=system.clinician_a, action=action, expected_version=1, to_status="done"
        )
    assert _messages(refused.value) == {"evidence": ["Say what shows the action is done"]}
    done = services.action_progress(
        actor=system.clinician_a,
        action=action,
        expected_version=1,
        to_status=ActionStatus.DONE,
        evidence="Calls are a column on the board since 3 March.",
    )
    assert (done.status, done.completed_on, done.version) == (
        ActionStatus.DONE,
        timezone.localdate(),
        2,
    )
    assert list(ActionEvent.objects.values_list("from_status", "to_status")) == [("agreed", "done")]
    with pytest.raises(ValidationError, match="An action that is done cannot become in progress"):
        services.action_progress(
            actor=system.clinician_a,
            action=done,
            expected_version=2,
            to_status=ActionStatus.IN_PROGRESS,
        )
    with pytest.raises(ConcurrentEditError):
        services.action_progress(
            actor=system.clinician_a, action=done, expected_version=1, to_status="in_progress"
        )


def test_the_action_state_table(system):
    # Pinned here, not read from the code: agreed → in progress → done, or agreed → done.
    legal = {("agreed", "in_progress"), ("agreed", "done"), ("in_progress", "done")}
    for now in ActionStatus.values:
        for to in ActionStatus.values:
            assert ACTION_STATES.allows(now, to) == ((now, to) in legal), (now, to)


def test_an_action_is_owned_and_moved_on_by_the_team_and_its_leaders(system):
    response = swarm(system, event(system))
    with pytest.raises(ValidationError) as refused:
        services.action_add(
            actor=system.team_leader_a,
            response=response,
            description="Share the learning with South CMHT",
            owner=system.clinician_b,  # South CMHT: would not see the action
            due_on=timezone.localdate(),
        )
    assert _messages(refused.value) == {
        "owner": ["Choose someone in North CMHT or one of its leaders"]
    }
    action = services.action_add(
        actor=system.team_leader_a,
        response=response,
        description="Share the learning with South CMHT",
        owner=system.vcse,  # a partner in the team
        due_on=timezone.localdate(),
    )
    with pytest.raises(NotAllowed):
        services.action_progress(
            actor=system.south_coach, action=action, expected_version=1, to_status="in_progress"
        )
    moved = services.action_progress(
        actor=system.vcse, action=action, expected_version=1, to_status="in_progress"
    )
    assert moved.status == ActionStatus.IN_PROGRESS


def test_a_response_covers_only_events_its_starter_can_see(system):
    about_someone = event(system, episode=in_support(system))
    plain = event(system, title="Phones down")
    trust_leader = _trust_leader(system)  # North's team leader, now leading the trust too
    # South CMHT's clinician cannot see North's events at all.
    with pytest.raises(ValidationError) as refused:
        services.response_start(actor=system.clinician_b, kind=ResponseKind.SWARM, events=[plain])
    assert _messages(refused.value) == {"events": ["Choose only events you can see"]}
    south = event(system, team=system.team_b, actor=system.clinician_b, title="South near miss")
    review = services.response_start(
        actor=trust_leader,
        kind=ResponseKind.THEMATIC_REVIEW,
        events=[about_someone, south],
        team=system.team_a,
    )
    assert review.events.count() == 2
    assert not LearningResponse.objects.filter(started_by=system.clinician_b).exists()
