"""Changing a profile: validation, permission and concurrent edits."""

from __future__ import annotations

import pytest
from django.urls import reverse

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.directory.models import Person
from roundtable.directory.tests.helpers import field_error

pytestmark = pytest.mark.django_db


def form_data(person: Person, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "full_name": person.full_name,
        "email": person.email,
        "job_title": person.job_title,
        "discipline": person.discipline_id or "",
        "organisation": person.organisation_id or "",
        "version": person.version,
    }
    data.update(changes)
    return data


def test_a_person_changes_their_own_profile(client_for, system):
    coach = system.lone_coach
    url = reverse("directory:person-edit", args=[coach.pk])
    response = client_for(coach).post(url, form_data(coach, job_title="Mental health coach"))
    assert response.status_code == 302
    coach.refresh_from_db()
    assert coach.job_title == "Mental health coach"
    assert coach.version == 2


def test_an_invalid_e_mail_gets_the_nhs_error_summary_and_nothing_changes(client_for, system):
    coach = system.lone_coach
    url = reverse("directory:person-edit", args=[coach.pk])
    response = client_for(coach).post(url, form_data(coach, email="not an email", full_name=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in html
    assert "Enter an e-mail address in the correct format" in html
    assert "Enter your full name" in html
    assert 'href="#id_email"' in html
    assert "nhsuk-form-group--error" in html
    coach.refresh_from_db()
    assert coach.email == "coach@test.org.uk"
    assert coach.full_name == "Hana Coach"


def test_someone_elses_e_mail_is_refused(client_for, system):
    coach = system.lone_coach
    url = reverse("directory:person-edit", args=[coach.pk])
    html = client_for(coach).post(url, form_data(coach, email="VCSE@test.org.uk")).content.decode()
    assert "Someone else already uses this e-mail address" in html


def test_colleagues_cannot_change_each_others_profiles(client_for, system):
    url = reverse("directory:person-edit", args=[system.lone_coach.pk])
    client = client_for(system.clinician_a)
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(system.lone_coach, full_name="X")).status_code == 403


def test_a_stale_edit_shows_a_conflict_and_keeps_both(client_for, system):
    coach = system.lone_coach
    url = reverse("directory:person-edit", args=[coach.pk])
    admin = client_for(system.administrator)
    assert admin.post(url, form_data(coach, job_title="Coach (admin)")).status_code == 302
    from django.test import Client

    own = Client()
    own.force_login(coach)
    response = own.post(url, form_data(coach, job_title="Coach (mine)"))
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this person while you were editing it" in html
    assert "Coach (admin)" in html  # the saved version is shown
    assert 'value="Coach (mine)"' in html  # and their own edit is still in the form
    coach.refresh_from_db()
    assert coach.job_title == "Coach (admin)"


def test_an_e_mail_address_taken_is_refused_on_the_e_mail_and_nothing_changes(client_for, system):
    coach = system.lone_coach
    url = reverse("directory:person-edit", args=[coach.pk])
    data = form_data(coach, email="VCSE@test.org.uk", job_title="Coach")
    response = client_for(coach).post(url, data)
    html = response.content.decode()
    assert response.status_code == 200  # this page has always answered its errors with 200
    assert field_error(html, "email") == "Someone else already uses this e-mail address"
    assert 'href="#id_email"' in html
    assert 'value="Coach"' in html  # what was typed is kept
    coach.refresh_from_db()
    assert (coach.email, coach.job_title, coach.version) == ("coach@test.org.uk", "", 1)
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()
