"""Forms for the wellbeing pages. Error messages say what to fix."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms

from roundtable.core.forms import (
    choice_field,
    date_field,
    offer_choices,
    text_field,
    time_field,
    whole_number_field,
)
from roundtable.directory.models import Membership, Person
from roundtable.forums.models import local_datetime
from roundtable.wellbeing.models import Agreement, PeerCircle, PulseStatement, SupportKind


class PulseForm(forms.Form):
    """One set of radios per statement of the round, and an optional comment."""

    comment = text_field(
        "Anything you would like to add? (optional)",
        max_length=1000,
        too_long="Keep the comment to 1000 characters or fewer",
        rows=3,
        help_text="Comments are shown to your team with the results, never with your name. "
        "Leave out anything that would say who you are.",
    )

    def __init__(self, *args: Any, statements: list[PulseStatement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.statements = statements
        comment = self.fields.pop("comment")
        for statement in statements:
            self.fields[f"statement_{statement.pk}"] = forms.TypedChoiceField(
                label=statement.text,
                choices=Agreement.choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose an answer for “{statement.text}”",
                    "invalid_choice": f"Choose an answer from 1 to 5 for “{statement.text}”",
                },
            )
        self.fields["comment"] = comment

    def values(self) -> dict[int, int | None]:
        return {s.pk: self.cleaned_data.get(f"statement_{s.pk}") for s in self.statements}

    def statement_fields(self) -> list[forms.BoundField]:
        return [self[f"statement_{s.pk}"] for s in self.statements]


class SessionTimesForm(forms.Form):
    """What a support session is and when: to record one, and to put one right."""

    kind = choice_field(
        "Kind of session",
        choices=SupportKind.choices,
        radios=True,
        required="Choose the kind of session",
    )
    day = date_field(
        "Date",
        required="Enter the date of the session",
        invalid="Enter the date of the session as a real date",
    )
    start = time_field(
        "Starts at",
        required="Enter the time the session starts",
        invalid="Enter the time as hours and minutes, like 13:30",
    )
    duration_minutes = whole_number_field(
        "Length in minutes",
        required="Enter how long the session lasts, in minutes",
        initial=60,
    )
    i_facilitate = forms.BooleanField(label="I facilitate it", required=False)

    def starts_at(self) -> datetime:
        day: date = self.cleaned_data["day"]
        start: time = self.cleaned_data["start"]
        return local_datetime(day, start)


class SupportSessionForm(SessionTimesForm):
    group = choice_field("For", required="Choose a team or a peer circle")

    def __init__(
        self, *args: Any, teams: list[Any], circles: list[PeerCircle], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        offer_choices(
            self.fields["group"],
            [
                *((f"team:{t.pk}", t.name) for t in teams),
                *((f"circle:{c.pk}", c.name) for c in circles),
            ],
            blank="Choose a team or peer circle",
        )
        self.teams = {t.pk: t for t in teams}
        self.circles = {c.pk: c for c in circles}
        # Who it is for comes second, after what kind of session it is.
        self.order_fields(["kind", "group"])

    def chosen(self) -> tuple[Any, PeerCircle | None]:
        kind, _, pk = self.cleaned_data["group"].partition(":")
        if kind == "team":
            return self.teams[int(pk)], None
        return None, self.circles[int(pk)]


class SessionChangeForm(SessionTimesForm):
    """Put a session right: its kind, time, length and whether I facilitate it."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class SessionCancelForm(forms.Form):
    reason = text_field(
        "Why is it cancelled?",
        required="Say why the session is cancelled",
        max_length=500,
        too_long="Keep the reason to 500 characters or fewer",
        rows=3,
        help_text="The team or circle sees this on the session.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AttendanceForm(forms.Form):
    people = forms.MultipleChoiceField(
        label="Who came?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, choices: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_choices(self.fields["people"], [(str(p.pk), p.full_name) for p in choices])
        self.people_by_id = {str(p.pk): p for p in choices}

    def chosen(self) -> list[Person]:
        return [self.people_by_id[pk] for pk in self.cleaned_data["people"]]


class SupportOfferedForm(forms.Form):
    membership = choice_field("Offered to", required="Choose who the support was offered to")
    what = text_field(
        "What was offered?",
        required="Say what support was offered",
        max_length=280,
        too_long="Keep it to 280 characters or fewer",
        rows=3,
        help_text="For example: restorative supervision after a difficult week, or time back.",
    )
    on = date_field(
        "Offered on",
        required="Enter the date it was offered",
        invalid="Enter the date it was offered as a real date",
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_choices(
            self.fields["membership"],
            [(str(m.pk), f"{m.person.full_name} ({m.team.name})") for m in memberships],
            blank="Choose a person",
        )
        self.memberships = {str(m.pk): m for m in memberships}

    def chosen(self) -> Membership:
        return self.memberships[self.cleaned_data["membership"]]
