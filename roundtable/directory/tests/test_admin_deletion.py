"""Set-up's "delete?" pages list what a deletion takes with it, naming no person in care to an
administrator who may not see them."""

from __future__ import annotations

import pytest
from django.test import Client

from roundtable.care import services as care_services
from roundtable.testing import System

pytestmark = pytest.mark.django_db

NAME = "Amani Ahmed"


@pytest.fixture
def referred(system: System) -> None:
    care_services.person_refer(
        actor=system.clinician_a,
        team=system.team_a,
        local_id="A-1",
        name=NAME,
        referral_source="gp",
    )


def test_deleting_a_team_lists_its_episodes_by_reference_only(
    client: Client, system: System, referred: None
) -> None:
    client.force_login(system.administrator)
    page = client.get(f"/admin/directory/team/{system.team_a.pk}/delete/")
    assert page.status_code == 200
    text = page.content.decode()
    assert NAME not in text
    assert "A-1" not in text
    assert "not shown, you may not see this record" in text


def test_an_administrator_in_the_caring_team_sees_who_it_would_take(
    client: Client, system: System, referred: None
) -> None:
    system.clinician_a.is_staff = system.clinician_a.is_superuser = True
    system.clinician_a.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(system.clinician_a)
    text = client.get(f"/admin/directory/team/{system.team_a.pk}/delete/").content.decode()
    assert NAME in text
