"""`roundtable demo`: concerns at every stage, a year of pulse, support, the peer circle, and an
isolation list that is right for the demo system.

These tests only read, so they share one build of the demo (the `built` fixture).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from roundtable.demo.generator import PERSONA_BY_KEY
from roundtable.demo.voice import LAPSED, PEER_CIRCLE_NAME
from roundtable.directory import queries
from roundtable.directory.models import (
    LeadershipTeam,
    Membership,
    MembershipRole,
    Person,
    Team,
    TeamKind,
)
from roundtable.forums.models import Attendance, AttendanceStatus
from roundtable.voice import selectors as voice_selectors
from roundtable.voice.models import Concern, ConcernEvent, ConcernStatus
from roundtable.wellbeing import selectors
from roundtable.wellbeing.models import (
    PeerCircle,
    PulseAnswer,
    PulseRound,
    SupportAttendance,
    SupportOffered,
    SupportSession,
)

pytestmark = pytest.mark.django_db

EN_CMHT = "Epping North Community Mental Health Team"
LF_CMHT = "Loughton Forest Community Mental Health Team"


def person(key: str) -> Person:
    return Person.objects.get(email=PERSONA_BY_KEY[key].email)


def team_leader(team_name: str) -> Person:
    return Membership.objects.get(team__name=team_name, role=MembershipRole.TEAM_LEADER).person


def test_concerns_at_every_stage_some_anonymous(built: str) -> None:
    assert "concerns" in built
    statuses = set(Concern.objects.values_list("status", flat=True))
    assert statuses == set(ConcernStatus.values)
    anonymous = Concern.objects.filter(is_anonymous=True)
    assert anonymous.count() >= 4
    assert not anonymous.filter(raised_by__isnull=False).exists()
    assert not ConcernEvent.objects.filter(
        concern__in=anonymous, kind="raised", actor__isnull=False
    )
    # Loughton Forest's went unacknowledged and is now with the trust; the system's is overdue.
    escalated = Concern.objects.get(title="Our leaders are never in the building")
    assert escalated.owner.level == "organisation"
    assert escalated.events.filter(kind="escalated").count() == 1
    overdue = Concern.objects.get(title__startswith="Social workers' caseloads")
    assert overdue.events.filter(kind="overdue_at_top").count() == 1
    # Jordan's anonymous concern led to the peer circle and is on the team's board.
    board = list(voice_selectors.board(team=Team.objects.get(name=EN_CMHT)))
    assert [row["title"] for row in board] == ["Nobody to talk to after difficult visits"]
    assert PEER_CIRCLE_NAME in board[0]["outcome"]
    # Running the escalation again today changes nothing.
    from roundtable.voice.services import concerns_escalate

    assert concerns_escalate(today=timezone.localdate()) == (0, 0)


def test_a_year_of_pulse_with_small_groups_suppressed(built: str) -> None:
    today = timezone.localdate()
    for name in (EN_CMHT, LF_CMHT, "Harlow Vale Community Mental Health Team"):
        team = Team.objects.get(name=name)
        assert PulseRound.objects.filter(team=team).count() == 13
        results = selectors.team_pulse(team_leader(name), team, today=today)
        assert not results[0].is_closed  # this month's is open
        assert sum(r.shown for r in results[1:]) >= 11
    small = Team.objects.get(name="Epping and Loughton Primary Care Mental Health Team")
    results = selectors.team_pulse(team_leader(small.name), small, today=today)
    assert results
    assert not any(r.shown for r in results)
    assert all(r.message.startswith("Not enough answers") for r in results if r.is_closed)
    texts, trend = selectors.system_trend(today=today)
    assert len(trend) == 12
    assert texts[0] == "I feel held when I make difficult decisions"
    # Loughton Forest feels less held lately: the story the forums history tells.
    _, lf = selectors.team_trend(team_leader(LF_CMHT), Team.objects.get(name=LF_CMHT), today=today)
    held = [row.means[texts[0]] for row in lf]
    assert sum(held[-2:]) / 2 < sum(held[:6]) / 6 - 0.5
    # The demo logins have not answered this month, so each can try the check-in.
    invites = selectors.my_pulse(person("lone_coach"), today=today)
    assert invites
    assert not any(i.answered for i in invites)
    assert PulseAnswer.objects.count() > 5000


def test_support_sessions_offered_and_the_peer_circle(built: str) -> None:
    assert SupportSession.objects.filter(kind="schwartz_round").count() == 4
    lapsed_since = timezone.now() - timedelta(days=LAPSED["cmht_lf"])
    lf = SupportSession.objects.filter(team__name=LF_CMHT)
    assert not lf.filter(starts_at__gte=lapsed_since, starts_at__lte=timezone.now()).exists()
    assert SupportAttendance.objects.count() > 200
    assert SupportOffered.objects.filter(person=person("lone_coach")).exists()
    circle = PeerCircle.objects.get(name=PEER_CIRCLE_NAME)
    assert circle.memberships.filter(person=person("lone_coach")).exists()
    localities = set(
        Membership.objects.filter(
            person__in=circle.members.all(), team__locality__isnull=False
        ).values_list("team__locality__name", flat=True)
    )
    assert localities == {"Harlow Vale", "Epping North", "Loughton Forest"}
    assert circle.forum.meetings.filter(attendances__isnull=False).distinct().count() == 13


def expected_isolation(leader: Person) -> dict[str, set[str]]:
    """The isolation list worked out the long way, row by row, for checking the selector."""
    today = timezone.localdate()
    memberships = list(
        Membership.objects.filter(person__is_active=True).select_related(
            "person__discipline", "team__locality", "team__organisation"
        )
    )
    lead = list(LeadershipTeam.objects.filter(memberships__person=leader))
    led = {
        m.team_id
        for m in memberships
        for lt in lead
        if (lt.level in ("team", "project") and lt.team_id == m.team_id)
        or (lt.level == "organisation" and lt.organisation_id == m.team.organisation_id)
    }
    by_team: dict[tuple[int, int], set[int]] = defaultdict(set)
    by_locality: dict[tuple[int, int], set[int]] = defaultdict(set)
    teams_of: dict[int, set[int]] = defaultdict(set)
    for m in memberships:
        teams_of[m.person_id].add(m.team_id)
        if m.person.discipline_id is None:
            continue
        if m.team.kind not in (TeamKind.BOARD, TeamKind.PROJECT_GROUP):
            by_team[(m.team_id, m.person.discipline_id)].add(m.person_id)
        if m.team.locality_id:
            by_locality[(m.team.locality_id, m.person.discipline_id)].add(m.person_id)
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    since = today - timedelta(weeks=4)
    contact: dict[int, set[str]] = defaultdict(set)
    for row in Attendance.objects.filter(
        status=AttendanceStatus.PRESENT,
        meeting__cancelled_at__isnull=True,
        meeting__starts_at__lt=end,
        person__isnull=False,
    ).values(
        "person_id",
        "meeting__starts_at",
        "meeting__forum__home_team_id",
        "meeting__forum__peer_circle",
    ):
        own = row["meeting__forum__home_team_id"] in teams_of[row["person_id"]]
        if (own or row["meeting__forum__peer_circle"]) and timezone.localdate(
            row["meeting__starts_at"]
        ) >= since:
            contact[row["person_id"]].add("meeting")
    for person_id, starts_at in SupportAttendance.objects.filter(
        session__starts_at__lt=end
    ).values_list("person_id", "session__starts_at"):
        if timezone.localdate(starts_at) >= since:
            contact[person_id].add("session")
    expected: dict[str, set[str]] = {}
    for m in memberships:
        if m.team_id not in led:
            continue
        reasons = expected.setdefault(m.person.full_name, set())
        d = m.person.discipline_id
        if (
            d
            and m.team.kind not in (TeamKind.BOARD, TeamKind.PROJECT_GROUP)
            and len(by_team[(m.team_id, d)]) == 1
        ):
            reasons.add(f"team:{m.team.name}")
        for other in memberships:
            if (
                other.person_id == m.person_id
                and other.team.locality_id
                and d
                and len(by_locality[(other.team.locality_id, d)]) == 1
            ):
                reasons.add(f"locality:{other.team.locality}")
        if not contact[m.person_id]:
            reasons.add("no contact")
    return {name: reasons for name, reasons in expected.items() if reasons}


def as_reasons(entries: list[selectors.IsolatedPerson]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for entry in entries:
        reasons = {f"team:{t.name}" for t in entry.lone_in_teams}
        reasons |= {f"locality:{loc.name}" for loc in entry.lone_in_localities}
        if entry.no_recent_contact:
            reasons.add("no contact")
        found[entry.person.full_name] = reasons
    return found


def test_the_isolation_list_is_right_on_the_demo_system(built: str) -> None:
    trust_lead = Person.objects.get(job_title="Director of community services")
    found = as_reasons(selectors.isolation_list(trust_lead))
    assert found == expected_isolation(trust_lead)
    # The story: the lone coach of Epping North, the lone peer support worker of Loughton
    # Forest, and Loughton Forest's leaders, cut off from their own team while covering crisis.
    assert found["Jordan Ellis"] == {f"team:{EN_CMHT}", "locality:Epping North"}
    lone_peer = Membership.objects.get(team__name=LF_CMHT, person__discipline__slug="peer-support")
    assert "locality:Loughton Forest" in found[lone_peer.person.full_name]
    for role in (MembershipRole.TEAM_LEADER, MembershipRole.CLINICAL_LEAD):
        name = Membership.objects.get(team__name=LF_CMHT, role=role).person.full_name
        assert "no contact" in found[name], name
    # Epping North's own leaders see their team only.
    en_leader = team_leader(EN_CMHT)
    en_found = as_reasons(selectors.isolation_list(en_leader))
    assert en_found == expected_isolation(en_leader)
    assert "Jordan Ellis" in en_found
    en_people = set(
        Membership.objects.filter(team__name=EN_CMHT).values_list("person__full_name", flat=True)
    )
    assert set(en_found) <= en_people
    # Jordan leads no team: no list at all.
    jordan = person("lone_coach")
    assert not selectors.may_see_isolation(jordan)
    assert selectors.isolation_list(jordan) == []
    assert queries.teams_led_by(jordan).count() == 0
