"""Sessions end: after half an hour without a request, and eight hours after signing in however
busy; each time signed out, audited with why, and told on the sign-in page (401 from the API).
Asking how long is left does not count as activity; staying signed in does."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.core.sessions import SEEN, SINCE
from roundtable.directory.services import api_token_create

pytestmark = pytest.mark.django_db

HOME = "/"
STATUS = reverse("core:session")


def backdate(client: Client, *, seen_ago: float | None = None, since_ago: float | None = None):
    session = client.session
    now = time.time()
    if seen_ago is not None:
        session[SEEN] = now - seen_ago
    if since_ago is not None:
        session[SINCE] = now - since_ago
    session.save()


def sign_outs(person) -> list[str]:
    return list(
        AuditEvent.objects.filter(actor=person, action=AuditAction.SIGN_OUT).values_list(
            "summary", flat=True
        )
    )


def test_signing_in_starts_the_clocks(client: Client, system):
    system.clinician_a.set_password("a long and private passphrase")
    system.clinician_a.save(update_fields=["password"])
    signed_in = client.post(
        reverse("core:sign-in"),
        {"username": system.clinician_a.email, "password": "a long and private passphrase"},
    )
    assert signed_in.status_code == 302
    session = client.session
    assert abs(session[SINCE] - time.time()) < 60
    assert abs(session[SEEN] - time.time()) < 60


def test_half_an_hour_without_a_request_signs_out(client_for, system):
    client = client_for(system.clinician_a)
    backdate(client, seen_ago=29 * 60)
    assert client.get(HOME).status_code == 200  # still in time, and now active again
    assert time.time() - client.session[SEEN] < 60
    backdate(client, seen_ago=30 * 60 + 1)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:sign-in"))
    page = client.get(response["Location"]).content.decode()
    assert "You have been signed out because you had not done anything for 30 minutes." in page
    assert sign_outs(system.clinician_a) == ["Signed out: you had not done anything for 30 minutes"]
    assert client.get(HOME).status_code == 302  # still signed out


def test_eight_hours_after_signing_in_signs_out_however_busy(client_for, system, settings):
    client = client_for(system.clinician_a)
    backdate(client, seen_ago=5, since_ago=8 * 3600 + 1)
    response = client.get(HOME)
    assert response.status_code == 302
    assert sign_outs(system.clinician_a) == ["Signed out: you signed in more than 8 hours ago"]
    settings.SESSION_IDLE_MINUTES = 5
    client = client_for(system.clinician_a)
    backdate(client, seen_ago=5 * 60 + 1)
    assert client.get(HOME).status_code == 302


def test_the_api_answers_401_to_a_session_that_has_ended(client_for, system):
    client = client_for(system.clinician_a)
    assert client.get("/api/v1/me").status_code == 200
    backdate(client, seen_ago=31 * 60)
    assert client.get("/api/v1/me").status_code == 401
    # A token is not a session: it has its own expiry.
    _, token = api_token_create(actor=system.clinician_a, name="Script")
    answer = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200


def test_asking_how_long_is_left_is_not_activity_but_staying_is(client_for, system, settings):
    client = client_for(system.clinician_a)
    backdate(client, seen_ago=25 * 60)
    answer = client.get(STATUS).json()
    assert 4 * 60 <= answer["seconds_left"] <= 5 * 60
    assert answer["warning_seconds"] == settings.SESSION_WARNING_SECONDS
    assert client.get(STATUS).json()["seconds_left"] <= 5 * 60  # asking did not reset it
    stayed = client.post(STATUS).json()
    assert stayed["seconds_left"] >= 30 * 60 - 5
    # Staying needs the CSRF token, as every POST does.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(system.clinician_a)
    assert strict.post(STATUS).status_code == 403
    # Once it has ended: none left.
    backdate(client, seen_ago=31 * 60)
    assert client.get(STATUS).status_code == 401
    assert client.get(STATUS).json() == {"seconds_left": 0}


def test_every_page_carries_the_warning_for_the_time_left(client_for, system):
    client = client_for(system.clinician_a)
    page = client.get(HOME).content.decode()
    assert 'id="session-timeout"' in page
    assert 'data-warning-seconds="120"' in page
    assert "core/timeout" in page
    signed_out = Client().get(reverse("core:sign-in")).content.decode()
    assert 'id="session-timeout"' not in signed_out
