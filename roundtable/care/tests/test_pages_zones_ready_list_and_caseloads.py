"""Care pages: zones, the ready list and caseloads."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.care import services
from roundtable.care.models import Episode, Zone
from roundtable.care.tests.conftest import agree_move_on
from roundtable.care.tests.helpers import person_in, text
from roundtable.decisions import services as decision_services

pytestmark = pytest.mark.django_db


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
