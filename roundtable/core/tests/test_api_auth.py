"""Who may call the JSON API: personal tokens and sessions, and JSON errors for everyone else.

Also the public parts: the OpenAPI schema and the interactive docs, which must work under the
site's strict Content-Security-Policy.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from roundtable.care.models import PersonInCare
from roundtable.directory.models import ApiToken, Person
from roundtable.directory.services import api_token_create, api_token_revoke
from roundtable.testing import System

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def token_for(person: Person, name: str = "Reporting script") -> str:
    _, token = api_token_create(actor=person, name=name)
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_unauthorised(response: Any, *, invalid_token: bool) -> None:
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    if invalid_token:
        assert "revoked" in detail
        assert response["WWW-Authenticate"] == 'Bearer realm="Roundtable", error="invalid_token"'
    else:
        assert "Authorization: Bearer" in detail
        assert response["WWW-Authenticate"] == 'Bearer realm="Roundtable"'


# --- No credentials: roundtable/tests/test_api_credentials.py, for every operation -------


# --- Personal tokens -------------------------------------------------------------------------


def test_a_token_authenticates_its_owner(client: Client, system: System) -> None:
    response = client.get(ME, headers=bearer(token_for(system.vcse)))
    assert response.status_code == 200
    assert response.json()["full_name"] == "Chloe Practitioner"
    assert ApiToken.objects.get(person=system.vcse).last_used_at is not None


def test_the_bearer_scheme_is_case_insensitive(client: Client, system: System) -> None:
    token = token_for(system.vcse)
    response = client.get(ME, headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


def test_a_token_reads_with_its_owners_access(client: Client, system: System) -> None:
    Person.objects.filter(pk=system.clinician_b.pk).update(is_active=False)
    path = f"/api/v1/directory/people/{system.clinician_b.pk}"
    colleague = client.get(path, headers=bearer(token_for(system.clinician_a)))
    assert colleague.status_code == 404
    administrator = client.get(path, headers=bearer(token_for(system.administrator)))
    assert administrator.status_code == 200
    assert administrator.json()["is_active"] is False


def test_a_token_is_checked_in_one_query_and_its_use_recorded_at_most_once_a_minute(
    client: Client, system: System, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    token = token_for(system.vcse)
    path = "/api/v1/directory/localities"
    # The token with its person, recording its first use, the localities.
    with django_assert_num_queries(3):
        assert client.get(path, headers=bearer(token)).status_code == 200
    with django_assert_num_queries(2):
        assert client.get(path, headers=bearer(token)).status_code == 200
    ApiToken.objects.filter(person=system.vcse).update(
        last_used_at=timezone.now() - timedelta(minutes=2)
    )
    with django_assert_num_queries(3):
        assert client.get(path, headers=bearer(token)).status_code == 200


def test_an_expired_token_is_refused_and_says_so(client: Client, system: System) -> None:
    api_token, token = api_token_create(actor=system.clinician_a, name="Short", days=7)
    assert client.get(ME, headers=bearer(token)).status_code == 200
    ApiToken.objects.filter(pk=api_token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = client.get(ME, headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["detail"].startswith("This API token expired on ")
    assert response["WWW-Authenticate"] == 'Bearer realm="Roundtable", error="invalid_token"'


def test_a_read_only_token_may_not_change_anything(client: Client, system: System) -> None:
    _, token = api_token_create(actor=system.clinician_a, name="Reader", access="read")
    assert client.get(ME, headers=bearer(token)).status_code == 200
    referral = {
        "local_id": "T1",
        "name": "Tee",
        "referral": {"team": system.team_a.pk, "referral_source": "gp"},
    }
    answer = client.post(
        "/api/v1/care/people", referral, content_type="application/json", headers=bearer(token)
    )
    assert answer.status_code == 403
    assert answer.json()["detail"].startswith("This API token may only read")
    assert not PersonInCare.objects.exists()
    _, writer = api_token_create(actor=system.clinician_a, name="Writer", access="write")
    answer = client.post(
        "/api/v1/care/people", referral, content_type="application/json", headers=bearer(writer)
    )
    assert answer.status_code == 201, answer.json()


def test_a_token_for_some_parts_of_the_api_is_refused_elsewhere(
    client: Client, system: System
) -> None:
    _, token = api_token_create(actor=system.clinician_a, name="Care", areas=["care"])
    assert client.get("/api/v1/care/people", headers=bearer(token)).status_code == 200
    assert client.get(ME, headers=bearer(token)).status_code == 200  # who am I: always
    answer = client.get("/api/v1/directory/teams", headers=bearer(token))
    assert answer.status_code == 403
    assert answer.json()["detail"] == "This API token may not be used for directory: only for care."


def test_a_revoked_token_is_refused(client: Client, system: System) -> None:
    api_token, token = api_token_create(actor=system.clinician_a, name="Old laptop")
    assert client.get(ME, headers=bearer(token)).status_code == 200
    api_token_revoke(actor=system.clinician_a, api_token=api_token)
    assert_unauthorised(client.get(ME, headers=bearer(token)), invalid_token=True)


def test_the_token_of_someone_who_has_left_is_refused(client: Client, system: System) -> None:
    token = token_for(system.clinician_b)
    Person.objects.filter(pk=system.clinician_b.pk).update(is_active=False)
    assert_unauthorised(client.get(ME, headers=bearer(token)), invalid_token=True)
    assert_unauthorised(
        client.get("/api/v1/directory/teams", headers=bearer(token)), invalid_token=True
    )


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer rt_this-is-not-a-real-token",
        "Bearer not-even-the-right-prefix",
        "Bearer ",
        "Bearer",
        "Token rt_abc",
        "Basic Y2xpbmljaWFuLmFAdGVzdC5uaHMudWs6YS1sb25nLXRlc3QtcGFzc3dvcmQ=",
    ],
)
def test_garbage_credentials_are_refused(
    client: Client, system: System, authorization: str
) -> None:
    token_for(system.clinician_a)
    assert_unauthorised(
        client.get(ME, headers={"Authorization": authorization}), invalid_token=True
    )


def test_a_token_made_for_one_person_is_not_another_persons(client: Client, system: System) -> None:
    real = token_for(system.clinician_a)
    # Same prefix and length, different secret.
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    assert_unauthorised(client.get(ME, headers=bearer(forged)), invalid_token=True)


# --- Sessions --------------------------------------------------------------------------------


def test_a_signed_in_session_is_enough(client: Client, system: System) -> None:
    client.force_login(system.lived_experience)
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["full_name"] == "Dev Voice"


def test_a_session_of_someone_who_has_left_is_refused(client: Client, system: System) -> None:
    client.force_login(system.lived_experience)
    Person.objects.filter(pk=system.lived_experience.pk).update(is_active=False)
    assert_unauthorised(client.get(ME), invalid_token=False)


def test_after_signing_out_the_api_refuses_the_browser(client: Client, system: System) -> None:
    client.force_login(system.lived_experience)
    assert client.get(ME).status_code == 200
    client.logout()
    assert_unauthorised(client.get(ME), invalid_token=False)


def test_a_token_speaks_for_its_owner_even_in_someone_elses_browser(
    client: Client, system: System
) -> None:
    client.force_login(system.clinician_a)
    response = client.get(ME, headers=bearer(token_for(system.board_member)))
    assert response.json()["full_name"] == "Erin Board"


# --- JSON errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/", "/api/v1/directory", "/api/v1/directory/teams/", "/api/v1/nothing/here"]
)
def test_an_unknown_api_path_is_a_json_404(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": f"There is no API endpoint at {path}. See /api/v1/docs."}


def test_a_bad_parameter_is_a_422_naming_it(client: Client, system: System) -> None:
    client.force_login(system.clinician_a)
    response = client.get("/api/v1/directory/teams", {"locality": "north"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Check the request: query parameter locality must be a whole number.",
        "errors": [
            {
                "loc": ["query", "locality"],
                "msg": "query parameter locality must be a whole number",
                "type": "int_parsing",
            }
        ],
    }


# --- OpenAPI schema and docs -----------------------------------------------------------------


def test_the_openapi_schema_is_public_and_declares_both_ways_in(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Roundtable API"
    schemes = schema["components"]["securitySchemes"]
    assert schemes["PersonalTokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token from the API tokens page in Roundtable.",
    }
    assert schemes["SessionAuth"]["in"] == "cookie"
    assert schema["paths"]["/api/v1/me"]["get"]["security"] == [
        {"PersonalTokenAuth": []},
        {"SessionAuth": []},
    ]


def test_the_docs_page_works_under_the_strict_content_security_policy(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "style-src 'self'" in policy
    html = response.content.decode()
    # Swagger UI runs only from files served by us; the one inline <script> holds JSON settings,
    # which browsers do not execute and CSP does not govern.
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts
    for attributes in scripts:
        assert 'type="application/json"' in attributes or 'src="/static/ninja/' in attributes
    assert "<style" not in html
    assert "style=" not in html
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert {"/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui.css"} <= set(assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_a_token_may_be_limited_to_any_part_of_the_api_and_only_those() -> None:
    from roundtable.config.api import api
    from roundtable.directory.models import API_AREAS

    parts = {prefix.strip("/") for prefix, _ in api._routers if prefix.strip("/")}
    assert {area for area, _ in API_AREAS} == parts
