"""Forms for the safety pages. They parse; the services decide what is allowed and say what to
fix, so most fields are optional here and the service's message is shown on the field."""

from __future__ import annotations

from typing import Any

from django import forms

from roundtable.core.forms import DateInput
from roundtable.core.templating import time_format
from roundtable.directory.forms import VersionField
from roundtable.directory.models import Person
from roundtable.forums.models import Forum, Meeting
from roundtable.safety.models import (
    FormulationContent,
    PositiveRiskPlan,
    SafetyFormulation,
    SafetyPlan,
    SafetyPlanContent,
)
from roundtable.safety.selectors import ZoneFrequency

DATE_MESSAGE = "Enter a real date"


def _label(model: type[Any], name: str) -> str:
    label = str(model._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _help(model: type[Any], name: str) -> str:
    return str(model._meta.get_field(name).help_text)


def _texts(model: type[Any], names: tuple[str, ...]) -> dict[str, forms.CharField]:
    return {
        name: forms.CharField(
            label=_label(model, name),
            help_text=_help(model, name),
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
            max_length=10_000,
        )
        for name in names
    }


class SafetyPlanForm(forms.Form):
    """The seven steps, in the person's words; who wrote it together; when to review it."""

    version = VersionField(required=False)
    written_with = forms.CharField(
        label="Written with",
        help_text="Who wrote it together: the person, and anyone they chose to involve. For "
        "example: Dee and her key worker.",
        required=False,
        max_length=300,
    )
    review_on = forms.DateField(
        label="Review by (optional)",
        help_text="The team also reviews it as often as the person's zone asks.",
        required=False,
        widget=DateInput(example="future"),
        error_messages={"invalid": DATE_MESSAGE},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_texts(SafetyPlan, SafetyPlanContent.FIELDS))

    def steps(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in SafetyPlanContent.FIELDS}


class FormulationForm(forms.Form):
    version = VersionField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_texts(SafetyFormulation, FormulationContent.FIELDS))

    def parts(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in FormulationContent.FIELDS}


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        label="Reviewed on",
        help_text="The day you went through the plan with the person.",
        widget=DateInput(example="past"),
        error_messages={
            "required": "Enter the day the plan was reviewed",
            "invalid": DATE_MESSAGE,
        },
    )
    note = forms.CharField(
        label="What you talked about (optional)",
        help_text="For example: still fits; added her new phone number.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5_000,
    )


class PositiveRiskForm(forms.Form):
    forum = forms.TypedChoiceField(
        label="Where the team shares it",
        help_text="One of the team's forums, such as its MDT. VCSE partners there take part.",
        coerce=int,
        error_messages={
            "required": "Choose where the team shares the plan",
            "invalid_choice": "Choose one of the team's forums",
        },
    )
    meeting = forms.TypedChoiceField(
        label="In today's meeting (optional)",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of today's meetings of the team's forums"},
    )
    review_on = forms.DateField(
        label="Review on",
        help_text="When the team looks at it again.",
        required=False,
        widget=DateInput(example="future"),
        error_messages={"invalid": DATE_MESSAGE},
    )

    def __init__(
        self, *args: Any, forums: list[Forum], meetings: list[Meeting], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        texts = _texts(
            PositiveRiskPlan,
            ("wants_to", "benefits", "possible_harms", "safeguards", "who_does_what"),
        )
        for name, field in texts.items():
            self.fields[name] = field
        self.order_fields(
            [
                "wants_to",
                "benefits",
                "possible_harms",
                "safeguards",
                "who_does_what",
                "review_on",
                "forum",
                "meeting",
            ]
        )
        self.forums = {f.pk: f for f in forums}
        self.meetings = {m.pk: m for m in meetings}
        self.fields["forum"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a forum"),
            *((f.pk, f.name) for f in forums),
        ]
        self.fields["meeting"].choices = [  # type: ignore[attr-defined]
            ("", "Not in a meeting"),
            *((m.pk, f"{m.forum.name}, {time_format(m.starts_at)}") for m in meetings),
        ]

    def clean_forum(self) -> Forum:
        value = self.cleaned_data["forum"]
        return self.forums[value]

    def clean_meeting(self) -> Meeting | None:
        value = self.cleaned_data.get("meeting")
        return None if value is None else self.meetings[value]


class ReviewFrequencyForm(forms.Form):
    """One number of days per zone; blank for the default of the zone's colour."""

    def __init__(self, *args: Any, frequencies: list[ZoneFrequency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frequencies = frequencies
        for row in frequencies:
            default = (
                f"Leave blank for the default: every {row.default_days} days."
                if row.default_days
                else "Leave blank for no scheduled review."
            )
            self.fields[f"zone_{row.zone.pk}"] = forms.IntegerField(
                label=f"{row.zone.name}: review every (days)",
                help_text=default,
                required=False,
                initial=row.chosen_days,
                error_messages={"invalid": f"Enter a whole number of days for {row.zone.name}"},
            )

    def every_days(self) -> dict[int, int | None]:
        return {
            row.zone.pk: self.cleaned_data.get(f"zone_{row.zone.pk}") for row in self.frequencies
        }


class KeyWorkerFilterForm(forms.Form):
    key_worker = forms.TypedChoiceField(
        label="Key worker", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        self.fields["key_worker"].choices = [  # type: ignore[attr-defined]
            ("", "Everyone in the team"),
            *((p.pk, p.full_name) for p in people),
        ]

    def chosen(self) -> Person | None:
        if not self.is_bound or not self.is_valid():
            return None
        pk = self.cleaned_data.get("key_worker")
        return None if pk is None else self.people.get(pk)
