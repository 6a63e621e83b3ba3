"""The insights pages: a team's measures, a measure's chart with its summary, data table and CSV,
the choices above it refused with what to fix, and who may see which."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roundtable.directory.models import (
    LeadershipLevel,
    LeadershipMembership,
    LeadershipTeam,
    Team,
    TeamKind,
)
from roundtable.insights import selectors
from roundtable.insights.measures import READY_TO_MOVED_ON
from roundtable.insights.models import WeeklyFigure
from roundtable.insights.tests.conftest import VALUES, mondays
from roundtable.safety.tests.helpers import text
from roundtable.testing import make_person

pytestmark = pytest.mark.django_db


def chart_url(team, **query):
    url = reverse("insights:team-chart", args=[team.pk, READY_TO_MOVED_ON.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_a_team_sees_its_measures_and_the_chart_of_one(system, client_for, figures):
    client = client_for(system.team_leader_a)
    page = client.get(reverse("insights:team-measures", args=[system.team_a.pk]))
    assert page.status_code == 200
    body = text(page)
    assert "Ready to moved on" in body
    assert "Referral to offer" in body
    chart = client.get(chart_url(system.team_a))
    assert chart.status_code == 200
    html = chart.content.decode()
    assert "<svg" in html
    body = text(chart)
    assert "Ready to moved on" in body
    # The definition, where it comes from and which way is better are on its page.
    assert READY_TO_MOVED_ON.definition in body
    assert "Better when it is lower" in body
    # The data table has a row a week, with each week's value.
    assert "Part of a run below the mean" in body or "Below the lower limit" in body
    assert "12 days" in body


def test_a_rebase_gives_the_change_its_own_limits(system, client_for, figures):
    client = client_for(system.team_leader_a)
    rebased = text(client.get(chart_url(system.team_a, rebase_on=figures[20].isoformat())))
    # After the change the weeks are compared with their own mean: nothing special any more.
    assert "Below the lower limit" not in rebased
    assert "Part of a run below the mean" not in rebased
    since = f"{figures[20].day} {figures[20]:%b %Y}"
    assert (
        f"Ready to moved on has been steady since {since} at a mean of 11.9 days, down from "
        "30.1 days before: an improvement." in rebased
    )
    # Without the rebase, the same weeks are the improvement itself.
    whole = text(client.get(chart_url(system.team_a)))
    assert f"Ready to moved on has improved since {since}" in whole


def test_a_target_is_drawn_and_the_page_says_whether_it_will_be_met(system, client_for, figures):
    client = client_for(system.team_leader_a)
    since = figures[20].isoformat()
    # Since the change the limits are about 8.9 to 14.9 days (worked by hand): 18 days is met
    # every week, 5 never, 12 some weeks.
    met = client.get(chart_url(system.team_a, rebase_on=since, target="18"))
    assert 'data-line="target"' in met.content.decode()
    assert 'aria-label="Consistently passing the target"' in met.content.decode()
    assert "will consistently meet the target of 18 days" in text(met)
    missed = text(client.get(chart_url(system.team_a, rebase_on=since, target="5")))
    assert "will consistently miss the target of 5 days unless something changes" in missed
    sometimes = text(client.get(chart_url(system.team_a, rebase_on=since, target="12")))
    assert "will sometimes meet the target of 12 days and sometimes miss it" in sometimes
    plain = client.get(chart_url(system.team_a, rebase_on=since)).content.decode()
    assert 'data-line="target"' not in plain
    assert 'id="assurance"' not in plain
    # A share's target is a percentage.
    share = reverse("insights:team-chart", args=[system.team_a.pk, "decisions-held"])
    refused = client.get(share + "?target=120")
    assert refused.status_code == 400
    assert "A share's target is at most 100%" in text(refused)


def test_the_csv_has_every_week_with_its_limits(system, client_for, figures):
    client = client_for(system.team_leader_a)
    url = reverse("insights:team-csv", args=[system.team_a.pk, READY_TO_MOVED_ON.slug])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0][:3] == ["week", "Ready to moved on (days)", "over"]
    assert [row[0] for row in rows[1:]] == [week.isoformat() for week in figures]
    assert [float(row[1]) for row in rows[1:]] == [float(v) for v in VALUES]
    assert {row[2] for row in rows[1:]} == {"2"}


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"rebase_on": "2999-01-01"}, "The day the process changed cannot be in the future"),
        ({"start": "2026-01-05", "end": "2026-01-05"}, "The first day must be before the last day"),
        ({"start": "1990-01-01", "end": "2026-01-05"}, "Choose 20 years or less"),
        ({"start": "not a day"}, "Enter the first day as a real date"),
        ({"period": "fortnight"}, "Choose by week or by month"),
        ({"target": "-3"}, "The target cannot be below 0"),
        ({"target": "about ten"}, "Enter the target as a number, like 14 or 92.5"),
    ],
)
def test_bad_choices_are_refused_with_what_to_fix(system, client_for, figures, query, says):
    response = client_for(system.team_leader_a).get(chart_url(system.team_a, **query))
    assert response.status_code == 400
    assert says in text(response)


def test_an_unknown_measure_or_a_team_not_yours_is_not_found(system, client_for, figures):
    client = client_for(system.clinician_b)  # in the other team
    assert client.get(reverse("insights:team-measures", args=[system.team_a.pk])).status_code == 404
    assert client.get(chart_url(system.team_a)).status_code == 404
    url = reverse("insights:team-csv", args=[system.team_a.pk, READY_TO_MOVED_ON.slug])
    assert client.get(url).status_code == 404
    mine = client_for(system.team_leader_a)
    unknown = reverse("insights:team-chart", args=[system.team_a.pk, "risk-score"])
    assert mine.get(unknown).status_code == 404
    assert client.get(reverse("insights:system-measures")).status_code == 404


def test_the_system_page_reads_the_same_queries_however_many_teams(system, client_for):
    board = client_for(system.board_member)
    url = reverse("insights:system-measures")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert board.get(url).status_code == 200
        return len(captured)

    weeks = mondays(10)

    def add_figures(team: Team) -> None:
        WeeklyFigure.objects.bulk_create(
            WeeklyFigure(measure=READY_TO_MOVED_ON.slug, team=team, week=w, total=10, count=1)
            for w in weeks
        )

    add_figures(system.team_a)
    few = queries()
    for n in range(5):
        add_figures(
            Team.objects.create(
                name=f"Extra team {n}", kind=TeamKind.CMHT, organisation=system.trust
            )
        )
    assert queries() == few


def test_home_lists_what_the_person_may_see(system, client_for):
    body = text(client_for(system.board_member).get(reverse("insights:home")))
    assert "The whole system" in body
    body = text(client_for(system.clinician_a).get(reverse("insights:home")))
    assert system.team_a.name in body
    assert "The whole system" not in body


def test_the_leadership_cycle_reads_each_stage_from_its_measure(system, client_for, figures):
    client = client_for(system.team_leader_a)
    page = client.get(reverse("insights:team-cycle", args=[system.team_a.pk]))
    assert page.status_code == 200
    body = text(page)
    stages = ["Presence", "Feeling held", "Shared decisions", "Positive risk", "Flow"]
    stages += ["Learning", "Motivation"]
    positions = [body.index(f"{n}. {name}") for n, name in enumerate(stages, start=1)]
    assert positions == sorted(positions)
    # Flow is read from ready to moved on, linked to its chart.
    chart = reverse("insights:team-chart", args=[system.team_a.pk, READY_TO_MOVED_ON.slug])
    assert f'href="{chart}"' in page.content.decode()
    assert (
        client_for(system.clinician_b)
        .get(reverse("insights:team-cycle", args=[system.team_a.pk]))
        .status_code
        == 404
    )


def test_the_home_page_and_the_team_page_link_to_the_teams_insights(system, client_for):
    cycle = reverse("insights:team-cycle", args=[system.team_a.pk])
    client = client_for(system.clinician_a)
    assert f'href="{cycle}"' in client.get("/").content.decode()
    team_page = reverse("directory:team", args=[system.team_a.pk])
    assert f'href="{cycle}"' in client.get(team_page).content.decode()
    # Someone from another team sees the team's page, but no way into its insights.
    other = client_for(system.clinician_b)
    assert f'href="{cycle}"' not in other.get(team_page).content.decode()


def test_who_may_see_a_teams_insights_is_one_query(system, django_assert_num_queries):
    trust_leaders = LeadershipTeam.objects.create(
        name="Trust leadership",
        level=LeadershipLevel.ORGANISATION,
        organisation=system.team_a.organisation,
    )
    director = make_person(
        "director@test.nhs.uk",
        "Dana Director",
        discipline_slug="nursing",
        organisation=system.team_a.organisation,
    )
    LeadershipMembership.objects.create(leadership_team=trust_leaders, person=director)
    readers = {
        system.clinician_a: True,  # in the team
        system.team_leader_a: True,  # in its own leadership team
        director: True,  # in its organisation's leadership
        system.board_member: True,  # in the system's leadership
        system.clinician_b: False,  # in another team
    }
    for reader, may in readers.items():
        with django_assert_num_queries(1):
            assert selectors.may_see_team(reader, system.team_a) is may, reader


def test_the_measures_page_shows_the_zone_mix_of_the_last_weeks(system, client_for):
    client = client_for(system.team_leader_a)
    page = reverse("insights:team-measures", args=[system.team_a.pk])
    assert "No one was in a zone on a huddle board in these weeks." in text(client.get(page))
    weeks = mondays(10)
    WeeklyFigure.objects.bulk_create(
        WeeklyFigure(measure=slug, team=system.team_a, week=week, total=total, count=4)
        for week in weeks
        for slug, total in (("zone-mix-red", 1), ("zone-mix-amber", 3))
    )
    body = text(client.get(page))
    assert "Zone mix, the last 8 weeks" in body
    assert body.count("25%") == 8  # red, each of the last eight weeks
    assert body.count("75%") == 8
    html = client.get(page).content.decode()
    red = reverse("insights:team-chart", args=[system.team_a.pk, "zone-mix-red"])
    assert f'<a href="{red}">Red</a>' in html
    assert "zone-mix-green" not in html  # no one in a green zone: no column
    chart = client.get(red)
    assert chart.status_code == 200
    assert "Better when it is neither: it is watched, not aimed at" in text(chart)
