"""What the property-based test of the API (test_api_conformance.py) found, each pinned here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind, Meeting, MeetingSeries
from roundtable.testing import System

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("parameter", ["team", "organisation"])
def test_you_said_we_did_for_a_record_that_does_not_exist_is_a_422(
    client: Client, system: System, parameter: str
) -> None:
    """It answered 404, which the operation does not document: a filter naming nothing is a
    parameter that does not fit, as everywhere else."""
    client.force_login(system.clinician_a)
    response = client.get("/api/v1/voice/you-said-we-did", {parameter: 999999})
    assert response.status_code == 422
    assert response.json()["errors"] == {parameter: [f"There is no {parameter} with id 999999."]}


def series(client: Client, system: System, starts_on: Any) -> Any:
    forum = forum_services.forum_create(
        actor=system.team_leader_a,
        name="North huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
    )
    client.force_login(system.team_leader_a)
    return client.post(
        f"/api/v1/forums/forums/{forum.pk}/series",
        {
            "weekdays": [0, 1, 2, 3, 4, 5, 6],
            "start_time": "09:00",
            "duration_minutes": 15,
            "starts_on": str(starts_on),
        },
        content_type="application/json",
    )


def test_a_series_cannot_start_long_ago(client: Client, system: System) -> None:
    """A series starting in the year 455 made a meeting for every day since (600,000 rows in
    one request), and one starting in 0001 could not be turned into times at all."""
    response = series(client, system, "0455-03-12")
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "starts_on": ["The first day can be at most a year ago. Choose a later day."]
    }
    assert (MeetingSeries.objects.count(), Meeting.objects.count()) == (0, 0)


def test_a_series_may_record_up_to_a_year_that_already_ran(client: Client, system: System) -> None:
    response = series(client, system, timezone.localdate() - timedelta(days=366))
    assert response.status_code == 201, response.json()
    # A year back and twelve weeks ahead, every day.
    assert 366 + 84 <= response.json()["meetings_made"] <= 366 + 85


def test_a_series_start_time_is_documented_as_a_wall_clock_time(client: Client) -> None:
    """`format: time` (RFC 3339) has an offset, which the API refuses for a local time."""
    document = client.get("/api/v1/openapi.json").json()
    start_time = document["components"]["schemas"]["SeriesIn"]["properties"]["start_time"]
    assert "format" not in start_time
    assert start_time["pattern"] == "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def test_empty_text_the_document_refuses_is_said_plainly(client: Client, system: System) -> None:
    """A required text the service refuses when empty has `minLength: 1` in the document, and
    the answer says so in words, not "must be 1 characters or more"."""
    client.force_login(system.clinician_a)
    response = client.post(
        "/api/v1/voice/concerns",
        {"to": "team", "team": system.team_a.pk, "title": "", "body": "x", "anonymous": False},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Check the request: body field title must not be empty."
