"""Care pages: the start page, and referring someone (new or already recorded)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roundtable.care import services
from roundtable.care.models import Episode, PersonInCare, Stage
from roundtable.care.tests.helpers import person_in, raw, text
from roundtable.directory.models import Membership

pytestmark = pytest.mark.django_db


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
