"""Signing in and out, lockout after repeated wrong passwords, and the audit of each."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.testing import PASSWORD

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("core:sign-in")


def post_sign_in(client, email, password):
    return client.post(SIGN_IN, {"username": email, "password": password})


def test_pages_need_a_signed_in_person(client, system):
    response = client.get(reverse("directory:people"))
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_sign_in_with_e_mail_in_any_case_reaches_home(client, system):
    response = post_sign_in(client, "Clinician.A@Test.NHS.uk", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:home")
    home = client.get(reverse("directory:home"))
    assert "Hello, Amira" in home.content.decode()
    assert AuditEvent.objects.filter(actor=system.clinician_a, action=AuditAction.SIGN_IN).exists()


def test_wrong_password_shows_the_error_summary(client, system):
    response = post_sign_in(client, "clinician.a@test.nhs.uk", "not-the-password")
    html = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in html
    assert "Enter a correct e-mail address and password" in html
    assert "<title>Error: Sign in" in html
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).count() == 1


def test_badly_formed_e_mail_is_explained(client, system):
    html = post_sign_in(client, "not-an-email", "x").content.decode()
    assert "Enter an e-mail address in the correct format" in html
    assert 'href="#id_username"' in html


def test_repeated_wrong_passwords_lock_the_account_with_a_clear_message(client, system, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_sign_in(client, "clinician.a@test.nhs.uk", "wrong").status_code == 200
    locked = post_sign_in(client, "clinician.a@test.nhs.uk", "wrong")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Your account is locked" in html
    assert f"wrong {settings.AXES_FAILURE_LIMIT} times" in html
    # The right password does not get in while the account is locked.
    again = post_sign_in(client, "clinician.a@test.nhs.uk", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).exists()


def test_lockout_of_one_account_leaves_others_alone(client, system, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_sign_in(client, "clinician.a@test.nhs.uk", "wrong")
    response = post_sign_in(client, "clinician.b@test.nhs.uk", PASSWORD)
    assert response.status_code == 302


def test_sign_out_asks_first_then_signs_out(client_for, system):
    client = client_for(system.clinician_a)
    page = client.get(reverse("core:sign-out"))
    assert "Sign out of Roundtable?" in page.content.decode()
    assert "_auth_user_id" in client.session
    response = client.post(reverse("core:sign-out"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_OUT).exists()


def test_passwords_are_hashed_with_argon2_outside_tests():
    from roundtable.config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
