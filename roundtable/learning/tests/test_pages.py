"""The learning pages: the start page and the home page's section, events (the list, recording
one, its page), thematic reviews, a learning response and what it records, finishing it, and
safety actions. Who may not see the person an event is about finds neither it nor what learns
from it, in pages, lists or counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.directory.models import LeadershipTeam
from roundtable.learning import services
from roundtable.learning.models import (
    ActionStatus,
    ContributoryFactor,
    EventKind,
    LearningEvent,
    LearningResponse,
    LearningStatement,
    Participant,
    ResponseKind,
    ResponseStatus,
    SafetyAction,
    TookPart,
    WorkSystem,
)
from roundtable.learning.tests.helpers import days_ago, event, swarm, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def about_dee(system, episode):
    """A near miss in North CMHT about Dee, whom North CMHT cares for."""
    return event(system, episode=episode, title="Missed follow-up call to Dee")


def overdue(system, response, description="Call within 72 hours of discharge", days=3):
    """A safety action agreed today, then found `days` past its due date."""
    action = services.action_add(
        actor=system.team_leader_a,
        response=response,
        description=description,
        owner=system.clinician_a,
        due_on=timezone.localdate(),
    )
    SafetyAction.objects.filter(pk=action.pk).update(due_on=days_ago(days))
    action.refresh_from_db()
    return action


def stored() -> tuple[int, ...]:
    return (
        LearningEvent.objects.count(),
        LearningResponse.objects.count(),
        ContributoryFactor.objects.count(),
        Participant.objects.count(),
        LearningStatement.objects.count(),
        SafetyAction.objects.count(),
    )


def answered(response, **answers: str) -> LearningResponse:
    return services.response_update(
        actor=response.started_by,
        response=response,
        expected_version=response.version,
        held_on=response.held_on,
        **answers,
    )


SWARM_ANSWERS = {
    "what_happened": "The call after discharge was not made.",
    "what_was_expected": "A call within 72 hours.",
    "why_different": "Discharges on Fridays are not on Monday's list.",
    "what_now": "Add Friday discharges to Monday's huddle.",
}


# -- Learning, not blame: the start page and the home page ----------------------------------------


def test_the_start_page_shows_the_newest_events_responses_and_overdue_actions(
    system, client_for, about_dee
):
    response = swarm(system, about_dee)
    overdue(system, response)
    page = client_for(system.clinician_a).get("/learning/")
    assert page.status_code == 200
    said = text(page)
    assert "Learning, not blame" in said
    assert "Record an event" in said
    assert "Missed follow-up call to Dee" in said
    assert f"SWARM huddle held on {timezone.localdate().day}" in said
    assert "Overdue safety actions" in said
    assert "Call within 72 hours of discharge" in said
    assert "3 days overdue" in said
    # Amira leads no team: a thematic review is not hers to start.
    assert "Start a thematic review" not in said


def test_a_leader_of_two_or_more_events_may_start_a_thematic_review(system, client_for):
    client = client_for(system.team_leader_a)
    event(system, title="Phones down for a morning")
    assert "Start a thematic review" not in text(client.get("/learning/"))
    event(system, title="Phones down again")
    assert "Start a thematic review" in text(client.get("/learning/"))


def test_the_start_page_says_when_there_is_nothing_yet(system, client_for):
    said = text(client_for(system.clinician_a).get("/learning/"))
    assert "No safety action in your teams is overdue." in said
    assert "No events recorded in your teams yet." in said
    assert "No learning responses in your teams yet." in said


def test_the_home_page_counts_the_teams_overdue_actions_or_says_nothing(
    system, client_for, about_dee
):
    client = client_for(system.clinician_a)
    assert "Overdue safety actions" not in text(client.get("/"))
    response = swarm(system, about_dee)
    overdue(system, response)
    overdue(system, response, description="Put Friday discharges on the list", days=1)
    said = text(client.get("/"))
    assert "Overdue safety actions" in said
    assert "2 safety actions in your teams are past their due date, 2 of them yours." in said
    assert "Put Friday discharges on the list" in said
    assert "1 day overdue" in said


# -- Events ---------------------------------------------------------------------------------------


def test_overdue_actions_are_on_the_team_and_leadership_team_pages(
    system, client_for, trust_leader
):
    plain = event(system, title="Phones down all morning")  # about no one in care
    overdue(system, swarm(system, plain), description="Test the backup phones monthly")
    team_page = reverse("directory:team", args=[system.team_a.pk])
    leadership_page = reverse("directory:leadership-team", args=[system.team_a_leadership.pk])
    trust = LeadershipTeam.objects.get(name="Trust leadership")
    trust_page = reverse("directory:leadership-team", args=[trust.pk])
    for reader, path in (
        (system.clinician_a, team_page),
        (system.team_leader_a, leadership_page),
        (trust_leader, trust_page),  # leads every team of the trust
    ):
        said = text(client_for(reader).get(path))
        assert "Overdue safety actions" in said, (reader, path)
        assert "Test the backup phones monthly" in said
        assert "3 days overdue" in said
    # Another team's member reads North CMHT's page: no panel.
    said = text(client_for(system.clinician_b).get(team_page))
    assert "Overdue safety actions" not in said
    assert "backup phones" not in said


def test_an_overdue_action_about_someone_is_only_shown_to_who_may_see_them(
    system, client_for, trust_leader, about_dee
):
    overdue(system, swarm(system, about_dee), description="Call Dee's GP")
    trust = LeadershipTeam.objects.get(name="Trust leadership")
    trust_page = reverse("directory:leadership-team", args=[trust.pk])
    team_page = reverse("directory:team", args=[system.team_a.pk])
    assert "Call Dee's GP" in text(client_for(system.clinician_a).get(team_page))
    said = text(client_for(trust_leader).get(trust_page))
    assert "Overdue safety actions" not in said
    assert "Dee" not in said


def test_the_events_list_shows_the_teams_events_and_filters_by_team(
    system, client_for, about_dee, trust_leader
):
    event(system, team=system.team_b, actor=system.clinician_b, title="South near miss")
    # Ben is in South CMHT alone: he sees South's event, not North's.
    page = client_for(system.clinician_b).get("/learning/events/")
    assert page.status_code == 200
    said = text(page)
    assert "South near miss" in said
    assert "Missed follow-up call" not in said
    assert "1 event" in said
    # The trust's leader sees both teams' events, filtered by one.
    client = client_for(trust_leader)
    said = text(client.get("/learning/events/"))
    assert "South near miss" in said
    said = text(client.get(f"/learning/events/?team={system.team_b.pk}"))
    assert "Events: South CMHT" in said
    assert "South near miss" in said
    # A team that is not one of theirs, or not a team, shows all of theirs.
    assert "South near miss" in text(client.get("/learning/events/?team=nonsense"))


def test_the_events_list_is_paginated(system, client_for, settings):
    settings.PAGE_SIZE = 2
    for number in range(3):
        event(system, title=f"Event number {number}")
    client = client_for(system.clinician_a)
    said = text(client.get("/learning/events/"))
    assert "Showing 1 to 2 of 3 events" in said
    assert "Event number 0" not in said  # the oldest, on the second page
    assert "Event number 0" in text(client.get("/learning/events/?page=2"))


def test_an_event_is_recorded_about_someone_in_the_teams_care(system, client_for, episode):
    client = client_for(system.clinician_a)
    form = client.get("/learning/events/new/")
    assert form.status_code == 200
    assert "Dee Example (S1)" in text(form)  # someone North CMHT cares for, to choose
    # Offering the names is showing them: the read is in the audit trail.
    assert AuditEvent.objects.filter(
        actor=system.clinician_a, action=AuditAction.READ, shown=[episode.person_id]
    ).exists()
    page = client.post(
        "/learning/events/new/",
        {
            "team": system.team_a.pk,
            "kind": EventKind.HAPPENED,
            "title": "Medication not collected",
            "what_happened": "The prescription was not collected from the pharmacy.",
            "happened_on": days_ago(1).isoformat(),
            "place": "Pharmacy",
            "person": episode.person_id,
        },
    )
    recorded = LearningEvent.objects.get()
    assert page.status_code == 302
    assert page["Location"] == f"/learning/events/{recorded.pk}/"
    assert (recorded.title, recorded.person, recorded.recorded_by, recorded.place) == (
        "Medication not collected",
        episode.person,
        system.clinician_a,
        "Pharmacy",
    )


def test_an_event_too_long_or_incomplete_is_refused_and_nothing_stored(system, client_for):
    client = client_for(system.clinician_a)
    page = client.post(
        "/learning/events/new/",
        {
            "team": system.team_a.pk,
            "kind": EventKind.NEAR_MISS,
            "title": "",
            "what_happened": "x" * 200_000,
            "happened_on": "",
        },
    )
    assert page.status_code == 400
    said = text(page)
    assert "There is a problem" in said
    assert "Keep what happened to 20,000 characters or fewer" in said
    assert "Give the event a short title" in said
    assert "Enter the date it happened" in said
    assert stored() == (0, 0, 0, 0, 0, 0)


def test_an_event_in_the_future_is_refused_on_its_date(system, client_for):
    page = client_for(system.clinician_a).post(
        "/learning/events/new/",
        {
            "team": system.team_a.pk,
            "kind": EventKind.NEAR_MISS,
            "title": "Not yet",
            "what_happened": "Something",
            "happened_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
        },
    )
    assert page.status_code == 400
    assert "The date it happened cannot be in the future" in text(page)
    assert LearningEvent.objects.count() == 0


def test_the_event_page_shows_the_facts_and_starts_a_learning_response(
    system, client_for, about_dee
):
    client = client_for(system.clinician_a)
    page = client.get(f"/learning/events/{about_dee.pk}/")
    assert page.status_code == 200
    said = text(page)
    assert "Missed follow-up call to Dee" in said
    assert "What happened The follow-up call after discharge was not made." in said
    assert "Person in care Dee Example" in said
    assert "No learning response to this event yet." in said
    assert "Start a learning response" in said

    started = client.post(
        f"/learning/events/{about_dee.pk}/",
        {"kind": ResponseKind.AFTER_ACTION_REVIEW, "held_on": timezone.localdate().isoformat()},
    )
    response = LearningResponse.objects.get()
    assert started.status_code == 302
    assert started["Location"] == f"/learning/responses/{response.pk}/"
    assert (response.kind, response.team, list(response.events.all())) == (
        ResponseKind.AFTER_ACTION_REVIEW,
        system.team_a,
        [about_dee],
    )
    assert "After Action Review held on" in text(client.get(f"/learning/events/{about_dee.pk}/"))


def test_a_response_is_not_held_before_what_it_learns_from(system, client_for, about_dee):
    page = client_for(system.clinician_a).post(
        f"/learning/events/{about_dee.pk}/",
        {"kind": ResponseKind.SWARM, "held_on": days_ago(10).isoformat()},
    )
    assert page.status_code == 400
    assert "A response is held on or after the day of what it learns from" in text(page)
    assert LearningResponse.objects.count() == 0


# -- Need to know ---------------------------------------------------------------------------------


def test_who_may_not_see_the_person_finds_nothing_of_the_event(
    system, client_for, about_dee, trust_leader
):
    plain = event(system, title="Phones down for a morning")
    response = swarm(system, about_dee)
    action = overdue(system, response)
    client = client_for(trust_leader)
    # Jo leads North CMHT, and sees its event about no one...
    assert client.get(f"/learning/events/{plain.pk}/").status_code == 200
    # ...but not the event about Dee, nor what learns from it.
    for path in (
        f"/learning/events/{about_dee.pk}/",
        f"/learning/responses/{response.pk}/",
        f"/learning/responses/{response.pk}/finish/",
        f"/learning/actions/{action.pk}/",
    ):
        assert client.get(path).status_code == 404, path
    before = stored()
    assert client.post(f"/learning/responses/{response.pk}/statements/", {}).status_code == 404
    assert stored() == before
    events = text(client.get("/learning/events/"))
    assert "Missed follow-up call" not in events
    assert "1 event" in events
    assert "No learning responses in your teams yet." in text(client.get("/learning/responses/"))
    start = text(client.get("/learning/"))
    assert "Missed follow-up call" not in start
    assert "No safety action in your teams is overdue." in start
    assert "SWARM huddle" not in start
    assert "Overdue safety actions" not in text(client.get("/"))


def test_nobody_outside_the_team_finds_its_events(system, client_for, about_dee):
    client = client_for(system.clinician_b)
    assert client.get(f"/learning/events/{about_dee.pk}/").status_code == 404
    page = client.post(
        f"/learning/events/{about_dee.pk}/",
        {"kind": ResponseKind.SWARM, "held_on": timezone.localdate().isoformat()},
    )
    assert page.status_code == 404
    assert LearningResponse.objects.count() == 0


# -- Thematic reviews -----------------------------------------------------------------------------


def test_a_leader_starts_a_thematic_review_across_events(system, client_for):
    first = event(system, title="Phones down for a morning")
    second = event(system, title="Phones down again", happened_on=days_ago(1))
    client = client_for(system.team_leader_a)
    form = client.get("/learning/thematic/new/")
    assert form.status_code == 200
    assert "Phones down again (North CMHT" in text(form)

    one = client.post(
        "/learning/thematic/new/",
        {"events": [first.pk], "team": system.team_a.pk, "held_on": days_ago(0).isoformat()},
    )
    assert one.status_code == 400
    assert "Choose two or more events for a thematic review" in text(one)
    assert LearningResponse.objects.count() == 0

    started = client.post(
        "/learning/thematic/new/",
        {
            "events": [first.pk, second.pk],
            "team": system.team_a.pk,
            "held_on": days_ago(0).isoformat(),
        },
    )
    review = LearningResponse.objects.get()
    assert started.status_code == 302
    assert (review.kind, set(review.events.all())) == (
        ResponseKind.THEMATIC_REVIEW,
        {first, second},
    )
    said = text(client.get(f"/learning/responses/{review.pk}/"))
    assert "What do these events have in common?" in said


def test_a_thematic_review_needs_two_events_the_reader_leads(system, client_for):
    event(system, title="Phones down for a morning")
    said = text(client_for(system.clinician_a).get("/learning/thematic/new/"))
    assert "There are not yet two such events that you can see." in said
    assert "Start the thematic review" not in said


# -- A learning response --------------------------------------------------------------------------


def test_the_response_page_shows_its_events_questions_and_records(system, client_for, about_dee):
    response = swarm(system, about_dee)
    services.factor_add(
        actor=system.clinician_a,
        response=response,
        element=WorkSystem.TASKS,
        note="Friday discharges are not on Monday's list.",
    )
    services.participant_add(
        actor=system.clinician_a,
        response=response,
        took_part_as=TookPart.STAFF,
        person=system.vcse,
    )
    services.participant_add(
        actor=system.clinician_a,
        response=response,
        took_part_as=TookPart.FAMILY,
        described_as="her sister",
    )
    statement = services.statement_add(
        actor=system.clinician_a,
        response=response,
        text="Handovers need the week's discharges.",
    )
    services.action_add(
        actor=system.clinician_a,
        response=response,
        description="Add discharges to the huddle",
        owner=system.team_leader_a,
        due_on=timezone.localdate() + timedelta(days=14),
        statement=statement,
    )
    page = client_for(system.clinician_a).get(f"/learning/responses/{response.pk}/")
    assert page.status_code == 200
    said = text(page)
    assert "Missed follow-up call to Dee" in said
    for question in (
        "What happened?",
        "What was expected to happen?",
        "Why was it different?",
        "What do we do now?",
    ):
        assert question in said
    assert "What we learn?" not in said  # an After Action Review's question, not a SWARM's
    assert "Tasks Friday discharges are not on Monday's list." in said
    assert "Chloe Practitioner" in said
    assert "staff, Test Mind" in said
    assert "Compassionate engagement" in said
    assert "Family or carer: her sister" in said
    assert "Handovers need the week's discharges." in said
    assert "Add discharges to the huddle Agreed" in said
    assert "Owned by Gita Leader; due by" in said
    assert "Finish this response" in said


def test_the_answers_are_saved(system, client_for, about_dee):
    response = swarm(system, about_dee)
    page = client_for(system.clinician_a).post(
        f"/learning/responses/{response.pk}/",
        {**SWARM_ANSWERS, "held_on": response.held_on.isoformat(), "version": response.version},
    )
    assert page.status_code == 302
    response.refresh_from_db()
    assert response.why_different == "Discharges on Fridays are not on Monday's list."
    assert response.version == 2


def test_a_stale_edit_shows_both_versions_and_keeps_the_saved_one(system, client_for, about_dee):
    response = swarm(system, about_dee)
    opened_on = response.version
    answered(response, what_happened="Saved first by Gita.")
    page = client_for(system.clinician_a).post(
        f"/learning/responses/{response.pk}/",
        {
            **SWARM_ANSWERS,
            "what_happened": "Written by Amira at the same time.",
            "held_on": response.held_on.isoformat(),
            "version": opened_on,
        },
    )
    assert page.status_code == 409
    said = text(page)
    assert "Someone else saved the answers" in said
    assert "Saved first by Gita." in said
    assert "Written by Amira at the same time." in said
    assert "Your version" in said
    stored_now = LearningResponse.objects.get()
    assert (stored_now.what_happened, stored_now.version) == ("Saved first by Gita.", 2)
    # Saving again is a choice made knowingly: the form now carries the saved version.
    assert 'name="version" value="2"' in page.content.decode()


def test_factors_are_added_and_removed_after_asking(system, client_for, about_dee):
    response = swarm(system, about_dee)
    client = client_for(system.clinician_a)
    refused = client.post(f"/learning/responses/{response.pk}/factors/", {"factor-note": ""})
    assert refused.status_code == 400
    assert "Choose the part of the work system" in text(refused)
    assert "Say, in plain words, what made a difference" in text(refused)
    added = client.post(
        f"/learning/responses/{response.pk}/factors/",
        {"factor-element": WorkSystem.TOOLS, "factor-note": "The list printed without Fridays."},
    )
    assert added.status_code == 302
    factor = ContributoryFactor.objects.get()
    assert (factor.element, factor.added_by) == (WorkSystem.TOOLS, system.clinician_a)

    path = f"/learning/responses/{response.pk}/factors/{factor.pk}/remove/"
    asked = client.get(path)
    assert asked.status_code == 200
    assert "Remove this factor?" in text(asked)
    assert ContributoryFactor.objects.count() == 1
    assert client.post(path).status_code == 302
    assert ContributoryFactor.objects.count() == 0


def test_who_took_part_is_added_by_email_or_described_and_removed(system, client_for, about_dee):
    response = swarm(system, about_dee)
    client = client_for(system.clinician_a)
    path = f"/learning/responses/{response.pk}/participants/"
    unknown = client.post(
        path, {"participant-took_part_as": TookPart.STAFF, "participant-email": "no@one.uk"}
    )
    assert unknown.status_code == 400
    assert "Nobody in Roundtable has this e-mail address" in text(unknown)
    nobody = client.post(path, {"participant-took_part_as": TookPart.STAFF})
    assert nobody.status_code == 400
    assert "Choose a colleague, or describe who took part" in text(nobody)
    assert Participant.objects.count() == 0

    assert (
        client.post(
            path,
            {"participant-took_part_as": TookPart.STAFF, "participant-email": system.vcse.email},
        ).status_code
        == 302
    )
    assert (
        client.post(
            path,
            {
                "participant-took_part_as": TookPart.PERSON_IN_CARE,
                "participant-described_as": "Dee",
            },
        ).status_code
        == 302
    )
    said = text(client.get(f"/learning/responses/{response.pk}/"))
    assert "Chloe Practitioner" in said
    assert "staff, Test Mind" in said
    assert "Compassionate engagement" in said
    assert "The person: Dee" in said

    chloe = Participant.objects.get(person=system.vcse)
    remove = f"/learning/responses/{response.pk}/participants/{chloe.pk}/remove/"
    assert "Remove Chloe Practitioner?" in text(client.get(remove))
    assert client.post(remove).status_code == 302
    assert list(Participant.objects.values_list("described_as", flat=True)) == ["Dee"]


def test_what_was_learned_is_added(system, client_for, about_dee):
    response = swarm(system, about_dee)
    client = client_for(system.clinician_a)
    path = f"/learning/responses/{response.pk}/statements/"
    empty = client.post(path, {"statement-text": "  "})
    assert empty.status_code == 400
    assert "Write what was learned" in text(empty)
    assert client.post(path, {"statement-text": "Fridays need a plan."}).status_code == 302
    assert LearningStatement.objects.get().text == "Fridays need a plan."


def test_an_action_without_owner_or_due_date_is_refused_and_nothing_stored(
    system, client_for, about_dee
):
    response = swarm(system, about_dee)
    client = client_for(system.clinician_a)
    path = f"/learning/responses/{response.pk}/actions/"
    page = client.post(path, {"action-description": "Add Fridays to the list"})
    assert page.status_code == 400
    said = text(page)
    assert "Choose who owns the action" in said
    assert "Enter the date it is due" in said
    assert SafetyAction.objects.count() == 0

    due = timezone.localdate() + timedelta(days=7)
    agreed = client.post(
        path,
        {
            "action-description": "Add Fridays to the list",
            "action-owner": system.clinician_a.pk,
            "action-due_on": due.isoformat(),
        },
    )
    assert agreed.status_code == 302
    action = SafetyAction.objects.get()
    assert (action.owner, action.due_on, action.status) == (
        system.clinician_a,
        due,
        ActionStatus.AGREED,
    )


def test_an_action_is_owned_by_a_member_of_the_team(system, client_for, about_dee):
    response = swarm(system, about_dee)
    page = client_for(system.clinician_a).post(
        f"/learning/responses/{response.pk}/actions/",
        {
            "action-description": "Add Fridays to the list",
            "action-owner": system.clinician_b.pk,  # South CMHT's
            "action-due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
    )
    assert page.status_code == 400
    assert "Choose a member of the team" in text(page)
    assert SafetyAction.objects.count() == 0


def test_finishing_asks_first_and_is_refused_naming_the_unanswered_questions(
    system, client_for, about_dee
):
    response = swarm(system, about_dee)
    answered(response, what_happened="The call was not made.", what_was_expected="A call.")
    client = client_for(system.clinician_a)
    path = f"/learning/responses/{response.pk}/finish/"
    asked = client.get(path)
    assert asked.status_code == 200
    said = text(asked)
    assert "Finish this response?" in said
    assert "Not answered yet: Why was it different? What do we do now?" in said

    refused = client.post(path)
    assert refused.status_code == 400
    said = text(refused)
    assert "There is a problem" in said
    assert "Answer “Why was it different?” before finishing" in said
    assert "Answer “What do we do now?” before finishing" in said
    assert "Answer “What happened?”" not in said
    assert LearningResponse.objects.get().status == ResponseStatus.OPEN


def test_a_finished_response_is_read_only_but_for_its_actions(system, client_for, about_dee):
    response = swarm(system, about_dee)
    answered(response, **SWARM_ANSWERS)
    client = client_for(system.clinician_a)
    assert client.post(f"/learning/responses/{response.pk}/finish/").status_code == 302
    response.refresh_from_db()
    assert response.status == ResponseStatus.FINISHED

    page = client.get(f"/learning/responses/{response.pk}/")
    said = text(page)
    assert "Why was it different? Discharges on Fridays are not on Monday's list." in said
    assert "Save the answers" not in said
    assert "Add a factor" not in said
    assert "Add who took part" not in said
    assert "Add what was learned" not in said
    assert "Finish this response" not in said
    assert "Agree a safety action" in said

    before = stored()
    for path, data in (
        ("", {**SWARM_ANSWERS, "held_on": response.held_on.isoformat(), "version": 3}),
        ("factors/", {"factor-element": WorkSystem.TASKS, "factor-note": "Late"}),
        ("statements/", {"statement-text": "Late learning"}),
    ):
        refused = client.post(f"/learning/responses/{response.pk}/{path}", data)
        assert refused.status_code == 400, path
        assert "This response is finished: its record no longer changes." in text(refused)
    assert stored() == before
    agreed = client.post(
        f"/learning/responses/{response.pk}/actions/",
        {
            "action-description": "Audit the list in a month",
            "action-owner": system.team_leader_a.pk,
            "action-due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    )
    assert agreed.status_code == 302
    assert SafetyAction.objects.count() == 1


# -- Safety actions -------------------------------------------------------------------------------


def test_an_action_is_changed_and_moved_on_until_done_with_evidence(system, client_for, about_dee):
    action = overdue(system, swarm(system, about_dee))
    client = client_for(system.clinician_a)
    path = f"/learning/actions/{action.pk}/"
    page = client.get(path)
    assert page.status_code == 200
    said = text(page)
    assert "Call within 72 hours of discharge" in said
    assert "Owner Amira Clinician" in said
    assert "3 days overdue" in said

    due = timezone.localdate() + timedelta(days=5)
    changed = client.post(
        path,
        {
            "description": "Call within 48 hours of discharge",
            "owner": system.team_leader_a.pk,
            "due_on": due.isoformat(),
            "version": action.version,
        },
    )
    assert changed.status_code == 302
    action.refresh_from_db()
    assert (action.description, action.owner, action.due_on) == (
        "Call within 48 hours of discharge",
        system.team_leader_a,
        due,
    )
    assert "overdue" not in text(client.get(path))

    progress = f"/learning/actions/{action.pk}/progress/"
    no_evidence = client.post(
        progress, {"progress-to_status": ActionStatus.DONE, "progress-version": action.version}
    )
    assert no_evidence.status_code == 400
    assert "Say what shows the action is done" in text(no_evidence)
    action.refresh_from_db()
    assert action.status == ActionStatus.AGREED

    assert (
        client.post(
            progress,
            {"progress-to_status": ActionStatus.IN_PROGRESS, "progress-version": action.version},
        ).status_code
        == 302
    )
    action.refresh_from_db()
    done = client.post(
        progress,
        {
            "progress-to_status": ActionStatus.DONE,
            "progress-evidence": "Calls logged on the huddle board for a month.",
            "progress-version": action.version,
        },
    )
    assert done.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (ActionStatus.DONE, timezone.localdate())
    said = text(client.get(path))
    assert "Evidence Calls logged on the huddle board for a month." in said
    assert "This action is done: its record no longer changes." in said


def test_a_stale_change_to_an_action_shows_what_is_saved_now(system, client_for, about_dee):
    action = overdue(system, swarm(system, about_dee))
    opened_on = action.version
    services.action_change(
        actor=system.team_leader_a,
        action=action,
        expected_version=opened_on,
        description="Changed by Gita first",
        owner=system.clinician_a,
        due_on=timezone.localdate(),
    )
    page = client_for(system.clinician_a).post(
        f"/learning/actions/{action.pk}/",
        {
            "description": "Amira's own words",
            "owner": system.clinician_a.pk,
            "due_on": timezone.localdate().isoformat(),
            "version": opened_on,
        },
    )
    assert page.status_code == 409
    said = text(page)
    assert "Someone else changed this action" in said
    assert "What will change Changed by Gita first" in said  # saved now
    assert "Amira's own words" in said  # typed, still in the form
    assert SafetyAction.objects.get().description == "Changed by Gita first"


# -- Lists read in a fixed number of queries ------------------------------------------------------


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/learning/", "/learning/events/", "/learning/responses/", "/"])
def test_lists_read_in_the_same_number_of_queries_however_many(system, client_for, episode, path):
    client = client_for(system.team_leader_a)

    def add(count: int) -> None:
        for number in range(count):
            recorded = event(
                system, episode=episode if number % 2 else None, title=f"Event {number}"
            )
            response = swarm(system, recorded)
            overdue(system, response, description=f"Action {number}")

    add(1)
    client.get(path)  # what is read once a process (sessions, content types) is read
    one = _queries(client, path)
    add(4)
    assert _queries(client, path) == one
