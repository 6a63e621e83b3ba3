"""Decision pages: the log and its CSV, notices, the home section and the forum's links."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from roundtable.decisions import services
from roundtable.decisions.models import Notification
from roundtable.decisions.tests.helpers import agree_for_a_year as agree
from roundtable.decisions.tests.helpers import propose_other, raw, text

pytestmark = pytest.mark.django_db


# -- The decision log ---------------------------------------------------------------------------


def test_log_lists_decisions_with_their_holds(client_for, system, board, funding):
    agree(system, funding)
    services.hold_add(actor=system.board_member, decision=funding, message="")
    propose_other(system, board)
    html = text(client_for(system.clinician_b).get(reverse("decisions:log")))
    assert "2 decisions" in html
    assert "Peer-support service at Test Mind" in html
    assert "£45,000 agreed from Community transformation 2026/27" in html
    assert "Held by Erin Board, System leadership board: “I stand behind this with you.”" in html
    assert 'aria-current="page"' in html or "Decisions" in html


def test_log_filters_by_kind_status_forum_and_words(client_for, system, board, funding):
    propose_other(system, board)
    client = client_for(system.clinician_b)
    url = reverse("decisions:log")
    html = text(client.get(url, {"kind": "funding"}))
    assert "1 decision match these filters" in html
    assert "Open the front door at weekends" not in html
    html = text(client.get(url, {"q": "saturdays"}))  # in the proposal text only
    assert "Open the front door at weekends" in html
    assert "Peer-support service" not in html
    html = text(client.get(url, {"status": "agreed"}))
    assert "No decisions match these filters" in html
    html = text(client.get(url, {"mine": "on"}))
    assert "No decisions match these filters" in html  # clinician B is in no forum
    html = text(client.get(url, {"forum": str(board.pk), "status": "open"}))
    assert "2 decisions match these filters" in html
    # A forum that does not exist is ignored, not an error.
    assert client.get(url, {"forum": "99999"}).status_code == 200


def test_log_answers_htmx_with_only_the_results(client_for, system, board, funding):
    response = client_for(system.vcse).get(
        reverse("decisions:log"), {"kind": "funding"}, headers={"HX-Request": "true"}
    )
    html = raw(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="decision-results"' not in html
    assert "1 decision match these filters" in text(response)
    assert "/decisions/export.csv?kind=funding" in html
    assert "HX-Request" in response["Vary"]


def test_log_is_paginated(client_for, system, board, settings):
    settings.PAGE_SIZE = 5
    for i in range(7):
        propose_other(system, board, title=f"Change number {i}")
    client = client_for(system.vcse)
    first = text(client.get(reverse("decisions:log")))
    assert "Showing 1 to 5 of 7 decisions" in first
    second = text(client.get(reverse("decisions:log"), {"page": "2"}))
    assert "Change number 0" in second
    assert "Change number 6" not in second


def test_log_empty_state(client_for, system):
    html = text(client_for(system.vcse).get(reverse("decisions:log")))
    assert "No decisions yet" in html


def test_csv_export_streams_the_filtered_log(client_for, system, board, funding):
    agree(system, funding)
    services.hold_add(actor=system.board_member, decision=funding, message="")
    propose_other(system, board, title="=HYPERLINK(evil)")
    response = client_for(system.clinician_b).get(reverse("decisions:export"), {"kind": "funding"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="roundtable-decisions-')
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0][:3] == ["id", "title", "forum"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["title"] == "Peer-support service at Test Mind"
    assert row["status"] == "Agreed"
    assert row["amount requested (£)"] == "45000.00"
    assert row["amount agreed (£)"] == "45000.00"
    assert row["held by leaders"] == "1"
    everything = client_for(system.clinician_b).get(reverse("decisions:export"))
    rows = list(csv.reader(io.StringIO(everything.getvalue().decode())))
    assert len(rows) == 3
    # A cell that a spreadsheet would run as a formula is made plain text.
    assert "'=HYPERLINK(evil)" in [r[1] for r in rows]


# -- Notices and the home page ------------------------------------------------------------------


def test_notices_and_mark_all_as_read(client_for, system, funding):
    client = client_for(system.vcse)
    html = text(client.get(reverse("decisions:notifications")))
    assert "Awaiting your position:" in html
    assert "Peer-support service at Test Mind" in html
    response = client.post(reverse("decisions:notifications-read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(person=system.vcse, read_at__isnull=True).exists()
    html = text(client.get(reverse("decisions:notifications")))
    assert "You have no unread notices" in html
    assert client.get(reverse("decisions:notifications-read")).status_code == 405


def test_home_shows_what_awaits_my_position(client_for, system, funding):
    html = text(client_for(system.vcse).get(reverse("directory:home")))
    assert "Awaiting your position" in html
    assert "Peer-support service at Test Mind" in html
    assert "Your notices (1 unread)" in html
    html = text(client_for(system.clinician_b).get(reverse("directory:home")))
    assert "No open decision is waiting for your position." in html


def test_forum_page_links_to_its_decisions_and_budgets(client_for, system, board):
    html = raw(client_for(system.vcse).get(reverse("forums:forum", args=[board.pk])))
    assert reverse("decisions:propose", args=[board.pk]) in html
    assert reverse("decisions:budgets", args=[board.pk]) in html
    assert f"/decisions/?forum={board.pk}" in html
    other = text(client_for(system.clinician_b).get(reverse("forums:forum", args=[board.pk])))
    assert "Propose a decision" not in other


def test_pages_need_signing_in(client, funding):
    for url in (
        reverse("decisions:log"),
        reverse("decisions:export"),
        reverse("decisions:decision", args=[funding.pk]),
        reverse("decisions:notifications"),
    ):
        assert client.get(url).status_code == 302
