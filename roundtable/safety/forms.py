"""Forms for the safety pages. They parse; the services decide what is allowed and say what to
fix, so most fields are optional here and the service's message is shown on the field."""

from __future__ import annotations

from typing import Any

from django import forms

from roundtable.core.forms import (
    date_field,
    id_choice,
    offer_choices,
    text_field,
    whole_number_field,
)
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
        name: text_field(
            _label(model, name), max_length=10_000, rows=4, help_text=_help(model, name)
        )
        for name in names
    }


class _WrittenForm(forms.Form):
    """A record written in parts, a text area for each of the model's `part_names`, after the
    fields the form declares."""

    model: type[Any]
    part_names: tuple[str, ...]

    version = VersionField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_texts(self.model, self.part_names))

    def written(self) -> dict[str, str]:
        """Each part as written, empty when left out."""
        return {name: self.cleaned_data.get(name) or "" for name in self.part_names}


class SafetyPlanForm(_WrittenForm):
    """The seven steps, in the person's words; who wrote it together; when to review it."""

    model = SafetyPlan
    part_names = SafetyPlanContent.FIELDS

    written_with = text_field(
        "Written with",
        max_length=300,
        help_text="Who wrote it together: the person, and anyone they chose to involve. For "
        "example: Dee and her key worker.",
    )
    review_on = date_field(
        "Review by (optional)",
        invalid=DATE_MESSAGE,
        help_text="The team also reviews it as often as the person's zone asks.",
        example="future",
    )

    def steps(self) -> dict[str, str]:
        return self.written()


class FormulationForm(_WrittenForm):
    model = SafetyFormulation
    part_names = FormulationContent.FIELDS

    def parts(self) -> dict[str, str]:
        return self.written()


class ReviewForm(forms.Form):
    reviewed_on = date_field(
        "Reviewed on",
        required="Enter the day the plan was reviewed",
        invalid=DATE_MESSAGE,
        help_text="The day you went through the plan with the person.",
        example="past",
    )
    note = text_field(
        "What you talked about (optional)",
        max_length=5_000,
        rows=3,
        help_text="For example: still fits; added her new phone number.",
    )


class PositiveRiskForm(forms.Form):
    part_names = ("wants_to", "benefits", "possible_harms", "safeguards", "who_does_what")

    forum = id_choice(
        "Where the team shares it",
        required="Choose where the team shares the plan",
        invalid_choice="Choose one of the team's forums",
        help_text="One of the team's forums, such as its MDT. VCSE partners there take part.",
    )
    meeting = id_choice(
        "In today's meeting (optional)",
        invalid_choice="Choose one of today's meetings of the team's forums",
    )
    review_on = date_field(
        "Review on",
        invalid=DATE_MESSAGE,
        help_text="When the team looks at it again.",
        example="future",
    )

    def __init__(
        self, *args: Any, forums: list[Forum], meetings: list[Meeting], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # What the plan says comes first, then when to review it and where it is shared.
        self.fields.update(_texts(PositiveRiskPlan, self.part_names))
        self.order_fields([*self.part_names, "review_on", "forum", "meeting"])
        self.forums = {f.pk: f for f in forums}
        self.meetings = {m.pk: m for m in meetings}
        offer_choices(
            self.fields["forum"], ((f.pk, f.name) for f in forums), blank="Choose a forum"
        )
        offer_choices(
            self.fields["meeting"],
            ((m.pk, f"{m.forum.name}, {time_format(m.starts_at)}") for m in meetings),
            blank="Not in a meeting",
        )

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
            self.fields[f"zone_{row.zone.pk}"] = whole_number_field(
                f"{row.zone.name}: review every (days)",
                invalid=f"Enter a whole number of days for {row.zone.name}",
                initial=row.chosen_days,
                help_text=default,
            )

    def every_days(self) -> dict[int, int | None]:
        return {
            row.zone.pk: self.cleaned_data.get(f"zone_{row.zone.pk}") for row in self.frequencies
        }


class KeyWorkerFilterForm(forms.Form):
    key_worker = id_choice("Key worker")

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        offer_choices(
            self.fields["key_worker"],
            ((p.pk, p.full_name) for p in people),
            blank="Everyone in the team",
        )

    def chosen(self) -> Person | None:
        if not self.is_bound or not self.is_valid():
            return None
        pk = self.cleaned_data.get("key_worker")
        return None if pk is None else self.people.get(pk)
