"""A lockout lasts the cool-off from the wrong password that caused it, however often the person
tries again meanwhile; the time they are told to wait for never moves."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import axes.attempts
import axes.handlers.proxy
import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.testing import PASSWORD

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
SIGN_IN = reverse("core:sign-in")
EMAIL = "clinician.a@test.nhs.uk"


class Clock:
    """The time as Django and django-axes read it, set by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime) -> None:
        self.now = start
        for module in (timezone, axes.handlers.proxy, axes.attempts):
            monkeypatch.setattr(module, "now", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, datetime(2026, 3, 10, 10, 0, tzinfo=LONDON))


@pytest.fixture
def cool_off_15_minutes(settings):
    settings.AXES_COOLOFF_MINUTES = 15
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    settings.AXES_FAILURE_LIMIT = 5


def sign_in(client, password):
    return client.post(SIGN_IN, {"username": EMAIL, "password": password})


def lock_out(client):
    for _ in range(4):
        assert sign_in(client, "wrong").status_code == 200
    locked = sign_in(client, "wrong")
    assert locked.status_code == 429
    return locked.content.decode()


@pytest.mark.usefixtures("cool_off_15_minutes")
def test_trying_again_while_locked_does_not_move_the_time_to_wait_for(client, system, clock):
    assert "You can try again after 10 March 2026 at 10:15am." in lock_out(client)

    clock.advance(minutes=10)
    wrong = sign_in(client, "wrong")
    assert wrong.status_code == 429
    assert "You can try again after 10 March 2026 at 10:15am." in wrong.content.decode()
    clock.advance(minutes=3)
    right = sign_in(client, PASSWORD)
    assert right.status_code == 429
    assert "You can try again after 10 March 2026 at 10:15am." in right.content.decode()
    assert "_auth_user_id" not in client.session

    # Fifteen minutes after the wrong password that locked the account, the right one gets in.
    clock.advance(minutes=2, seconds=1)
    response = sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:home")


@pytest.mark.usefixtures("cool_off_15_minutes")
def test_the_time_to_wait_for_is_rounded_up_to_the_minute(client, system, clock):
    clock.advance(seconds=20)  # Locked at 10:00:20, so free from 10:15:20: "after 10:16am".
    assert "You can try again after 10 March 2026 at 10:16am." in lock_out(client)


@pytest.mark.usefixtures("cool_off_15_minutes")
def test_lockout_counts_from_the_wrong_password_that_reached_the_limit(client, system, clock):
    for _ in range(4):
        sign_in(client, "wrong")
        clock.advance(minutes=1)
    # The fifth wrong password, at 10:04, locks the account until 10:19.
    assert (
        "You can try again after 10 March 2026 at 10:19am."
        in sign_in(client, "wrong").content.decode()
    )
