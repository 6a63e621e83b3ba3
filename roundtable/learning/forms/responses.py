"""Forms for the learning pages. They parse and check shapes, with the models' own limits and
messages; the services decide what is allowed and say why not, on the field they name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet

from roundtable.care.models import PersonInCare
from roundtable.core.forms import choice_field, date_field, id_choice, offer_choices, text_field
from roundtable.core.templating import date_format
from roundtable.directory.forms import VersionField
from roundtable.directory.models import Organisation, Person, Team
from roundtable.learning.models import (
    ACTION_STATES,
    LONG_TEXT,
    ActionStatus,
    EventKind,
    LearningEvent,
    LearningStatement,
    ResponseKind,
    SafetyAction,
    TookPart,
    WorkSystem,
)

LONG_TOO_LONG = "Keep {what} to 20,000 characters or fewer"
SHORT_TEXT = 2_000

# The responses to one event, in proportion: a thematic review has a page of its own.
ONE_EVENT_KINDS = [
    (value, label) for value, label in ResponseKind.choices if value != ResponseKind.THEMATIC_REVIEW
]


def _invalid(what: str) -> str:
    return f"Enter {what} as a real date"


class _Records(forms.Form):
    """A form whose id choices stand for records: `cleaned_data[name]` is the record (or None)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._records: dict[str, dict[int, Any]] = {}

    def offer(
        self, name: str, records: Iterable[Any], label: Callable[[Any], str], blank: str = ""
    ) -> None:
        found = {record.pk: record for record in records}
        self._records[name] = found
        offer_choices(
            self.fields[name], ((pk, label(record)) for pk, record in found.items()), blank=blank
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, found in self._records.items():
            if data.get(name) is not None:
                data[name] = found.get(data[name])
        return data


# -- Events ---------------------------------------------------------------------------------------


class EventForm(_Records):
    team = id_choice("Team", required="Choose the team", invalid_choice="Choose one of your teams")
    kind = choice_field(
        "What kind of event is it?",
        choices=EventKind.choices,
        radios=True,
        required="Choose whether it happened or nearly happened",
    )
    title = text_field(
        "Title",
        required="Give the event a short title",
        max_length=200,
        too_long="Keep the title to 200 characters or fewer",
        help_text="A few words, like “Follow-up call after discharge not made”.",
    )
    what_happened = text_field(
        "What happened?",
        required="Say what happened, in plain words",
        max_length=LONG_TEXT,
        too_long=LONG_TOO_LONG.format(what="what happened"),
        rows=6,
        help_text="The minimum facts, in plain words: not a judgement of anyone.",
    )
    happened_on = date_field(
        "When did it happen?",
        required="Enter the date it happened",
        invalid=_invalid("the date it happened"),
        example="past",
    )
    place = text_field(
        "Where did it happen? (optional)",
        max_length=200,
        too_long="Keep where it happened to 200 characters or fewer",
    )
    person = id_choice(
        "Is it about a person in care? (optional)",
        invalid_choice="Choose someone in your team's care",
        help_text="Only those who may see this person will see the event.",
    )

    def __init__(
        self, *args: Any, teams: list[Team], people: list[PersonInCare], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offer("team", teams, lambda team: team.name, blank="Choose a team")
        if len(teams) == 1:
            self.fields["team"].initial = teams[0].pk
        self.offer("person", people, str, blank="Not about one person")


class StartResponseForm(forms.Form):
    """A learning response to one event, in proportion to what happened."""

    kind = choice_field(
        "Which learning response?",
        choices=ONE_EVENT_KINDS,
        radios=True,
        required="Choose the learning response",
    )
    held_on = date_field(
        "Held on",
        required="Enter the date it was held",
        invalid=_invalid("the date it was held"),
        example="past",
    )


class ThematicForm(_Records):
    events = forms.TypedMultipleChoiceField(
        label="Which events does it look across?",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose two or more.",
        error_messages={
            "required": "Choose two or more events for a thematic review",
            "invalid_choice": "Choose only events of teams you lead",
        },
    )
    team = id_choice(
        "Which team holds it?",
        required="Choose the team that holds it",
        invalid_choice="Choose one of the teams you lead",
        help_text="One of the teams the events happened in.",
    )
    held_on = date_field(
        "Held on",
        required="Enter the date it was held",
        invalid=_invalid("the date it was held"),
        example="past",
    )

    def __init__(self, *args: Any, events: list[LearningEvent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.events_by_id = {event.pk: event for event in events}
        offer_choices(
            self.fields["events"],
            [(e.pk, f"{e.title} ({e.team.name}, {date_format(e.happened_on)})") for e in events],
        )
        teams = {event.team_id: event.team for event in events}
        self.offer("team", sorted(teams.values(), key=lambda t: t.name), lambda t: t.name)

    def chosen(self) -> list[LearningEvent]:
        return [self.events_by_id[pk] for pk in self.cleaned_data["events"]]


# -- Responses ------------------------------------------------------------------------------------


class AnswersForm(forms.Form):
    """The answers to the questions of the response's kind, when it was held, and the version
    they were written on."""

    held_on = date_field(
        "Held on", required="Enter the date it was held", invalid=_invalid("the date it was held")
    )
    version = VersionField()

    def __init__(self, *args: Any, questions: tuple[tuple[str, str], ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        held_on, version = self.fields.pop("held_on"), self.fields.pop("version")
        for name, question in questions:
            self.fields[name] = text_field(
                question,
                max_length=LONG_TEXT,
                too_long=f"Keep the answer to “{question}” to 20,000 characters or fewer",
                rows=5,
            )
        self.fields["held_on"] = held_on
        self.fields["version"] = version

    def answers(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name, _ in self.questions}

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _ in self.questions]


class FactorForm(forms.Form):
    element = choice_field(
        "Which part of the work system?",
        choices=WorkSystem.choices,
        radios=True,
        required="Choose the part of the work system",
        help_text="The six parts of the work system people work in (SEIPS).",
    )
    note = text_field(
        "What made a difference?",
        required="Say, in plain words, what made a difference",
        max_length=LONG_TEXT,
        too_long=LONG_TOO_LONG.format(what="the note"),
        rows=3,
    )


class ParticipantForm(_Records):
    took_part_as = choice_field(
        "Took part as",
        choices=TookPart.choices,
        radios=True,
        required="Choose how they took part",
    )
    email = forms.EmailField(
        label="A colleague's work e-mail (if they use Roundtable)",
        required=False,
        error_messages={
            "invalid": "Enter an e-mail address in the correct format, like name@example.nhs.uk"
        },
    )
    described_as = text_field(
        "Or describe who took part",
        max_length=200,
        too_long="Keep the description to 200 characters or fewer",
        help_text="For the person or their family, a description, not a name: “her sister”. "
        "For someone not in Roundtable: “Mind peer worker”.",
    )
    organisation = id_choice(
        "Organisation (optional)",
        invalid_choice="Choose an organisation from the list",
        help_text="Left empty, a colleague's own organisation.",
    )

    def __init__(
        self,
        *args: Any,
        people: QuerySet[Person] | None,
        organisations: list[Organisation],
        **kwargs: Any,
    ) -> None:
        """`people`: those the user may see, to find a colleague in (None on a form only shown)."""
        super().__init__(*args, **kwargs)
        self.people = people
        self.offer("organisation", organisations, lambda o: o.name, blank="Not recorded")

    def clean_email(self) -> Person | None:
        """The colleague with this work e-mail address, or None when none is given."""
        email = str(self.cleaned_data.get("email") or "").strip().lower()
        if not email:
            return None
        assert self.people is not None, "a form that is sent is given the people to look in"
        person = self.people.filter(email=email).first()
        if person is None:
            raise forms.ValidationError("Nobody in Roundtable has this e-mail address")
        return person


class StatementForm(forms.Form):
    text = text_field(
        "What did we learn?",
        required="Write what was learned",
        max_length=SHORT_TEXT,
        too_long="Keep a learning statement to 2,000 characters or fewer",
        rows=3,
        help_text="A sentence or two that others can use.",
    )


# -- Safety actions -------------------------------------------------------------------------------


class _ActionFields(_Records):
    description = text_field(
        "What will change?",
        required="Say what the action is",
        max_length=SHORT_TEXT,
        too_long="Keep the action to 2,000 characters or fewer",
        rows=3,
    )
    owner = id_choice(
        "Who owns it?",
        required="Choose who owns the action",
        invalid_choice="Choose a member of the team",
        help_text="They see it through, with the team's support.",
    )
    due_on = date_field(
        "Due by",
        required="Enter the date it is due",
        invalid=_invalid("the date it is due"),
        example="future",
    )

    def __init__(self, *args: Any, owners: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer("owner", owners, lambda p: p.full_name, blank="Choose a person")


class ActionForm(_ActionFields):
    statement = id_choice(
        "Which learning does it act on? (optional)",
        invalid_choice="Choose a learning statement of this response",
    )

    def __init__(
        self, *args: Any, owners: list[Person], statements: list[LearningStatement], **kwargs: Any
    ) -> None:
        super().__init__(*args, owners=owners, **kwargs)
        self.offer("statement", statements, lambda s: _short(s.text), blank="None in particular")


class ActionChangeForm(_ActionFields):
    version = VersionField()


class ActionProgressForm(forms.Form):
    to_status = choice_field("Move it on to", radios=True, required="Choose what the action is now")
    evidence = text_field(
        "What shows it is done? (needed once it is done)",
        max_length=LONG_TEXT,
        too_long=LONG_TOO_LONG.format(what="the evidence"),
        rows=3,
    )
    completed_on = date_field(
        "Done on (for a done action)",
        invalid=_invalid("the day it was done"),
        help_text="Left empty, today.",
    )
    version = VersionField()

    def __init__(self, *args: Any, action: SafetyAction, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        following = ACTION_STATES.following(action.status)
        offer_choices(
            self.fields["to_status"],
            [(value, label) for value, label in ActionStatus.choices if value in following],
        )


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
