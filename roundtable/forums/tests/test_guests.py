"""Guests without a Roundtable account: where they are from and what they do.

A guest known only by name is recorded with their organisation — or, when it is not in
Roundtable, its kind — their discipline if they have one, and their role in their own words, so
that they count towards a forum's representation rule. The page, the API and the service take
the same details and refuse the same mistakes, in plain English, storing nothing.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from roundtable.forums import services
from roundtable.forums.models import Attendance, ForumKind, Meeting
from roundtable.testing import discipline
from roundtable.tests.api import SESSION_QUERIES, call, ok, refused

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
API = "/api/v1/forums"
DASH = "\N{EN DASH}"


def text(response) -> str:
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    return re.sub(r" ([,.;:])", r"\1", words)


@pytest.fixture
def huddle(system):
    return services.forum_create(
        actor=system.team_leader_a,
        name="North CMHT daily huddle",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=system.team_a,
        members=[system.clinician_a],
    )


@pytest.fixture
def meeting(system, huddle) -> Meeting:
    starts = datetime.combine(timezone.localdate() + timedelta(days=1), time(9, 15), tzinfo=LONDON)
    return services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=15),
    )


# -- The page -----------------------------------------------------------------------------------


def test_the_attendance_page_records_a_lived_experience_guest(client_for, system, meeting):
    client = client_for(system.team_leader_a)
    form = text(client.get(reverse("forums:meeting-attendance", args=[meeting.pk])))
    assert "Or, if their organisation is not listed, the kind of organisation" in form
    assert "Their discipline (optional)" in form
    assert "Their role (optional)" in form
    response = client.post(
        reverse("forums:guest-add", args=[meeting.pk]),
        {
            "guest_name": "Sam Rivers",
            "guest_organisation": "",
            "guest_organisation_kind": "lived_experience",
            "guest_discipline": discipline("lived-experience").pk,
            "guest_role": "Lived-experience representative",
        },
    )
    assert response.status_code == 302
    row = Attendance.objects.get(meeting=meeting)
    assert (row.guest_name, row.guest_organisation, row.guest_organisation_kind) == (
        "Sam Rivers",
        None,
        "lived_experience",
    )
    assert row.guest_discipline == discipline("lived-experience")
    assert row.guest_role == "Lived-experience representative"
    assert row.is_guest
    attendance = text(client.get(reverse("forums:meeting-attendance", args=[meeting.pk])))
    assert (
        f"Sam Rivers {DASH} Present, (Lived-experience network), Lived-experience or public "
        "representative, Lived-experience representative"
    ) in attendance
    page = text(client.get(reverse("forums:meeting", args=[meeting.pk])))
    assert (
        f"Sam Rivers {DASH} Present, guest (Lived-experience network), Lived-experience or public "
        "representative, Lived-experience representative"
    ) in page


def test_the_page_refuses_guest_details_for_someone_in_roundtable(client_for, system, meeting):
    client = client_for(system.team_leader_a)
    response = client.post(
        reverse("forums:guest-add", args=[meeting.pk]),
        {"email": system.vcse.email, "guest_role": "Peer support worker"},
    )
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    message = "Leave this empty for someone who uses Roundtable: it comes from their profile"
    assert page.count(message) == 2  # in the summary and at the field
    assert 'href="#id_guest_role"' in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_page_refuses_an_organisation_and_a_different_kind(client_for, system, meeting):
    client = client_for(system.team_leader_a)
    response = client.post(
        reverse("forums:guest-add", args=[meeting.pk]),
        {
            "guest_name": "Dr Tom Okafor",
            "guest_organisation": system.gp_practice.pk,
            "guest_organisation_kind": "lived_experience",
        },
    )
    assert response.status_code == 400
    assert (
        "Choose their organisation or, if it is not listed, the kind of organisation — not both"
        in text(response)
    )
    assert 'href="#id_guest_organisation_kind"' in response.content.decode()
    assert not Attendance.objects.exists()


# -- The API ------------------------------------------------------------------------------------


def test_the_api_records_a_guests_kind_discipline_and_role(client, system, meeting):
    path = f"{API}/meetings/{meeting.pk}/guests"
    body = ok(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {
                "guest_name": "Priya Shah",
                "guest_organisation_kind": "vcse",
                "guest_discipline": "peer-support",
                "guest_role": "Peer support worker",
            },
        ),
        201,
    )
    assert body["person"] is None
    assert body["guest_name"] == "Priya Shah"
    assert body["guest_organisation"] is None
    assert body["guest_organisation_kind"] == "vcse"
    assert body["guest_discipline"] == {
        "id": discipline("peer-support").pk,
        "slug": "peer-support",
        "name": "Peer support",
    }
    assert body["guest_role"] == "Peer support worker"
    # With an organisation, its kind is the guest's kind.
    body = ok(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"guest_name": "Jo Bright", "guest_organisation": system.lived_experience_network.pk},
        ),
        201,
    )
    assert body["guest_organisation_kind"] == "lived_experience"
    # Someone in Roundtable is described by their profile, under `person`.
    body = ok(call(client, system.clinician_a, "post", path, {"person": system.vcse.pk}), 201)
    assert body["guest_organisation_kind"] is None
    assert body["guest_discipline"] is None
    assert body["person"]["organisation"]["kind"] == "vcse"
    detail = ok(call(client, system.clinician_b, "get", f"{API}/meetings/{meeting.pk}"))
    guests = {a["guest_name"]: a for a in detail["attendance"] if a["person"] is None}
    assert guests["Priya Shah"]["guest_role"] == "Peer support worker"
    assert guests["Jo Bright"]["guest_organisation_kind"] == "lived_experience"


def test_the_api_refuses_bad_guest_details_and_stores_nothing(client, system, meeting):
    path = f"{API}/meetings/{meeting.pk}/guests"
    body = refused(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"guest_name": "Priya Shah", "guest_discipline": "astrology"},
        ),
        "There is no discipline 'astrology': see /directory/disciplines.",
    )
    assert list(body["errors"]) == ["guest_discipline"]
    refused(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {"person": system.vcse.pk, "guest_role": "Peer support worker"},
        ),
        "Chloe Practitioner uses Roundtable: their organisation, discipline and role come from "
        "their profile, so leave the guest's details empty.",
    )
    body = refused(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {
                "guest_name": "Dr Tom Okafor",
                "guest_organisation": system.gp_practice.pk,
                "guest_organisation_kind": "vcse",
            },
        ),
        "Choose their organisation (Test Surgery) or, if it is not in Roundtable, the kind of "
        "organisation (Voluntary, community or social enterprise (VCSE)) — not both.",
    )
    assert list(body["errors"]) == ["guest_organisation_kind"]
    response = call(
        client,
        system.clinician_a,
        "post",
        path,
        {"guest_name": "Priya Shah", "guest_organisation_kind": "charity"},
    )
    assert response.status_code == 422
    assert "guest_organisation_kind" in response.body["detail"]
    assert not Attendance.objects.exists()


# -- The service and the database ---------------------------------------------------------------


def test_an_organisation_of_the_same_kind_keeps_one_kind(system, meeting):
    row = services.attendance_record(
        actor=system.team_leader_a,
        meeting=meeting,
        guest_name="Dr Tom Okafor",
        guest_organisation=system.gp_practice,
        guest_organisation_kind="gp_practice",
    )
    row.refresh_from_db()
    assert (row.guest_organisation_kind, row.organisation_kind) == ("", "gp_practice")


def test_the_service_refuses_a_long_role(system, meeting):
    with pytest.raises(ValidationError) as refused_error:
        services.attendance_record(
            actor=system.team_leader_a, meeting=meeting, guest_name="Sam", guest_role="x" * 151
        )
    assert refused_error.value.message_dict == {
        "guest_role": ["Give their role in 150 characters or fewer."]
    }


def test_the_database_keeps_guest_details_to_named_guests(system, meeting):
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(meeting=meeting, person=system.vcse, guest_role="Peer worker")
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            meeting=meeting,
            guest_name="Dr Tom Okafor",
            is_guest=True,
            guest_organisation=system.gp_practice,
            guest_organisation_kind="gp_practice",
        )


# Session, person, the meeting, its members, its attendance; the page also asks whether the
# reader may change the forum.
MEETING_API_QUERIES = SESSION_QUERIES + 3
MEETING_PAGE_QUERIES = SESSION_QUERIES + 3 + 1


def test_guest_details_add_no_queries_to_the_meeting_page_or_api(
    client, system, meeting, django_assert_num_queries
):
    client.force_login(system.clinician_b)
    url = reverse("forums:meeting", args=[meeting.pk])
    api_path = f"{API}/meetings/{meeting.pk}"
    with django_assert_num_queries(MEETING_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(MEETING_API_QUERIES):
        assert client.get(api_path).status_code == 200
    for i in range(12):
        services.attendance_record(
            actor=system.team_leader_a,
            meeting=meeting,
            guest_name=f"Guest {i:02d}",
            guest_organisation=system.vcse_org if i % 2 else None,
            guest_organisation_kind="" if i % 2 else "lived_experience",
            guest_discipline=discipline("peer-support") if i % 3 else None,
            guest_role=f"Role {i}",
        )
    with django_assert_num_queries(MEETING_PAGE_QUERIES):
        page = text(client.get(url))
    with django_assert_num_queries(MEETING_API_QUERIES):
        body = client.get(api_path).json()
    assert f"Guest 01 {DASH} Present, guest from Test Mind, Peer support, Role 1" in page
    assert f"Guest 00 {DASH} Present, guest (Lived-experience network), Role 0" in page
    assert len(body["attendance"]) == 12
