"""Helpers for forums tests: the forums API's address, a time in London, what a refused write
might have left behind, and a body's field refused by its schema."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.forums.models import (
    Attendance,
    Forum,
    ForumMembership,
    Meeting,
    MeetingSeries,
    PresenceVisit,
)
from roundtable.tests.api import Answer

API = "/api/v1/forums"
LONDON = ZoneInfo("Europe/London")


def assert_bad_field(response: Answer, field: str, message: str) -> None:
    """A 422 from checking the body against its schema, about `field` alone."""
    assert response.status_code == 422, response.body
    assert message in response.body["detail"]
    [error] = response.body["errors"]
    assert error["loc"][0] == "body"
    assert field in error["loc"]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def counts() -> tuple[int, ...]:
    """Everything a refused write might have left behind."""
    return (
        Forum.objects.count(),
        ForumMembership.objects.count(),
        Meeting.objects.count(),
        MeetingSeries.objects.count(),
        Attendance.objects.count(),
        PresenceVisit.objects.count(),
        # Signing in is audited, and each request here signs in.
        AuditEvent.objects.exclude(action=AuditAction.SIGN_IN).count(),
    )
