"""`roundtable demo`: each persona's first screen has something to show, and what the demo
writes is varied and never rates risk.

Safety plans, formulations and reviews on the community teams' boards; positive risk-taking plans
held by leaders; a year of board decisions with budgets and a participatory allocation round;
SBARD notes and pulse comments that are never repeated word for word.

These tests only read, so they share one build of the demo (the `built` fixture).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from html import unescape

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from roundtable.care.models import Episode, HuddleNote, Stage
from roundtable.core.tests.test_no_risk_scores import FORBIDDEN
from roundtable.decisions.models import (
    AllocationRound,
    Approval,
    Budget,
    Decision,
    DecisionKind,
    DecisionStatus,
    Hold,
    Notification,
    NotificationKind,
    Position,
    Revision,
)
from roundtable.demo.generator import PERSONA_BY_KEY
from roundtable.directory.models import (
    LeadershipMembership,
    Membership,
    MembershipRole,
    Person,
    TeamKind,
)
from roundtable.forums.models import Forum, ForumKind
from roundtable.safety.models import (
    PositiveRiskPlan,
    SafetyFormulation,
    SafetyPlan,
    SafetyPlanVersion,
    SafetyReview,
)
from roundtable.safety.selectors import reviews_due as due_list
from roundtable.wellbeing.models import PulseComment

pytestmark = pytest.mark.django_db

BOARD_FORUM = "Community Mental Health Partnership Board meeting"
PROJECT_FORUM = "Front door redesign group"
CMHTS = (
    "Harlow Vale Community Mental Health Team",
    "Epping North Community Mental Health Team",
    "Loughton Forest Community Mental Health Team",
)


def person(key: str) -> Person:
    return Person.objects.get(email=PERSONA_BY_KEY[key].email)


def home(key: str) -> str:
    client = Client()
    client.force_login(person(key))
    response = client.get("/")
    assert response.status_code == 200
    return unescape(response.content.decode())


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def awaiting(page: str) -> list[str]:
    """The items of the home page's "Awaiting your position" list, as text."""
    match = re.search(r"<h3>Awaiting your position</h3>\s*(<ul.*?</ul>)?", page, re.S)
    assert match is not None
    if match.group(1) is None:
        return []
    return [text(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


def reviews_due(page: str) -> dict[str, tuple[int, int]]:
    """The home page's "Safety reviews due": team -> (due in the next 7 days, overdue)."""
    found = {}
    for team, due, overdue in re.findall(
        r">([^<>]+)</a>: (\d+) due in the next 7 days(?:, <strong>(\d+) overdue</strong>)?", page
    ):
        found[team] = (int(due), int(overdue or 0))
    return found


# --- Each persona's first screen ------------------------------------------------------------------


def test_the_board_member_and_lived_experience_representative_see_board_decisions(
    built: str,
) -> None:
    for key in ("board_member", "lived_experience"):
        items = awaiting(home(key))
        board = [item for item in items if BOARD_FORUM in item]
        # The service change open at the latest meeting and the open grant proposals.
        assert len(board) >= 4, (key, items)
        assert any(
            "Every community team sees someone from its leadership" in item for item in board
        )
        assert any("Hearing Voices group" in item for item in board)
    # The lived-experience representative is also in the front door redesign group.
    assert any(PROJECT_FORUM in item for item in awaiting(home("lived_experience")))


def test_clinicians_see_a_few_safety_reviews_due_and_decisions_about_their_people(
    built: str,
) -> None:
    for key, team in (
        ("clinician_a", CMHTS[0]),
        ("team_leader", CMHTS[0]),
        ("vcse", CMHTS[0]),
        ("clinician_b", CMHTS[1]),
        ("lone_coach", CMHTS[1]),
    ):
        page = home(key)
        due, overdue = reviews_due(page)[team]
        # Something to do, but a few: not the whole board.
        assert 1 <= due <= 5, (key, due)
        assert 1 <= overdue <= 2, (key, overdue)
        assert overdue <= due
    # A positive risk-taking plan open at this week's MDT waits for Harlow Vale's logins.
    for key in ("clinician_a", "team_leader", "vcse"):
        assert any("Positive risk-taking" in item for item in awaiting(home(key))), key
    # The Epping North clinician hears that leaders hold the plan they proposed.
    page = text(home("clinician_b"))
    assert re.search(r"Decision held: Positive risk-taking: ", page), page
    # The team leader is also asked about the front door redesign.
    assert any(PROJECT_FORUM in item for item in awaiting(home("team_leader")))


def test_old_board_notices_are_read_so_the_first_screen_shows_what_is_new(built: str) -> None:
    fortnight_ago = timezone.now() - timedelta(days=14)
    board = Forum.objects.filter(kind__in=[ForumKind.BOARD, ForumKind.PROJECT_GROUP])
    for key in ("board_member", "lived_experience"):
        unread = Notification.objects.filter(person=person(key), read_at__isnull=True)
        # What still waits for their position stays; outcomes and holds of old are read.
        stale = unread.filter(decision__forum__in=board, created_at__lt=fortnight_ago).exclude(
            kind=NotificationKind.AWAITING_POSITION, decision__status=DecisionStatus.OPEN
        )
        assert not stale.exists(), key
        assert 1 <= unread.count() <= 10, key
        # They were told of them at the time, and have read them since.
        assert Notification.objects.filter(
            person=person(key), read_at__isnull=False, decision__forum__in=board
        ).exists(), key


def test_the_administrator_sees_the_front_door_offers(built: str) -> None:
    items = awaiting(home("administrator"))
    assert items
    assert all("Front-door meeting" in item for item in items)


def test_every_persona_has_something_on_their_first_screen(built: str) -> None:
    for key in PERSONA_BY_KEY:
        page = home(key)
        has_decisions = bool(awaiting(page)) or "Your notices (" in page
        assert has_decisions or reviews_due(page), key


# --- Safety plans, formulations and reviews -------------------------------------------------------


def board_episodes() -> models.QuerySet[Episode]:
    return Episode.objects.filter(
        team__kind=TeamKind.CMHT,
        closed_at__isnull=True,
        zone__isnull=False,
        stage__in=[Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON],
    ).select_related("person", "zone", "team", "key_worker")


def test_people_on_the_huddle_boards_have_coproduced_safety_plans(built: str) -> None:
    episodes = list(board_episodes())
    assert len(episodes) >= 3 * 12
    people = [e.person for e in episodes]
    plans = {p.person_id: p for p in SafetyPlan.objects.filter(person__in=people)}
    assert set(plans) == {p.pk for p in people}
    formulations = SafetyFormulation.objects.filter(person__in=people).count()
    assert len(people) * 0.8 <= formulations < len(people)
    for episode in episodes:
        plan = plans[episode.person_id]
        first_name = episode.person.name.split()[0]
        # Written with the person, in their own words.
        assert first_name in plan.written_with
        for line in plan.warning_signs.splitlines():
            assert re.search(r"\b(I|me|my)\b", line), line
        for step in ("things_i_can_do", "people_to_ask", "professionals", "what_matters"):
            assert getattr(plan, step), step
        assert plan.written_by.memberships.filter(team=episode.team).exists()
        assert SafetyPlanVersion.objects.filter(plan=plan).count() == plan.version
        assert SafetyReview.objects.filter(person=episode.person).exists()
    # Plans were written over the months, not all on the day the demo was built.
    days = {timezone.localdate(v.created_at) for v in SafetyPlanVersion.objects.all()}
    assert len(days) >= 30
    assert min(days) < timezone.localdate() - timedelta(days=90)
    # No two people have the same plan.
    texts = Counter(
        SafetyPlan.objects.values_list("warning_signs", "things_i_can_do", "people_to_ask")
    )
    assert max(texts.values()) == 1


def test_few_safety_reviews_are_due_in_each_community_team(built: str) -> None:
    for name in CMHTS:
        leader = Membership.objects.get(team__name=name, role=MembershipRole.TEAM_LEADER).person
        team = leader.memberships.get(team__name=name).team
        due = due_list(leader, team, listed=False)
        on_board = board_episodes().filter(team=team).count()
        assert 2 <= len(due) <= 5, (name, len(due))
        assert len(due) < on_board / 3
        assert 1 <= sum(1 for r in due if r.overdue) <= 2
        # Never more than a week late: reviews have not been forgotten.
        assert all(r.days_overdue <= 7 for r in due)


def test_positive_risk_taking_plans_are_shared_and_held_by_leaders(built: str) -> None:
    plans = PositiveRiskPlan.objects.select_related("decision__forum", "episode__team")
    assert {p.episode.team.name for p in plans} == set(CMHTS)
    statuses = Counter(p.decision.status for p in plans)
    assert statuses[DecisionStatus.OPEN] >= 1
    assert statuses[DecisionStatus.AGREED] >= 2
    assert statuses[DecisionStatus.REVIEWED] >= 1
    for plan in plans:
        decision = plan.decision
        assert decision.kind == DecisionKind.POSITIVE_RISK
        assert decision.forum.home_team_id == plan.episode.team_id
        assert decision.meeting is not None
        # Shared by people from the team caring for the person (who may see them).
        positioned = set(
            Position.objects.filter(decision=decision).values_list("person_id", flat=True)
        )
        assert len(positioned) >= 2
        team_members = set(
            Membership.objects.filter(team=plan.episode.team).values_list("person_id", flat=True)
        )
        assert positioned <= team_members
        if decision.status in (DecisionStatus.AGREED, DecisionStatus.REVIEWED):
            holds = Hold.objects.filter(decision=decision)
            assert holds.exists(), decision.title
            for hold in holds:
                assert LeadershipMembership.objects.filter(
                    leadership_team=hold.leadership_team, person=hold.leader
                ).exists()
        for part in ("wants_to", "benefits", "possible_harms", "safeguards", "who_does_what"):
            assert getattr(plan, part), part


# --- The board's year -----------------------------------------------------------------------------


def test_a_year_of_board_decisions_with_outcomes_review_dates_and_holds(built: str) -> None:
    board = Forum.objects.get(kind=ForumKind.BOARD)
    decisions = Decision.objects.filter(forum=board)
    kinds = Counter(decisions.values_list("kind", flat=True))
    assert kinds[DecisionKind.FUNDING] >= 8
    assert kinds[DecisionKind.SERVICE_CHANGE] >= 6
    decided = decisions.filter(decided_at__isnull=False)
    days = sorted(d.decided_at for d in decided if d.decided_at is not None)
    assert days[-1] - days[0] >= timedelta(days=280)
    for decision in decided:
        assert decision.outcome
        assert decision.rationale
        assert decision.meeting is not None
        assert decision.meeting.forum_id == board.pk
        assert timezone.localdate(decision.decided_at) == timezone.localdate(
            decision.meeting.starts_at
        )
    changes = decisions.filter(kind=DecisionKind.SERVICE_CHANGE)
    agreed = changes.filter(status__in=[DecisionStatus.AGREED, DecisionStatus.REVIEWED])
    assert agreed.count() >= 5
    assert not agreed.filter(review_on__isnull=True).exists()
    assert changes.filter(status=DecisionStatus.REVIEWED).count() >= 2
    assert changes.filter(status=DecisionStatus.NOT_AGREED).exists()
    assert changes.filter(status=DecisionStatus.OPEN).exists()
    # Held by leaders, some of them; one revised to take in an objection.
    held = agreed.filter(holds__isnull=False).distinct()
    assert 2 <= held.count() < agreed.count()
    revised = Revision.objects.filter(decision__forum=board, number=2)
    assert revised.exists()
    assert all(r.change_note for r in revised)
    # Positions come from most members: NHS, VCSE, council and lived-experience voices.
    members = board.memberships.count()
    for decision in decided:
        assert Position.objects.filter(decision=decision).count() >= members // 2


def test_a_200000_budget_shared_out_by_a_participatory_allocation_round(built: str) -> None:
    board = Forum.objects.get(kind=ForumKind.BOARD)
    budget = Budget.objects.get(forum=board, total_pence=200_000 * 100)
    rounds = AllocationRound.objects.filter(budget=budget)
    assert rounds.count() == 1
    allocation = rounds.get()
    proposals = list(allocation.proposals.all())
    assert len(proposals) >= 5
    statuses = Counter(d.status for d in proposals)
    assert statuses[DecisionStatus.AGREED] == 1
    assert statuses[DecisionStatus.WITHDRAWN] == 1
    assert statuses[DecisionStatus.OPEN] >= 2
    winner = next(d for d in proposals if d.status == DecisionStatus.AGREED)
    assert winner.amount_agreed_pence is not None
    assert 0 < winner.amount_agreed_pence < (winner.amount_requested_pence or 0)
    approvals = Approval.objects.filter(round=allocation)
    assert approvals.values("person").distinct().count() >= 5
    for decision in proposals:
        assert approvals.filter(decision=decision).exists(), decision.title
    # Still open, so members can take part; the board member can see it.
    assert allocation.closes_at > timezone.now()
    client = Client()
    client.force_login(person("board_member"))
    page = client.get(reverse("decisions:allocation", args=[allocation.pk])).content.decode()
    for decision in proposals:
        assert unescape(decision.title) in unescape(page)
    # The year's other budget funded things too.
    other = Budget.objects.filter(forum=board).exclude(pk=budget.pk)
    assert (
        Decision.objects.filter(
            budget__in=other, status=DecisionStatus.AGREED, amount_agreed_pence__gt=0
        ).count()
        >= 3
    )


# --- Words: varied, and never a rating of risk ----------------------------------------------------


def test_no_two_sbard_notes_are_the_same(built: str) -> None:
    notes = Counter(
        HuddleNote.objects.values_list(
            "situation", "background", "assessment", "recommendation", "decision"
        )
    )
    assert sum(notes.values()) >= 60
    assert [note for note, count in notes.items() if count > 1] == []
    # Nor do two people on one board open with the same situation.
    for name in CMHTS:
        latest = list(
            Episode.objects.filter(
                team__name=name, closed_at__isnull=True, latest_note__isnull=False
            ).values_list("latest_note__situation", flat=True)
        )
        assert len(latest) == len(set(latest)), name


def test_no_pulse_comment_is_repeated(built: str) -> None:
    comments = Counter(PulseComment.objects.values_list("text", flat=True))
    assert sum(comments.values()) >= 30
    assert [text for text, count in comments.items() if count > 1] == []


def test_nothing_the_demo_writes_rates_risk(built: str) -> None:
    problems = []
    for label in ("care", "safety", "decisions", "voice", "wellbeing", "forums"):
        for model in apps.get_app_config(label).get_models():
            fields = [
                f.name
                for f in model._meta.get_fields()
                if isinstance(f, models.CharField | models.TextField) and not f.choices
            ]
            if not fields:
                continue
            for row in model._default_manager.values_list(*fields):
                for value in row:
                    if value and any(pattern.search(value) for pattern in FORBIDDEN):
                        problems.append(f"{model._meta.label}: {value!r}")
    assert problems == []
