"""No answer about a person is kept by a browser or a proxy: every dynamic response is sent with
`Cache-Control: no-store` and `Pragma: no-cache` (`core.middleware.NoStoreMiddleware`), while
static files keep their long-lived caching."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from roundtable.care.models import Episode
from roundtable.directory.services import api_token_create
from roundtable.safety import services as safety_services
from roundtable.safety.tests.helpers import PLAN, in_support
from roundtable.testing import System
from roundtable.voice.tests.helpers import raise_to_team

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """The receipt's guessing limiter lives in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def episode(system: System) -> Episode:
    """Dee, in support with North CMHT, with a safety plan."""
    episode = in_support(system, name="Dee Example")
    safety_services.safety_plan_save(
        actor=system.clinician_a,
        person=episode.person,
        values=PLAN,
        written_with="Dee and her key worker",
    )
    return episode


def assert_not_kept(response) -> None:
    assert "no-store" in response["Cache-Control"], response["Cache-Control"]
    assert response["Pragma"] == "no-cache"


def test_pages_about_people_are_not_kept(system, client_for, episode):
    client = client_for(system.clinician_a)
    for path in (
        "/",
        f"/care/people/{episode.person_id}/",
        f"/care/teams/{system.team_a.pk}/huddle/",
        f"/safety/people/{episode.person_id}/plan/print/",
        f"/directory/people/{system.lone_coach.pk}/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_not_kept(response)


def test_api_answers_are_not_kept_with_a_session_or_a_token(system, client_for, episode):
    path = f"/api/v1/care/people/{episode.person_id}"
    with_session = client_for(system.clinician_a).get(path)
    assert with_session.status_code == 200
    assert_not_kept(with_session)
    _, token = api_token_create(actor=system.clinician_a, name="Reporting script")
    with_token = Client().get(path, headers={"Authorization": f"Bearer {token}"})
    assert with_token.status_code == 200
    assert_not_kept(with_token)


def test_answers_to_nobody_signed_in_are_not_kept_either(client, system):
    for path in ("/sign-in/", "/care/", "/api/v1/me"):
        assert_not_kept(client.get(path))


def test_the_receipt_pages_are_not_kept(system, client):
    _, token = raise_to_team(system)
    swapped = client.get(f"/voice/receipt/{token}/")
    assert swapped.status_code == 303
    assert_not_kept(swapped)
    page = client.get("/voice/receipt/")
    assert page.status_code == 200
    assert_not_kept(page)


@pytest.mark.parametrize(
    "path", ["/static/nhsuk/nhsuk-frontend.min.css", "/assets/images/favicon.svg"]
)
def test_static_files_keep_their_caching(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Cache-Control" in response
    assert "no-store" not in response["Cache-Control"]
    assert "max-age=0" not in response["Cache-Control"]
    assert "Pragma" not in response
