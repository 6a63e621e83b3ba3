"""Wellbeing pages: the check-in, results, support, peer circles and the isolation list."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from html import unescape

import pytest
from django.utils import timezone

from roundtable.directory.models import Membership
from roundtable.testing import discipline
from roundtable.wellbeing import services
from roundtable.wellbeing.models import (
    PeerCircleMembership,
    PulseAnswer,
    PulseResponseMarker,
    SupportAttendance,
    SupportOffered,
    SupportSession,
)
from roundtable.wellbeing.tests.helpers import add_people, answer_all

pytestmark = pytest.mark.django_db


def text(response) -> str:
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    return re.sub(r" ([,.;:])", r"\1", words)


def answers(pulse_round, value="4") -> dict[str, str]:
    return {f"statement_{s.pk}": value for s in pulse_round.statements.all()}


def test_the_check_in_is_answered_once_with_clear_errors(system, client_for):
    client = client_for(system.lone_coach)
    home = text(client.get("/wellbeing/"))
    assert "Answer the check-in for North CMHT" in home
    assert "This month's check-in is waiting for you" in text(client.get("/"))
    page = client.get(f"/wellbeing/pulse/{system.team_a.pk}/")
    assert page.status_code == 200
    assert "I feel isolated in my role" in text(page)
    pulse_round = services.pulse_round_open(team=system.team_a)

    # Missing and out-of-range answers: clear errors, nothing stored.
    data = answers(pulse_round)
    first, second = list(pulse_round.statements.all())[:2]
    data[f"statement_{first.pk}"] = "7"
    del data[f"statement_{second.pk}"]
    bad = client.post(f"/wellbeing/pulse/{system.team_a.pk}/", data)
    assert bad.status_code == 400
    assert "Choose an answer from 1 to 5 for “I feel held when I make difficult decisions”" in text(
        bad
    )
    assert "Choose an answer for “I feel isolated in my role”" in text(bad)
    assert not PulseAnswer.objects.exists()
    assert not PulseResponseMarker.objects.exists()

    sent = client.post(
        f"/wellbeing/pulse/{system.team_a.pk}/", {**answers(pulse_round), "comment": "Busy."}
    )
    assert sent.status_code == 302
    assert PulseAnswer.objects.count() == 5
    assert "Answered" in text(client.get("/wellbeing/"))
    assert "You have answered this month's check-in" in text(
        client.get(f"/wellbeing/pulse/{system.team_a.pk}/")
    )
    # A second answer in the round (a resubmitted form): refused, nothing more stored.
    again = client.post(f"/wellbeing/pulse/{system.team_a.pk}/", answers(pulse_round, "1"))
    assert again.status_code == 400
    assert "You have already answered North CMHT's check-in" in text(again)
    assert PulseAnswer.objects.count() == 5
    assert set(PulseAnswer.objects.values_list("value", flat=True)) == {4}


def test_a_check_in_for_a_team_you_are_not_in_is_not_found(system, client_for):
    assert (
        client_for(system.lone_coach).get(f"/wellbeing/pulse/{system.team_b.pk}/").status_code
        == 404
    )


def test_results_page_with_six_answers_says_not_enough_answers_to_show(system, client_for):
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=10)
    pulse_round = services.pulse_round_open(team=system.team_b, day=last_month)
    answer_all(add_people(system.team_b, 6), pulse_round, day=last_month)
    page = text(client_for(system.clinician_b).get(f"/wellbeing/pulse/{system.team_b.pk}/results/"))
    assert "Not enough answers to show" in page
    assert "No month has enough answers to show yet" in page
    assert "Agree or strongly agree" not in page
    # With a seventh, the month is shown.
    other = add_people(system.team_b, 1, prefix="seventh")
    answer_all(other, pulse_round, day=last_month)
    shown = text(
        client_for(system.clinician_b).get(f"/wellbeing/pulse/{system.team_b.pk}/results/")
    )
    assert "7 people answered" in shown
    assert "Agree or strongly agree" in shown
    system_page = text(client_for(system.board_member).get("/wellbeing/pulse/system/"))
    assert last_month.strftime("%B %Y") in system_page


def test_results_of_another_team_are_not_found(system, client_for):
    client = client_for(system.clinician_b)
    assert client.get(f"/wellbeing/pulse/{system.team_a.pk}/results/").status_code == 404


def test_isolation_list_is_for_leaders_only(system, client_for):
    for outsider in (system.lone_coach, system.clinician_a, system.clinician_b):
        assert client_for(outsider).get("/wellbeing/isolation/").status_code == 403
    page = text(client_for(system.team_leader_a).get("/wellbeing/isolation/"))
    assert "Hana Coach" in page
    assert "The only mental health coach in North CMHT" in page
    assert "The only mental health coach in the North locality" in page
    assert "No team meeting or support session in the last 4 weeks" in page
    # The South coach is not in a team this leader leads.
    assert "Ivo Coach" not in page


def test_support_sessions_are_recorded_with_who_came(system, client_for):
    client = client_for(system.team_leader_a)
    assert client.get("/wellbeing/support/new/").status_code == 200
    empty = client.post("/wellbeing/support/new/", {})
    assert empty.status_code == 400
    assert "Choose the kind of session" in text(empty)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        "/wellbeing/support/new/",
        {
            "kind": "reflective_practice",
            "group": f"team:{system.team_a.pk}",
            "day": yesterday.isoformat(),
            "start": "13:00",
            "duration_minutes": "60",
            "i_facilitate": "on",
        },
    )
    session = SupportSession.objects.get()
    assert response.status_code == 302
    assert session.facilitator == system.team_leader_a
    saved = client.post(
        f"/wellbeing/support/{session.pk}/", {"people": [system.lone_coach.pk, system.vcse.pk]}
    )
    assert saved.status_code == 302
    assert set(SupportAttendance.objects.values_list("person_id", flat=True)) == {
        system.lone_coach.pk,
        system.vcse.pk,
    }
    assert "Reflective practice" in text(client.get("/wellbeing/support/"))
    # Someone outside the team does not see it.
    assert (
        client_for(system.clinician_b).get(f"/wellbeing/support/{session.pk}/").status_code == 404
    )
    # Attending counts as contact: the coach is no longer listed for that.
    page = text(client_for(system.team_leader_a).get("/wellbeing/isolation/"))
    assert "No team meeting or support session" not in page.split("Hana Coach")[1].split("Gita")[0]


def test_support_offered_is_seen_by_the_person_and_their_leaders_only(system, client_for):
    leader = client_for(system.team_leader_a)
    membership = Membership.objects.get(person=system.lone_coach, team=system.team_a)
    bad = leader.post("/wellbeing/support-offered/", {"membership": str(membership.pk), "what": ""})
    assert bad.status_code == 400
    assert "Say what support was offered" in text(bad)
    ok = leader.post(
        "/wellbeing/support-offered/",
        {
            "membership": str(membership.pk),
            "what": "Restorative supervision with the clinical lead",
            "on": date.today().isoformat(),
        },
    )
    assert ok.status_code == 302
    assert SupportOffered.objects.get().offered_by == system.team_leader_a
    assert "Restorative supervision with the clinical lead" in text(
        client_for(system.lone_coach).get("/wellbeing/support-offered/")
    )
    for outsider in (system.clinician_a, system.clinician_b):
        page = text(client_for(outsider).get("/wellbeing/support-offered/"))
        assert "Restorative supervision with the clinical lead" not in page
    # Someone who leads no team cannot record support offered.
    denied = client_for(system.clinician_a).post(
        "/wellbeing/support-offered/", {"membership": str(membership.pk), "what": "x"}
    )
    assert denied.status_code == 403


def test_peer_circle_join_and_leave(system, client_for):
    circle = services.peer_circle_create(
        actor=system.south_coach,
        name="Mental health coaches' circle",
        discipline=discipline("mental-health-coach"),
    )
    client = client_for(system.lone_coach)
    page = text(client.get(f"/wellbeing/peer-circles/{circle.pk}/"))
    assert "Ivo Coach" in page
    assert "Join this peer circle" in page
    client.post(f"/wellbeing/peer-circles/{circle.pk}/join/")
    assert PeerCircleMembership.objects.filter(circle=circle, person=system.lone_coach).exists()
    assert circle.forum.memberships.filter(person=system.lone_coach).exists()
    listing = text(client.get("/wellbeing/peer-circles/"))
    assert "2 members in North, South; you are a member" in listing
    # Someone of another discipline is not offered to join, and is refused if they try.
    other = client_for(system.clinician_a)
    assert "Join this peer circle" not in text(other.get(f"/wellbeing/peer-circles/{circle.pk}/"))
    refused = other.post(f"/wellbeing/peer-circles/{circle.pk}/join/", follow=True)
    assert "is for people whose discipline is mental health coach" in text(refused)
    client = client_for(system.lone_coach)
    client.post(f"/wellbeing/peer-circles/{circle.pk}/leave/")
    assert not PeerCircleMembership.objects.filter(person=system.lone_coach).exists()


def test_the_isolation_page_reads_in_the_same_number_of_queries_however_many(system, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(system.team_leader_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/wellbeing/isolation/").status_code == 200
        return len(queries)

    add_people(system.team_a, 2, prefix="few")
    few = count()
    add_people(system.team_a, 8, prefix="many")
    assert count() == few


def test_a_session_is_put_right_then_cancelled_from_its_page(system, client_for):
    leader = client_for(system.team_leader_a)
    tomorrow = timezone.localdate() + timedelta(days=1)
    session = services.support_session_record(
        actor=system.team_leader_a,
        kind="reflective_practice",
        starts_at=timezone.make_aware(datetime.combine(tomorrow, time(13))),
        team=system.team_a,
    )
    detail = f"/wellbeing/support/{session.pk}/"
    change_url, cancel_url = f"{detail}change/", f"{detail}cancel/"
    page = text(leader.get(detail))
    assert "Change the session" in page
    assert "Cancel the session" in page
    form = leader.get(change_url).content.decode()
    assert 'value="13:00"' in form
    assert f'value="{tomorrow.isoformat()}"' in form
    posted = {
        "kind": "restorative_supervision",
        "day": tomorrow.isoformat(),
        "start": "14:30",
        "duration_minutes": "5",
        "i_facilitate": "on",
        "version": "1",
    }
    bad = leader.post(change_url, posted)
    assert bad.status_code == 400
    assert "A session lasts from 15 minutes to 8 hours" in text(bad)
    assert SupportSession.objects.get().kind == "reflective_practice"
    assert leader.post(change_url, {**posted, "duration_minutes": "90"}).status_code == 302
    session.refresh_from_db()
    assert (session.kind, session.duration_minutes, session.version) == (
        "restorative_supervision",
        90,
        2,
    )
    assert timezone.localtime(session.starts_at).time() == time(14, 30)
    assert session.facilitator == system.team_leader_a
    # A change from a copy read before that one: 409, shown, nothing overwritten.
    stale = leader.post(change_url, {**posted, "duration_minutes": "30"})
    assert stale.status_code == 409
    assert "Someone else changed this support session" in text(stale)
    assert 'name="version" value="2"' in stale.content.decode()
    assert SupportSession.objects.get().duration_minutes == 90
    # Someone outside the team neither sees nor changes it.
    outsider = client_for(system.clinician_b)
    assert outsider.get(change_url).status_code == 404
    assert outsider.post(cancel_url, {"reason": "x", "version": "2"}).status_code == 404

    leader = client_for(system.team_leader_a)
    empty = leader.post(cancel_url, {"reason": " ", "version": "2"})
    assert empty.status_code == 400
    assert "Say why the session is cancelled" in text(empty)
    done = leader.post(cancel_url, {"reason": "The facilitator is off sick", "version": "2"})
    assert done.status_code == 302
    page = text(leader.get(detail))
    assert "Cancelled on" in page
    assert "The facilitator is off sick" in page
    assert "Change the session" not in page
    assert "Who came" not in page
    assert "Cancelled" in text(leader.get("/wellbeing/support/"))
    # Nothing more to change on a cancelled session.
    assert leader.get(change_url).status_code == 302
    assert leader.get(cancel_url).status_code == 302
