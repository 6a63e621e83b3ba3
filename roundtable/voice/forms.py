"""Forms for the voice pages. Error messages say what to fix."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from roundtable.core.forms import DateInput
from roundtable.directory.forms import VersionField
from roundtable.voice.selectors import SendTo

ANONYMITY = [
    ("yes", "Anonymously: nobody, not even the leadership team, will know it was me"),
    ("no", "With my name: I will be told of every change"),
]


class RaiseForm(forms.Form):
    send_to = forms.ChoiceField(
        label="Who should this concern go to?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the concern goes to"},
    )
    anonymous = forms.ChoiceField(
        label="Do you want to raise it anonymously?",
        choices=ANONYMITY,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to raise it anonymously or with your name"},
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="A few words, like “Nobody to talk to after difficult visits”.",
        error_messages={
            "required": "Enter a short title for your concern",
            "max_length": "Keep the title to 200 characters or fewer",
        },
    )
    body = forms.CharField(
        label="What is the concern?",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Say what is happening and what you would like to change. If you are raising "
        "it anonymously, leave out anything that would say who you are.",
        error_messages={"required": "Say what the concern is"},
    )

    def __init__(self, *args: Any, options: list[SendTo], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = {option.key: option for option in options}
        send_to = self.fields["send_to"]
        assert isinstance(send_to, forms.ChoiceField)
        send_to.choices = [
            (
                option.key,
                f"{option.label}: goes to {option.owner.name}"
                if option.owner
                else f"{option.label}: nobody to receive it yet",
            )
            for option in options
        ]

    def chosen(self) -> SendTo:
        return self.options[self.cleaned_data["send_to"]]


class NoteForm(forms.Form):
    note = forms.CharField(
        label="A note to the person who raised it (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = VersionField()


class ActionForm(forms.Form):
    action = forms.CharField(
        label="What action is agreed?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What will be done, and by whom.",
        error_messages={"required": "Say what action is agreed"},
    )
    action_due_on = forms.DateField(
        label="Done by",
        widget=DateInput(),
        help_text="The date the action will be done by.",
        error_messages={
            "required": "Enter the date the action will be done by",
            "invalid": "Enter the date the action will be done by as a real date",
        },
    )
    version = VersionField()

    def clean_action_due_on(self) -> date:
        value: date = self.cleaned_data["action_due_on"]
        if value <= timezone.localdate():
            raise forms.ValidationError("The date the action will be done by must be in the future")
        return value


class AddressForm(forms.Form):
    what_we_did = forms.CharField(
        label="What we did",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Shown to the person who raised it and, unless you say not, on You said, we did.",
        error_messages={"required": "Say what we did"},
    )
    on_board = forms.BooleanField(label="Show it on You said, we did", required=False)
    version = VersionField()


class NotTakenForwardForm(forms.Form):
    reason = forms.CharField(
        label="Why is it not taken forward?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Be honest and specific: the person who raised it will read this.",
        error_messages={"required": "Give the reason it is not taken forward"},
    )
    on_board = forms.BooleanField(label="Show it on You said, we did", required=False)
    version = VersionField()


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write your reply"},
    )


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Show",
        required=False,
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
