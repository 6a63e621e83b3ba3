"""Strict Content-Security-Policy with nonces, and the NHS.UK assets served where the CSS wants."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_csp_uses_a_nonce_and_never_unsafe_inline(client):
    response = client.get(reverse("core:sign-in"))
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    match = re.search(r"'nonce-([^']+)'", policy)
    assert match is not None
    nonce = match.group(1)
    html = response.content.decode()
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert scripts, "the page has inline scripts to check"
    for attributes in scripts:
        assert f'nonce="{nonce}"' in attributes


def test_each_response_gets_a_fresh_nonce(client):
    first = client.get(reverse("core:sign-in"))["Content-Security-Policy"]
    second = client.get(reverse("core:sign-in"))["Content-Security-Policy"]
    assert first != second


def test_pages_cannot_be_framed(client):
    response = client.get(reverse("core:sign-in"))
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_nhsuk_assets_are_served_at_assets(client):
    response = client.get("/assets/images/favicon.svg")
    assert response.status_code == 200


def test_health_needs_no_sign_in(client):
    response = client.get(reverse("core:health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
