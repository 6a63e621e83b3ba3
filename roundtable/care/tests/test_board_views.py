"""The huddle board as a team uses it in the room: compact cards, filters, running the huddle
person by person, the print view, and days counted as calendar days."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.audit.models import AuditEvent
from roundtable.care import services
from roundtable.care.models import Episode, HuddleNote
from roundtable.care.tests.helpers import person_in, raw, text
from roundtable.core import dates
from roundtable.directory.models import Membership
from roundtable.safety import services as safety_services
from roundtable.safety.tests.helpers import PLAN

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def zones(system):
    return {z.name: z for z in services.zones_ensure(team=system.team_a)}


@pytest.fixture
def board(system, zones):
    """Four people: Ann (Red, an action due today), Bea (Amber, nothing due, another key
    worker), Cal (not zoned yet) and Dee (Green, an action due next week)."""
    ann = services.episode_zone_set(
        actor=system.clinician_a, episode=person_in(system, 1, name="Ann Able"), zone=zones["Red"]
    )
    services.care_action_add(
        actor=system.clinician_a,
        episode=ann,
        description="Ring the GP",
        owner=system.clinician_a,
        due_on=timezone.localdate(),
    )
    bea = person_in(system, 2, name="Bea Brook")
    Episode.objects.filter(pk=bea.pk).update(key_worker=system.vcse)
    bea = services.episode_zone_set(
        actor=system.clinician_a, episode=Episode.objects.get(pk=bea.pk), zone=zones["Amber"]
    )
    cal = person_in(system, 3, name="Cal Cross")
    dee = services.episode_zone_set(
        actor=system.clinician_a, episode=person_in(system, 4, name="Dee Dale"), zone=zones["Green"]
    )
    services.care_action_add(
        actor=system.clinician_a,
        episode=dee,
        description="Visit",
        owner=system.clinician_a,
        due_on=timezone.localdate() + timedelta(days=7),
    )
    # Everyone zoned has a safety plan just reviewed, so no safety review is due.
    for episode in (ann, bea, dee):
        safety_services.safety_plan_save(
            actor=system.clinician_a, person=episode.person, values=PLAN, written_with="Them"
        )
    return {"ann": ann, "bea": bea, "cal": cal, "dee": dee}


def names_on(html: str) -> list[str]:
    return [n for n in ("Ann Able", "Bea Brook", "Cal Cross", "Dee Dale") if n in html]


def test_the_board_filters_by_zone_key_worker_and_what_needs_discussion(
    client_for, system, zones, board
):
    client = client_for(system.clinician_a)
    url = reverse("care:board", args=[system.team_a.pk])
    html = text(client.get(url))
    assert names_on(html) == ["Ann Able", "Bea Brook", "Cal Cross", "Dee Dale"]
    assert "4 people on the board." in html
    assert "Run the huddle (2 people need discussion today)" in html
    red = text(client.get(url, {"zone": zones["Red"].pk}))
    assert names_on(red) == ["Ann Able"]
    assert "Showing 1 of 4 people." in red
    assert "Amber" not in red.split("Showing")[1]  # empty zones are left out when filtering
    assert names_on(text(client.get(url, {"zone": "none"}))) == ["Cal Cross"]
    assert names_on(text(client.get(url, {"worker": system.vcse.pk}))) == ["Bea Brook"]
    # Needs discussion: Ann's action is due today; Cal has no zone yet.
    assert names_on(text(client.get(url, {"needs": "1"}))) == ["Ann Able", "Cal Cross"]
    assert names_on(text(client.get(url, {"needs": "1", "zone": zones["Red"].pk}))) == ["Ann Able"]
    # Nonsense in the address is ignored, not an error.
    response = client.get(url, {"zone": "red'--", "worker": "x"})
    assert response.status_code == 200
    assert names_on(text(response)) == ["Ann Able", "Bea Brook", "Cal Cross", "Dee Dale"]
    nobody = text(
        client.get(url, {"zone": zones["Blue"].pk} if "Blue" in zones else {"worker": 999999})
    )
    assert "Nobody on the board matches these filters." in nobody


def test_only_the_people_shown_are_recorded_as_seen(client_for, system, zones, board):
    client_for(system.clinician_a).get(
        reverse("care:board", args=[system.team_a.pk]), {"zone": zones["Red"].pk}
    )
    event = AuditEvent.objects.filter(summary__startswith="Huddle board of").latest("pk")
    assert event.shown == [board["ann"].person_id]
    # The huddle run records the person discussed and the next one named, not the queue.
    client_for(system.clinician_a).get(reverse("care:board-run", args=[system.team_a.pk]))
    event = AuditEvent.objects.filter(summary__startswith="Huddle of").latest("pk")
    assert event.shown == sorted([board["cal"].person_id, board["ann"].person_id])


def test_running_the_huddle_steps_through_the_people_who_need_discussion(
    client_for, system, zones, board
):
    client = client_for(system.clinician_a)
    run = reverse("care:board-run", args=[system.team_a.pk])
    first = client.get(run)
    html = text(first)
    # Cal (not yet zoned) comes first, as on the board; then Ann.
    assert "<h1>Cal Cross</h1>" in raw(first)
    assert "Person 1 of 2 who need discussion today" in html
    assert "To discuss No zone yet" in html
    assert "Next person: Ann Able" in html
    assert "Previous person" not in html
    assert "Bea Brook" not in html
    assert "Dee Dale" not in html
    # Its forms come back here, not to the board, and carry no htmx.
    page = raw(first)
    found = re.search(r'<input type="hidden" name="next" value="([^"]+)">', page)
    assert found is not None
    here = found.group(1)
    # The run carries its order from page to page.
    assert here == f"{run}?order={board['cal'].pk},{board['ann'].pk}&at={board['cal'].pk}"
    assert "hx-post" not in page
    response = client.post(
        reverse("care:zone-set", args=[board["cal"].pk]),
        {"zone": str(zones["Amber"].pk), "version": str(board["cal"].version), "next": here},
    )
    assert response.status_code == 302
    assert response["Location"] == here
    # Cal has a zone now (after Ann's, on the board) but keeps their place in the run, with a
    # first safety review to agree now that they are zoned.
    again = text(client.get(here))
    assert "Person 1 of 2" in again
    assert "No zone yet" not in again
    assert "To discuss Safety review due today" in again
    safety_services.safety_plan_save(
        actor=system.clinician_a, person=board["cal"].person, values=PLAN, written_with="Them"
    )
    # Nothing more for Cal, who stays on screen until the team moves on.
    again = text(client.get(here))
    assert "Nothing more needs discussing for Cal Cross today." in again
    assert "Person 1 of 2" in again
    assert "Next person: Ann Able" in again
    second = client.get(run, {"at": board["ann"].pk})
    assert "Person 1 of 1 who need discussion today" in text(second)
    assert "End the huddle" in text(second)
    assert "Ring the GP" in text(second)
    # A `next` that is not the huddle run is ignored: back to the board.
    response = client.post(
        reverse("care:note-add", args=[board["ann"].pk]),
        {"situation": "Spoke to her GP.", "next": "https://example.com/"},
    )
    assert response["Location"].startswith(reverse("care:board", args=[system.team_a.pk]))
    assert HuddleNote.objects.count() == 1
    # Someone from another team sees no huddle.
    assert client_for(system.clinician_b).get(run).status_code == 404


def test_a_huddle_with_nobody_to_discuss(client_for, system, zones):
    html = text(
        client_for(system.clinician_a).get(reverse("care:board-run", args=[system.team_a.pk]))
    )
    assert "Nobody needs discussion today" in html


def test_the_print_view_lists_each_zone_without_forms(client_for, system, zones, board):
    client = client_for(system.clinician_a)
    url = reverse("care:board-print", args=[system.team_a.pk])
    response = client.get(url)
    page = raw(response)
    html = text(response)
    assert names_on(html) == ["Ann Able", "Bea Brook", "Cal Cross", "Dee Dale"]
    assert "<form" not in page.split("<main")[1]
    assert "1 action due today" in html
    assert names_on(text(client.get(url, {"needs": "1"}))) == ["Ann Able", "Cal Cross"]
    assert client_for(system.clinician_b).get(url).status_code == 404


def test_a_board_of_many_stays_light(client_for, system, zones):
    """Each compact card is a few hundred bytes: the board's HTML grows by well under 400
    bytes a person (the 400-person figure is in bench/)."""
    client = client_for(system.clinician_a)
    url = reverse("care:board", args=[system.team_a.pk])
    for i in range(1, 6):
        person_in(system, i)
    five = len(client.get(url).content)
    for i in range(6, 26):
        person_in(system, i)
    twenty_five = len(client.get(url).content)
    assert (twenty_five - five) / 20 < 400


def test_days_are_calendar_days_in_the_services_time_zone(settings):
    settings.TIME_ZONE = "Europe/London"
    with timezone.override(LONDON):
        late_yesterday = datetime(2026, 7, 1, 23, 30, tzinfo=LONDON)
        early_today = datetime(2026, 7, 2, 0, 15, tzinfo=LONDON)
        # 45 minutes apart, but on two calendar days: one day.
        assert dates.days_between(late_yesterday, early_today) == 1
        assert dates.days_between(early_today, early_today + timedelta(hours=23)) == 0
        # 23:30 in London in summer is 22:30 UTC: the UTC day would say the same day.
        assert (
            dates.days_between(
                datetime(2026, 7, 1, 22, 30, tzinfo=ZoneInfo("UTC")),
                datetime(2026, 7, 2, 0, 15, tzinfo=LONDON),
            )
            == 1
        )


def test_refer_again_names_the_team_the_person_is_not_with(client_for, system):
    """Someone in two teams, looking at a person supported by one of them, is offered only the
    other team, by name, and the form has it chosen."""
    Membership.objects.create(person=system.clinician_a, team=system.team_b)
    episode = person_in(system, 1, name="Ann Able")  # open with North CMHT (team A)
    client = client_for(system.clinician_a)
    page = raw(client.get(reverse("care:person", args=[episode.person_id])))
    again = reverse("care:refer-again", args=[episode.person_id])
    link = f'<a href="{again}?team={system.team_b.pk}">Refer Ann Able again to South CMHT</a>'
    assert link in page
    assert f"?team={system.team_a.pk}" not in page
    form = raw(client.get(f"{again}?team={system.team_b.pk}"))
    select = form.split('name="team"')[1].split("</select>")[0]
    options = re.findall(r'<option value="(\d*)"([^>]*)>', select)
    assert [(value, "selected" in attrs) for value, attrs in options if value] == [
        (str(system.team_b.pk), True)
    ]
    # Referring to the team already supporting them is refused, and nothing is recorded.
    before = Episode.objects.count()
    response = client.post(again, {"team": str(system.team_a.pk), "referral_source": "gp"})
    assert response.status_code == 400
    assert Episode.objects.count() == before
