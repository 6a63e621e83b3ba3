"""Support sessions put right and called off: who may, what cannot change, and nothing lost."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.core.concurrency import ConcurrentEditError
from roundtable.core.errors import NotAllowed
from roundtable.forums.models import local_datetime
from roundtable.wellbeing import services
from roundtable.wellbeing.models import SupportKind, SupportSession

pytestmark = pytest.mark.django_db


def planned(system, *, days: int = 1) -> SupportSession:
    """Reflective practice for North CMHT at 13:00 in `days` days (negative: in the past)."""
    day = timezone.localdate() + timedelta(days=days)
    return services.support_session_record(
        actor=system.team_leader_a,
        kind=SupportKind.REFLECTIVE_PRACTICE,
        starts_at=local_datetime(day, time(13)),
        team=system.team_a,
    )


def change(system, session, *, actor=None, **values):
    """Change `values` of the session (the rest as they are), as the team leader unless said."""
    fields = {
        "kind": session.kind,
        "starts_at": session.starts_at,
        "duration_minutes": session.duration_minutes,
        "facilitator": session.facilitator,
        **values,
    }
    return services.support_session_change(
        actor=actor or system.team_leader_a,
        session=session,
        expected_version=session.version,
        **fields,
    )


def test_a_session_is_put_right_and_the_change_audited(system):
    session = planned(system)
    later = session.starts_at + timedelta(minutes=90)
    changed = change(
        system,
        session,
        kind=SupportKind.SCHWARTZ_ROUND,
        starts_at=later,
        duration_minutes=90,
        facilitator=system.team_leader_a,
    )
    session.refresh_from_db()
    assert (session.kind, session.starts_at, session.duration_minutes) == (
        SupportKind.SCHWARTZ_ROUND,
        later,
        90,
    )
    assert session.facilitator == system.team_leader_a
    assert session.version == changed.version == 2
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(session.pk)).get()
    assert set(event.changes) == {"kind", "starts_at", "duration_minutes", "facilitator"}


def test_bad_changes_and_stale_copies_change_nothing(system):
    session = planned(system)
    with pytest.raises(ValidationError, match="15 minutes to 8 hours"):
        change(system, session, duration_minutes=5)
    with pytest.raises(ValidationError, match="kind of session"):
        change(system, session, kind="therapy")
    with pytest.raises(ValidationError, match="A peer circle session is for a peer circle"):
        change(system, session, kind=SupportKind.PEER_CIRCLE)
    with pytest.raises(NotAllowed, match="Only members of the team or peer circle"):
        change(system, session, actor=system.clinician_b, duration_minutes=30)
    stale = SupportSession.objects.get(pk=session.pk)
    change(system, session, duration_minutes=45)
    with pytest.raises(ConcurrentEditError):
        change(system, stale, duration_minutes=120)
    session.refresh_from_db()
    assert (session.duration_minutes, session.version) == (45, 2)


def test_a_session_that_happened_stays_in_the_past(system):
    session = planned(system, days=-1)
    services.support_attendance_set(
        actor=system.team_leader_a, session=session, people=[system.lone_coach]
    )
    with pytest.raises(ValidationError, match="cannot move to a time still to come"):
        change(system, session, starts_at=timezone.now() + timedelta(days=2))
    with pytest.raises(ValidationError, match="change who came instead"):
        services.support_session_cancel(
            actor=system.team_leader_a,
            session=session,
            expected_version=session.version,
            reason="Wrong day",
        )
    # Still put right within the past: an hour earlier.
    change(system, session, starts_at=session.starts_at - timedelta(hours=1))


def test_a_cancelled_session_stays_listed_and_nobody_comes_to_it(system):
    session = planned(system)
    with pytest.raises(ValidationError, match="Say why"):
        services.support_session_cancel(
            actor=system.team_leader_a, session=session, expected_version=1, reason="  "
        )
    with pytest.raises(NotAllowed):
        services.support_session_cancel(
            actor=system.clinician_b, session=session, expected_version=1, reason="Not mine"
        )
    services.support_session_cancel(
        actor=system.team_leader_a,
        session=session,
        expected_version=1,
        reason="The facilitator is off sick",
    )
    session.refresh_from_db()
    assert session.is_cancelled
    assert session.cancel_reason == "The facilitator is off sick"
    assert SupportSession.objects.filter(pk=session.pk).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, summary__contains="cancelled: The facilitator is off sick"
    ).exists()
    with pytest.raises(ValidationError, match="already cancelled"):
        services.support_session_cancel(
            actor=system.team_leader_a, session=session, expected_version=2, reason="Again"
        )
    with pytest.raises(ValidationError, match="cancelled"):
        change(system, session, duration_minutes=30)
    session.starts_at = timezone.now() - timedelta(hours=1)
    with pytest.raises(ValidationError, match="cancelled: nobody came"):
        services.support_attendance_set(
            actor=system.team_leader_a, session=session, people=[system.lone_coach]
        )
