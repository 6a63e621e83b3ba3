"""Care pages: the front door, and the offer catalogue."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rules.permissions import has_perm

from roundtable.care import services
from roundtable.care.models import CareDecision, Offer, Stage
from roundtable.care.tests.helpers import person_in, raw, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def peer_support(system) -> Offer:
    return services.offer_create(
        actor=system.team_leader_a,
        name="Peer support at Open Door",
        kind="peer_support",
        organisation=system.vcse_org,
    )


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
