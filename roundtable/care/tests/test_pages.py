"""Care pages: the start page, referring, a person's page, the front door, the offer catalogue,
the huddle board, its card forms (with and without htmx) and a card's own page, zones, the ready
list and caseloads."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rules.permissions import has_perm

from roundtable.care import services
from roundtable.care.models import (
    CareAction,
    CareDecision,
    ConsentToShare,
    Episode,
    HuddleNote,
    Offer,
    PersonInCare,
    Stage,
    Zone,
    ZoneChange,
)
from roundtable.care.tests.conftest import agree_move_on
from roundtable.decisions import services as decision_services
from roundtable.directory.models import Membership
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def raw(response) -> str:
    return str(unescape(response.content.decode()))


def text(response) -> str:
    """What the page says: tags removed, spaces collapsed."""
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    return re.sub(r" ([,.;:])", r"\1", words)


def person_in(system, index: int, *, name: str | None = None, stage: str = Stage.IN_SUPPORT):
    """Someone referred to North CMHT, with clinician A as key worker, moved on to `stage`."""
    person = services.person_in_care_create(
        actor=system.clinician_a, local_id=f"P{index}", name=name or f"Person {index:03d}"
    )
    episode = services.episode_refer(
        actor=system.clinician_a,
        person=person,
        team=system.team_a,
        referral_source="gp",
        key_worker=system.clinician_a,
    )
    path = [Stage.OFFER_MADE, Stage.IN_SUPPORT] if stage != Stage.REFERRED else []
    for step in path:
        episode = services.episode_move(actor=system.clinician_a, episode=episode, to_stage=step)
    return episode


@pytest.fixture
def zones(system) -> dict[str, Zone]:
    return {z.name: z for z in services.zones_ensure(team=system.team_a)}


@pytest.fixture
def front_door(system):
    return forum_services.forum_create(
        actor=system.team_leader_a,
        name="North front door",
        kind=ForumKind.FRONT_DOOR,
        home_team=system.team_a,
        members=[system.clinician_a, system.team_leader_a, system.vcse],
    )


@pytest.fixture
def peer_support(system) -> Offer:
    return services.offer_create(
        actor=system.team_leader_a,
        name="Peer support at Open Door",
        kind="peer_support",
        organisation=system.vcse_org,
    )


@pytest.fixture
def meeting(system, huddle):
    now = timezone.now()
    meeting = forum_services.meeting_create(
        actor=system.team_leader_a, forum=huddle, starts_at=now, ends_at=now + timedelta(hours=1)
    )
    forum_services.attendance_set(
        actor=system.team_leader_a,
        meeting=meeting,
        present=[system.clinician_a, system.vcse, system.team_leader_a],
    )
    return meeting


def refer_data(system, **changes):
    data = {
        "local_id": "RX1",
        "nhs_number": "999 123 4578",
        "name": "Ann Example",
        "date_of_birth": "1980-05-01",
        "gp_practice": str(system.gp_practice.pk),
        "team": str(system.team_a.pk),
        "referral_source": "gp",
        "key_worker": str(system.clinician_a.pk),
        "reason": "Low mood since losing her job.",
    }
    data.update(changes)
    return data


# -- The start page ------------------------------------------------------------------------------


def test_start_page_lists_teams_front_doors_and_caseload(client_for, system, front_door):
    episode = person_in(system, 1, name="Ann Example")
    html = text(client_for(system.clinician_a).get(reverse("care:home")))
    assert "North CMHT" in html
    assert "Huddle board of North CMHT" in html
    assert "North front door" in html
    assert "Your caseload (1)" in html
    assert episode.person.name in html


def test_start_page_empty_states(client_for, system):
    response = client_for(system.board_member).get(reverse("care:home"))
    assert response.status_code == 200
    html = text(response)
    assert "You are not a member of a team" not in html  # the board member is in the board team
    html = text(client_for(system.administrator).get(reverse("care:home")))
    assert "You are not a member of a team, so you have no huddle board" in html
    assert "You are not a member of a front-door forum" in html
    assert "You are not key worker for anyone" in html


# -- Referring -----------------------------------------------------------------------------------


def test_referring_records_the_person_and_shows_their_page(client_for, system):
    client = client_for(system.clinician_a)
    assert client.get(reverse("care:refer")).status_code == 200
    response = client.post(reverse("care:refer"), refer_data(system))
    person = PersonInCare.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("care:person", args=[person.pk])
    assert (person.nhs_number, person.gp_practice) == ("9991234578", system.gp_practice)
    episode = Episode.objects.get(person=person)
    assert (episode.team, episode.stage, episode.key_worker) == (
        system.team_a,
        Stage.REFERRED,
        system.clinician_a,
    )
    html = text(client.get(response["Location"]))
    assert "Ann Example is referred to North CMHT." in html
    assert "999 123 4578" in html
    assert "Low mood since losing her job." in html


def test_referring_with_bad_input_shows_errors_and_stores_nothing(client_for, system):
    client = client_for(system.clinician_a)
    response = client.post(
        reverse("care:refer"),
        refer_data(system, local_id="", name="", referral_source="", team=""),
    )
    assert response.status_code == 400
    html = text(response)
    assert "Error: Refer someone" in html
    assert "There is a problem" in html
    for message in (
        "Enter the local identifier from the patient record",
        "Enter the person's name or initials",
        "Choose where the referral came from",
        "Choose the team to refer to",
    ):
        assert message in html
    # The service's own check, shown on its field.
    response = client.post(reverse("care:refer"), refer_data(system, nhs_number="999 123 4579"))
    assert response.status_code == 400
    assert 'href="#id_nhs_number"' in raw(response)
    assert "This NHS number is not valid" in text(response)
    # A key worker who is not in the team referred to.
    Membership.objects.create(person=system.clinician_a, team=system.team_b)
    response = client.post(
        reverse("care:refer"), refer_data(system, key_worker=str(system.clinician_b.pk))
    )
    assert response.status_code == 400
    assert "Choose a key worker who is in North CMHT" in text(response)
    # A team the user is not in.
    response = client_for(system.lone_coach).post(
        reverse("care:refer"), refer_data(system, team=str(system.team_b.pk), key_worker="")
    )
    assert response.status_code == 400
    assert "Choose the team to refer to" in text(response)
    assert PersonInCare.objects.count() == 0


def test_referring_someone_already_recorded_points_to_their_page(client_for, system):
    episode = person_in(system, 1, name="Ann Example")
    client = client_for(system.clinician_a)
    response = client.post(reverse("care:refer"), refer_data(system, local_id="P1"))
    assert response.status_code == 400
    html = text(response)
    assert "Ann Example is already recorded with this local identifier" in html
    assert f'href="{reverse("care:person", args=[episode.person.pk])}"' in raw(response)
    assert PersonInCare.objects.count() == 1


def test_referring_needs_a_team(client_for, system):
    response = client_for(system.administrator).get(reverse("care:refer"))
    assert response.status_code == 403
    assert "You are not a member of a team" in text(response)
    response = client_for(system.administrator).post(reverse("care:refer"), refer_data(system))
    assert response.status_code == 403
    assert PersonInCare.objects.count() == 0


def test_refer_again_from_the_persons_page(client_for, system):
    episode = person_in(system, 1, name="Ann Example", stage=Stage.REFERRED)
    services.episode_move(actor=system.clinician_a, episode=episode, to_stage=Stage.DECLINED)
    client = client_for(system.clinician_a)
    html = text(client.get(reverse("care:person", args=[episode.person.pk])))
    assert "Refer Ann Example again" in html
    url = reverse("care:refer-again", args=[episode.person.pk])
    response = client.post(url, {"team": str(system.team_a.pk), "referral_source": ""})
    assert response.status_code == 400
    assert "Choose where the referral came from" in text(response)
    response = client.post(url, {"team": str(system.team_a.pk), "referral_source": "self"})
    assert response.status_code == 302
    assert Episode.objects.filter(person=episode.person, closed_at__isnull=True).count() == 1
    # Someone who cannot see the person cannot refer them.
    assert client_for(system.clinician_b).get(url).status_code == 404


# -- A person's page -----------------------------------------------------------------------------


def test_the_person_page_is_for_those_who_may_see_them(client_for, system):
    episode = person_in(system, 1, name="Ann Example")
    url = reverse("care:person", args=[episode.person.pk])
    assert client_for(system.clinician_a).get(url).status_code == 200
    for outsider in (system.clinician_b, system.administrator, system.south_coach):
        assert client_for(outsider).get(url).status_code == 404
    assert client_for(system.clinician_a).get(reverse("care:person", args=[999])).status_code == 404
    # A partner organisation sees them once they consent, and cannot change their care.
    services.consent_give(
        actor=system.clinician_a, person=episode.person, organisation=system.vcse_org
    )
    client = client_for(system.south_coach)
    response = client.get(url)
    assert response.status_code == 200
    assert "Change stage" not in text(response)
    assert "Record consent to share" not in text(response)
    post = client.post(
        reverse("care:stage", args=[episode.pk]),
        {f"episode-{episode.pk}-to_stage": "ready", f"episode-{episode.pk}-version": "1"},
    )
    assert post.status_code == 403


def test_the_person_page_shows_history_decisions_and_who_holds_them(
    client_for, system, zones, huddle, meeting
):
    episode = person_in(system, 1, name="Ann Example")
    episode = services.episode_zone_set(
        actor=system.clinician_a,
        episode=episode,
        zone=zones["Amber"],
        meeting=meeting,
        reason="New worries about housing.",
    )
    services.huddle_note_add(
        actor=system.clinician_a, episode=episode, situation="Eviction notice.", decision="Call"
    )
    services.care_action_add(
        actor=system.clinician_a,
        episode=episode,
        description="Refer to housing advice",
        owner=system.vcse,
        due_on=timezone.localdate(),
    )
    episode = services.episode_zone_set(
        actor=system.clinician_a, episode=episode, zone=zones["Ready to move on"]
    )
    decision = agree_move_on(system, huddle, episode)
    decision_services.hold_add(actor=system.team_leader_a, decision=decision, message="")
    html = text(
        client_for(system.clinician_a).get(reverse("care:person", args=[episode.person.pk]))
    )
    assert "New worries about housing." in html
    assert "In the room (North huddle): Amira Clinician, Chloe Practitioner, Gita Leader" in html
    assert "Situation Eviction notice." in html
    assert "Refer to housing advice" in html
    assert "Ann Example moves on: GP and primary care" in html
    assert "Held by Gita Leader, North CMHT leadership" in html
    # The stage form offers only the legal next stages, and the agreed decision for moving on.
    assert "Moved on" in html
    assert "In support" in html
    assert "Declined" not in html.split("Change stage")[1].split("Pathway")[0]


def test_changing_stage(client_for, system, huddle, zones):
    episode = person_in(system, 1, name="Ann Example", stage=Stage.REFERRED)
    client = client_for(system.clinician_a)
    url = reverse("care:stage", args=[episode.pk])
    prefix = f"episode-{episode.pk}"
    # Not a legal next stage: refused by the form, nothing changes.
    response = client.post(url, {f"{prefix}-to_stage": "in_support", f"{prefix}-version": "1"})
    assert response.status_code == 400
    assert "Choose one of the stages listed" in text(response)
    assert Episode.objects.get(pk=episode.pk).stage == Stage.REFERRED
    # A stale version is a conflict, with a message.
    response = client.post(url, {f"{prefix}-to_stage": "declined", f"{prefix}-version": "9"})
    assert response.status_code == 400
    assert "Someone else changed Ann Example's stage" in text(response)
    response = client.post(
        url,
        {
            f"{prefix}-to_stage": "declined",
            f"{prefix}-version": str(episode.version),
            f"{prefix}-reason": "Would rather see the GP.",
        },
    )
    assert response.status_code == 302
    assert Episode.objects.get(pk=episode.pk).stage == Stage.DECLINED


def test_moving_on_from_the_person_page_needs_the_agreed_decision(
    client_for, system, huddle, zones
):
    episode = person_in(system, 1, name="Ann Example")
    episode = services.episode_zone_set(
        actor=system.clinician_a, episode=episode, zone=zones["Ready to move on"]
    )
    client = client_for(system.clinician_a)
    url = reverse("care:stage", args=[episode.pk])
    prefix = f"episode-{episode.pk}"
    data = {f"{prefix}-to_stage": "moved_on", f"{prefix}-destination": "gp"}
    response = client.post(url, data | {f"{prefix}-version": str(episode.version)})
    assert response.status_code == 400
    assert "Moving on needs an agreed move-on decision" in text(response)
    decision = agree_move_on(system, huddle, episode)
    episode.refresh_from_db()
    response = client.post(
        url,
        data | {f"{prefix}-version": str(episode.version), f"{prefix}-decision": str(decision.pk)},
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.stage, episode.destination) == (Stage.MOVED_ON, "gp")


def test_consent_is_given_and_withdrawn_after_asking(client_for, system):
    episode = person_in(system, 1, name="Ann Example")
    client = client_for(system.clinician_a)
    person_url = reverse("care:person", args=[episode.person.pk])
    give = reverse("care:consent-give", args=[episode.person.pk])
    response = client.post(give, {"organisation": ""})
    assert response.status_code == 400
    assert "Choose the organisation to share with" in text(response)
    assert client.post(give, {"organisation": str(system.vcse_org.pk)}).status_code == 302
    response = client.post(give, {"organisation": str(system.vcse_org.pk)})
    assert response.status_code == 400
    assert "Consent to share with Test Mind is already recorded." in text(response)
    consent = ConsentToShare.objects.get()
    assert "Withdraw consent to share with Test Mind" in text(client.get(person_url))
    url = reverse("care:consent-withdraw", args=[episode.person.pk, consent.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Withdraw consent to share with Test Mind?" in text(confirm)
    ConsentToShare.objects.get(withdrawn_at__isnull=True)  # asking changes nothing
    assert client_for(system.clinician_b).post(url).status_code == 404
    assert client_for(system.clinician_a).post(url).status_code == 302
    assert ConsentToShare.objects.get().withdrawn_at is not None
    response = client.post(url)
    assert response.status_code == 400
    assert "This consent was already withdrawn." in text(response)


# -- The front door ------------------------------------------------------------------------------


def test_the_front_door_proposes_an_offer_for_a_new_referral(
    client_for, system, front_door, peer_support
):
    episode = person_in(system, 1, name="Ann Example", stage=Stage.REFERRED)
    url = reverse("care:front-door", args=[front_door.pk])
    client = client_for(system.clinician_a)
    html = text(client.get(url))
    assert "New referrals (1)" in html
    assert "Ann Example" in html
    assert "waiting today" in html
    assert client_for(system.board_member).get(url).status_code == 404
    propose = reverse("care:offer-propose", args=[front_door.pk, episode.pk])
    prefix = f"referral-{episode.pk}"
    response = client_for(system.clinician_a).post(propose, {f"{prefix}-offer": ""})
    assert response.status_code == 400
    assert "Choose an offer from the catalogue" in text(response)
    assert CareDecision.objects.count() == 0
    response = client.post(
        propose, {f"{prefix}-offer": str(peer_support.pk), f"{prefix}-proposal": ""}
    )
    assert response.status_code == 302
    decision = CareDecision.objects.get().decision
    html = raw(client.get(url))
    assert "Offer proposed: Peer support at Open Door" in text(client.get(url))
    assert reverse("decisions:decision", args=[decision.pk]) in html
    assert "Take positions" in html


def test_the_front_door_empty_states(client_for, system, front_door):
    html = text(
        client_for(system.clinician_a).get(reverse("care:front-door", args=[front_door.pk]))
    )
    assert "No new referrals are waiting." in html
    assert "The offer catalogue is empty" in html


# -- The offer catalogue -------------------------------------------------------------------------


def test_who_may_change_the_offer_catalogue(system):
    assert has_perm("care.change_offers", system.administrator)
    assert has_perm("care.change_offers", system.team_leader_a)  # North CMHT leadership
    assert has_perm("care.change_offers", system.board_member)  # system leadership
    assert not has_perm("care.change_offers", system.clinician_a)
    assert not has_perm("care.change_offers", system.vcse)


def test_the_offer_catalogue(client_for, system, peer_support):
    html = text(client_for(system.clinician_a).get(reverse("care:offers")))
    assert "Peer support at Open Door" in html
    assert "Add an offer" not in html
    assert client_for(system.clinician_a).get(reverse("care:offer-new")).status_code == 403
    client = client_for(system.team_leader_a)
    response = client.post(reverse("care:offer-new"), {"name": "", "kind": "", "organisation": ""})
    assert response.status_code == 400
    for message in ("Enter the name of the offer", "Choose the kind of offer"):
        assert message in text(response)
    response = client.post(
        reverse("care:offer-new"),
        {"name": "peer support at open door", "kind": "peer_support", "organisation": ""},
    )
    assert "Choose the organisation that provides it" in text(response)
    response = client.post(
        reverse("care:offer-new"),
        {
            "name": "peer support at open door",
            "kind": "peer_support",
            "organisation": str(system.vcse_org.pk),
        },
    )
    assert response.status_code == 400
    assert "There is already an offer with this name" in text(response)
    response = client.post(
        reverse("care:offer-new"),
        {
            "name": "Coaching",
            "kind": "mental_health_coach",
            "organisation": str(system.vcse_org.pk),
        },
    )
    assert response.status_code == 302
    assert Offer.objects.count() == 2


def test_editing_an_offer_refuses_a_stale_copy(client_for, system, peer_support):
    url = reverse("care:offer-edit", args=[peer_support.pk])
    assert client_for(system.vcse).get(url).status_code == 403
    client = client_for(system.team_leader_a)
    assert client.get(url).status_code == 200
    stale = peer_support.version
    services.offer_update(
        actor=system.board_member,
        offer=peer_support,
        expected_version=stale,
        name="Peer support at the Open Door café",
        kind="peer_support",
        organisation=system.vcse_org,
        description="",
        is_active=True,
    )
    data = {
        "name": "Peer support (retired)",
        "kind": "peer_support",
        "organisation": str(system.vcse_org.pk),
        "description": "",
        "version": str(stale),
    }
    response = client.post(url, data)
    assert response.status_code == 409
    html = text(response)
    assert "Someone else changed this offer while you were editing it" in html
    assert "Peer support at the Open Door café" in html
    assert Offer.objects.get().name == "Peer support at the Open Door café"
    response = client.post(url, data | {"version": str(stale + 1)})  # "save again"
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert (offer.name, offer.is_active) == ("Peer support (retired)", False)
    assert "Retired" in text(client.get(reverse("care:offers")))


# -- The huddle board ----------------------------------------------------------------------------


def test_the_board_is_for_the_team(client_for, system, zones, meeting):
    episode = person_in(system, 1, name="Ann Example")
    url = reverse("care:board", args=[system.team_a.pk])
    response = client_for(system.clinician_a).get(url)
    assert response.status_code == 200
    html = text(response)
    assert "Not yet zoned (1 person)" in html
    assert html.index("Not yet zoned") < html.index("Red Colour: Red")
    assert "Steady input: the plan is working" in html
    assert "Ann Example" in html
    # A compact card: the name opens the card (its page, or in place: the list boosts links).
    card = reverse("care:card", args=[system.team_a.pk, episode.pk])
    assert f'<a href="{card}">Ann Example</a>' in raw(response)
    assert 'hx-boost="true" hx-target="closest li" hx-swap="outerHTML"' in raw(response)
    assert "Change zone for Ann Example" not in html
    assert 'id="note-situation-' not in raw(response)
    assert client_for(system.clinician_b).get(url).status_code == 404
    # The meeting chosen: who is in the room.
    response = client_for(system.clinician_a).get(url, {"meeting": meeting.pk})
    html = text(response)
    assert "Recording in North huddle" in html
    assert f'href="{card}?meeting={meeting.pk}"' in raw(response)
    assert "In the room: Amira Clinician, Chloe Practitioner, Gita Leader." in html
    south = forum_services.forum_create(
        actor=system.clinician_b,
        name="South huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_b,
    )
    now = timezone.now()
    other = forum_services.meeting_create(
        actor=system.clinician_b, forum=south, starts_at=now, ends_at=now + timedelta(hours=1)
    )
    assert client_for(system.clinician_a).get(url, {"meeting": other.pk}).status_code == 404
    assert f'id="card-{episode.pk}"' in raw(client_for(system.vcse).get(url))


def test_the_board_escapes_what_people_wrote(client_for, system, zones):
    """The cards are written in Python (presenters.CardWriter), not by the template: every value
    from the database is escaped there."""
    episode = person_in(system, 1, name="Ann <b>Example</b>")
    services.huddle_note_add(actor=system.clinician_a, episode=episode, situation='"<i>S</i>')
    services.care_action_add(
        actor=system.clinician_a,
        episode=episode,
        description="Call <u>GP</u>",
        owner=system.clinician_a,
        due_on=timezone.localdate(),
    )
    client = client_for(system.clinician_a)
    html = client.get(reverse("care:board", args=[system.team_a.pk])).content.decode()
    card = reverse("care:card", args=[system.team_a.pk, episode.pk])
    html += client.get(card, headers=HTMX).content.decode()  # the card opened on the board
    for written in ("<b>Example", "<i>S", "<u>GP"):
        assert written not in html
    for escaped in ("Ann &lt;b&gt;Example&lt;/b&gt;", "&quot;&lt;i&gt;S", "Call &lt;u&gt;GP"):
        assert escaped in html


def test_the_board_empty_state(client_for, system):
    html = text(client_for(system.clinician_a).get(reverse("care:board", args=[system.team_a.pk])))
    assert "Nobody is on the board yet." in html
    assert "None of the team's forums meets today" in html


def test_changing_zone_without_javascript_redirects_to_the_card(client_for, system, zones, meeting):
    episode = person_in(system, 1, name="Ann Example")
    client = client_for(system.clinician_a)
    response = client.post(
        reverse("care:zone-set", args=[episode.pk]),
        {
            "zone": str(zones["Amber"].pk),
            "reason": "Housing worries",
            "meeting": str(meeting.pk),
            "version": str(episode.version),
        },
    )
    assert response.status_code == 302
    board = reverse("care:board", args=[system.team_a.pk])
    assert response["Location"] == f"{board}?meeting={meeting.pk}#card-{episode.pk}"
    change = ZoneChange.objects.get()
    assert change.to_zone == zones["Amber"]
    assert set(change.present.all()) == {system.clinician_a, system.vcse, system.team_leader_a}
    assert "Ann Example moved to Amber." in text(client.get(response["Location"]))


def test_changing_zone_with_htmx_returns_the_board(client_for, system, zones):
    episode = person_in(system, 1, name="Ann Example")
    response = client_for(system.clinician_a).post(
        reverse("care:zone-set", args=[episode.pk]),
        {"zone": str(zones["Green"].pk), "version": str(episode.version)},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = raw(response)
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="board"')
    assert '<div id="board-status" hx-swap-oob="innerHTML">' in html
    assert "Ann Example moved to Green." in html
    assert f'id="card-{episode.pk}-name" tabindex="-1" autofocus' in html
    assert "Green Colour: Green (1 person)" in text(response)
    assert Episode.objects.get(pk=episode.pk).zone == zones["Green"]


def test_a_bad_zone_change_shows_the_problem_and_stores_nothing(client_for, system, zones):
    episode = person_in(system, 1, name="Ann Example")
    client = client_for(system.clinician_a)
    url = reverse("care:zone-set", args=[episode.pk])
    response = client.post(url, {"zone": "", "version": str(episode.version)})
    assert response.status_code == 400
    html = raw(response)
    assert "There is a problem" in html
    assert f'href="#zone-zone-{episode.pk}"' in html
    assert f'id="zone-zone-{episode.pk}-error"' in html
    # Without JavaScript the problem is shown on the card's own page, not the whole board.
    assert "<h1>Ann Example</h1>" in html
    assert "Error: Ann Example: huddle card" in html
    response = client.post(url, {"zone": "", "version": str(episode.version)}, headers=HTMX)
    assert response.status_code == 200
    assert "There is a problem: Choose a zone" in text(response)
    # A stale card: someone else moved them meanwhile.
    response = client.post(
        url, {"zone": str(zones["Red"].pk), "version": str(episode.version - 1)}, headers=HTMX
    )
    assert "Someone else changed Ann Example's card" in text(response)
    assert ZoneChange.objects.count() == 0
    # Another team's clinician cannot see the person; a consented partner cannot change them.
    data = {"zone": str(zones["Red"].pk), "version": str(episode.version)}
    assert client_for(system.clinician_b).post(url, data).status_code == 404
    services.consent_give(
        actor=system.clinician_a, person=episode.person, organisation=system.vcse_org
    )
    assert client_for(system.south_coach).post(url, data).status_code == 403
    assert ZoneChange.objects.count() == 0


def test_changes_are_recorded_only_in_one_of_todays_meetings(client_for, system, zones, huddle):
    episode = person_in(system, 1, name="Ann Example")
    yesterday = timezone.now() - timedelta(days=1)
    past = forum_services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=yesterday,
        ends_at=yesterday + timedelta(hours=1),
    )
    forum_services.attendance_set(actor=system.team_leader_a, meeting=past, present=[system.vcse])
    client = client_for(system.clinician_a)
    board = reverse("care:board", args=[system.team_a.pk])
    assert "None of the team's forums meets today" in text(client.get(board))
    assert client.get(f"{board}?meeting={past.pk}").status_code == 404
    response = client.post(
        reverse("care:zone-set", args=[episode.pk]),
        {"zone": str(zones["Amber"].pk), "meeting": str(past.pk), "version": str(episode.version)},
    )
    assert response.status_code == 404
    assert not ZoneChange.objects.exists()


def test_sbard_notes_actions_and_done_from_the_board(client_for, system, zones, meeting):
    episode = person_in(system, 1, name="Ann Example")
    client = client_for(system.clinician_a)
    note = reverse("care:note-add", args=[episode.pk])
    response = client.post(note, {"situation": " ", "meeting": str(meeting.pk)}, headers=HTMX)
    assert "Write at least one part of the note" in text(response)
    # The board comes back with the card's forms open, as posted.
    assert f'id="note-situation-{episode.pk}"' in raw(response)
    assert f'hx-post="{note}"' in raw(response)
    assert HuddleNote.objects.count() == 0
    response = client.post(
        note,
        {"situation": "Missed two appointments.", "recommendation": "Peer worker to call."},
        headers=HTMX,
    )
    assert "SBARD note added for Ann Example." in text(response)
    assert "Situation Missed two appointments." in text(response)
    add = reverse("care:action-add", args=[episode.pk])
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(add, {"description": "", "owner": "", "due_on": yesterday.isoformat()})
    assert response.status_code == 400
    for message in ("Say what will be done", "Choose who will do it"):
        assert message in text(response)
    assert f'href="#action-description-{episode.pk}"' in raw(response)
    assert f'id="action-owner-{episode.pk}-error"' in raw(response)
    assert f'value="{yesterday.isoformat()}"' in raw(response)  # what was posted is kept
    assert "Change zone for Ann Example" in text(response)  # the card's page, not the board
    assert 'id="board"' not in raw(response)
    response = client.post(
        add,
        {
            "description": "Call about appointments",
            "owner": str(system.vcse.pk),
            "due_on": yesterday.isoformat(),
        },
    )
    assert "The due date must be today or later" in text(response)
    assert CareAction.objects.count() == 0
    response = client.post(
        add,
        {
            "description": "Call about appointments",
            "owner": str(system.vcse.pk),
            "due_on": timezone.localdate().isoformat(),
            "meeting": str(meeting.pk),
        },
    )
    assert response.status_code == 302
    action = CareAction.objects.get()
    assert action.meeting == meeting
    # An action that is overdue is marked so: on the compact card, and on the card opened.
    CareAction.objects.filter(pk=action.pk).update(due_on=yesterday)
    html = text(client.get(reverse("care:board", args=[system.team_a.pk])))
    assert "1 overdue" in html
    card = reverse("care:card", args=[system.team_a.pk, episode.pk])
    html = text(client.get(card, headers=HTMX))
    assert "Call about appointments" in html
    assert "Chloe Practitioner, due" in html
    assert "Overdue" in html
    done = reverse("care:action-done", args=[action.pk])
    response = client.post(done, {"version": str(action.version)}, headers=HTMX)
    assert "Done: Call about appointments (Ann Example)." in text(response)
    assert CareAction.objects.get().done_at is not None
    assert client_for(system.clinician_b).post(done).status_code == 404


def test_raising_a_move_on_decision_from_the_card(client_for, system, zones, huddle):
    episode = person_in(system, 1, name="Ann Example")
    client = client_for(system.clinician_a)
    card = reverse("care:card", args=[system.team_a.pk, episode.pk])
    html = text(client.get(card))
    assert "Raise move-on decision for Ann Example" not in html
    assert "Once the team moves Ann Example to a zone that means ready to move on" in html
    episode = services.episode_zone_set(
        actor=system.clinician_a, episode=episode, zone=zones["Ready to move on"]
    )
    html = text(client.get(card))
    assert "Raise move-on decision for Ann Example" in html
    assert "Ready to move on (now)" in html
    url = reverse("care:move-on", args=[episode.pk])
    response = client.post(url, {"destination": "", "forum": "", "proposal": ""})
    assert response.status_code == 400
    for message in (
        "Choose where the person is moving on to",
        "Choose one of the team's forums",
        "Say what the move on is",
    ):
        assert message in text(response)
    assert "Raise move-on decision for Ann Example" in text(response)
    response = client.post(
        url,
        {"destination": "gp", "forum": str(huddle.pk), "proposal": "Back to the GP."},
        headers=HTMX,
    )
    assert "The move-on decision for Ann Example is open" in text(response)
    decision = CareDecision.objects.get().decision
    assert decision.title == "Ann Example moves on: GP and primary care"
    # The card stays open on the board, with the decision.
    assert "Shared: not yet. Held: not yet." in text(response)
    board = reverse("care:board", args=[system.team_a.pk])
    assert "Move on: open for positions" in text(client.get(board))
    html = text(client.get(card))
    assert "Raise move-on decision for Ann Example" not in html
    assert "The move-on decision is already raised: Ann Example moves on" in html


def test_the_card_page_has_the_bigger_forms(client_for, system, zones, huddle, meeting):
    episode = person_in(system, 1, name="Ann Example")
    url = reverse("care:card", args=[system.team_a.pk, episode.pk])
    client = client_for(system.clinician_a)
    response = client.get(url, {"meeting": meeting.pk})
    assert response.status_code == 200
    assert response["Vary"].count("HX-Request") == 1
    html = text(response)
    assert "Recording in North huddle" in html
    for label in (
        "Change zone for Ann Example",
        "Situation (SBARD note for Ann Example)",
        "What will be done for Ann Example",
        "Add action for Ann Example",
    ):
        assert label in html
    page = raw(response)
    assert f'<input type="hidden" name="meeting" value="{meeting.pk}">' in page
    assert "hx-post" not in page  # plain forms: each comes back to the card on the board
    assert " autofocus" not in page
    board = reverse("care:board", args=[system.team_a.pk])
    assert f'href="{board}?meeting={meeting.pk}#card-{episode.pk}">Back to the board' in page
    # htmx gets the card itself, open, to replace the compact card on the board; its name
    # takes the focus, and its forms update the board.
    fragment = raw(client.get(url, {"meeting": meeting.pk}, headers=HTMX))
    assert "<html" not in fragment
    assert fragment.startswith(f'<li class="rt-card rt-card--open" id="card-{episode.pk}"')
    assert fragment.count(" autofocus") == 1
    assert f'id="card-{episode.pk}-name" tabindex="-1" autofocus' in fragment
    assert 'hx-target="#board"' in fragment
    assert f'id="note-situation-{episode.pk}"' in fragment
    assert 'Close the card<span class="nhsuk-u-visually-hidden"> for Ann Example' in fragment
    # Closed again: the compact card, its name focused.
    closed = raw(client.get(url, {"meeting": meeting.pk, "view": "compact"}, headers=HTMX))
    assert closed.startswith(f'<li class="rt-card" id="card-{episode.pk}">')
    assert 'id="note-situation-' not in closed
    # Only the team: another team's clinician, or this team's URL with another team's card.
    assert client_for(system.clinician_b).get(url).status_code == 404
    other = services.person_in_care_create(actor=system.clinician_b, local_id="S1", name="Bo")
    elsewhere = services.episode_refer(
        actor=system.clinician_b, person=other, team=system.team_b, referral_source="gp"
    )
    assert (
        client_for(system.clinician_b)
        .get(reverse("care:card", args=[system.team_b.pk, elsewhere.pk]))
        .status_code
        == 200
    )
    client = client_for(system.clinician_a)  # the same test client, signed in again
    mixed = reverse("care:card", args=[system.team_a.pk, elsewhere.pk])
    assert client.get(mixed).status_code == 404
    # A note with nothing written: the card's page with the problem, and nothing stored.
    note = reverse("care:note-add", args=[episode.pk])
    response = client.post(note, {"situation": " ", "decision": "  "})
    assert response.status_code == 400
    page = raw(response)
    assert "There is a problem" in page
    assert "Write at least one part of the note" in text(response)
    assert f'href="#note-situation-{episode.pk}"' in page
    assert f'id="note-situation-{episode.pk}-error"' in page
    assert 'id="board"' not in page
    assert HuddleNote.objects.count() == 0
    # A note without JavaScript: back to the card on the board.
    response = client.post(note, {"situation": "Moved house.", "meeting": str(meeting.pk)})
    assert response.status_code == 302
    assert response["Location"] == f"{board}?meeting={meeting.pk}#card-{episode.pk}"
    assert HuddleNote.objects.get().situation == "Moved house."


def test_the_board_page_is_a_fixed_number_of_queries(client_for, system, zones, huddle, meeting):
    client = client_for(system.clinician_a)
    url = reverse("care:board", args=[system.team_a.pk])

    def build(start: int, count: int) -> None:
        for i in range(start, start + count):
            episode = person_in(system, i)
            episode = services.episode_zone_set(
                actor=system.clinician_a, episode=episode, zone=list(zones.values())[i % 5]
            )
            services.huddle_note_add(actor=system.clinician_a, episode=episode, situation="S")
            services.care_action_add(
                actor=system.clinician_a,
                episode=episode,
                description="Call",
                owner=system.clinician_a,
                due_on=timezone.localdate(),
            )
            if episode.stage == Stage.READY_TO_MOVE_ON:
                agree_move_on(system, huddle, episode)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"meeting": meeting.pk})
        assert response.status_code == 200
        return len(captured.captured_queries)

    build(2, 3)  # one of them ready to move on, with a move-on decision
    few = queries()
    # The session and user; the team, the meeting and the zones; the episodes with their latest
    # notes, the ids of their move-on decisions and what the safety badges read; their open
    # actions; the move-on decisions; the audit event naming the people shown; who is present;
    # today's meetings to choose from.
    assert few == 11
    build(5, 12)
    html = raw(client.get(url))
    assert html.count('<li class="rt-card" id="card-') == 15
    assert 'id="zone-submit-' not in html  # the forms are in the card, opened on demand
    assert queries() == few


# -- Zones ---------------------------------------------------------------------------------------


def test_configuring_zones(client_for, system, zones):
    url = reverse("care:zones", args=[system.team_a.pk])
    assert client_for(system.clinician_b).get(url).status_code == 404
    client = client_for(system.clinician_a)
    html = text(client.get(url))
    assert "Ready to move on Colour: Purple" in html
    assert "Means ready to move on" in html
    response = client.post(url, {"name": "Amber", "colour": "pink", "meaning": ""})
    assert response.status_code == 400
    for message in ("Choose a colour", "Say in plain English what the team does"):
        assert message in text(response)
    response = client.post(url, {"name": "amber", "colour": "grey", "meaning": "Joint work."})
    assert response.status_code == 400
    assert "The team already has a zone with this name" in text(response)
    response = client.post(url, {"name": "Joint work", "colour": "grey", "meaning": "With crisis"})
    assert response.status_code == 302
    assert Zone.objects.filter(team=system.team_a).count() == 6


def test_editing_a_zone_refuses_a_stale_copy(client_for, system, zones):
    red = zones["Red"]
    url = reverse("care:zone-edit", args=[system.team_a.pk, red.pk])
    assert client_for(system.clinician_b).get(url).status_code == 404
    client = client_for(system.clinician_a)
    assert client.get(url).status_code == 200
    data = {
        "name": "Daily contact",
        "colour": "red",
        "meaning": "In touch every day.",
        "position": "0",
        "version": str(red.version),
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, data | {"name": "Something else"})
    assert response.status_code == 409
    assert "Someone else changed this zone while you were editing it" in text(response)
    assert Zone.objects.get(pk=red.pk).name == "Daily contact"
    response = client.post(url, data | {"position": "-1", "version": str(red.version + 1)})
    assert response.status_code == 400
    assert "The order is a whole number, 0 or more" in text(response)


def test_archiving_a_zone_asks_first_and_is_refused_while_occupied(client_for, system, zones):
    episode = person_in(system, 1, name="Ann Example")
    services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zones["Blue"])
    client = client_for(system.clinician_a)
    url = reverse("care:zone-archive", args=[system.team_a.pk, zones["Blue"].pk])
    response = client.get(url)
    assert "Stop using Blue?" in text(response)
    assert not Zone.objects.get(pk=zones["Blue"].pk).is_archived
    response = client.post(url)
    assert response.status_code == 400
    assert "1 person is in Blue: move them to another zone first." in text(response)
    url = reverse("care:zone-archive", args=[system.team_a.pk, zones["Red"].pk])
    assert client.post(url).status_code == 302
    assert Zone.objects.get(pk=zones["Red"].pk).is_archived
    assert client.get(url).status_code == 404  # no longer in use


# -- The ready list and caseloads ----------------------------------------------------------------


def test_the_ready_list_shows_shared_and_held(client_for, system, zones, huddle):
    first = person_in(system, 1, name="Ann Example")
    second = person_in(system, 2, name="Bo Example")
    for episode in (first, second):
        services.episode_zone_set(
            actor=system.clinician_a, episode=episode, zone=zones["Ready to move on"]
        )
    nine_days_ago = timezone.localdate() - timedelta(days=9)
    Episode.objects.filter(pk=second.pk).update(
        stage_since=timezone.make_aware(datetime.combine(nine_days_ago, time(12)))
    )
    decision = agree_move_on(system, huddle, Episode.objects.get(pk=first.pk))
    decision_services.hold_add(actor=system.team_leader_a, decision=decision, message="")
    url = reverse("care:ready", args=[system.team_a.pk])
    html = text(client_for(system.clinician_a).get(url))
    assert "2 people ready to move on" in html
    assert html.index("Bo Example") < html.index("Ann Example")  # longest waiting first
    assert "9 days" in html
    assert "Yes, agreed" in html
    assert "Yes, by Gita Leader" in html
    assert "None raised yet" in html
    assert client_for(system.clinician_b).get(url).status_code == 404


def test_the_ready_list_empty_state(client_for, system):
    html = text(client_for(system.vcse).get(reverse("care:ready", args=[system.team_a.pk])))
    assert "Nobody in North CMHT is ready to move on at the moment." in html


def test_caseloads(client_for, system, zones):
    episode = person_in(system, 1, name="Ann Example")
    services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zones["Green"])
    html = text(client_for(system.clinician_a).get(reverse("care:caseload")))
    assert "Your caseload" in html
    assert "North CMHT" in html
    assert "Ann Example Stage In support Days in stage 0 Zone Green Colour: Green" in html
    url = reverse("care:caseload-of", args=[system.clinician_a.pk])
    html = text(client_for(system.vcse).get(url))
    assert "Amira Clinician's caseload" in html
    assert "Ann Example" in html
    assert client_for(system.clinician_b).get(url).status_code == 404  # no shared team
    html = text(client_for(system.vcse).get(reverse("care:caseload")))
    assert "You are not key worker for anyone at the moment." in html
