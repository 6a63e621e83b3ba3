"""Browsers ask for `/favicon.ico` whatever a page links to: it is the NHS.UK icon, not a 404."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from roundtable.core.middleware import AssetsWhiteNoiseMiddleware

pytestmark = pytest.mark.django_db

ICON = settings.NHSUK_ASSETS_DIR / "images" / "favicon.ico"


def served(response) -> bytes:
    return b"".join(response.streaming_content)


def test_favicon_is_the_nhs_icon_without_signing_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert served(response) == ICON.read_bytes()
    # A static file: kept by the browser, unlike pages.
    assert "no-store" not in response["Cache-Control"]


@pytest.mark.parametrize("autorefresh", [True, False])
def test_favicon_is_served_whether_files_are_looked_up_each_time_or_once(rf, autorefresh):
    """`make run` looks static files up on each request, production once at start."""
    with override_settings(WHITENOISE_AUTOREFRESH=autorefresh):
        middleware = AssetsWhiteNoiseMiddleware(lambda request: None)
    response = middleware(rf.get("/favicon.ico"))
    assert response is not None
    assert response.status_code == 200
    assert served(response) == ICON.read_bytes()


def test_pages_link_the_icons(client):
    html = client.get(reverse("core:sign-in")).content.decode()
    assert '<link rel="icon" href="/assets/images/favicon.ico"' in html
    assert '<link rel="icon" href="/assets/images/favicon.svg"' in html
    assert client.get("/assets/images/favicon.ico").status_code == 200
