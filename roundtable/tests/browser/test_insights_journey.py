"""Insights in the browser, every page checked with axe-core: a team leader opens the leadership
cycle, follows flow to the ready to moved on chart, sees the improvement, gives the day the process
changed, reads the sentence and the data table, and downloads the CSV; bad choices are refused
with what to fix."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from roundtable.insights.measures import READY_TO_MOVED_ON
from roundtable.insights.models import WeeklyFigure
from roundtable.insights.tests.conftest import VALUES, mondays
from roundtable.testing import build_system
from roundtable.tests.browser.test_directory_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["journey", "phone_journey"])
def test_a_team_leader_reads_the_flow_chart_and_downloads_it(size, request):
    journey = request.getfixturevalue(size)
    system = build_system()
    weeks = mondays(len(VALUES))
    WeeklyFigure.objects.bulk_create(
        WeeklyFigure(
            measure=READY_TO_MOVED_ON.slug, team=system.team_a, week=w, total=v * 2, count=2
        )
        for w, v in zip(weeks, VALUES, strict=True)
    )
    page = journey.page
    sign_in(journey, system.team_leader_a.email)
    journey.goto("/insights/")
    page.get_by_role("link", name=system.team_a.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(system.team_a.name)
    journey.check()
    page.get_by_role("link", name="The leadership cycle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The leadership cycle")
    journey.check()
    flow = page.locator("li", has=page.get_by_role("heading", name="5. Flow"))
    flow.get_by_role("link", name="Ready to moved on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ready to moved on")
    expect(page.locator("#summary")).to_contain_text("Ready to moved on has improved since")
    expect(page.locator("figure svg")).to_be_visible()
    journey.check()

    # The day leaders began holding move-on decisions: the weeks after are a process of their own.
    page.get_by_label("The process changed on (optional)").fill(weeks[20].isoformat())
    page.get_by_role("button", name="Show the chart").click()
    expect(page.locator("#summary")).to_contain_text(
        f"has been steady since {weeks[20].day} {weeks[20]:%b %Y} at a mean of 11.9 days, down "
        "from 30.1 days before: an improvement"
    )
    expect(page.get_by_role("table")).to_contain_text("12 days")
    journey.check()

    # A target of 18 days: the process since the change meets it every week.
    page.get_by_label("Target (optional)").fill("18")
    page.get_by_role("button", name="Show the chart").click()
    expect(page.locator("#assurance")).to_contain_text("will consistently meet the target of 18")
    journey.check()

    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download the data (CSV)").click()
    download = waiting.value
    with open(download.path(), encoding="utf-8") as saved:
        rows = list(csv.reader(io.StringIO(saved.read())))
    assert rows[0][:2] == ["week", "Ready to moved on (days)"]
    assert len(rows) == len(VALUES) + 1

    # A day in the future is refused, with what to fix.
    page.get_by_label("The process changed on (optional)").fill("2999-01-01")
    page.get_by_role("button", name="Show the chart").click()
    expect(page.get_by_role("alert")).to_contain_text("cannot be in the future")
    journey.check()
