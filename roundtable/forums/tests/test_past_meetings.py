"""A meeting whose start has passed is recorded only when the person confirms it.

Scheduling a meeting for 1 January 2020 is usually a slip of the date picker; sometimes it is
someone recording a meeting that did happen. The page warns and asks; the API asks for an
explicit `"confirm_past": true`. Nothing is stored until then.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from roundtable.forums import services
from roundtable.forums.models import ForumKind, Meeting

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
API = "/api/v1/forums"
WARNING = "You are recording a meeting that has already happened"


def text(response) -> str:
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    return re.sub(r" ([,.;:])", r"\1", words)


@pytest.fixture
def huddle(system):
    return services.forum_create(
        actor=system.team_leader_a,
        name="North CMHT daily huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        members=[system.clinician_a],
    )


NEW_YEAR_2020 = {
    "on_date": "2020-01-01",
    "start_time": "10:00",
    "end_time": "11:00",
    "site": "",
    "online_url": "",
    "agenda": "Winter pressures",
}


# -- The page -----------------------------------------------------------------------------------


def test_the_page_warns_about_a_past_meeting_and_stores_nothing(client_for, system, huddle):
    """The reported case: 1 January 2020 was accepted without a word."""
    client = client_for(system.clinician_a)
    response = client.post(reverse("forums:meeting-new", args=[huddle.pk]), NEW_YEAR_2020)
    assert response.status_code == 200
    page = text(response)
    assert WARNING in page
    assert "It starts on 1 January 2020 at 10am, which has passed." in page
    html = response.content.decode()
    assert "nhsuk-card--warning" in html  # the NHS.UK warning callout
    assert 'name="confirm_past"' in html
    assert "Yes, this meeting has already happened" in page
    # A warning, not an error: nothing was wrong yet, so no error summary.
    assert "There is a problem" not in page
    # What was typed is kept, so confirming is one tick.
    assert 'value="2020-01-01"' in html
    assert "Winter pressures" in page
    assert not Meeting.objects.exists()


def test_confirming_records_the_past_meeting(client_for, system, huddle):
    client = client_for(system.clinician_a)
    url = reverse("forums:meeting-new", args=[huddle.pk])
    warned = {**NEW_YEAR_2020, "past_warned": "on"}
    response = client.post(url, {**warned, "confirm_past": "on"})
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("forums:meeting", args=[meeting.pk])
    assert meeting.starts_at == datetime(2020, 1, 1, 10, tzinfo=LONDON)
    assert meeting.agenda == "Winter pressures"


def test_not_ticking_the_box_after_the_warning_is_an_error(client_for, system, huddle):
    client = client_for(system.clinician_a)
    url = reverse("forums:meeting-new", args=[huddle.pk])
    response = client.post(url, {**NEW_YEAR_2020, "past_warned": "on"})
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert WARNING in page
    message = "Tick the box if the meeting has already happened, or change its date and time"
    assert page.count(message) == 2  # in the summary and at the box
    html = response.content.decode()
    assert 'href="#id_confirm_past"' in html
    assert 'id="id_confirm_past"' in html
    assert "<title>Error: " in html
    assert not Meeting.objects.exists()


def test_changing_to_a_future_date_needs_no_confirming(client_for, system, huddle):
    client = client_for(system.clinician_a)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("forums:meeting-new", args=[huddle.pk]),
        {**NEW_YEAR_2020, "on_date": tomorrow.isoformat(), "past_warned": "on"},
    )
    assert response.status_code == 302
    assert Meeting.objects.get().starts_at == datetime.combine(tomorrow, time(10), tzinfo=LONDON)


def test_a_future_meeting_is_scheduled_without_a_warning(client_for, system, huddle):
    client = client_for(system.clinician_a)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("forums:meeting-new", args=[huddle.pk]),
        {**NEW_YEAR_2020, "on_date": tomorrow.isoformat()},
    )
    assert response.status_code == 302
    assert Meeting.objects.count() == 1


# -- The API ------------------------------------------------------------------------------------


def api(client, person, method, path, body=None):
    client.force_login(person)
    return getattr(client, method)(path, body, content_type="application/json")


def test_the_api_refuses_a_past_meeting_without_confirm_past(client, system, huddle):
    path = f"{API}/forums/{huddle.pk}/meetings"
    body = {"starts_at": "2020-01-01T10:00:00+00:00", "ends_at": "2020-01-01T11:00:00+00:00"}
    response = api(client, system.clinician_a, "post", path, body)
    assert response.status_code == 422
    answer = response.json()
    assert answer["detail"] == (
        "The meeting starts in the past (1 January 2020 at 10am). If you are recording a "
        'meeting that has already happened, send "confirm_past": true.'
    )
    assert list(answer["errors"]) == ["confirm_past"]
    assert not Meeting.objects.exists()
    response = api(client, system.clinician_a, "post", path, {**body, "confirm_past": True})
    assert response.status_code == 201
    assert response.json()["starts_at"].startswith("2020-01-01T10:00:00")
    assert Meeting.objects.count() == 1


def test_the_api_asks_again_when_a_meetings_start_is_moved_into_the_past(client, system, huddle):
    tomorrow = timezone.localdate() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(9, 15), tzinfo=LONDON)
    meeting = services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    path = f"{API}/meetings/{meeting.pk}"
    moved = {
        "version": meeting.version,
        "starts_at": "2020-01-01T10:00:00+00:00",
        "ends_at": "2020-01-01T11:00:00+00:00",
    }
    response = api(client, system.clinician_a, "patch", path, moved)
    assert response.status_code == 422
    assert '"confirm_past": true' in response.json()["detail"]
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.version) == (start, 1)
    response = api(client, system.clinician_a, "patch", path, {**moved, "confirm_past": True})
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.starts_at == datetime(2020, 1, 1, 10, tzinfo=ZoneInfo("UTC"))
    # Writing the minutes of a past meeting, or sending its start unchanged, asks nothing.
    response = api(
        client,
        system.clinician_a,
        "patch",
        path,
        {"version": 2, "minutes": "Agreed the winter plan", "starts_at": moved["starts_at"]},
    )
    assert response.status_code == 200


# -- The service --------------------------------------------------------------------------------


def test_the_service_refuses_an_unconfirmed_past_start(system, huddle):
    start = datetime.combine(date(2020, 1, 1), time(10), tzinfo=LONDON)
    with pytest.raises(ValidationError) as refused:
        services.meeting_create(
            actor=system.team_leader_a,
            forum=huddle,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            confirm_past=False,
        )
    assert list(refused.value.message_dict) == ["confirm_past"]
    assert not Meeting.objects.exists()
    services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        confirm_past=True,
    )
    assert Meeting.objects.count() == 1


def test_a_meeting_starting_this_minute_is_not_in_the_past(system, huddle):
    """Scheduling the huddle that is starting now (the form has no seconds) asks nothing."""
    now = timezone.now()
    this_minute = now.replace(second=0, microsecond=0)
    meeting = services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=this_minute,
        ends_at=this_minute + timedelta(minutes=15),
        confirm_past=False,
        now=now,
    )
    assert meeting.starts_at == this_minute
