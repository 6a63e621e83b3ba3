"""Care pages: a person's page, who may see it, their history, changing stage, moving on and
consent."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from roundtable.care import services
from roundtable.care.models import ConsentToShare, Episode, Stage
from roundtable.care.tests.conftest import agree_move_on
from roundtable.care.tests.helpers import person_in, text
from roundtable.decisions import services as decision_services

pytestmark = pytest.mark.django_db


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
