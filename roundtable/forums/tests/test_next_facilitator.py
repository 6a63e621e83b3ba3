"""Who facilitates next: the forum's page and API agree with the forum's next meeting.

The next meeting's facilitator, once recorded (proposed in turn when it was scheduled, or a
member who took it on), is who facilitates next. The rotation only suggests someone while the
next meeting has nobody, or none is scheduled.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.forums import selectors, services
from roundtable.forums.models import ForumKind, Meeting

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
API = "/api/v1/forums"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def shown_next(client, forum) -> str:
    """The "Next to facilitate" row of the forum's page."""
    html = unescape(client.get(reverse("forums:forum", args=[forum.pk])).content.decode())
    words = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    match = re.search(r"Next to facilitate (.+?) (Propose a decision|Decisions)", words)
    assert match is not None
    return match.group(1)


def api_next(client, forum) -> str | None:
    body = client.get(f"{API}/forums/{forum.pk}").json()
    return body["next_facilitator"]["full_name"] if body["next_facilitator"] else None


@pytest.fixture
def huddle(system):
    # Members in name order: Amira Clinician, Chloe Practitioner, Gita Leader, Hana Coach.
    return services.forum_create(
        actor=system.team_leader_a,
        name="North CMHT daily huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        members=[system.clinician_a, system.vcse, system.lone_coach],
    )


def schedule(system, forum, day: date) -> Meeting:
    return services.meeting_create(
        actor=system.team_leader_a,
        forum=forum,
        starts_at=at(day, 9, 15),
        ends_at=at(day, 9, 30),
    )


def test_the_forum_page_names_the_next_meetings_facilitator(client_for, system, huddle):
    """The reported case: the page named the member after the one the meeting proposed."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    meeting = schedule(system, huddle, tomorrow)
    assert meeting.facilitator == system.clinician_a  # first in turn, by name
    client = client_for(system.clinician_b)
    assert shown_next(client, huddle) == "Amira Clinician"
    assert api_next(client, huddle) == "Amira Clinician"


def test_a_member_who_takes_the_next_meeting_on_is_next(client_for, system, huddle):
    tomorrow = timezone.localdate() + timedelta(days=1)
    meeting = schedule(system, huddle, tomorrow)
    later = schedule(system, huddle, tomorrow + timedelta(days=1))
    assert later.facilitator == system.vcse
    services.meeting_facilitate(actor=system.lone_coach, meeting=meeting)
    client = client_for(system.clinician_b)
    assert shown_next(client, huddle) == "Hana Coach"
    assert api_next(client, huddle) == "Hana Coach"


def test_cancelled_and_past_meetings_are_passed_over(client_for, system, huddle):
    today = timezone.localdate()
    yesterday = schedule(system, huddle, today - timedelta(days=1))  # Amira
    cancelled = schedule(system, huddle, today + timedelta(days=1))  # Chloe
    after = schedule(system, huddle, today + timedelta(days=2))  # Gita
    assert (yesterday.facilitator, cancelled.facilitator, after.facilitator) == (
        system.clinician_a,
        system.vcse,
        system.team_leader_a,
    )
    services.meeting_cancel(actor=system.team_leader_a, meeting=cancelled)
    client = client_for(system.clinician_b)
    assert shown_next(client, huddle) == "Gita Leader"
    assert api_next(client, huddle) == "Gita Leader"


def test_the_rotation_suggests_while_the_next_meeting_has_nobody(client_for, system, huddle):
    client = client_for(system.clinician_b)
    # No meeting yet: whose turn it is.
    assert shown_next(client, huddle) == "Amira Clinician"
    tomorrow = timezone.localdate() + timedelta(days=1)
    meeting = schedule(system, huddle, tomorrow)
    # Nobody is recorded on it (as when its facilitator's record is deleted).
    Meeting.objects.filter(pk=meeting.pk).update(facilitator=None)
    schedule(system, huddle, tomorrow + timedelta(days=1))  # Amira has not had a turn: hers
    assert shown_next(client, huddle) == "Chloe Practitioner"
    assert api_next(client, huddle) == "Chloe Practitioner"


def test_one_rule_for_the_page_the_api_and_the_selector(client_for, system, huddle):
    tomorrow = timezone.localdate() + timedelta(days=1)
    meeting = schedule(system, huddle, tomorrow)
    services.meeting_facilitate(actor=system.team_leader_a, meeting=meeting)
    assert selectors.next_facilitator(huddle) == system.team_leader_a
    page = selectors.forum_detail(system.clinician_b, huddle.pk)
    assert page.next_facilitator == system.team_leader_a


def test_recurring_meetings_rotate_and_the_page_agrees(client_for, system, huddle):
    """Each generated meeting is proposed to the next member in turn, not all to one."""
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    services.meeting_series_create(
        actor=system.team_leader_a,
        forum=huddle,
        weekdays=[0, 1, 2, 3, 4],
        start_time=time(9, 15),
        duration_minutes=15,
        starts_on=monday,
        ends_on=monday + timedelta(days=11),
    )
    facilitators = [
        m.facilitator.full_name if m.facilitator else None
        for m in Meeting.objects.filter(forum=huddle).select_related("facilitator")
    ]
    assert facilitators == [
        "Amira Clinician",
        "Chloe Practitioner",
        "Gita Leader",
        "Hana Coach",
        "Amira Clinician",
        "Chloe Practitioner",
        "Gita Leader",
        "Hana Coach",
        "Amira Clinician",
        "Chloe Practitioner",
    ]
    assert shown_next(client_for(system.clinician_b), huddle) == "Amira Clinician"
    # A one-off meeting scheduled after them goes to whoever's turn is longest ago.
    extra = schedule(system, huddle, monday + timedelta(days=20))
    assert extra.facilitator == system.team_leader_a


# Session, person; the forum, its members, coming up, recent, the next meeting with its
# facilitator; whether the reader may change the forum.
FORUM_PAGE_QUERIES = 2 + 5 + 1


def test_the_forum_page_reads_the_same_whatever_the_size(
    client_for, system, huddle, django_assert_num_queries
):
    tomorrow = timezone.localdate() + timedelta(days=1)
    schedule(system, huddle, tomorrow)
    client = client_for(system.clinician_b)
    url = reverse("forums:forum", args=[huddle.pk])
    with django_assert_num_queries(FORUM_PAGE_QUERIES):
        client.get(url)
    for i in range(2, 30):
        schedule(system, huddle, tomorrow + timedelta(days=i))
    for i in range(30):
        schedule(system, huddle, tomorrow - timedelta(days=i + 2))
    with django_assert_num_queries(FORUM_PAGE_QUERIES):
        assert shown_next(client, huddle) == "Amira Clinician"
