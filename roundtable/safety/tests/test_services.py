"""Safety plans, formulations, positive risk-taking and proportionate review."""

from __future__ import annotations

import threading
import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.http import Http404
from django.utils import timezone

from roundtable.care import services as care_services
from roundtable.care.models import Episode, PersonInCare, Stage
from roundtable.core.concurrency import ConcurrentEditError
from roundtable.decisions import services as decision_services
from roundtable.decisions.models import DecisionKind
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind
from roundtable.safety import selectors, services
from roundtable.safety.models import (
    PositiveRiskPlan,
    SafetyFormulationVersion,
    SafetyPlan,
    SafetyPlanVersion,
    SafetyReview,
)

PLAN = {
    "warning_signs": "Not sleeping; stopping seeing friends.",
    "things_i_can_do": "Walk the dog; music.",
    "people_to_ask": "My sister Jo.",
    "professionals": "Key worker; NHS 111 option 2; Samaritans 116 123.",
}


def in_support(system, local_id: str = "S1") -> Episode:
    person = care_services.person_in_care_create(
        actor=system.clinician_a, local_id=local_id, name=f"Person {local_id}"
    )
    episode = care_services.episode_refer(
        actor=system.clinician_a,
        person=person,
        team=system.team_a,
        referral_source="gp",
        key_worker=system.clinician_a,
    )
    for stage in (Stage.OFFER_MADE, Stage.IN_SUPPORT):
        episode = care_services.episode_move(
            actor=system.clinician_a, episode=episode, to_stage=stage
        )
    return episode


@pytest.fixture
def episode(system) -> Episode:
    return in_support(system)


@pytest.mark.django_db
def test_a_plan_is_written_with_the_person_and_every_version_is_kept(system, episode):
    person = episode.person
    plan = services.safety_plan_save(
        actor=system.clinician_a, person=person, values=PLAN, written_with="Dee, with her sister"
    )
    assert (plan.version, plan.written_with) == (1, "Dee, with her sister")
    second = services.safety_plan_save(
        actor=system.vcse,
        person=person,
        values={**PLAN, "what_matters": "My dog, and getting back to work."},
        written_with="Dee",
        review_on=timezone.localdate() + timedelta(days=30),
        expected_version=1,
    )
    assert second.version == 2
    versions = list(SafetyPlanVersion.objects.filter(plan=plan).order_by("number"))
    assert [(v.number, v.written_by, v.what_matters) for v in versions] == [
        (1, system.clinician_a, ""),
        (2, system.vcse, "My dog, and getting back to work."),
    ]
    record = selectors.safety_record(system.clinician_a, person.pk)
    assert record.plan == plan
    assert [v.number for v in record.plan_versions] == [2, 1]
    assert record.last_reviewed_on == timezone.localdate()
    assert len(record.reviews) == 2


@pytest.mark.django_db
def test_a_stale_save_is_refused_and_keeps_both_texts(system, episode):
    person = episode.person
    services.safety_plan_save(
        actor=system.clinician_a, person=person, values=PLAN, written_with="Dee"
    )
    services.safety_plan_save(
        actor=system.clinician_a,
        person=person,
        values={**PLAN, "warning_signs": "First writer's words"},
        written_with="Dee",
        expected_version=1,
    )
    with pytest.raises(ConcurrentEditError) as conflict:
        services.safety_plan_save(
            actor=system.vcse,
            person=person,
            values={**PLAN, "warning_signs": "Second writer's words"},
            written_with="Dee",
            expected_version=1,
        )
    stored = conflict.value.obj
    assert isinstance(stored, SafetyPlan)
    assert stored.warning_signs == "First writer's words"
    assert SafetyPlan.objects.get(person=person).version == 2
    assert SafetyPlanVersion.objects.filter(plan__person=person).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_plan_at_once(system):
    """Both start from version 1 and press save together: one saves version 2, the other is
    refused with the stored plan to compare with; nothing is lost or overwritten."""
    episode = in_support(system, "S-conc")
    person = episode.person
    services.safety_plan_save(
        actor=system.clinician_a, person=person, values=PLAN, written_with="Dee"
    )
    start = threading.Barrier(2)
    saved: list[str] = []
    conflicts: list[ConcurrentEditError] = []
    errors: list[BaseException] = []

    def save(actor_pk: int, words: str) -> None:
        try:
            from roundtable.directory.models import Person

            actor = Person.objects.get(pk=actor_pk)
            fresh = PersonInCare.objects.get(pk=person.pk)
            start.wait(timeout=30)
            services.safety_plan_save(
                actor=actor,
                person=fresh,
                values={**PLAN, "warning_signs": words},
                written_with="Dee",
                expected_version=1,
            )
            saved.append(words)
        except ConcurrentEditError as conflict:
            conflicts.append(conflict)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(system.clinician_a.pk, "Clinician's words")),
        threading.Thread(target=save, args=(system.vcse.pk, "Peer worker's words")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(saved) == 1
    assert len(conflicts) == 1
    plan = SafetyPlan.objects.get(person=person)
    assert plan.version == 2
    assert plan.warning_signs == saved[0]
    versions = SafetyPlanVersion.objects.filter(plan=plan).order_by("number")
    assert [v.warning_signs for v in versions] == [PLAN["warning_signs"], saved[0]]


@pytest.mark.django_db
def test_bad_plans_are_refused_and_nothing_is_stored(system, episode):
    person = episode.person
    with pytest.raises(ValidationError) as refused:
        services.safety_plan_save(
            actor=system.clinician_a,
            person=person,
            values={"warning_signs": "  "},
            written_with="",
            review_on=timezone.localdate() - timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"warning_signs", "written_with", "review_on"}
    assert "at least one step" in refused.value.message_dict["warning_signs"][0]
    # Someone not on the caseload of any of the writer's teams.
    with pytest.raises(ValidationError, match="not on the caseload of any of your teams"):
        services.safety_plan_save(
            actor=system.clinician_b, person=person, values=PLAN, written_with="Dee"
        )
    assert SafetyPlan.objects.count() == 0
    assert SafetyPlanVersion.objects.count() == 0
    assert SafetyReview.objects.count() == 0


@pytest.mark.django_db
def test_the_formulation_is_versioned(system, episode):
    person = episode.person
    with pytest.raises(ValidationError, match="at least one part"):
        services.safety_formulation_save(actor=system.clinician_a, person=person, values={})
    first = services.safety_formulation_save(
        actor=system.clinician_a,
        person=person,
        values={"presenting": "Low mood since losing work.", "protective": "Her dog; her sister."},
    )
    services.safety_formulation_save(
        actor=system.clinician_a,
        person=person,
        values={"presenting": "Mood lifting.", "protective": "Her dog; her sister."},
        expected_version=first.version,
    )
    with pytest.raises(ConcurrentEditError):
        services.safety_formulation_save(
            actor=system.clinician_a, person=person, values={"presenting": "x"}, expected_version=1
        )
    assert list(
        SafetyFormulationVersion.objects.order_by("number").values_list("presenting", flat=True)
    ) == ["Low mood since losing work.", "Mood lifting."]


@pytest.fixture
def mdt(system):
    return forum_services.forum_create(
        actor=system.team_leader_a,
        name="North MDT",
        kind=ForumKind.MDT,
        home_team=system.team_a,
        members=[system.clinician_a, system.team_leader_a, system.vcse],
    )


@pytest.mark.django_db
def test_a_positive_risk_taking_plan_is_shared_and_held(system, episode, mdt):
    review_on = timezone.localdate() + timedelta(days=28)
    with pytest.raises(ValidationError) as refused:
        services.positive_risk_propose(
            actor=system.clinician_a,
            episode=episode,
            forum=mdt,
            wants_to="",
            benefits="",
            possible_harms="",
            safeguards="",
            who_does_what="",
            review_on=timezone.localdate() - timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {
        "wants_to",
        "benefits",
        "possible_harms",
        "safeguards",
        "who_does_what",
        "review_on",
    }
    assert PositiveRiskPlan.objects.count() == 0
    decision = services.positive_risk_propose(
        actor=system.clinician_a,
        episode=episode,
        forum=mdt,
        wants_to="Go walking alone on the moors",
        benefits="Confidence, fitness, her own time",
        possible_harms="Getting lost; a bad day far from help",
        safeguards="Phone charged; tells her sister the route",
        who_does_what="Key worker plans routes with her; peer worker walks the first one",
        review_on=review_on,
    )
    assert decision.kind == DecisionKind.POSITIVE_RISK
    assert decision.review_on == review_on
    decision_services.position_take(actor=system.vcse, decision=decision, stance="consent")
    decision_services.position_take(actor=system.team_leader_a, decision=decision, stance="consent")
    decision_services.decision_decide(
        actor=system.clinician_a,
        decision=decision,
        agreed=True,
        outcome="Agreed, with the safeguards",
        rationale="What matters to her; the harms are planned for.",
    )
    decision_services.hold_add(actor=system.team_leader_a, decision=decision, message="")
    record = selectors.safety_record(system.clinician_a, episode.person_id)
    assert [p.decision for p in record.positive_risk_plans] == [decision]
    assert [h.leader for h in record.holds[decision.pk]] == [system.team_leader_a]
    by_episode = selectors.positive_risk_plans_for(system.clinician_a, [episode.pk])
    assert by_episode[episode.pk][0].hold_count == 1  # type: ignore[attr-defined]
    # Another team's clinician sees neither the person's safety record nor the plan.
    with pytest.raises(Http404):
        selectors.safety_record(system.clinician_b, episode.person_id)
    assert selectors.positive_risk_plans_for(system.clinician_b, [episode.pk]) == {}


@pytest.mark.django_db
def test_the_reviews_due_list_follows_the_zone(system, episode):
    zones = {z.name: z for z in care_services.zones_ensure(team=system.team_a)}
    today = timezone.localdate()
    assert selectors.reviews_due(system.clinician_a, system.team_a) == []  # not zoned yet
    care_services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zones["Green"])
    # Never reviewed: due from the day they were zoned.
    due = selectors.reviews_due(system.clinician_a, system.team_a)
    assert [(d.episode.pk, d.due_on, d.overdue) for d in due] == [(episode.pk, today, False)]
    services.safety_plan_save(
        actor=system.clinician_a, person=episode.person, values=PLAN, written_with="Dee"
    )
    # Reviewed today; green is every 91 days: nothing due this week.
    assert selectors.reviews_due(system.clinician_a, system.team_a) == []
    # Red is weekly: the next review is a week after the last one.
    care_services.episode_zone_set(
        actor=system.clinician_a, episode=episode, zone=zones["Red"], expected_version=None
    )
    due = selectors.reviews_due(system.clinician_a, system.team_a)
    assert [(d.every_days, d.due_on) for d in due] == [(7, today + timedelta(days=7))]
    # Eight days on, it is overdue, and the key worker's list says so too.
    later = today + timedelta(days=8)
    overdue = selectors.reviews_due(
        system.clinician_a, system.team_a, key_worker=system.clinician_a, today=later
    )
    assert [(d.overdue, d.days_overdue) for d in overdue] == [(True, 1)]
    assert (
        selectors.reviews_due(
            system.clinician_a, system.team_a, key_worker=system.team_leader_a, today=later
        )
        == []
    )
    # The team sets red to every three days.
    services.review_frequency_set(actor=system.clinician_a, zone=zones["Red"], every_days=3)
    due = selectors.reviews_due(system.clinician_a, system.team_a)
    assert [d.due_on for d in due] == [today + timedelta(days=3)]


@pytest.mark.django_db
def test_a_review_is_due_from_the_local_day_of_zoning(system, episode):
    zones = {z.name: z for z in care_services.zones_ensure(team=system.team_a)}
    care_services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zones["Green"])
    # Zoned half an hour into a summer day: still the day before in UTC.
    london = zoneinfo.ZoneInfo("Europe/London")
    zoned_at = datetime(2026, 7, 1, 0, 30, tzinfo=london)
    Episode.objects.filter(pk=episode.pk).update(zone_since=zoned_at)
    due = selectors.reviews_due(system.clinician_a, system.team_a, today=date(2026, 7, 1))
    assert [(d.due_on, d.overdue) for d in due] == [(date(2026, 7, 1), False)]
    state = selectors.review_state_of(system.clinician_a, Episode.objects.get(pk=episode.pk))
    assert state is not None
    assert state.due_on == date(2026, 7, 1)


@pytest.mark.django_db
def test_review_frequencies_and_reviews_refuse_bad_input(system, episode):
    zones = care_services.zones_ensure(team=system.team_a)
    with pytest.raises(ValidationError, match="from 1 to 366"):
        services.review_frequency_set(actor=system.clinician_a, zone=zones[0], every_days=0)
    with pytest.raises(ValidationError, match="Only members of North CMHT"):
        services.review_frequency_set(actor=system.clinician_b, zone=zones[0], every_days=5)
    with pytest.raises(ValidationError, match="no safety plan yet"):
        services.safety_review_record(actor=system.clinician_a, person=episode.person)
    services.safety_plan_save(
        actor=system.clinician_a, person=episode.person, values=PLAN, written_with="Dee"
    )
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.safety_review_record(
            actor=system.clinician_a,
            person=episode.person,
            reviewed_on=timezone.localdate() + timedelta(days=1),
        )
    review = services.safety_review_record(
        actor=system.clinician_a, person=episode.person, note="Still fits; nothing to change."
    )
    assert review.plan_version is not None
    assert review.plan_version.number == 1
