"""Making and revoking personal API tokens in the browser."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.directory.models import ApiToken
from roundtable.directory.services import api_token_authenticate

pytestmark = pytest.mark.django_db

URL = reverse("directory:api-tokens")


def test_make_a_token_shown_once(client_for, system):
    client = client_for(system.clinician_a)
    html = client.post(
        URL, {"name": "Spreadsheet", "days": "90", "access": "read"}
    ).content.decode()
    match = re.search(r'id="new-token">(rt_[^<]+)<', html)
    assert match is not None
    token = match.group(1)
    assert api_token_authenticate(token) == system.clinician_a
    again = client.get(URL).content.decode()
    assert token not in again
    assert "Spreadsheet" in again


def test_a_token_needs_a_name(client_for, system):
    response = client_for(system.clinician_a).post(URL, {"name": " "})
    assert response.status_code == 400
    assert "Enter what this token is for" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_asks_first(client_for, system):
    client = client_for(system.clinician_a)
    client.post(URL, {"name": "Old script", "days": "7", "access": "read"})
    token = ApiToken.objects.get()
    revoke = reverse("directory:api-token-revoke", args=[token.pk])
    assert "Revoke the token" in client.get(revoke).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    client.post(revoke)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_else_can_revoke_my_token(client_for, system):
    client_for(system.clinician_a).post(URL, {"name": "Mine", "days": "30", "access": "read"})
    token = ApiToken.objects.get()
    other = client_for(system.clinician_b)
    assert other.post(reverse("directory:api-token-revoke", args=[token.pk])).status_code == 404


def test_a_token_lasts_as_long_and_may_do_as_much_as_chosen(client_for, system):
    client = client_for(system.clinician_a)
    refused = client.post(URL, {"name": "Import", "days": "1000", "areas": ["nowhere"]})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Choose how long the token lasts" in body
    assert "Choose what the token may do" in body
    assert "Choose parts of the API from the list" in body
    assert not ApiToken.objects.exists()
    before = timezone.now()
    client.post(
        URL, {"name": "Import", "days": "30", "access": "write", "areas": ["care", "safety"]}
    )
    token = ApiToken.objects.get()
    assert (token.access, token.areas) == ("write", ["care", "safety"])
    assert before + timedelta(days=30) <= token.expires_at <= timezone.now() + timedelta(days=30)
    page = client.get(URL).content.decode()
    assert "Read and change, care, safety" in page
    expires = timezone.localtime(token.expires_at)
    assert f"Expires {expires.day} {expires:%B %Y}" in page
