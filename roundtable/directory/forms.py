"""Forms for directory pages. Error messages follow the NHS.UK style: say what to fix.

A form only parses and checks what was typed: the choices it offers come from selectors, and
what needs the database (a name, ODS code or e-mail address that is already taken) is refused by
the service, whose refusal lands on the field it names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django import forms
from django.db import models

from roundtable.directory.models import (
    Discipline,
    Locality,
    Organisation,
    OrganisationKind,
    TeamKind,
    ods_code_error,
)

R = TypeVar("R", bound=models.Model)


class VersionField(forms.IntegerField):
    """The version of the record the form was opened on, for optimistic concurrency."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, **kwargs)


def _offer(field: forms.Field, choices: Iterable[tuple[Any, str]], empty: str) -> None:
    """Give a choice field its choices, after one for choosing none (`empty`)."""
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("", empty), *choices]


def _offer_records(field: forms.Field, records: list[R], empty: str) -> dict[int, R]:
    """Offer `records` by name, after `empty`; returns them by id, to read the one chosen."""
    _offer(field, [(record.pk, str(record)) for record in records], empty)
    return {record.pk: record for record in records}


def _chosen_id(label: str) -> forms.TypedChoiceField:
    """An optional choice of one record, by its id (None when none is chosen)."""
    return forms.TypedChoiceField(label=label, required=False, coerce=int, empty_value=None)


class OrganisationForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the organisation's name"}
    )
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=OrganisationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of organisation"},
    )
    ods_code = forms.CharField(
        label="ODS code (optional)",
        max_length=6,
        required=False,
        help_text="Optional. For example RWR for an NHS trust or F81001 for a GP practice.",
    )
    parent = _chosen_id("Part of (optional)")
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
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter your full name"}
    )
    email = forms.EmailField(
        label="Work e-mail address",
        max_length=254,
        error_messages={
            "required": "Enter your work e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.nhs.uk",
        },
    )
    job_title = forms.CharField(label="Job title (optional)", max_length=150, required=False)
    discipline = _chosen_id("Discipline or background")
    organisation = _chosen_id("Organisation")
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
    q = forms.CharField(label="Name or job title", required=False, max_length=100)
    discipline = forms.ChoiceField(label="Discipline", required=False)
    organisation_kind = forms.ChoiceField(label="Kind of organisation", required=False)
    locality = forms.ChoiceField(label="Locality", required=False)

    def __init__(
        self, *args: Any, disciplines: list[Discipline], localities: list[Locality], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _offer(self.fields["discipline"], [(d.slug, d.name) for d in disciplines], "Any discipline")
        _offer(self.fields["organisation_kind"], OrganisationKind.choices, "Any kind")
        _offer(
            self.fields["locality"], [(str(loc.pk), loc.name) for loc in localities], "Any locality"
        )


class TeamFilterForm(forms.Form):
    q = forms.CharField(label="Team name", required=False, max_length=100)
    kind = forms.ChoiceField(label="Kind of team", required=False)
    organisation_kind = forms.ChoiceField(label="Kind of organisation", required=False)
    locality = forms.ChoiceField(label="Locality", required=False)

    def __init__(self, *args: Any, localities: list[Locality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self.fields["kind"], TeamKind.choices, "Any kind")
        _offer(self.fields["organisation_kind"], OrganisationKind.choices, "Any kind")
        _offer(
            self.fields["locality"], [(str(loc.pk), loc.name) for loc in localities], "Any locality"
        )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="What is this token for?",
        max_length=100,
        help_text="For example: team spreadsheet import. Only you can see this name.",
        error_messages={"required": "Enter what this token is for"},
    )
