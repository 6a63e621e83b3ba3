"""Error pages look like the product: NHS.UK-styled 404, 403 and 500 pages, also under the
settings of `make run`, where Django's debug pages come only with ROUNDTABLE_DEBUG=1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import include, path
from django.utils.functional import SimpleLazyObject

from roundtable.config import urls as real_urls
from roundtable.core import views
from roundtable.directory.models import Person

pytestmark = pytest.mark.django_db

DASH = "\u2013"  # the en dash the pages use

ROOT = Path(__file__).resolve().parents[3]


def broken(request):
    raise RuntimeError("Something went wrong")


def refused(request):
    raise PermissionDenied


# The real URLs and error handlers, with two pages that fail.
urlpatterns = [
    path("broken/", broken),
    path("refused/", refused),
    path("", include(real_urls.urlpatterns)),
]
handler404 = real_urls.handler404
handler403 = real_urls.handler403
handler500 = real_urls.handler500


def request_under_make_run_settings(tmp_path, url: str, **env: str) -> str:
    """GET `url` in a fresh process with the settings `make run` uses (no database needed)."""
    script = (
        "import django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        f"response = Client(raise_request_exception=False).get({url!r}, HTTP_HOST='127.0.0.1')\n"
        "print(f'DEBUG={settings.DEBUG} STATUS={response.status_code}')\n"
        "print(response.content.decode())\n"
    )
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "ROUNDTABLE_DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="roundtable.config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_missing_page_under_make_run_is_the_nhs_page(tmp_path):
    out = request_under_make_run_settings(tmp_path, "/no-such-page/")
    assert out.startswith("DEBUG=False STATUS=404")
    assert "<h1>Page not found</h1>" in out
    assert "nhsuk-header" in out
    assert f"<title>Page not found {DASH} Roundtable</title>" in out
    assert "Using the URLconf" not in out


def test_roundtable_debug_brings_back_django_debug_pages(tmp_path):
    out = request_under_make_run_settings(tmp_path, "/no-such-page/", ROUNDTABLE_DEBUG="1")
    assert out.startswith("DEBUG=True STATUS=404")
    assert "Using the URLconf" in out


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_the_nhs_page(client_for, system):
    client = client_for(system.clinician_a)
    client.raise_request_exception = False
    response = client.get("/broken/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Sorry, there is a problem with the service</h1>" in html
    assert f"<title>Sorry, there is a problem with the service {DASH} Roundtable</title>" in html
    assert "nhsuk-header" in html
    assert "Something went wrong" not in html


@override_settings(ROOT_URLCONF=__name__)
def test_refused_and_missing_pages_are_the_nhs_pages(client_for, system):
    client = client_for(system.clinician_a)
    refused_page = client.get("/refused/")
    assert refused_page.status_code == 403
    assert "<h1>You cannot do this</h1>" in refused_page.content.decode()
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "<h1>Page not found</h1>" in missing.content.decode()


def test_the_server_error_page_reads_neither_the_database_nor_the_session(
    rf, system, django_assert_num_queries
):
    """The error may be that the database cannot be reached: the page must not need it."""
    request = rf.get("/broken/")
    request.user = SimpleLazyObject(lambda: Person.objects.get(pk=system.clinician_a.pk))
    request.session = SessionStore(session_key="a-session-that-would-be-read")
    with django_assert_num_queries(0):
        response = views.server_error(request)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
