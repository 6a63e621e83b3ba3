"""The same write sent several times at one moment, as a double click, a browser's retry or an
integration's resend would send it: on PostgreSQL, through the real API and pages.

SQLite serialises writers, so these races exist only on PostgreSQL, where two transactions both
pass a service's check ("someone with this local identifier is already recorded") before either
writes. Each test releases the requests together from threads held at a barrier, each thread
with its own client (signed in) and its own database connection, and checks what the people
sending them would see and what was stored: exactly one request wins (201, 200 or a redirect),
every other one gets the refusal anyone would get afterwards (422 or 409 with JSON `detail`, or
the form shown again with the message), none answers 500, and nothing is stored twice. A budget
is never overspent; a whole-list PUT is idempotent (every request succeeds, one row each).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from roundtable.care import services as care_services
from roundtable.care.models import CareDecision, ConsentToShare, Episode, Offer, PersonInCare, Stage
from roundtable.care.models import Zone as CareZone
from roundtable.decisions import services as decision_services
from roundtable.decisions.models import (
    AdviceRequest,
    Approval,
    Budget,
    Decision,
    DecisionKind,
    DecisionStatus,
    Hold,
    Position,
    PositionEvent,
)
from roundtable.decisions.selectors import budget_committed
from roundtable.directory.models import Discipline, Membership, Person
from roundtable.forums import services as forum_services
from roundtable.forums.models import (
    Attendance,
    AttendanceStatus,
    Forum,
    ForumKind,
    ForumMembership,
    Meeting,
    PresenceVisit,
)
from roundtable.learning import services as learning_services
from roundtable.learning.models import (
    ActionEvent,
    LearningResponse,
    Participant,
    SupportAfterEvent,
)
from roundtable.safety.models import (
    SafetyFormulation,
    SafetyFormulationVersion,
    SafetyPlan,
    SafetyPlanVersion,
)
from roundtable.testing import System, build_system
from roundtable.wellbeing import services as wellbeing_services
from roundtable.wellbeing.models import (
    PeerCircleMembership,
    PulseAnswer,
    PulseResponseMarker,
    SupportOffered,
)

# The marks of every test of simultaneous writes, here and in the apps' own race tests.
RACES = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Simultaneous writes race only on PostgreSQL: SQLite serialises writers, so "
        "these requests would take turns and prove nothing.",
    ),
]
pytestmark = RACES

API = "/api/v1"
AT_ONCE = 6
# How long a thread waits for the others at the barrier, and for its answer, before the test
# gives up: far longer than any of these requests takes, so only a deadlock reaches it.
PATIENCE_SECONDS = 60


@dataclass(frozen=True)
class Request:
    person: Person
    method: str  # "post", "put", …
    path: str
    body: dict[str, Any]
    page: bool = False  # a form posted to a page, rather than JSON to the API


@dataclass
class Reply:
    status: int
    body: Any  # the parsed JSON of an API answer; the HTML of a page
    error: str  # what a 500 came from, to say so when a test fails


def at_once(requests: Sequence[Request]) -> list[Reply]:
    """Send every request at the same moment, each from its own thread with its own signed-in
    client and database connection; the replies, in the order of the requests."""
    start = threading.Barrier(len(requests))
    replies: list[Reply | None] = [None] * len(requests)
    failures: list[BaseException] = []

    def send(index: int, request: Request) -> None:
        try:
            client = Client(raise_request_exception=False)
            client.force_login(request.person)
            start.wait(timeout=PATIENCE_SECONDS)
            if request.page:
                response = client.post(request.path, request.body)
            elif request.method == "get":
                response = client.get(request.path)
            else:
                response = getattr(client, request.method)(
                    request.path, data=json.dumps(request.body), content_type="application/json"
                )
            is_json = response.get("Content-Type", "").startswith("application/json")
            exc_info = getattr(response, "exc_info", None)
            replies[index] = Reply(
                status=response.status_code,
                body=response.json() if is_json else response.content.decode(),
                # Django's test client hears every thread's unhandled exception: only a 500 is
                # this request's own.
                error=repr(exc_info[1]) if exc_info and response.status_code >= 500 else "",
            )
        except BaseException as failure:  # a thread's failure fails the test, below
            failures.append(failure)
            start.abort()
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=send, args=(index, request))
        for index, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=PATIENCE_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "A request never answered"
    assert failures == []
    return [reply for reply in replies if reply is not None]


def identical(request: Request, times: int = AT_ONCE) -> list[Reply]:
    return at_once([request] * times)


def described(replies: Sequence[Reply]) -> str:
    return "; ".join(f"{reply.status} {reply.error or _detail(reply)}"[:300] for reply in replies)


def _detail(reply: Reply) -> str:
    return str(reply.body.get("detail")) if isinstance(reply.body, dict) else ""


def one_wins(
    replies: Sequence[Reply], *, won: int, lost: Collection[int] = (422,), says: str
) -> Reply:
    """Exactly one reply is `won`; every other is one of `lost` with JSON `detail` saying
    `says`. The winning reply."""
    statuses = Counter(reply.status for reply in replies)
    assert statuses[won] == 1, described(replies)
    losers = [reply for reply in replies if reply.status != won]
    assert all(reply.status in lost for reply in losers), described(replies)
    for reply in losers:
        assert isinstance(reply.body, dict), described(replies)
        assert says in reply.body["detail"], described(replies)
    return next(reply for reply in replies if reply.status == won)


def all_succeed(replies: Sequence[Reply], status: int = 200) -> None:
    assert all(reply.status == status for reply in replies), described(replies)


# -- Care ------------------------------------------------------------------------------------------


def test_people_referrals_and_consents() -> None:
    system = build_system()
    # Someone recorded once, whatever the number of identical requests to record them.
    person_body = {
        "local_id": "RACE-1",
        "name": "Rae Example",
        "nhs_number": "999 123 4578",
        "referral": {"team": system.team_a.pk, "referral_source": "gp"},
    }
    replies = identical(Request(system.clinician_a, "post", f"{API}/care/people", person_body))
    one_wins(replies, won=201, says="Rae Example already has an open episode with North CMHT.")
    person = PersonInCare.objects.get(local_id="RACE-1")
    assert Episode.objects.filter(person=person).count() == 1

    # A referral to another team, sent again and again.
    Membership.objects.create(person=system.clinician_a, team=system.team_b)
    replies = identical(
        Request(
            system.clinician_a,
            "post",
            f"{API}/care/people/{person.pk}/referrals",
            {"team": system.team_b.pk, "referral_source": "self"},
        )
    )
    one_wins(replies, won=201, says="Rae Example already has an open episode with South CMHT.")
    assert Episode.objects.filter(person=person, team=system.team_b).count() == 1

    # Consent to share with the same organisation.
    replies = identical(
        Request(
            system.clinician_a,
            "post",
            f"{API}/care/people/{person.pk}/consents",
            {"organisation": system.vcse_org.pk},
        )
    )
    one_wins(replies, won=201, says="Consent to share with Test Mind is already recorded.")
    assert ConsentToShare.objects.filter(person=person).count() == 1


def test_a_teams_default_zones_are_set_up_once() -> None:
    """The first pages opened at once for a team without zones set up its five default zones
    once, and say so once in the audit trail."""
    system = build_system()
    path = f"{API}/care/teams/{system.team_a.pk}/zones"
    replies = identical(Request(system.clinician_a, "get", path, {}))
    all_succeed(replies)
    assert [reply.body["count"] for reply in replies] == [5] * AT_ONCE, described(replies)
    assert CareZone.objects.filter(team=system.team_a).count() == 5
    summary = f"Default zones set up for {system.team_a.name}"
    assert AuditEvent.objects.filter(summary=summary, actor__isnull=True).count() == 1


def test_the_refer_pages() -> None:
    system = build_system()
    form = {
        "local_id": "RACE-2",
        "name": "Sol Example",
        "nhs_number": "",
        "team": str(system.team_a.pk),
        "referral_source": "gp",
        "key_worker": "",
        "reason": "",
    }
    replies = identical(Request(system.clinician_a, "post", "/care/refer/", form, page=True))
    statuses = Counter(reply.status for reply in replies)
    assert statuses[302] == 1, described(replies)
    assert statuses[400] == AT_ONCE - 1, described(replies)
    for reply in replies:
        if reply.status == 400:
            # Whether the form saw the person already recorded or the service did, it says so.
            assert (
                "Sol Example already has an open episode with North CMHT." in reply.body
                or "Sol Example is already recorded with this local identifier" in reply.body
            ), reply.body
    person = PersonInCare.objects.get(local_id="RACE-2")
    assert Episode.objects.filter(person=person).count() == 1

    # Referred again to another of the user's teams, from the person's page.
    Membership.objects.create(person=system.clinician_a, team=system.team_b)
    form = {
        "team": str(system.team_b.pk),
        "referral_source": "self",
        "key_worker": "",
        "reason": "",
    }
    replies = identical(
        Request(system.clinician_a, "post", f"/care/people/{person.pk}/refer/", form, page=True)
    )
    statuses = Counter(reply.status for reply in replies)
    assert statuses[302] == 1, described(replies)
    # Refused by the service, or — for a request that came after the first had finished — by
    # the page, which offers no team left to refer to.
    assert statuses[400] + statuses[403] == AT_ONCE - 1, described(replies)
    for reply in replies:
        if reply.status == 400:
            assert "Sol Example already has an open episode with South CMHT." in reply.body
    assert Episode.objects.filter(person=person, team=system.team_b).count() == 1


def test_zones_offers_and_decisions_about_a_person() -> None:
    system = build_system()
    care_services.zones_ensure(team=system.team_a)
    # The same zone name, however it is capitalised or spaced, is one zone.
    names = ["Weekly review", "weekly review", "WEEKLY REVIEW", "Weekly Review ", " weekly Review"]
    replies = at_once(
        [
            Request(
                system.clinician_a,
                "post",
                f"{API}/care/teams/{system.team_a.pk}/zones",
                {"name": name, "colour": "grey", "meaning": "We meet weekly to review the plan."},
            )
            for name in names
        ]
    )
    one_wins(replies, won=201, says="The team already has a zone with this name")
    assert CareZone.objects.filter(team=system.team_a, name__iexact="weekly review").count() == 1

    # The same offer in the catalogue.
    replies = at_once(
        [
            Request(
                system.team_leader_a,
                "post",
                f"{API}/care/offers",
                {"name": name, "kind": "peer_support", "organisation": system.vcse_org.pk},
            )
            for name in ["Walking group", "walking group", "WALKING GROUP", "Walking Group"]
        ]
    )
    one_wins(replies, won=201, says="There is already an offer with this name")
    offer = Offer.objects.get(name__iexact="walking group")

    # One open offer decision for a new referral.
    front_door = forum_services.forum_create(
        actor=system.team_leader_a,
        name="North front door",
        kind=ForumKind.FRONT_DOOR,
        home_team=system.team_a,
        members=[system.clinician_a],
    )
    new = _referred(system, "RACE-3", "Tia Example")
    replies = identical(
        Request(
            system.clinician_a,
            "post",
            f"{API}/care/episodes/{new.pk}/offer-decision",
            {"offer": offer.pk, "forum": front_door.pk},
        )
    )
    one_wins(replies, won=201, says="An offer for Tia Example is already open for positions.")
    assert CareDecision.objects.filter(episode=new).count() == 1

    # One open move-on decision for someone ready to move on.
    huddle = forum_services.forum_create(
        actor=system.team_leader_a,
        name="North huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        members=[system.clinician_a],
    )
    ready = _referred(system, "RACE-4", "Uma Example")
    for stage in (Stage.OFFER_MADE, Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON):
        ready = care_services.episode_move(actor=system.clinician_a, episode=ready, to_stage=stage)
    replies = identical(
        Request(
            system.clinician_a,
            "post",
            f"{API}/care/episodes/{ready.pk}/move-on-decision",
            {"destination": "gp", "forum": huddle.pk, "proposal": "Back to the GP with a plan."},
        )
    )
    one_wins(replies, won=201, says="A move-on decision for Uma Example is already open or agreed.")
    assert CareDecision.objects.filter(episode=ready).count() == 1


def _referred(system: System, local_id: str, name: str) -> Episode:
    return care_services.person_refer(
        actor=system.clinician_a,
        team=system.team_a,
        local_id=local_id,
        name=name,
        referral_source="gp",
    )


# -- Decisions -------------------------------------------------------------------------------------


def _board(system: System) -> Forum:
    """A forum of North CMHT (so its leaders hold its decisions) with a board member in it."""
    return forum_services.forum_create(
        actor=system.team_leader_a,
        name="North decisions",
        kind=ForumKind.MDT,
        home_team=system.team_a,
        members=[system.clinician_a, system.clinician_b, system.vcse],
    )


def _agreed(system: System, forum: Forum, title: str) -> Decision:
    decision = decision_services.decision_propose(
        actor=system.clinician_a, forum=forum, kind="other", title=title, proposal="Try it."
    )
    decision_services.position_take(actor=system.vcse, decision=decision, stance="consent")
    return decision_services.decision_decide(
        actor=system.clinician_a,
        decision=decision,
        agreed=True,
        outcome="Agreed",
        rationale="Nobody objects.",
    )


def test_budgets_holds_advice_positions_and_approvals() -> None:
    system = build_system()
    forum = _board(system)
    today = timezone.localdate()
    budget_body = {
        "name": "Small grants",
        "period_start": today.isoformat(),
        "period_end": (today + timedelta(days=365)).isoformat(),
        "total_pence": 100_000,
    }
    replies = identical(
        Request(
            system.clinician_a, "post", f"{API}/decisions/forums/{forum.pk}/budgets", budget_body
        )
    )
    one_wins(replies, won=201, says="There is already a budget with this forum and name")
    budget = Budget.objects.get(forum=forum, name="Small grants")

    # A leader holds an agreed decision once.
    agreed = _agreed(system, forum, "Open the clinic on Saturdays")
    replies = identical(
        Request(system.team_leader_a, "post", f"{API}/decisions/decisions/{agreed.pk}/holds", {})
    )
    one_wins(replies, won=201, says="You already hold this decision.")
    assert Hold.objects.filter(decision=agreed).count() == 1

    # Advice is sought from someone once.
    advice = decision_services.decision_propose(
        actor=system.clinician_a,
        forum=forum,
        kind="other",
        title="Change the referral form",
        proposal="Shorter.",
        method="advice",
    )
    replies = identical(
        Request(
            system.clinician_a,
            "post",
            f"{API}/decisions/decisions/{advice.pk}/advice",
            {"adviser": system.clinician_b.pk},
        )
    )
    one_wins(replies, won=201, says="Advice was already sought from Ben Clinician.")
    assert AdviceRequest.objects.filter(decision=advice).count() == 1

    # The same position, taken again and again, is one position with one entry in its history.
    open_decision = decision_services.decision_propose(
        actor=system.clinician_a, forum=forum, kind="other", title="Move the huddle", proposal="9am"
    )
    replies = identical(
        Request(
            system.vcse,
            "put",
            f"{API}/decisions/decisions/{open_decision.pk}/position",
            {"stance": "consent"},
        )
    )
    all_succeed(replies)
    assert Position.objects.filter(decision=open_decision).count() == 1
    assert PositionEvent.objects.filter(decision=open_decision).count() == 1

    # Approvals in a round, set again and again: the same approvals, once each.
    proposals = [
        decision_services.decision_propose(
            actor=system.clinician_a,
            forum=forum,
            kind=DecisionKind.FUNDING,
            title=f"Proposal {index}",
            proposal="Fund it.",
            budget=budget,
            amount_requested_pence=10_000,
        )
        for index in range(2)
    ]
    allocation = decision_services.allocation_round_create(
        actor=system.clinician_a,
        budget=budget,
        title="Spring round",
        closes_at=timezone.now() + timedelta(days=7),
        proposals=proposals,
    )
    replies = identical(
        Request(
            system.vcse,
            "put",
            f"{API}/decisions/allocation-rounds/{allocation.pk}/approvals",
            {"approve": [d.pk for d in proposals]},
        )
    )
    all_succeed(replies)
    assert Approval.objects.filter(round=allocation, person=system.vcse).count() == 2
    # A mind changed back and forth at the same moment: each list is applied whole, so the
    # approvals kept are one of the lists sent, never a mixture of them.
    lists = [[proposals[0].pk], [proposals[1].pk]] * (AT_ONCE // 2)
    path = f"{API}/decisions/allocation-rounds/{allocation.pk}/approvals"
    replies = at_once([Request(system.vcse, "put", path, {"approve": ids}) for ids in lists])
    all_succeed(replies)
    kept = list(
        Approval.objects.filter(round=allocation, person=system.vcse).values_list(
            "decision_id", flat=True
        )
    )
    assert kept in lists


def test_funding_outcomes_never_overspend_a_budget() -> None:
    """Sixteen proposals of £600 on a £1,000 budget, all agreed at the same moment: one is."""
    system = build_system()
    forum = _board(system)
    today = timezone.localdate()
    budget = decision_services.budget_create(
        actor=system.clinician_a,
        forum=forum,
        name="Crisis café",
        period_start=today,
        period_end=today + timedelta(days=365),
        total_pence=100_000,
    )
    proposals = []
    for index in range(16):
        decision = decision_services.decision_propose(
            actor=system.clinician_a,
            forum=forum,
            kind=DecisionKind.FUNDING,
            title=f"Evening opening {index}",
            proposal="Open two evenings a week.",
            budget=budget,
            amount_requested_pence=60_000,
        )
        decision_services.position_take(actor=system.vcse, decision=decision, stance="consent")
        proposals.append(Decision.objects.get(pk=decision.pk))
    replies = at_once(
        [
            Request(
                system.clinician_a,
                "post",
                f"{API}/decisions/decisions/{decision.pk}/outcome",
                {
                    "agreed": True,
                    "outcome": "Funded",
                    "rationale": "The café needs it.",
                    "version": decision.version,
                },
            )
            for decision in proposals
        ]
    )
    one_wins(replies, won=200, says="£600 is more than the £400 remaining in Crisis café.")
    assert Decision.objects.filter(budget=budget, status=DecisionStatus.AGREED).count() == 1
    committed = budget_committed(Budget.objects.get(pk=budget.pk))
    assert committed == 60_000
    assert budget.total_pence - committed >= 0


# -- Forums ----------------------------------------------------------------------------------------


def test_forums_members_guests_attendance_and_presence() -> None:
    system = build_system()
    replies = identical(
        Request(
            system.clinician_a,
            "post",
            f"{API}/forums/forums",
            {"name": "Crisis café project", "kind": "project_group"},
        )
    )
    one_wins(replies, won=201, says="There is already a forum with this name")
    forum = Forum.objects.get(name="Crisis café project")

    replies = identical(
        Request(
            system.clinician_a,
            "post",
            f"{API}/forums/forums/{forum.pk}/members",
            {"person": system.vcse.pk},
        )
    )
    one_wins(
        replies, won=201, says="Chloe Practitioner is already a member of Crisis café project."
    )
    assert ForumMembership.objects.filter(forum=forum, person=system.vcse).count() == 1

    start = timezone.now() + timedelta(minutes=5)
    meeting = forum_services.meeting_create(
        actor=system.clinician_a, forum=forum, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    # The same named guest, however their name is capitalised or spaced, is recorded once.
    names = ["Helen Hughes", "helen hughes", " Helen Hughes ", "HELEN HUGHES"]
    replies = at_once(
        [
            Request(
                system.clinician_a,
                "post",
                f"{API}/forums/meetings/{meeting.pk}/guests",
                {"guest_name": name, "guest_role": "Peer support worker"},
            )
            for name in names
        ]
    )
    one_wins(replies, won=201, says="is already recorded for this meeting.")
    assert Attendance.objects.filter(meeting=meeting, person__isnull=True).count() == 1

    # The whole list, PUT again and again: every request succeeds, and each member has one row.
    replies = identical(
        Request(
            system.clinician_a,
            "put",
            f"{API}/forums/meetings/{meeting.pk}/attendance",
            {"present": [system.clinician_a.pk], "apologies": [system.vcse.pk]},
        )
    )
    all_succeed(replies)
    rows = Attendance.objects.filter(meeting=meeting, person__isnull=False)
    assert sorted(rows.values_list("person_id", "status")) == sorted(
        [
            (system.clinician_a.pk, AttendanceStatus.PRESENT),
            (system.vcse.pk, AttendanceStatus.APOLOGIES),
        ]
    )
    assert Meeting.objects.filter(pk=meeting.pk).exists()

    # "I'm in the building today", tapped again and again: one visit.
    site = forum_services.site_create(actor=system.administrator, name="Riverside House")
    replies = identical(
        Request(system.team_leader_a, "post", f"{API}/forums/presence/visits", {"site": site.pk})
    )
    statuses = Counter(reply.status for reply in replies)
    assert statuses == Counter({201: 1, 200: AT_ONCE - 1}), described(replies)
    assert PresenceVisit.objects.filter(person=system.team_leader_a, site=site).count() == 1


# -- Safety and wellbeing --------------------------------------------------------------------------


def test_a_first_safety_plan_and_formulation() -> None:
    system = build_system()
    episode = _referred(system, "RACE-5", "Vic Example")
    plan = {"warning_signs": "Not sleeping", "written_with": "Vic"}
    replies = identical(
        Request(system.clinician_a, "put", f"{API}/safety/people/{episode.person_id}/plan", plan)
    )
    one_wins(replies, won=200, lost=(409,), says="Someone else")
    assert SafetyPlan.objects.filter(person=episode.person).count() == 1
    assert SafetyPlanVersion.objects.filter(plan__person=episode.person).count() == 1

    formulation = {"presenting": "Low mood since the winter"}
    replies = identical(
        Request(
            system.clinician_a,
            "put",
            f"{API}/safety/people/{episode.person_id}/formulation",
            formulation,
        )
    )
    one_wins(replies, won=200, lost=(409,), says="Someone else")
    assert SafetyFormulation.objects.filter(person=episode.person).count() == 1
    assert SafetyFormulationVersion.objects.filter(formulation__person=episode.person).count() == 1


def test_a_pulse_answer_and_joining_a_peer_circle() -> None:
    system = build_system()
    pulse_round = wellbeing_services.pulse_round_open(team=system.team_a)
    answers = [{"statement": s.pk, "value": 4} for s in pulse_round.statements.all()]
    replies = identical(
        Request(
            system.lone_coach,
            "post",
            f"{API}/wellbeing/pulse/{pulse_round.pk}/answers",
            {"answers": answers},
        )
    )
    one_wins(replies, won=201, says="You have already answered North CMHT's check-in")
    assert PulseResponseMarker.objects.filter(round=pulse_round).count() == 1
    assert PulseAnswer.objects.filter(round=pulse_round).count() == len(answers)

    circle = wellbeing_services.peer_circle_create(
        actor=system.administrator,
        name="Mental health coaches",
        discipline=Discipline.objects.get(slug="mental-health-coach"),
    )
    replies = identical(
        Request(system.south_coach, "post", f"{API}/wellbeing/peer-circles/{circle.pk}/join", {})
    )
    one_wins(replies, won=201, says="Ivo Coach is already in Mental health coaches.")
    assert PeerCircleMembership.objects.filter(circle=circle).count() == 1
    assert (
        ForumMembership.objects.filter(forum=circle.forum, person=system.south_coach).count() == 1
    )


# -- Learning ------------------------------------------------------------------------------------


def test_who_took_part_finishing_a_response_and_an_action_done() -> None:
    system = build_system()
    about = learning_services.event_record(
        actor=system.team_leader_a,
        team=system.team_a,
        kind="near_miss",
        title="A missed call",
        what_happened="The follow-up call was not made.",
        happened_on=timezone.localdate(),
    )
    swarm = learning_services.response_start(
        actor=system.team_leader_a, kind="swarm", events=[about]
    )
    path = f"{API}/learning/responses/{swarm.pk}"
    # The same colleague recorded once as taking part.
    replies = identical(
        Request(
            system.team_leader_a,
            "post",
            f"{path}/participants",
            {"took_part_as": "staff", "person": system.lone_coach.pk},
        )
    )
    one_wins(replies, won=201, says="Hana Coach is already recorded as taking part")
    assert Participant.objects.filter(response=swarm, person=system.lone_coach).count() == 1

    # One safety action, done once: every other identical request finds it changed.
    action = learning_services.action_add(
        actor=system.team_leader_a,
        response=swarm,
        description="Put follow-up calls on the board",
        owner=system.clinician_a,
        due_on=timezone.localdate(),
    )
    done = {"to_status": "done", "evidence": "A column since Monday.", "version": 1}
    replies = identical(
        Request(system.clinician_a, "post", f"{API}/learning/actions/{action.pk}/progress", done)
    )
    one_wins(replies, won=200, lost=(409,), says="Someone else changed this")
    assert ActionEvent.objects.filter(action=action).count() == 1

    # The response finished once, its answers written first.
    answers = {
        "what_happened": "The call was not made.",
        "what_was_expected": "A call within 72 hours.",
        "why_different": "The list was on paper.",
        "what_now": "Calls go on the board.",
    }
    swarm = learning_services.response_update(
        actor=system.team_leader_a,
        response=swarm,
        expected_version=swarm.version,
        held_on=swarm.held_on,
        **answers,
    )
    replies = identical(
        Request(system.team_leader_a, "post", f"{path}/finish", {"version": swarm.version})
    )
    one_wins(replies, won=200, lost=(409,), says="Someone else changed this learning response")
    assert LearningResponse.objects.get(pk=swarm.pk).version == swarm.version + 1

    # Support offered once after the event, however many times the leader's request is sent;
    # the person's answer saved once.
    replies = identical(
        Request(
            system.team_leader_a,
            "post",
            f"{API}/learning/events/{about.pk}/support",
            {"person": system.lone_coach.pk, "what": "Time with me this week"},
        )
    )
    one_wins(replies, won=201, says="has already been offered support after this event")
    [support] = SupportAfterEvent.objects.filter(event=about)
    assert SupportOffered.objects.filter(person=system.lone_coach).count() == 1
    replies = identical(
        Request(
            system.lone_coach,
            "post",
            f"{API}/learning/support/{support.pk}/answer",
            {"taken_up": "accepted", "version": support.version},
        )
    )
    one_wins(replies, won=200, lost=(409,), says="Someone else changed this")
