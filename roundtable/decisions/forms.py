"""Forms for the decision pages. Error messages follow the NHS.UK style: say what to fix."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from roundtable.core.forms import DateInput, TimeInput
from roundtable.core.templating import date_format
from roundtable.decisions.models import (
    NEEDS_REASON,
    Budget,
    Decision,
    DecisionKind,
    DecisionMethod,
    DecisionStatus,
    Stance,
)
from roundtable.directory.forms import VersionField
from roundtable.directory.models import Person
from roundtable.forums.models import Meeting, local_datetime

# Anything more is surely a typing slip: £10 billion.
MAX_PENCE = 1_000_000_000_000
_AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")


def pounds_text(pence: int) -> str:
    """Pence as the amount a person would type: 45,000 or 45,000.50."""
    text = f"{Decimal(pence) / 100:,.2f}"
    return text[:-3] if text.endswith(".00") else text


class MoneyInput(forms.TextInput):
    """Shows an amount in pence (the stored value) as pounds."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, int):
            return pounds_text(value)
        return super().format_value(value)


class PoundsField(forms.Field):
    """An amount typed in pounds — "45000", "45,000" or "£45,000.50" — as whole pence."""

    widget = MoneyInput

    def __init__(self, *, what: str = "the amount", **kwargs: Any) -> None:
        self.what = what
        kwargs.setdefault("error_messages", {"required": f"Enter {what} in pounds, like 45,000"})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in (None, ""):
            return None
        if isinstance(value, int):
            return value
        cleaned = re.sub(r"[£,\s]", "", str(value))
        if not cleaned:
            return None
        if cleaned.startswith("-"):
            raise ValidationError(
                f"{self.what.capitalize()} cannot be negative: enter an amount in pounds, "
                "like 45,000"
            )
        if not _AMOUNT.match(cleaned):
            raise ValidationError(
                f"Enter {self.what} in pounds, using numbers only, like 45,000 or £45,000.50"
            )
        pence = int(Decimal(cleaned) * 100)
        if pence >= MAX_PENCE:
            raise ValidationError(f"{self.what.capitalize()} must be less than £10 billion")
        return pence

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal"}


def _closing(
    form: forms.Form, data: dict[str, Any], day_field: str, time_field: str
) -> datetime | None:
    """A closing date and time typed separately, as one aware datetime (UK time)."""
    day, at = data.get(day_field), data.get(time_field)
    if isinstance(day, date) and isinstance(at, time):
        return local_datetime(day, at)
    if isinstance(day, date) and time_field not in form.errors:
        form.add_error(time_field, "Enter the closing time, like 17:00")
    elif isinstance(at, time) and day_field not in form.errors:
        form.add_error(day_field, "Enter the closing date as well as the time")
    return None


def _ignore(form: forms.Form, data: dict[str, Any], *names: str) -> None:
    for name in names:
        form.errors.pop(name, None)
        data[name] = None


STANCE_HINTS = {
    Stance.CONSENT: "I can live with this and support it.",
    Stance.CONCERN: "I consent, and want this concern worked on. Say what it is.",
    Stance.OBJECTION: "This would cause harm or cannot work as proposed. Say why, so the proposal "
    "can be revised.",
    Stance.STAND_ASIDE: "I will not block it, and I do not want to take part in it.",
    Stance.ABSTAIN: "I take no position.",
}


class DecisionFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    forum = forms.TypedChoiceField(label="Forum", required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *DecisionKind.choices]
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *DecisionStatus.choices]
    )
    mine = forms.BooleanField(label="Only my forums", required=False)

    def __init__(self, *args: Any, forums: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["forum"].choices = [("", "Any forum"), *forums]  # type: ignore[attr-defined]


class ProposeForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of decision is it?",
        choices=DecisionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of decision"},
    )
    budget = forms.TypedChoiceField(
        label="Budget",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of this forum's budgets"},
    )
    amount = PoundsField(
        label="Amount requested",
        what="the amount requested",
        required=False,
        help_text="In pounds, like 45,000 or £45,000.50.",
    )
    method = forms.ChoiceField(
        label="How will it be decided?",
        choices=DecisionMethod.choices,
        initial=DecisionMethod.CONSENT,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the decision is made"},
    )
    vote_threshold_percent = forms.IntegerField(
        label="Threshold: more than this percentage of votes in favour",
        required=False,
        min_value=1,
        max_value=99,
        initial=50,
        error_messages={
            "invalid": "Enter the threshold as a whole number, like 50",
            "min_value": "The threshold is a percentage from 1 to 99",
            "max_value": "The threshold is a percentage from 1 to 99",
        },
    )
    vote_quorum = forms.IntegerField(
        label="Quorum: at least this many positions",
        required=False,
        min_value=1,
        max_value=1000,
        initial=1,
        error_messages={
            "invalid": "Enter the quorum as a whole number, like 3",
            "min_value": "The quorum is at least 1",
            "max_value": "The quorum is at most 1000",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="A short name for the decision, like “Fund a peer-support service”.",
        error_messages={
            "required": "Enter a title for the decision",
            "max_length": "Keep the title to 200 characters or fewer",
        },
    )
    proposal = forms.CharField(
        label="Proposal",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What you propose, and why. Others will take their position on this.",
        error_messages={"required": "Enter the proposal"},
    )
    closes_on = forms.DateField(
        label="Closing date (optional)",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "Enter a real date"},
    )
    closes_time = forms.TimeField(
        label="Closing time (optional)",
        required=False,
        widget=TimeInput(),
        error_messages={"invalid": "Enter a time, like 17:00"},
    )
    review_on = forms.DateField(
        label="Review date (optional)",
        required=False,
        widget=DateInput(),
        help_text="When the decision should be looked at again.",
        error_messages={"invalid": "Enter a real date"},
    )
    meeting = forms.TypedChoiceField(
        label="Meeting (optional)",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="A decision taken in a meeting takes the people present as participants.",
        error_messages={"invalid_choice": "Choose one of this forum's meetings"},
    )

    def __init__(
        self, *args: Any, budgets: list[Budget], meetings: list[Meeting], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.budgets = {b.pk: b for b in budgets}
        self.meetings = {m.pk: m for m in meetings}
        self.fields["budget"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a budget"),
            *((b.pk, b.name) for b in budgets),
        ]
        self.fields["meeting"].choices = [  # type: ignore[attr-defined]
            ("", "Not in a meeting"),
            *((m.pk, date_format(m.starts_at, True)) for m in meetings),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The funding and vote questions are always shown (no hidden reveals), and ignored,
        # mistakes included, when they do not apply.
        if data.get("kind") != DecisionKind.FUNDING:
            _ignore(self, data, "budget", "amount")
        if data.get("method") != DecisionMethod.VOTE:
            _ignore(self, data, "vote_threshold_percent", "vote_quorum")
        data["closes_at"] = _closing(self, data, "closes_on", "closes_time")
        data["budget"] = self.budgets.get(data.get("budget") or 0)
        data["meeting"] = self.meetings.get(data.get("meeting") or 0)
        if data.get("kind") == DecisionKind.FUNDING:
            if data["budget"] is None and "budget" not in self.errors:
                self.add_error("budget", "Choose the budget the money would come from")
            if data.get("amount") is None and "amount" not in self.errors:
                self.add_error("amount", "Enter the amount requested in pounds, like 45,000")
        return data


class PositionForm(forms.Form):
    stance = forms.ChoiceField(
        label="Your position",
        choices=Stance.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose consent, a concern, an objection, stand aside or abstain",
            "invalid_choice": "Choose consent, a concern, an objection, stand aside or abstain",
        },
    )
    reason = forms.CharField(
        label="Your reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed for a concern or an objection, so that it can be worked on.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        stance, reason = data.get("stance"), (data.get("reason") or "").strip()
        if stance in NEEDS_REASON and not reason:
            label = "concern" if stance == Stance.CONCERN else "objection"
            self.add_error("reason", f"Say what your {label} is, so it can be worked on")
        return data


class ReviseForm(forms.Form):
    proposal = forms.CharField(
        label="Revised proposal",
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "Enter the revised proposal"},
    )
    change_note = forms.CharField(
        label="What changed (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, which objection or concern this revision integrates.",
    )
    version = VersionField()


class OutcomeForm(forms.Form):
    result = forms.ChoiceField(
        label="What was the outcome?",
        choices=[("agreed", "Agreed"), ("not_agreed", "Not agreed")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select agreed or not agreed"},
    )
    outcome = forms.CharField(
        label="Outcome statement",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was decided, in a sentence or two.",
        error_messages={"required": "Say what was decided"},
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Why this is the decision: what was weighed, and how concerns were answered.",
        error_messages={"required": "Give the rationale: why this is the decision"},
    )
    amount_agreed = PoundsField(
        label="Amount agreed",
        what="the amount agreed",
        required=False,
        help_text="If agreed: in pounds, no more than was requested.",
    )
    version = VersionField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("result") != "agreed":
            _ignore(self, data, "amount_agreed")
        return data


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label="Why are you withdrawing it? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="What did the review find?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="How the decision worked out, and what was learned.",
        error_messages={"required": "Say what the review found"},
    )


HOLD_MESSAGE = "I stand behind this with you."


class HoldForm(forms.Form):
    message = forms.CharField(
        label="Your message to the people acting on it",
        max_length=280,
        initial=HOLD_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown with the decision wherever it appears. 280 characters at most.",
        error_messages={
            "required": "Write a short message, like “I stand behind this with you.”",
            "max_length": "Keep the message to 280 characters or fewer",
        },
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Add a comment",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write a comment"},
    )


class AdviceRequestForm(forms.Form):
    email = forms.EmailField(
        label="Seek advice from (their work e-mail)",
        error_messages={
            "required": "Enter the work e-mail address of the person to ask",
            "invalid": "Enter an e-mail address in the correct format, like name@example.nhs.uk",
        },
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        self.people = people
        super().__init__(*args, **kwargs)

    def clean_email(self) -> Person:
        email = str(self.cleaned_data["email"]).strip().lower()
        person = self.people.filter(email=email).first()
        if person is None:
            raise ValidationError("Nobody in Roundtable has this e-mail address")
        return person  # type: ignore[no-any-return]


class AdviceGiveForm(forms.Form):
    advice = forms.CharField(
        label="Your advice",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write your advice"},
    )


NOT_RECORDED = ""


class ConsentRoundForm(forms.Form):
    """One radio group and one reason per person present at the meeting. Quick on a phone."""

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        for person in people:
            self.fields[f"stance_{person.pk}"] = forms.ChoiceField(
                label=person.full_name,
                choices=[*Stance.choices, (NOT_RECORDED, "Not recorded")],
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Choose one of the positions"},
            )
            self.fields[f"reason_{person.pk}"] = forms.CharField(
                label=f"Reason given by {person.full_name}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[Person, forms.BoundField, forms.BoundField]]:
        return [(p, self[f"stance_{p.pk}"], self[f"reason_{p.pk}"]) for p in self.people]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        recorded = 0
        for person in self.people:
            stance = data.get(f"stance_{person.pk}") or NOT_RECORDED
            reason = (data.get(f"reason_{person.pk}") or "").strip()
            if stance:
                recorded += 1
            if stance in NEEDS_REASON and not reason:
                label = "concern" if stance == Stance.CONCERN else "objection"
                self.add_error(f"reason_{person.pk}", f"Say what {person.full_name}'s {label} is")
        if not recorded and self.people:
            self.add_error(None, "Record the position of at least one person present")
        return data

    def positions(self) -> dict[Person, tuple[str, str]]:
        found = {}
        for person in self.people:
            stance = self.cleaned_data.get(f"stance_{person.pk}") or NOT_RECORDED
            if stance:
                found[person] = (stance, self.cleaned_data.get(f"reason_{person.pk}") or "")
        return found


class BudgetForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="For example “Community transformation 2026/27”.",
        error_messages={"required": "Enter a name for the budget"},
    )
    period_start = forms.DateField(
        label="Period starts",
        widget=DateInput(),
        error_messages={
            "required": "Enter the first day of the period",
            "invalid": "Enter a real date",
        },
    )
    period_end = forms.DateField(
        label="Period ends",
        widget=DateInput(),
        error_messages={
            "required": "Enter the last day of the period",
            "invalid": "Enter a real date",
        },
    )
    total = PoundsField(label="Total", what="the total", help_text="In pounds, like 200,000.")

    def __init__(self, *args: Any, existing: list[Budget], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.existing = {b.name.lower() for b in existing}

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if name.lower() in self.existing:
            raise ValidationError("This forum already has a budget with this name")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("period_end", "The period must end on or after it starts")
        return data


def _with_amount(decision: Decision) -> str:
    """A funding proposal as a choice: its title and the amount it asks for."""
    return f"{decision.title} (£{pounds_text(decision.amount_requested_pence or 0)})"


def _offer_proposals(
    form: forms.Form, field: str, proposals: list[Decision]
) -> dict[int, Decision]:
    """Offer the funding proposals as the field's choices; the proposals by id."""
    form.fields[field].choices = [  # type: ignore[attr-defined]
        (d.pk, _with_amount(d)) for d in proposals
    ]
    return {d.pk: d for d in proposals}


class AllocationRoundForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="For example “Community grants, spring round”.",
        error_messages={"required": "Enter a title for the round"},
    )
    proposals = forms.TypedMultipleChoiceField(
        label="Funding proposals to compare",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose at least two open proposals from this budget.",
        error_messages={"required": "Choose at least two funding proposals to compare"},
    )
    closes_on = forms.DateField(
        label="Closing date",
        widget=DateInput(),
        error_messages={"required": "Enter the closing date", "invalid": "Enter a real date"},
    )
    closes_time = forms.TimeField(
        label="Closing time",
        widget=TimeInput(),
        initial=time(17, 0),
        error_messages={
            "required": "Enter the closing time",
            "invalid": "Enter a time, like 17:00",
        },
    )

    def __init__(self, *args: Any, proposals: list[Decision], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = _offer_proposals(self, "proposals", proposals)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["closes_at"] = _closing(self, data, "closes_on", "closes_time")
        data["chosen"] = [self.candidates[pk] for pk in data.get("proposals") or []]
        return data


class ApprovalForm(forms.Form):
    approve = forms.TypedMultipleChoiceField(
        label="The proposals you approve",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every proposal you would like funded. Untick one to take back your "
        "approval.",
    )

    def __init__(self, *args: Any, proposals: list[Decision], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = _offer_proposals(self, "approve", proposals)

    def approved(self) -> list[Decision]:
        return [self.candidates[pk] for pk in self.cleaned_data.get("approve") or []]
