"""Forms for directory pages. Error messages follow the NHS.UK style: say what to fix.

A form only parses and checks what was typed: the choices it offers come from selectors, and
what needs the database (a name, ODS code or e-mail address that is already taken) is refused by
the service, whose refusal lands on the field it names.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.db import models

from roundtable.core.forms import choice_field, id_choice, offer_choices, text_field
from roundtable.directory.models import (
    API_AREAS,
    Discipline,
    Locality,
    Organisation,
    OrganisationKind,
    Person,
    TeamKind,
    TokenAccess,
    ods_code_error,
)
from roundtable.directory.services import TOKEN_DAYS

R = TypeVar("R", bound=models.Model)


class VersionField(forms.IntegerField):
    """The version of the record the form was opened on, for optimistic concurrency."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, **kwargs)


class PersonByEmailForm(forms.Form):
    """Names one person by their work e-mail: the `email` field each such form declares, in its
    own words, cleans to the person among `people` (those the user may see; None on a form that
    is only shown)."""

    def __init__(self, *args: Any, people: models.QuerySet[Person] | None, **kwargs: Any) -> None:
        self.people = people
        super().__init__(*args, **kwargs)

    def clean_email(self) -> Person:
        assert self.people is not None, "a form that is sent is given the people to look in"
        email = str(self.cleaned_data["email"]).strip().lower()
        person = self.people.filter(email=email).first()
        if person is None:
            raise forms.ValidationError("Nobody in Roundtable has this e-mail address")
        return person


def _offer_records(field: forms.Field, records: list[R], empty: str) -> dict[int, R]:
    """Offer `records` by name, after `empty`; returns them by id, to read the one chosen."""
    offer_choices(field, [(record.pk, str(record)) for record in records], blank=empty)
    return {record.pk: record for record in records}


class OrganisationForm(forms.Form):
    name = text_field("Name", required="Enter the organisation's name", max_length=200)
    kind = choice_field(
        "Kind of organisation",
        choices=OrganisationKind.choices,
        radios=True,
        required="Select the kind of organisation",
    )
    ods_code = text_field(
        "ODS code (optional)",
        max_length=6,
        help_text="Optional. For example RWR for an NHS trust or F81001 for a GP practice.",
    )
    parent = id_choice("Part of (optional)")
    version = VersionField(required=False)

    def __init__(self, *args: Any, parents: list[Organisation], **kwargs: Any) -> None:
        """`parents`: the organisations it may be part of (not itself)."""
        super().__init__(*args, **kwargs)
        self.parents = _offer_records(
            self.fields["parent"], parents, "Not part of another organisation"
        )

    def clean_ods_code(self) -> str | None:
        value = (self.cleaned_data.get("ods_code") or "").strip()
        return "".join(value.split()).upper() or None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ods_code = data.get("ods_code")
        if ods_code:
            error = ods_code_error(data.get("kind", ""), ods_code)
            if error:
                self.add_error("ods_code", error)
        return data

    def organisation(self) -> dict[str, Any]:
        """The organisation as typed, in the terms of `services.ORGANISATION_FIELDS`."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "kind": data["kind"],
            "ods_code": data["ods_code"],
            "parent": self.parents.get(data["parent"]),
        }


class ProfileForm(forms.Form):
    full_name = text_field("Full name", required="Enter your full name", max_length=150)
    email = forms.EmailField(
        label="Work e-mail address",
        max_length=254,
        error_messages={
            "required": "Enter your work e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.nhs.uk",
        },
    )
    job_title = text_field("Job title (optional)", max_length=150)
    discipline = id_choice("Discipline or background")
    organisation = id_choice("Organisation")
    version = VersionField()

    def __init__(
        self,
        *args: Any,
        disciplines: list[Discipline],
        organisations: list[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.disciplines = _offer_records(self.fields["discipline"], disciplines, "Not recorded")
        self.organisations = _offer_records(
            self.fields["organisation"], organisations, "Not recorded"
        )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def profile(self) -> dict[str, Any]:
        """The profile as typed, in the terms of `services.PROFILE_FIELDS`."""
        data = self.cleaned_data
        return {
            "full_name": data["full_name"],
            "email": data["email"],
            "job_title": data["job_title"],
            "discipline": self.disciplines.get(data["discipline"]),
            "organisation": self.organisations.get(data["organisation"]),
        }


class PeopleFilterForm(forms.Form):
    q = text_field("Name or job title", max_length=100)
    discipline = choice_field("Discipline")
    organisation_kind = choice_field("Kind of organisation")
    locality = choice_field("Locality")

    def __init__(
        self, *args: Any, disciplines: list[Discipline], localities: list[Locality], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        offer_choices(
            self.fields["discipline"],
            [(d.slug, d.name) for d in disciplines],
            blank="Any discipline",
        )
        offer_choices(self.fields["organisation_kind"], OrganisationKind.choices, blank="Any kind")
        offer_choices(
            self.fields["locality"],
            [(str(loc.pk), loc.name) for loc in localities],
            blank="Any locality",
        )


class TeamFilterForm(forms.Form):
    q = text_field("Team name", max_length=100)
    kind = choice_field("Kind of team")
    organisation_kind = choice_field("Kind of organisation")
    locality = choice_field("Locality")

    def __init__(self, *args: Any, localities: list[Locality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_choices(self.fields["kind"], TeamKind.choices, blank="Any kind")
        offer_choices(self.fields["organisation_kind"], OrganisationKind.choices, blank="Any kind")
        offer_choices(
            self.fields["locality"],
            [(str(loc.pk), loc.name) for loc in localities],
            blank="Any locality",
        )


class ApiTokenForm(forms.Form):
    name = text_field(
        "What is this token for?",
        required="Enter what this token is for",
        max_length=100,
        help_text="For example: team spreadsheet import. Only you can see this name.",
    )
    days = choice_field(
        "How long should it last?",
        choices=[(str(days), f"{days} days") for days in TOKEN_DAYS],
        required="Choose how long the token lasts",
        invalid_choice="Choose how long the token lasts",
        initial="90",
    )
    access = choice_field(
        "What may it do?",
        choices=TokenAccess.choices,
        required="Choose what the token may do",
        invalid_choice="Choose what the token may do",
        radios=True,
        initial=TokenAccess.READ,
        help_text="Read only is safest: choose read and change only for a program that writes.",
    )
    areas = forms.MultipleChoiceField(
        label="Which parts of the API? (optional)",
        choices=API_AREAS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave them all unticked for every part you may use.",
        error_messages={"invalid_choice": "Choose parts of the API from the list"},
    )
