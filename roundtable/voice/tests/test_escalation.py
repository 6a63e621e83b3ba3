"""`roundtable tick` escalates overdue concerns up the leadership levels, exactly once each."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from roundtable.voice import queries, services
from roundtable.voice.models import Concern, ConcernEvent, ConcernNotice
from roundtable.voice.tests.helpers import MONDAY, raise_to_team, trust_leadership

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def tick(day: date) -> str:
    out = StringIO()
    call_command("tick", "--today", day.isoformat(), stdout=out)
    return out.getvalue()


def freeze(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """Stop the clock at 10:00 London time on `day`."""
    frozen = datetime(day.year, day.month, day.day, 10, 0, tzinfo=LONDON)
    monkeypatch.setattr(timezone, "now", lambda: frozen)


def snapshot() -> list[tuple[object, ...]]:
    return sorted(
        Concern.objects.values_list("pk", "owner_id", "due_on", "overdue_noted_for", "version")
    )


def test_escalates_exactly_the_overdue_concerns_and_twice_changes_nothing(system, monkeypatch):
    trust = trust_leadership(system)
    # Due 9 March (5 working days from Monday 2 March).
    overdue, _ = raise_to_team(system, anonymous=False, title="Overdue")
    # Raised later: due 12 March.
    not_yet, _ = raise_to_team(system, title="Not yet", today=date(2026, 3, 5))
    # Acknowledged in time: due 20 working days on.
    handled, _ = raise_to_team(system, title="Handled")
    services.concern_acknowledge(
        actor=system.team_leader_a, concern=handled, expected_version=1, today=MONDAY
    )
    # Closed concerns never escalate.
    closed, _ = raise_to_team(system, title="Closed")
    services.concern_acknowledge(
        actor=system.team_leader_a, concern=closed, expected_version=1, today=MONDAY
    )
    services.concern_not_take_forward(
        actor=system.team_leader_a, concern=closed, expected_version=2, reason="Not ours"
    )
    Concern.objects.filter(pk=closed.pk).update(due_on=date(2026, 3, 3))

    # On its due day a concern is not yet overdue.
    freeze(monkeypatch, date(2026, 3, 9))
    assert "voice: 0 concerns escalated, 0 overdue at the top level" in tick(date(2026, 3, 9))
    assert snapshot()
    assert not ConcernEvent.objects.filter(kind="escalated").exists()

    freeze(monkeypatch, date(2026, 3, 10))
    output = tick(date(2026, 3, 10))
    assert "voice: 1 concerns escalated, 0 overdue at the top level" in output
    overdue.refresh_from_db()
    assert overdue.owner == trust
    assert overdue.due_on == date(2026, 3, 17)  # 5 working days from Tuesday 10 March
    event = ConcernEvent.objects.get(kind="escalated")
    assert event.concern == overdue
    assert event.actor is None
    assert event.on == date(2026, 3, 10)
    assert "escalated to Trust community leadership" in event.note
    for other in (not_yet, handled, closed):
        before = other.owner_id
        other.refresh_from_db()
        assert other.owner_id == before == system.team_a_leadership.pk
    assert ConcernNotice.objects.filter(concern=overdue, message__contains="now with").count() == 1

    # Running it again (the same day, and later the same day) changes nothing more.
    state = snapshot()
    events = ConcernEvent.objects.count()
    assert "0 concerns escalated" in tick(date(2026, 3, 10))
    assert "0 concerns escalated" in tick(date(2026, 3, 10))
    assert snapshot() == state
    assert ConcernEvent.objects.count() == events


def test_climbs_to_the_system_then_notes_once_that_it_is_overdue_at_the_top(system):
    trust_leadership(system)
    concern, _ = raise_to_team(system)
    tick(date(2026, 3, 10))  # team → trust, due 17 March
    tick(date(2026, 3, 18))  # trust → system, due 25 March
    concern.refresh_from_db()
    assert concern.owner == system.system_leadership
    assert concern.due_on == date(2026, 3, 25)
    assert "0 concerns escalated, 1 overdue at the top level" in tick(date(2026, 3, 26))
    for day in (date(2026, 3, 26), date(2026, 3, 27), date(2026, 4, 20)):
        assert "0 concerns escalated, 0 overdue at the top level" in tick(day)
    concern.refresh_from_db()
    assert concern.owner == system.system_leadership
    assert concern.overdue_noted_for == date(2026, 3, 25)
    kinds = list(
        ConcernEvent.objects.filter(concern=concern).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["raised", "escalated", "escalated", "overdue_at_top"]
    # The system's members can now act on it; the team's leaders can still read it.
    from roundtable.voice import selectors

    assert queries.is_owner_member(system.board_member, concern)
    assert not queries.is_owner_member(system.team_leader_a, concern)
    assert selectors.concern_detail(system.team_leader_a, concern.pk).concern == concern


def test_a_concern_acknowledged_after_escalation_starts_a_new_due_date(system):
    concern, _ = raise_to_team(system)
    tick(date(2026, 3, 10))  # no trust leadership here: straight to the system
    concern.refresh_from_db()
    assert concern.owner == system.system_leadership
    services.concern_acknowledge(
        actor=system.board_member,
        concern=concern,
        expected_version=concern.version,
        today=date(2026, 3, 11),
    )
    concern.refresh_from_db()
    # 20 working days, with Good Friday and Easter Monday (3 and 6 April) not among them.
    assert concern.due_on == date(2026, 4, 10)
    assert "0 concerns escalated, 0 overdue" in tick(date(2026, 3, 20))


@override_settings(VOICE_ACKNOWLEDGE_WORKING_DAYS=2)
def test_the_acknowledgement_time_is_a_setting(system):
    concern, _ = raise_to_team(system)
    assert concern.due_on == date(2026, 3, 4)
    assert "1 concerns escalated" in tick(date(2026, 3, 5))


def test_the_tick_uses_the_local_date_when_not_given_one(system, monkeypatch):
    raise_to_team(system)
    freeze(monkeypatch, date(2026, 3, 10))
    out = StringIO()
    call_command("tick", stdout=out)
    assert "voice: 1 concerns escalated" in out.getvalue()
    out = StringIO()
    call_command("tick", stdout=out)
    assert "voice: 0 concerns escalated" in out.getvalue()
