"""Forms for directory pages. Error messages follow the NHS.UK style: say what to fix."""

from __future__ import annotations

from typing import Any

from django import forms

from roundtable.directory.models import (
    Discipline,
    Locality,
    Organisation,
    OrganisationKind,
    Person,
    TeamKind,
)


class VersionField(forms.IntegerField):
    """The version of the record the form was opened on, for optimistic concurrency."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, **kwargs)


class OrganisationForm(forms.ModelForm[Organisation]):
    version = VersionField(required=False)

    class Meta:
        model = Organisation
        fields = ["name", "kind", "ods_code", "parent"]
        widgets = {"kind": forms.RadioSelect}
        labels = {"name": "Name", "kind": "Kind of organisation", "parent": "Part of (optional)"}
        help_texts = {
            "ods_code": "Optional. For example RWR for an NHS trust or F81001 for a GP practice.",
        }
        error_messages = {
            "name": {"required": "Enter the organisation's name"},
            "kind": {"required": "Select the kind of organisation"},
            "ods_code": {"unique": "Another organisation already has this ODS code"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ods_code"].label = "ODS code (optional)"
        parent = self.fields["parent"]
        if self.instance.pk:
            parent.queryset = Organisation.objects.exclude(pk=self.instance.pk)  # type: ignore[attr-defined]
        parent.empty_label = "Not part of another organisation"  # type: ignore[attr-defined]

    def clean_ods_code(self) -> str | None:
        value = (self.cleaned_data.get("ods_code") or "").strip()
        return "".join(value.split()).upper() or None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name, kind = data.get("name"), data.get("kind")
        if name and kind:
            same = Organisation.objects.filter(name__iexact=name.strip(), kind=kind)
            if self.instance.pk:
                same = same.exclude(pk=self.instance.pk)
            if same.exists():
                self.add_error(
                    "name", "There is already an organisation of this kind with this name"
                )
        return data


class ProfileForm(forms.ModelForm[Person]):
    version = VersionField()

    class Meta:
        model = Person
        fields = ["full_name", "email", "job_title", "discipline", "organisation"]
        labels = {
            "full_name": "Full name",
            "email": "Work e-mail address",
            "job_title": "Job title (optional)",
            "discipline": "Discipline or background",
            "organisation": "Organisation",
        }
        error_messages = {
            "full_name": {"required": "Enter your full name"},
            "email": {
                "required": "Enter your work e-mail address",
                "invalid": (
                    "Enter an e-mail address in the correct format, like name@example.nhs.uk"
                ),
                "unique": "Someone else already uses this e-mail address",
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["discipline"].empty_label = "Not recorded"  # type: ignore[attr-defined]
        self.fields["organisation"].empty_label = "Not recorded"  # type: ignore[attr-defined]

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


def _optional_choices(choices: list[tuple[Any, str]], empty: str) -> list[tuple[Any, str]]:
    return [("", empty), *choices]


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label="Name or job title", required=False, max_length=100)
    discipline = forms.ChoiceField(label="Discipline", required=False)
    organisation_kind = forms.ChoiceField(label="Kind of organisation", required=False)
    locality = forms.ChoiceField(label="Locality", required=False)

    def __init__(
        self, *args: Any, disciplines: list[Discipline], localities: list[Locality], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["discipline"].choices = _optional_choices(  # type: ignore[attr-defined]
            [(d.slug, d.name) for d in disciplines], "Any discipline"
        )
        self.fields["organisation_kind"].choices = _optional_choices(  # type: ignore[attr-defined]
            list(OrganisationKind.choices), "Any kind"
        )
        self.fields["locality"].choices = _optional_choices(  # type: ignore[attr-defined]
            [(str(loc.pk), loc.name) for loc in localities], "Any locality"
        )


class TeamFilterForm(forms.Form):
    q = forms.CharField(label="Team name", required=False, max_length=100)
    kind = forms.ChoiceField(label="Kind of team", required=False)
    organisation_kind = forms.ChoiceField(label="Kind of organisation", required=False)
    locality = forms.ChoiceField(label="Locality", required=False)

    def __init__(self, *args: Any, localities: list[Locality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _optional_choices(list(TeamKind.choices), "Any kind")  # type: ignore[attr-defined]
        self.fields["organisation_kind"].choices = _optional_choices(  # type: ignore[attr-defined]
            list(OrganisationKind.choices), "Any kind"
        )
        self.fields["locality"].choices = _optional_choices(  # type: ignore[attr-defined]
            [(str(loc.pk), loc.name) for loc in localities], "Any locality"
        )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="What is this token for?",
        max_length=100,
        help_text="For example: team spreadsheet import. Only you can see this name.",
        error_messages={"required": "Enter what this token is for"},
    )
