"""The care API: a team configures its zones.

Requests sign in with a session (see `roundtable.tests.api.call`).
"""

from __future__ import annotations

import pytest
from django.test import Client

from roundtable.care.models import Zone
from roundtable.care.tests.helpers import API, bad_field, conflict, counts, not_found
from roundtable.testing import System
from roundtable.tests.api import call, ok, refused

pytestmark = pytest.mark.django_db


# --- Zones -----------------------------------------------------------------------------------


def test_a_team_configures_its_zones(client: Client, system: System) -> None:
    me = system.clinician_a
    listed = ok(call(client, me, "get", f"{API}/teams/{system.team_a.pk}/zones"))
    assert [z["name"] for z in listed["items"]] == [
        "Red",
        "Amber",
        "Green",
        "Blue",
        "Ready to move on",
    ]
    assert [z["marks_ready"] for z in listed["items"]] == [False] * 4 + [True]
    assert listed["items"][0]["meaning"].startswith("Intensive input")

    joint = ok(
        call(
            client,
            me,
            "post",
            f"{API}/teams/{system.team_a.pk}/zones",
            {"name": "Joint work", "colour": "grey", "meaning": "Joint work with the crisis team."},
        ),
        201,
    )
    assert (joint["team"], joint["position"], joint["version"]) == (system.team_a.pk, 5, 1)
    path = f"{API}/zones/{joint['id']}"
    renamed = ok(call(client, me, "patch", path, {"name": "With the crisis team", "version": 1}))
    assert (renamed["name"], renamed["colour"], renamed["version"]) == (
        "With the crisis team",
        "grey",
        2,
    )
    assert renamed["meaning"] == "Joint work with the crisis team."

    before = counts()
    conflict(call(client, me, "patch", path, {"position": 0, "version": 1}), 2)
    body = refused(
        call(client, me, "patch", path, {"name": "Amber", "version": 2}),
        "The team already has a zone with this name",
    )
    assert list(body["errors"]) == ["name"]
    bad_field(call(client, me, "patch", path, {"name": None, "version": 2}), "payload")
    bad_field(call(client, me, "patch", path, {"colour": "pink", "version": 2}), "colour")
    body = refused(
        call(
            client,
            me,
            "post",
            f"{API}/teams/{system.team_a.pk}/zones",
            {"name": "Red", "colour": "red", "meaning": " "},
        ),
        "The team already has a zone with this name",
    )
    assert set(body["errors"]) == {"name", "meaning"}
    ready_zone = listed["items"][4]["id"]
    refused(
        call(client, me, "post", f"{API}/zones/{ready_zone}/archive"),
        "The ready-to-move-on zone is needed: rename it instead.",
    )
    assert counts() == before

    archived = ok(call(client, me, "post", f"{path}/archive"))
    assert archived["name"] == "With the crisis team"
    not_found(call(client, me, "post", f"{path}/archive"), "No zone found.")
    assert len(ok(call(client, me, "get", f"{API}/teams/{system.team_a.pk}/zones"))["items"]) == 5


def test_another_teams_zones_are_not_found(
    client: Client, system: System, zones: dict[str, Zone]
) -> None:
    other = system.clinician_b
    before = counts()
    not_found(call(client, other, "get", f"{API}/teams/{system.team_a.pk}/zones"), "No team found.")
    not_found(
        call(
            client,
            other,
            "post",
            f"{API}/teams/{system.team_a.pk}/zones",
            {"name": "Mine", "colour": "red", "meaning": "M"},
        ),
        "No team found.",
    )
    red = zones["Red"].pk
    not_found(call(client, other, "patch", f"{API}/zones/{red}", {"version": 1}), "No zone found.")
    not_found(call(client, other, "post", f"{API}/zones/{red}/archive"), "No zone found.")
    not_found(call(client, system.clinician_a, "get", f"{API}/teams/9999/zones"), "No team found.")
    assert counts() == before
