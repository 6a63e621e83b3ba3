"""`roundtable demo`: learning, not blame — a death on the lone coach's caseload with its SWARM
huddle, support and After Action Review, a thematic review across two community teams, the
tests of change that follow and the practice notes teams share.

The tests share one build of the demo (the `built` fixture); the last one resets it inside its
own savepoint, which is rolled back after it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from roundtable.care.models import PersonInCare
from roundtable.demo.generator import PERSONA_BY_KEY, reset_generated_system
from roundtable.directory.models import (
    LeadershipMembership,
    Membership,
    MembershipRole,
    Person,
    Team,
    TeamKind,
)
from roundtable.directory.queries import is_member, leads_team
from roundtable.learning import selectors
from roundtable.learning.models import (
    Act,
    ActionEvent,
    ActionStatus,
    ChangeCycle,
    ContributoryFactor,
    CycleStatus,
    EventKind,
    LearningEvent,
    LearningResponse,
    LearningStatement,
    Participant,
    PracticeComment,
    PracticeNote,
    PracticeTag,
    Ramp,
    ResponseEvent,
    ResponseKind,
    ResponseStatus,
    SafetyAction,
    SupportAfterEvent,
    TakenUp,
    TookPart,
    TriedToo,
)
from roundtable.learning.selectors import support as support_selectors

pytestmark = pytest.mark.django_db

EN_CMHT = "Epping North Community Mental Health Team"
# Words that grade people or look for someone to blame: never in what the demo writes.
BLAME_WORDS = ("blame", "fault", "root cause", "responsible", "negligen", "failed to", "error")


def persona(key: str) -> Person:
    return Person.objects.get(email=PERSONA_BY_KEY[key].email)


def team_leader(team: Team) -> Person:
    return Membership.objects.get(team=team, role=MembershipRole.TEAM_LEADER).person


def the_death() -> LearningEvent:
    return LearningEvent.objects.select_related("team", "person", "episode").get(
        kind=EventKind.HAPPENED
    )


def response_of(kind: str) -> LearningResponse:
    return LearningResponse.objects.get(kind=kind)


def answered(response: LearningResponse) -> bool:
    return all(getattr(response, field) for field, _ in response.questions)


def test_a_death_on_the_lone_coachs_caseload_recorded_by_the_team_leader(built: str) -> None:
    today = timezone.localdate()
    event = the_death()
    assert event.team.name == EN_CMHT
    # About a person the lone coach is key worker for, linked to their time with the team.
    assert event.person is not None
    assert event.episode is not None
    assert event.episode.person_id == event.person.pk
    assert event.episode.team_id == event.team.pk
    assert event.episode.key_worker_id == persona("lone_coach").pk
    assert event.recorded_by == team_leader(event.team)
    # About three weeks ago (a weekday, so at most two days earlier).
    assert today - timedelta(days=22) <= event.happened_on <= today - timedelta(days=20)


def test_a_swarm_huddle_the_same_day_with_the_coach_a_partner_and_the_family(built: str) -> None:
    event = the_death()
    swarm = response_of(ResponseKind.SWARM)
    assert list(swarm.events.all()) == [event]
    assert swarm.team == event.team
    assert swarm.held_on == event.happened_on
    assert swarm.status == ResponseStatus.FINISHED
    assert swarm.finished_at is not None
    assert answered(swarm)
    assert 2 <= swarm.factors.count() <= 3
    people = {p.person_id: p.took_part_as for p in swarm.participants.filter(person__isnull=False)}
    leader = team_leader(event.team)
    assert people[persona("lone_coach").pk] == TookPart.STAFF
    assert people[leader.pk] == TookPart.STAFF
    partners = Person.objects.filter(
        pk__in=[pk for pk, part in people.items() if part == TookPart.PARTNER]
    )
    assert [p.discipline.slug for p in partners if p.discipline] == ["vcse-practitioner"]
    assert is_member(partners[0], event.team)
    # The family took part as compassionate engagement: described, not named or linked.
    family = swarm.participants.get(took_part_as=TookPart.FAMILY)
    assert family.person_id is None
    assert "brother" in family.described_as
    assert family.compassionate_engagement


def test_an_after_action_review_with_one_action_done_and_one_overdue(built: str) -> None:
    today = timezone.localdate()
    event = the_death()
    review = response_of(ResponseKind.AFTER_ACTION_REVIEW)
    assert list(review.events.all()) == [event]
    assert today - timedelta(days=14) <= review.held_on <= today - timedelta(days=12)
    assert review.status == ResponseStatus.FINISHED
    assert answered(review)
    assert review.factors.exists()
    assert review.statements.count() == 2
    actions = list(review.actions.all())
    assert len(actions) == 2
    done = [a for a in actions if a.status == ActionStatus.DONE]
    open_ = [a for a in actions if a.status != ActionStatus.DONE]
    assert len(done) == 1
    assert len(open_) == 1
    # Done with the evidence that it was, on a day before it was due.
    assert done[0].evidence
    assert done[0].completed_on is not None
    assert review.held_on <= done[0].completed_on <= done[0].due_on
    # The other is a few days overdue, still under way.
    assert open_[0].due_on == today - timedelta(days=3)
    assert open_[0].status in (ActionStatus.AGREED, ActionStatus.IN_PROGRESS)
    # Each action is the change one of the learning statements asks for.
    assert {a.statement_id for a in actions} == set(review.statements.values_list("pk", flat=True))
    # Their history: agreed, in progress, and (for one) done, never changed after.
    assert [(e.from_status, e.to_status) for e in done[0].events.all()] == [
        (ActionStatus.AGREED, ActionStatus.IN_PROGRESS),
        (ActionStatus.IN_PROGRESS, ActionStatus.DONE),
    ]


def test_a_thematic_review_of_two_near_misses_in_two_teams_left_open(built: str) -> None:
    today = timezone.localdate()
    review = response_of(ResponseKind.THEMATIC_REVIEW)
    events = list(review.events.select_related("team", "recorded_by"))
    assert len(events) == 2
    assert {e.kind for e in events} == {EventKind.NEAR_MISS}
    teams = {e.team for e in events}
    assert len(teams) == 2
    assert {t.kind for t in teams} == {TeamKind.CMHT}
    for event in events:
        assert is_member(event.recorded_by, event.team)
        assert event.happened_on <= review.held_on
    # Held by a leader of both teams, in one of them.
    assert review.team in teams
    assert all(leads_team(review.started_by, team) for team in teams)
    assert review.status == ResponseStatus.OPEN
    assert answered(review)
    assert review.factors.exists()
    assert review.statements.count() == 1
    (action,) = review.actions.all()
    assert action.status != ActionStatus.DONE
    assert action.due_on > today


def test_the_lone_coach_sees_the_death_and_its_responses(built: str) -> None:
    coach = persona("lone_coach")
    event = the_death()
    assert event in selectors.event_list(coach)
    assert selectors.event_get(coach, event.pk) == event
    page = selectors.event_page(coach, event.pk)
    assert {r.kind for r in page.responses} == {
        ResponseKind.SWARM,
        ResponseKind.AFTER_ACTION_REVIEW,
    }
    review = response_of(ResponseKind.AFTER_ACTION_REVIEW)
    seen = selectors.response_page(coach, review.pk)
    assert seen.person == event.person
    assert len(seen.actions) == 2
    # The overdue action is on the team's list of overdue actions.
    overdue = list(selectors.overdue_actions(coach, [event.team]))
    assert [a.response_id for a in overdue] == [review.pk]


def test_need_to_know_keeps_the_death_from_other_teams(built: str) -> None:
    event = the_death()
    swarm = response_of(ResponseKind.SWARM)
    # A clinician in another community team sees neither the event nor its responses.
    other = persona("clinician_a")
    assert not is_member(other, event.team)
    assert event not in selectors.event_list(other)
    assert not selectors.response_list(other).filter(events=event).exists()
    # Nor does a leader of the team who may not see the person (the trust's director leads the
    # team but sees nobody in care).
    director = LeadershipMembership.objects.get(role="Director of community services").person
    assert leads_team(director, event.team)
    assert event not in selectors.event_list(director)
    assert swarm not in selectors.response_list(director)


def test_the_thematic_review_is_seen_by_those_who_see_both_teams(built: str) -> None:
    review = response_of(ResponseKind.THEMATIC_REVIEW)
    assert review in selectors.response_list(review.started_by)
    # Someone in only one of the teams sees their own event, not the review across both.
    recorder = review.events.get(team=review.team).recorded_by
    assert not selectors.response_list(recorder).filter(pk=review.pk).exists()


def test_the_coach_takes_up_support_and_only_leaders_see_it(built: str) -> None:
    event = the_death()
    coach = persona("lone_coach")
    offers = {s.offer.person_id: s for s in SupportAfterEvent.objects.select_related("offer")}
    assert offers[coach.pk].taken_up == TakenUp.ACCEPTED
    assert offers[coach.pk].offer.offered_by == team_leader(event.team)
    assert [s.taken_up for pk, s in offers.items() if pk != coach.pk] == [TakenUp.WAITING]
    # The coach sees her own offer; the team leader sees both; a colleague in the team none.
    assert support_selectors.event_support(coach, event).offers == [offers[coach.pk]]
    assert len(support_selectors.event_support(team_leader(event.team), event).offers) == 2
    colleague = persona("clinician_a")
    assert support_selectors.event_support(colleague, event).offers == []


def test_tests_of_change_in_three_teams_one_from_each_learning(built: str) -> None:
    ramps = {r.team.name: r for r in Ramp.objects.select_related("team", "statement")}
    assert len(ramps) == 3
    review = response_of(ResponseKind.AFTER_ACTION_REVIEW)
    thematic = response_of(ResponseKind.THEMATIC_REVIEW)
    epping = ramps[EN_CMHT]
    assert epping.statement is not None
    assert epping.statement.response_id == review.pk
    assert [(c.status, c.act) for c in epping.cycles.all()] == [
        (CycleStatus.CLOSED, Act.ADAPT),
        (CycleStatus.DOING, ""),
    ]
    from_thematic = [
        r for r in ramps.values() if r.statement and r.statement.response_id == thematic.pk
    ]
    assert len(from_thematic) == 1
    adopted = [r for r in ramps.values() if r.statement is None]
    assert [[c.act for c in r.cycles.all()] for r in adopted] == [[Act.ADAPT, Act.ADOPT]]
    # A cycle is closed only with what was studied and what the team does next.
    for cycle in ChangeCycle.objects.filter(status=CycleStatus.CLOSED):
        assert cycle.study
        assert cycle.act
        assert cycle.closed_at


def test_practice_notes_across_organisations(built: str) -> None:
    notes = {n.title: n for n in PracticeNote.objects.select_related("organisation", "from_cycle")}
    assert len(notes) == 4
    assert len({n.organisation_id for n in notes.values()}) >= 2
    opening = notes["Rethinking the care co-ordinator role: what would you keep?"]
    assert "replacing-care-co-ordination" in opening.tags.values_list("slug", flat=True)
    assert opening.comments.count() == 2
    drawn = [(n, n.from_cycle) for n in notes.values() if n.from_cycle is not None]
    assert [cycle.act for _, cycle in drawn] == [Act.ADOPT]
    (link,) = TriedToo.objects.all()
    assert link.earlier == drawn[0][0]
    # Nothing in a note or comment names anyone in care.
    names = set(PersonInCare.objects.values_list("name", flat=True))
    texts = [
        text
        for n in notes.values()
        for text in (n.title, n.what_we_tried, n.what_happened, n.differently)
    ] + list(PracticeComment.objects.values_list("text", flat=True))
    assert not [(name, text) for name in names for text in texts if name in text]


def test_nothing_written_grades_or_blames_anyone(built: str) -> None:
    texts: list[str] = []
    for event in LearningEvent.objects.all():
        texts += [event.title, event.what_happened]
    for response in LearningResponse.objects.all():
        texts += [getattr(response, field) for field, _ in response.questions]
    texts += list(ContributoryFactor.objects.values_list("note", flat=True))
    texts += list(LearningStatement.objects.values_list("text", flat=True))
    for description, evidence in SafetyAction.objects.values_list("description", "evidence"):
        texts += [description, evidence]
    texts += list(Participant.objects.values_list("described_as", flat=True))
    for cycle in ChangeCycle.objects.all():
        texts += [cycle.change, cycle.prediction, cycle.plan, cycle.study, cycle.act_note]
    texts += list(PracticeNote.objects.values_list("what_we_tried", flat=True))
    texts += list(PracticeNote.objects.values_list("differently", flat=True))
    for text in texts:
        for word in BLAME_WORDS:
            assert word not in text.lower(), (word, text)


def test_prints_the_learning(built: str) -> None:
    assert f"  learning events     {LearningEvent.objects.count():>5}" in built
    assert f"  learning responses  {LearningResponse.objects.count():>5}" in built
    assert f"  safety actions      {SafetyAction.objects.count():>5}" in built
    assert f"    overdue           {1:>5}" in built
    assert f"  support offered     {2:>5}" in built
    assert f"  tests of change     {3:>5}" in built
    assert f"  practice notes      {4:>5}" in built


def test_a_reset_removes_the_learning(built: str) -> None:
    assert LearningEvent.objects.exists()
    assert ActionEvent.objects.exists()
    reset_generated_system()
    for model in (
        LearningEvent,
        LearningResponse,
        ResponseEvent,
        ContributoryFactor,
        Participant,
        LearningStatement,
        SafetyAction,
        ActionEvent,
        SupportAfterEvent,
        Ramp,
        ChangeCycle,
        PracticeNote,
        PracticeTag,
        TriedToo,
    ):
        assert not model.objects.exists(), model.__name__
    assert not Team.objects.exists()
