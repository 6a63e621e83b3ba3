"""Forms for the voice pages. Error messages say what to fix."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from roundtable.core.forms import choice_field, date_field, offer_choices, text_field
from roundtable.directory.forms import VersionField
from roundtable.voice.selectors import SendTo

ANONYMITY = [
    ("yes", "Anonymously: nobody, not even the leadership team, will know it was me"),
    ("no", "With my name: I will be told of every change"),
]


def _goes_to(option: SendTo) -> str:
    """Where a concern can go, as offered: with who receives it there."""
    if option.owner:
        return f"{option.label}: goes to {option.owner.name}"
    return f"{option.label}: nobody to receive it yet"


class RaiseForm(forms.Form):
    send_to = choice_field(
        "Who should this concern go to?", radios=True, required="Choose who the concern goes to"
    )
    anonymous = choice_field(
        "Do you want to raise it anonymously?",
        choices=ANONYMITY,
        radios=True,
        required="Choose whether to raise it anonymously or with your name",
    )
    title = text_field(
        "Title",
        required="Enter a short title for your concern",
        max_length=200,
        too_long="Keep the title to 200 characters or fewer",
        help_text="A few words, like “Nobody to talk to after difficult visits”.",
    )
    body = text_field(
        "What is the concern?",
        required="Say what the concern is",
        rows=6,
        help_text="Say what is happening and what you would like to change. If you are raising "
        "it anonymously, leave out anything that would say who you are.",
    )

    def __init__(self, *args: Any, options: list[SendTo], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = {option.key: option for option in options}
        offer_choices(
            self.fields["send_to"], [(option.key, _goes_to(option)) for option in options]
        )

    def chosen(self) -> SendTo:
        return self.options[self.cleaned_data["send_to"]]


class NoteForm(forms.Form):
    note = text_field("A note to the person who raised it (optional)", rows=3)
    version = VersionField()


class ActionForm(forms.Form):
    action = text_field(
        "What action is agreed?",
        required="Say what action is agreed",
        rows=4,
        help_text="What will be done, and by whom.",
    )
    action_due_on = date_field(
        "Done by",
        required="Enter the date the action will be done by",
        invalid="Enter the date the action will be done by as a real date",
        help_text="The date the action will be done by.",
    )
    version = VersionField()

    def clean_action_due_on(self) -> date:
        value: date = self.cleaned_data["action_due_on"]
        if value <= timezone.localdate():
            raise forms.ValidationError("The date the action will be done by must be in the future")
        return value


class AddressForm(forms.Form):
    what_we_did = text_field(
        "What we did",
        required="Say what we did",
        rows=5,
        help_text="Shown to the person who raised it and, unless you say not, on You said, we did.",
    )
    on_board = forms.BooleanField(label="Show it on You said, we did", required=False)
    version = VersionField()


class NotTakenForwardForm(forms.Form):
    reason = text_field(
        "Why is it not taken forward?",
        required="Give the reason it is not taken forward",
        rows=5,
        help_text="Be honest and specific: the person who raised it will read this.",
    )
    on_board = forms.BooleanField(label="Show it on You said, we did", required=False)
    version = VersionField()


class ReplyForm(forms.Form):
    body = text_field("Your reply", required="Write your reply", rows=4)


class StatusFilterForm(forms.Form):
    status = choice_field(
        "Show",
        choices=[
            ("open", "Open concerns"),
            ("", "All concerns"),
            ("raised", "Raised, waiting to be acknowledged"),
            ("acknowledged", "Acknowledged"),
            ("action_agreed", "Action agreed"),
            ("addressed", "Addressed"),
            ("not_taken_forward", "Not taken forward"),
        ],
    )
