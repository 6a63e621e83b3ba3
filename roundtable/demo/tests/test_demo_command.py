"""`roundtable demo`: building, running again, resetting, replacing a seeded system.

What the built demo holds is tested in `test_demo_directory.py` and `test_demo_forums.py`.
"""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test import RequestFactory
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from roundtable.demo.forums import FORUMS
from roundtable.demo.generator import (
    DEMO_PASSWORD,
    PERSONAS,
    RETIRED_DOMAIN,
    build_demo,
    generated_people,
    reset_generated_system,
)
from roundtable.demo.tests.story import EXPECTED_STATUS
from roundtable.directory import selectors
from roundtable.directory.models import (
    LeadershipMembership,
    LeadershipTeam,
    Locality,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    Team,
)
from roundtable.forums import services as forums_services
from roundtable.forums.models import (
    Attendance,
    Forum,
    ForumKind,
    ForumMembership,
    Meeting,
    MeetingSeries,
    PresenceVisit,
    Site,
)
from roundtable.forums.selectors import system_presence

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def persona(key: str) -> Person:
    email = next(p.email for p in PERSONAS if p.key == key)
    return Person.objects.get(email=email)


def snapshot() -> dict[str, int]:
    models = (
        Organisation,
        Locality,
        Team,
        Person,
        Membership,
        LeadershipTeam,
        LeadershipMembership,
        Site,
        Forum,
        ForumMembership,
        MeetingSeries,
        Meeting,
        Attendance,
        PresenceVisit,
        AuditEvent,
    )
    return {model.__name__: model.objects.count() for model in models}


def people_fingerprint() -> list[tuple[str, str, str, str, str]]:
    return sorted(
        generated_people().values_list(
            "full_name", "email", "job_title", "discipline__slug", "organisation__name"
        )
    )


def history_shape(today: date) -> dict[str, tuple[int, int, int, int, int]]:
    """Per forum: past meetings, upcoming ones, past cancelled, attendance rows, guests."""
    past = Q(meetings__starts_at__date__lt=today)
    return {
        forum.name: (forum.past, forum.upcoming, forum.cancelled, forum.rows, forum.guests)
        for forum in Forum.objects.annotate(
            past=Count("meetings", filter=past, distinct=True),
            upcoming=Count("meetings", filter=~past, distinct=True),
            cancelled=Count(
                "meetings", filter=past & Q(meetings__cancelled_at__isnull=False), distinct=True
            ),
            rows=Count("meetings__attendances", distinct=True),
            guests=Count(
                "meetings__attendances",
                filter=Q(meetings__attendances__is_guest=True),
                distinct=True,
            ),
        )
    }


def history_fingerprint() -> list[tuple[str, str, str, str, str]]:
    rows = Attendance.objects.values_list(
        "meeting__forum__name", "meeting__starts_at", "person__email", "guest_name", "status"
    )
    return sorted(
        (forum, str(at), email or "", guest, status) for forum, at, email, guest, status in rows
    )


def test_running_twice_changes_nothing_and_prints_the_logins_again():
    run_demo()
    before = snapshot()
    output = run_demo()
    assert snapshot() == before
    assert "already loaded" in output
    for demo_persona in PERSONAS:
        assert demo_persona.email in output


def test_a_reset_rebuilds_the_same_people_and_history():
    run_demo()
    today = timezone.localdate()
    first_people, first_shape, first_history = (
        people_fingerprint(),
        history_shape(today),
        history_fingerprint(),
    )
    # Someone signs in and acts, so the trail names them: the reset must cope. They also use the
    # forums: a visit, a forum of their own, a meeting with attendance.
    clinician = persona("clinician_a")
    selectors.person_detail(clinician, persona("vcse").pk)
    leader = persona("team_leader")
    forums_services.presence_visit_record(actor=leader, site=Site.objects.order_by("pk")[0])
    forum = forums_services.forum_create(
        actor=leader, name="Harlow Vale reflective practice", kind=ForumKind.MDT
    )
    start = timezone.now() - timedelta(days=1)
    meeting = forums_services.meeting_create(
        actor=leader, forum=forum, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    forums_services.attendance_record(actor=leader, meeting=meeting, person=persona("vcse"))

    output = run_demo("--reset")

    assert "Removed the demo system" in output
    assert f"Also removed {len(FORUMS) + 1} forums" in output
    assert people_fingerprint() == first_people
    assert not Forum.objects.filter(name="Harlow Vale reflective practice").exists()
    assert history_shape(today) == first_shape
    assert history_fingerprint() == first_history
    history = AuditEvent.objects.filter(summary__startswith="Demo history of ")
    assert history.count() == 2 * len(FORUMS)
    retired = Person.objects.filter(email__endswith=f"@{RETIRED_DOMAIN}")
    # The administrator, the clinician and the people who convene forums are in the trail.
    assert {p.full_name for p in retired} >= {"Dev Patel", "Priya Shah", "Rachel Adeyemi"}
    assert not any(p.is_active or p.is_staff or p.has_usable_password() for p in retired)
    assert Person.objects.filter(is_staff=True).count() == 1
    request = RequestFactory().post("/sign-in/")
    assert authenticate(request, username=clinician.email, password=DEMO_PASSWORD) is not None


def test_the_history_has_the_same_shape_on_any_day():
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday() + 7)
    shapes = []
    # Straight after a weekend is when a team's "within 7 days" is most at risk.
    for day in (monday, monday + timedelta(days=6)):
        with transaction.atomic():
            reset_generated_system()
            build_demo(today=day)
        statuses = {p.team.name: p.status for p in system_presence(today=day).teams}
        shapes.append((history_shape(day), statuses))
    assert shapes[0] == shapes[1]
    assert shapes[0][1] == EXPECTED_STATUS


def test_refuses_a_directory_it_did_not_make(system):
    with pytest.raises(CommandError, match="not the demo"):
        run_demo()
    with pytest.raises(CommandError, match="not made by"):
        run_demo("--reset")
    assert Organisation.objects.filter(name="Test ICB").exists()


def test_replaces_a_seeded_system_only_when_asked():
    call_command("seed", "--scale", "1", stdout=StringIO())
    with pytest.raises(CommandError, match="seeded system"):
        run_demo()
    assert Meeting.objects.exists()
    output = run_demo("--reset")
    assert "Removed the seed system" in output
    assert "Also removed" in output
    assert Person.objects.count() == len(people_fingerprint())
    assert Organisation.objects.filter(kind=OrganisationKind.ICB).get().ods_code == "Q9Z"
    # Besides these, each peer circle has a forum of its own (see `roundtable.demo.voice`).
    assert Forum.objects.filter(peer_circle__isnull=True).count() == len(FORUMS)
    assert {p.team.name: p.status for p in system_presence().teams} == EXPECTED_STATUS
