"""The API-wide input policy and error format: control characters, lone surrogates, page numbers
and dates and times out of range are refused with a clear 422; a body that cannot be read, a
method a path does not take and a server error all answer JSON with `detail`; nothing changes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from pydantic import TypeAdapter, ValidationError

from roundtable.core.inputs import id_param
from roundtable.core.schemas import Count, Id, Moment
from roundtable.voice.models import Concern

CONCERNS = "/api/v1/voice/concerns"


def concern(**changes: Any) -> dict[str, Any]:
    return {
        "to": "team",
        "team": changes.pop("team"),
        "title": "Rota gaps",
        "body": "Three shifts were left uncovered this week.",
        "anonymous": False,
        **changes,
    }


def post(client: Client, body: Any) -> Any:
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(CONCERNS, data=raw, content_type="application/json")


@pytest.fixture
def signed_in(client: Client, system: Any) -> Client:
    client.force_login(system.clinician_a)
    return client


@pytest.mark.parametrize(
    "text",
    ["Rota\u0000gaps", "Rota\u001bgaps", "Rota\u0085gaps", "Rota\ud800gaps"],
    ids=["NUL", "escape", "C1 next line", "lone surrogate"],
)
def test_body_text_with_a_control_character_is_refused(signed_in, system, text) -> None:
    response = post(signed_in, concern(team=system.team_a.pk, title=text))
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == (
        "Check the request: body field title must not contain control characters, such as NUL."
    )
    assert body["errors"][0]["loc"] == ["body", "title"]
    assert body["errors"][0]["type"] == "control_characters"
    assert Concern.objects.count() == 0


def test_lines_and_tabs_are_text_not_control_characters(signed_in, system) -> None:
    response = post(signed_in, concern(team=system.team_a.pk, body="First:\n\tsecond\r\nthird"))
    assert response.status_code == 201, response.json()
    assert Concern.objects.get().body == "First:\n\tsecond\r\nthird"


def test_nested_text_and_keys_are_checked_too(signed_in, system) -> None:
    body = concern(team=system.team_a.pk)
    body["extra"] = [{"note": "fine"}, {"note": "bad\u0000"}]
    body["bad\u0007key"] = "x"
    response = post(signed_in, body)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["errors"]] == [
        ["body", "extra", 1, "note"],
        ["body", "bad\u0007key"],
    ]
    assert "body field extra.1.note must not contain" in response.json()["detail"]


def test_a_query_parameter_with_a_control_character_is_refused(signed_in) -> None:
    response = signed_in.get("/api/v1/directory/people", {"q": "Ann\u0000"})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "Check the request: query parameter q must not contain control characters, such as NUL."
    )
    # A tab has no place in an address either.
    assert signed_in.get("/api/v1/directory/people", {"q": "Ann\t"}).status_code == 422


def test_a_page_with_a_control_character_in_its_address_answers_a_400_page(signed_in) -> None:
    response = signed_in.get("/directory/people/", {"q": "Ann\u0000"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<h1>This address cannot be used</h1>" in html


def test_a_page_number_beyond_any_list_is_refused(signed_in) -> None:
    response = signed_in.get("/api/v1/directory/people", {"page": "100000000000000000000"})
    assert response.status_code == 422
    assert "query parameter page must be 1000000000 or less" in response.json()["detail"]
    assert signed_in.get("/api/v1/directory/people", {"page": "1000000000"}).json() == {
        "items": [],
        "count": signed_in.get("/api/v1/directory/people").json()["count"],
    }


def test_a_body_that_is_not_json_answers_a_json_400(signed_in) -> None:
    response = post(signed_in, "{not json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The request body is not valid JSON.")
    assert Concern.objects.count() == 0


def test_a_body_too_large_answers_a_json_400(signed_in, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(signed_in, "x" * 2000)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == (
        "The request could not be read. Send JSON with the header Content-Type: "
        "application/json, of at most 1000\u00a0bytes."
    )


def test_a_method_a_path_does_not_take_answers_a_json_405(signed_in) -> None:
    response = signed_in.delete("/api/v1/directory/people")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {
        "detail": "DELETE is not allowed at /api/v1/directory/people. Allowed: GET."
    }


def test_a_server_error_answers_json(system) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(system.clinician_a)
    with mock.patch("roundtable.directory.selectors.my_profile", side_effect=RuntimeError("boom")):
        response = client.get("/api/v1/me")
    assert response.status_code == 500
    assert response.json()["detail"].startswith("Sorry, there is a problem with the service.")
    assert "boom" not in response.content.decode()


# The shared input types, as the schemas use them.


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59-05:00",  # year 10000 once in UTC
        "2200-12-31T23:30:00-01:00",  # 2201 in UTC
        "1899-12-31T23:59:59Z",
        "0001-01-01T00:00:00+00:00",
    ],
)
def test_a_moment_outside_the_years_1900_to_2200_in_utc_is_refused(value) -> None:
    with pytest.raises(ValidationError) as refused:
        TypeAdapter(Moment).validate_python(value)
    assert refused.value.errors()[0]["type"] == "datetime_range"


def test_moments_at_the_edges_are_taken_in_utc() -> None:
    adapter = TypeAdapter(Moment)
    assert adapter.validate_python("1899-12-31T23:00:00-02:00").astimezone(UTC) == datetime(
        1900, 1, 1, 1, tzinfo=UTC
    )
    assert adapter.validate_python("2200-12-31T23:59:59Z").year == 2200


@pytest.mark.parametrize("value", [0, 1767225600, 1.5, True])
def test_a_moment_is_never_read_from_a_number(value) -> None:
    with pytest.raises(ValidationError) as refused:
        TypeAdapter(Moment).validate_python(value)
    assert refused.value.errors()[0]["type"] == "datetime_type"


def test_a_moment_needs_its_offset() -> None:
    with pytest.raises(ValidationError) as refused:
        TypeAdapter(Moment).validate_python("2026-03-20T09:15:00")
    assert refused.value.errors()[0]["type"] == "timezone_aware"


@pytest.mark.parametrize("value", [True, False, 0, -1, 2**63, "99999999999999999999"])
def test_an_id_is_a_whole_number_the_database_holds(value) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Id).validate_python(value)


def test_ids_and_counts_at_their_edges() -> None:
    assert TypeAdapter(Id).validate_python(2**63 - 1) == 2**63 - 1
    assert TypeAdapter(Id).validate_python("12") == 12  # from a query string
    assert TypeAdapter(Count).validate_python(0) == 0
    with pytest.raises(ValidationError):
        TypeAdapter(Count).validate_python(True)


# Ids in a page's address.

BIG = "99999999999999999999"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        (12, 12),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),
        (BIG, None),
        ("0", None),
        ("-3", None),
        ("\u00b2", None),  # a digit to Python, not in an address
        ("\u0661\u0662", None),
        ("12a", None),
        ("", None),
        (None, None),
    ],
)
def test_an_id_in_an_address_is_plain_digits_the_database_holds(value, expected) -> None:
    assert id_param(value) == expected


@pytest.mark.parametrize(
    "address",
    [
        "/directory/people/?organisation=" + BIG,
        "/directory/teams/?organisation=" + BIG,
        "/care/teams/{team}/huddle/?meeting=\u00b2&zone=\u00b2",
        "/care/teams/{team}/huddle/run/?order=\u00b2," + BIG + "&at=\u00b2",
        "/voice/you-said-we-did/?team=\u00b2&organisation=" + BIG,
    ],
)
def test_a_page_given_an_impossible_id_shows_itself_without_that_choice(
    client: Client, system: Any, address: str
) -> None:
    client.force_login(system.team_leader_a)
    response = client.get(address.format(team=system.team_a.pk))
    assert response.status_code == 200
