"""/api/v1/insights/: a measure's series with its limits, rule hits and icons."""

from __future__ import annotations

import pytest

from roundtable.directory.services import api_token_create
from roundtable.insights.measures import READY_TO_MOVED_ON
from roundtable.insights.tests.conftest import VALUES

pytestmark = pytest.mark.django_db


def bearer(person):
    _, token = api_token_create(actor=person, name="Insights")
    return {"Authorization": f"Bearer {token}"}


def url(team, **query):
    path = f"/api/v1/insights/teams/{team.pk}/measures/{READY_TO_MOVED_ON.slug}"
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_a_series_with_its_chart(system, client, figures):
    answer = client.get(url(system.team_a), headers=bearer(system.team_leader_a))
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["measure"]["slug"] == READY_TO_MOVED_ON.slug
    assert body["measure"]["direction"] == "decrease"
    assert [p["value"] for p in body["points"]] == [float(v) for v in VALUES]
    assert [p["start"] for p in body["points"]] == [w.isoformat() for w in figures]
    assert {p["n"] for p in body["points"]} == {2}
    assert len(body["periods"]) == 1
    # The last weeks are far below the mean of the whole: special cause, and fewer days is
    # better.
    assert body["variation"] == "special_cause_improvement"
    assert body["points"][-1]["rule"] is not None
    assert body["summary"]
    rebased = client.get(
        url(system.team_a, rebase_on=figures[20].isoformat()), headers=bearer(system.team_leader_a)
    ).json()
    assert [p["start"] for p in rebased["periods"]] == [0, 20]
    assert rebased["variation"] == "common_cause"
    assert rebased["assurance"] is None


def test_a_target_says_whether_the_process_will_meet_it(system, client, figures):
    # Since the change: a mean of 11.9 days, limits of about 8.9 to 14.9 (worked by hand).
    since = figures[20].isoformat()
    for target, assurance in (
        ("18", "consistent_pass"),
        ("5", "consistent_fail"),
        ("12", "inconsistent"),
    ):
        answer = client.get(
            url(system.team_a, rebase_on=since, target=target),
            headers=bearer(system.team_leader_a),
        ).json()
        assert answer["target"] == float(target)
        assert answer["assurance"] == assurance


@pytest.mark.parametrize(
    ("query", "field", "says"),
    [
        ({"rebase_on": "2999-01-01"}, "rebase_on", "cannot be in the future"),
        ({"start": "2026-01-05", "end": "2026-01-05"}, "start", "must be before the last day"),
        ({"start": "1990-01-01", "end": "2026-01-05"}, "start", "20 years or less"),
        ({"target": "-1"}, "target", "cannot be below 0"),
    ],
)
def test_bad_dates_are_refused_with_what_to_fix(system, client, figures, query, field, says):
    answer = client.get(url(system.team_a, **query), headers=bearer(system.team_leader_a))
    assert answer.status_code == 422
    assert says in answer.json()["detail"]


def test_a_team_not_yours_or_an_unknown_measure_is_not_found(system, client, figures):
    assert client.get(url(system.team_a), headers=bearer(system.clinician_b)).status_code == 404
    unknown = f"/api/v1/insights/teams/{system.team_a.pk}/measures/risk-score"
    assert client.get(unknown, headers=bearer(system.team_leader_a)).status_code == 404
    system_url = f"/api/v1/insights/system/measures/{READY_TO_MOVED_ON.slug}"
    assert client.get(system_url, headers=bearer(system.clinician_a)).status_code == 404
    assert client.get(system_url, headers=bearer(system.board_member)).status_code == 200
