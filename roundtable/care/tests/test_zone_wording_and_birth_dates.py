"""Issue 16: zones say what the team does, never a risk rating (NICE NG225); a date of birth
must be plausible. Both refused in the service, so the pages and the API refuse alike, and
nothing is stored."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from roundtable.care import services
from roundtable.care.models import PersonInCare, Zone
from roundtable.tests.api import call, ok, refused

pytestmark = pytest.mark.django_db

API = "/api/v1/care"
RISK_NAMES = [
    "High risk",
    "high-risk",
    "Medium risk",
    "Low risk",
    "Risk score 8-10",
    "Risk rating: amber",
    "Risk level 2",
    "Highest level of risk",
]


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def zones(system) -> dict[str, Zone]:
    return {z.name: z for z in services.zones_ensure(team=system.team_a)}


# -- Zones ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", RISK_NAMES)
def test_the_service_refuses_a_zone_named_for_risk(system, zones, name: str) -> None:
    with pytest.raises(ValidationError) as refusal:
        services.zone_create(
            actor=system.clinician_a,
            team=system.team_a,
            name=name,
            colour="red",
            meaning="Contact every day.",
        )
    [message] = refusal.value.message_dict["name"]
    assert "NICE guidance on self-harm (NG225)" in message
    assert "not a rating of their risk" in message
    assert Zone.objects.filter(team=system.team_a).count() == 5


def test_the_service_refuses_a_meaning_that_rates_risk_and_a_change_to_one(system, zones):
    with pytest.raises(ValidationError) as refusal:
        services.zone_create(
            actor=system.clinician_a,
            team=system.team_a,
            name="Daily contact",
            colour="red",
            meaning="Risk score 8-10",
        )
    assert list(refusal.value.message_dict) == ["meaning"]
    red = zones["Red"]
    with pytest.raises(ValidationError) as refusal:
        services.zone_update(
            actor=system.clinician_a,
            zone=red,
            expected_version=red.version,
            name="High risk",
            colour="red",
            meaning=red.meaning,
            position=red.position,
        )
    assert list(refusal.value.message_dict) == ["name"]
    red.refresh_from_db()
    assert red.name == "Red"


def test_names_about_what_the_team_does_are_welcome(system, zones):
    """Risk may be talked about: positive risk-taking is part of a plan. Only rating it is
    refused."""
    zone = services.zone_create(
        actor=system.clinician_a,
        team=system.team_a,
        name="Positive risk-taking",
        colour="amber",
        meaning="A positive risk-taking plan is agreed: we review it together every week.",
    )
    assert zone.name == "Positive risk-taking"


def test_the_zone_page_explains_why_and_refuses_a_risk_rating(client_for, system, zones):
    url = reverse("care:zones", args=[system.team_a.pk])
    client = client_for(system.clinician_a)
    page = client.get(url).content.decode()
    assert "Zones describe what the team does, not risk." in page
    assert 'href="https://www.nice.org.uk/guidance/ng225"' in page
    response = client.post(
        url, {"name": "High risk", "colour": "red", "meaning": "Risk score 8-10"}
    )
    assert response.status_code == 400
    html = text(response)
    assert "There is a problem" in html
    assert "Name the zone for what the team does, like “Intensive input”." in html
    assert "Say what the team does for people in this zone" in html
    assert "NICE guidance on self-harm (NG225)" in html
    assert not Zone.objects.filter(team=system.team_a, name="High risk").exists()

    red = zones["Red"]
    edit = reverse("care:zone-edit", args=[system.team_a.pk, red.pk])
    assert "Zones describe what the team does, not risk." in client.get(edit).content.decode()
    response = client.post(
        edit,
        {
            "name": "Low risk",
            "colour": "red",
            "meaning": red.meaning,
            "position": "0",
            "version": str(red.version),
        },
    )
    assert response.status_code == 400
    assert "NICE guidance on self-harm (NG225)" in text(response)
    assert Zone.objects.get(pk=red.pk).name == "Red"


def test_the_api_refuses_a_risk_rating_too(client, system, zones):
    me = system.clinician_a
    body = refused(
        call(
            client,
            me,
            "post",
            f"{API}/teams/{system.team_a.pk}/zones",
            {"name": "Medium risk", "colour": "amber", "meaning": "Weekly contact."},
        ),
        "NICE guidance on self-harm (NG225)",
    )
    assert list(body["errors"]) == ["name"]
    red = zones["Red"]
    body = refused(
        call(
            client,
            me,
            "patch",
            f"{API}/zones/{red.pk}",
            {"meaning": "Risk level 3 and above", "version": red.version},
        ),
        "NICE guidance on self-harm (NG225)",
    )
    assert list(body["errors"]) == ["meaning"]
    assert Zone.objects.filter(team=system.team_a).count() == 5
    assert Zone.objects.get(pk=red.pk).meaning == red.meaning


# -- Dates of birth ------------------------------------------------------------------------------


def referral(system, born: date | None):
    return services.person_refer(
        actor=system.clinician_a,
        team=system.team_a,
        local_id="RX1",
        name="Ann Example",
        referral_source="gp",
        date_of_birth=born,
    )


@pytest.mark.parametrize(
    "born",
    [date(1800, 1, 1), date(1899, 12, 31), None],
    ids=["1800", "1899", "future"],
)
def test_an_implausible_date_of_birth_is_refused(system, born: date | None) -> None:
    born = born or timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as refusal:
        referral(system, born)
    [message] = refusal.value.message_dict["date_of_birth"]
    assert message in {
        "The date of birth must be in 1900 or later: check the year",
        "The date of birth must be in the past",
    }
    assert not PersonInCare.objects.exists()


@pytest.mark.parametrize("born", [date(1900, 1, 1), None], ids=["1900", "today"])
def test_a_plausible_date_of_birth_is_recorded(system, born: date | None) -> None:
    born = born or timezone.localdate()
    episode = referral(system, born)
    assert episode.person.date_of_birth == born


def test_the_referral_page_and_the_api_refuse_1800(client, client_for, system):
    response = client_for(system.clinician_a).post(
        reverse("care:refer"),
        {
            "local_id": "RX1",
            "name": "Ann Example",
            "date_of_birth": "1800-01-01",
            "team": str(system.team_a.pk),
            "referral_source": "gp",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The date of birth must be in 1900 or later: check the year" in html
    assert 'href="#id_date_of_birth"' in html  # the error summary links to the field
    body = refused(
        call(
            client,
            system.clinician_a,
            "post",
            f"{API}/people",
            {
                "local_id": "RX2",
                "name": "Bo Example",
                "date_of_birth": "1800-01-01",
                "referral": {"team": system.team_a.pk, "referral_source": "gp"},
            },
        ),
        "The date of birth must be in 1900 or later",
    )
    assert list(body["errors"]) == ["date_of_birth"]
    assert not PersonInCare.objects.exists()
    ok(
        call(
            client,
            system.clinician_a,
            "post",
            f"{API}/people",
            {
                "local_id": "RX2",
                "name": "Bo Example",
                "date_of_birth": "1950-06-20",
                "referral": {"team": system.team_a.pk, "referral_source": "gp"},
            },
        ),
        201,
    )
