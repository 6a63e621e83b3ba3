"""Every validation message is plain English, on pages and in the API (issue 16).

Django's own messages ("Ensure this value has at most 150 characters (it has 1000).") are
rewritten, once for every form (`core.forms.speak_plainly`) and for the API's refusals; a message
a form or a service wrote itself is kept as it is.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from roundtable.core.forms import error_summary_items, field_params
from roundtable.core.pages import add_service_errors
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind, Site

# Django's words for its own messages: none may reach a person or an API client.
DJANGO_WORDS = [
    "Ensure this value",
    "This field is required",
    "This field cannot be",
    "Select a valid choice",
    "Enter a valid",
    "Enter a whole number.",
    "Enter a number.",
    "is not a valid choice",
    "already exists",
    "Field required",
    "Input should",
    "String should",
]


def speaks_django(text: str) -> list[str]:
    return [words for words in DJANGO_WORDS if words in text]


class Everything(forms.Form):
    name = forms.CharField(label="Name", max_length=150)
    initials = forms.CharField(label="Initials (optional)", min_length=2, required=False)
    email = forms.EmailField(label="Work e-mail", required=False)
    link = forms.URLField(label="Link (optional)", required=False, assume_scheme="https")
    order = forms.IntegerField(label="Order on the board", min_value=0, max_value=1000)
    amount = forms.DecimalField(label="Amount", required=False, max_digits=5, decimal_places=2)
    on = forms.DateField(label="Review on", required=False)
    at = forms.TimeField(label="Starts at", required=False)
    colour = forms.ChoiceField(label="Colour", choices=[("red", "Red"), ("green", "Green")])
    where = forms.ChoiceField(
        label="Where did the referral come from?",
        choices=[("gp", "GP")],
        widget=forms.RadioSelect,
        required=False,
    )
    nhs_number = forms.CharField(label="NHS number", max_length=12, required=False)


def errors_of(data: dict[str, str]) -> dict[str, list[str]]:
    form = Everything(data=data)
    assert not form.is_valid()
    return {name: [str(m) for m in messages] for name, messages in form.errors.items()}


def test_each_kind_of_django_message_is_rewritten_naming_the_field() -> None:
    errors = errors_of(
        {
            "name": "x" * 1000,
            "initials": "A",
            "email": "not an address",
            "link": "no link",
            "order": "1001",
            "amount": "1234.567",
            "on": "31/02/2026",
            "at": "25:99",
            "colour": "pink",
            "where": "moon",
            "nhs_number": "1" * 13,
        }
    )
    assert errors == {
        "name": ["Name must be 150 characters or fewer"],
        "initials": ["Initials must be 2 characters or more"],
        "email": ["Enter work e-mail in the correct format, like name@example.nhs.uk"],
        "link": ["Enter link as a web address, like https://www.nhs.uk"],
        "order": ["Order on the board must be 1,000 or less"],
        "amount": ["Amount must have 5 digits or fewer"],
        "on": ["Review on must be a real date"],
        "at": ["Starts at must be a real time"],
        "colour": ["Select colour from the options given"],
        "where": [
            "Select your answer to “Where did the referral come from?” from the options given"
        ],
        "nhs_number": ["NHS number must be 12 characters or fewer"],
    }


def test_missing_and_too_small_values() -> None:
    errors = errors_of({"order": "-1", "amount": "many"})
    assert errors == {
        "name": ["Enter name"],
        "order": ["Order on the board must be 0 or more"],
        "amount": ["Amount must be a number"],
        "colour": ["Select colour"],
    }
    assert errors_of({"name": "Ann", "order": "two", "colour": "red"}) == {
        "order": ["Order on the board must be a whole number"]
    }


def test_a_message_the_form_wrote_itself_is_kept() -> None:
    class Own(forms.Form):
        name = forms.CharField(
            label="Name",
            max_length=3,
            error_messages={"required": "Enter the zone's name", "max_length": "Keep it short"},
        )

    assert Own(data={}).errors == {"name": ["Enter the zone's name"]}
    assert Own(data={"name": "Long"}).errors == {"name": ["Keep it short"]}

    class Checked(forms.Form):
        name = forms.CharField(label="Name")

        def clean_name(self) -> str:
            raise ValidationError("Names of zones say what the team does", code="invalid")

    assert Checked(data={"name": "x"}).errors == {"name": ["Names of zones say what the team does"]}


def test_the_component_and_the_error_summary_show_the_plain_message() -> None:
    form = Everything(data={"name": "x" * 200, "order": "1", "colour": "red"})
    assert not form.is_valid()
    _, params = field_params(form["name"])
    assert params["errorMessage"] == {"text": "Name must be 150 characters or fewer"}
    assert error_summary_items(form) == [
        {"text": "Name must be 150 characters or fewer", "href": "#id_name"}
    ]


@pytest.mark.django_db
def test_a_models_own_validation_from_a_service_is_plain_on_the_page(system) -> None:
    """`add_service_errors` puts a model's validation (full_clean in a service) on the form in
    plain English: on the form's field by its label, or on the form by the service's name."""
    with pytest.raises(ValidationError) as refused:
        Site(name="x" * 1000, locality=system.north).full_clean()

    class SiteForm(forms.Form):
        name = forms.CharField(label="Building name")

    form = SiteForm(data={"name": "x"})
    assert form.is_valid()
    add_service_errors(form, refused.value)
    assert form.errors["name"] == ["Building name must be 200 characters or fewer"]
    assert not speaks_django(json.dumps(form.errors))

    class Other(forms.Form):
        label = forms.CharField(label="Label")

    other = Other(data={"label": "x"})
    assert other.is_valid()
    add_service_errors(other, refused.value)
    assert other.non_field_errors() == ["Name must be 200 characters or fewer"]


@pytest.mark.django_db
def test_the_reported_page_no_longer_speaks_developer(client_for, system) -> None:
    """Issue 16: a name of 1,000 characters on the referral page."""
    response = client_for(system.clinician_a).post(
        reverse("care:refer"),
        {
            "local_id": "RX1",
            "name": "x" * 1000,
            "team": str(system.team_a.pk),
            "referral_source": "gp",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Name or initials must be 150 characters or fewer" in page
    assert speaks_django(page) == []


# -- The API -------------------------------------------------------------------------------------


def post(client, person, path: str, body: dict[str, object]):
    client.force_login(person)
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_a_models_own_validation_refused_by_the_api_is_plain(client, system) -> None:
    """A meeting's online link is checked by the model (full_clean in the service): the 422
    names it in plain English, not Django's "Enter a valid URL."."""
    forum = forum_services.forum_create(
        actor=system.clinician_a, name="North huddle", kind=ForumKind.DAILY_HUDDLE
    )
    day = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = post(
        client,
        system.clinician_a,
        f"/api/v1/forums/forums/{forum.pk}/meetings",
        {
            "starts_at": f"{day}T09:15:00+00:00",
            "ends_at": f"{day}T09:30:00+00:00",
            "online_url": "not a link",
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == {
        "online_url": ["Enter online URL as a web address, like https://www.nhs.uk"]
    }
    assert body["detail"] == "Enter online URL as a web address, like https://www.nhs.uk"


@pytest.mark.django_db
def test_a_request_that_does_not_fit_the_schema_is_answered_in_plain_english(
    client, system
) -> None:
    response = post(client, system.clinician_a, "/api/v1/forums/forums", {"name": "x" * 201})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == (
        "Check the request: body field name must be 200 characters or fewer; "
        "body field kind is missing."
    )
    assert [(e["msg"], e["type"]) for e in body["errors"]] == [
        ("body field name must be 200 characters or fewer", "string_too_long"),
        ("body field kind is missing", "missing"),
    ]
    response = post(
        client, system.clinician_a, "/api/v1/forums/forums", {"name": "Huddle", "kind": "séance"}
    )
    detail = response.json()["detail"]
    assert detail.startswith("Check the request: body field kind must be ")
    assert speaks_django(detail) == []


def test_dates_in_messages_are_written_as_people_read_them() -> None:
    class Later(forms.Form):
        on = forms.DateField(label="Review on", validators=[])

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            from django.core.validators import MinValueValidator

            self.fields["on"].validators.append(MinValueValidator(date(2026, 3, 5)))

    assert Later(data={"on": "2026-03-01"}).errors == {
        "on": ["Review on must be on or after 5 March 2026"]
    }
