"""A person's profile: teams, leadership, and peers of the same discipline elsewhere."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roundtable.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def test_profile_shows_teams_and_peers_in_other_localities(client_for, system):
    client = client_for(system.lone_coach)
    html = client.get(reverse("directory:person", args=[system.lone_coach.pk])).content.decode()
    assert "<h1>Hana Coach" in html
    assert "North CMHT" in html
    assert "North locality" in html
    assert "Other mental health coach colleagues in other localities" in html
    assert "South locality" in html
    assert "Ivo Coach" in html


def test_reading_a_profile_is_audited(client_for, system):
    client_for(system.clinician_a).get(reverse("directory:person", args=[system.vcse.pk]))
    assert AuditEvent.objects.filter(
        actor=system.clinician_a,
        action=AuditAction.READ,
        object_type="directory.person",
        object_id=str(system.vcse.pk),
    ).exists()


def test_a_person_who_has_left_is_not_found_by_colleagues(client_for, system):
    system.vcse.is_active = False
    system.vcse.save()
    url = reverse("directory:person", args=[system.vcse.pk])
    assert client_for(system.clinician_a).get(url).status_code == 404
    assert client_for(system.administrator).get(url).status_code == 200


def test_only_the_person_and_administrators_see_the_change_link(client_for, system):
    url = reverse("directory:person", args=[system.lone_coach.pk])
    assert "Change profile" in client_for(system.lone_coach).get(url).content.decode()
    assert "Change profile" not in client_for(system.clinician_a).get(url).content.decode()


def test_peers_in_system_wide_teams_are_listed_under_their_locality_only(client_for, system):
    from roundtable.directory.models import Membership, Team

    service = Team.objects.create(
        name="Coaching Service", organisation=system.vcse_org, kind="vcse_service"
    )
    Membership.objects.create(person=system.south_coach, team=service)
    Membership.objects.create(person=system.lone_coach, team=service)
    html = (
        client_for(system.lone_coach)
        .get(reverse("directory:person", args=[system.lone_coach.pk]))
        .content.decode()
    )
    assert "South locality" in html
    assert "Working system-wide" not in html
    assert html.count("Ivo Coach") == 1
