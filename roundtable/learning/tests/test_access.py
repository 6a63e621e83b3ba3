"""Need-to-know: an event or response about a person in care is seen only by those who may see
the person; everything else, only by the team and those who lead it. Nothing is revealed in
lists or counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.directory.models import LeadershipMembership, LeadershipTeam
from roundtable.learning import selectors, services
from roundtable.learning.models import LearningEvent, ResponseKind, SafetyAction
from roundtable.learning.tests.helpers import event, in_support, swarm

pytestmark = pytest.mark.django_db


def _overdue_action(system, response):
    action = services.action_add(
        actor=system.team_leader_a,
        response=response,
        description="Call within 72 hours",
        owner=system.clinician_a,
        due_on=timezone.localdate(),
    )
    SafetyAction.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - timedelta(3))
    return action


def test_an_event_about_a_person_is_hidden_from_those_who_may_not_see_them(system, trust_leader):
    about_someone = event(system, episode=in_support(system), title="About someone")
    response = swarm(system, about_someone)
    action = _overdue_action(system, response)

    # The caring team sees it all, and the read is audited.
    assert selectors.event_get(system.clinician_a, about_someone.pk) == about_someone
    assert AuditEvent.objects.filter(
        action=AuditAction.READ, object_id=str(about_someone.pk), actor=system.clinician_a
    ).exists()
    assert selectors.response_get(system.clinician_a, response.pk) == response
    assert list(selectors.overdue_actions(system.clinician_a, [system.team_a])) == [action]

    # The trust's leader leads the team but may not see the person: nothing at all.
    for reader in (trust_leader, system.clinician_b):
        with pytest.raises(Http404):
            selectors.event_get(reader, about_someone.pk)
        with pytest.raises(Http404):
            selectors.response_get(reader, response.pk)
        with pytest.raises(Http404):
            selectors.action_get(reader, action.pk)
        assert selectors.event_list(reader).count() == 0
        assert selectors.response_list(reader).count() == 0
        assert list(selectors.overdue_actions(reader, [system.team_a])) == []
        assert list(selectors.events_for_thematic(reader)) == []
        home = selectors.learning_home(reader)
        assert (home.events, home.responses, home.overdue) == ([], [], [])


def test_an_event_about_no_one_is_seen_by_the_team_and_its_leaders_only(system, trust_leader):
    plain = event(system, title="Phones down for a morning")
    assert selectors.event_get(trust_leader, plain.pk) == plain
    assert list(selectors.events_for_thematic(trust_leader)) == [plain]
    assert selectors.event_get(system.vcse, plain.pk) == plain  # a partner in the team
    with pytest.raises(Http404):
        selectors.event_get(system.clinician_b, plain.pk)  # another team
    assert selectors.event_list(system.clinician_b).count() == 0


def test_a_thematic_review_is_hidden_if_any_event_it_links_is(system, trust_leader):
    plain = event(system, title="Phones down for a morning")
    about_someone = event(system, episode=in_support(system), title="About someone")
    south = event(system, team=system.team_b, actor=system.clinician_b, title="South near miss")
    # A leader who may see the person (North's team leader, made a trust leader too).
    LeadershipMembership.objects.create(
        leadership_team=LeadershipTeam.objects.get(name="Trust leadership"),
        person=system.team_leader_a,
    )
    review = services.response_start(
        actor=system.team_leader_a,
        kind=ResponseKind.THEMATIC_REVIEW,
        events=[plain, about_someone, south],
        team=system.team_a,
    )
    assert selectors.response_get(system.team_leader_a, review.pk) == review
    # The trust leader sees two of its events, not the one about the person: not the review.
    with pytest.raises(Http404):
        selectors.response_get(trust_leader, review.pk)
    assert selectors.response_list(trust_leader).count() == 0
    assert set(selectors.event_list(trust_leader)) == {plain, south}


def test_the_event_page_lists_only_the_responses_the_reader_sees(system, trust_leader):
    plain = event(system, title="Phones down")
    swarm(system, plain)
    page = selectors.event_page(trust_leader, plain.pk)
    assert [r.kind for r in page.responses] == [ResponseKind.SWARM]
    assert LearningEvent.objects.count() == 1
