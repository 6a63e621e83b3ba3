"""Forms for the decision pages. Error messages follow the NHS.UK style: say what to fix."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from roundtable.core.forms import (
    choice_field,
    date_field,
    id_choice,
    offer_choices,
    text_field,
    time_field,
    whole_number_field,
)
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
from roundtable.directory.forms import PersonByEmailForm, VersionField
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
    form: forms.Form, data: dict[str, Any], day_name: str, time_name: str
) -> datetime | None:
    """A closing date and time typed separately, as one aware datetime (UK time)."""
    day, at = data.get(day_name), data.get(time_name)
    if isinstance(day, date) and isinstance(at, time):
        return local_datetime(day, at)
    if isinstance(day, date) and time_name not in form.errors:
        form.add_error(time_name, "Enter the closing time, like 17:00")
    elif isinstance(at, time) and day_name not in form.errors:
        form.add_error(day_name, "Enter the closing date as well as the time")
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
    q = text_field("Search", max_length=100)
    forum = id_choice("Forum")
    kind = choice_field("Kind", choices=[("", "Any kind"), *DecisionKind.choices])
    status = choice_field("Status", choices=[("", "Any status"), *DecisionStatus.choices])
    mine = forms.BooleanField(label="Only my forums", required=False)

    def __init__(self, *args: Any, forums: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_choices(self.fields["forum"], forums, blank="Any forum")


class ProposeForm(forms.Form):
    kind = choice_field(
        "What kind of decision is it?",
        choices=DecisionKind.choices,
        radios=True,
        required="Select the kind of decision",
    )
    budget = id_choice("Budget", invalid_choice="Choose one of this forum's budgets")
    amount = PoundsField(
        label="Amount requested",
        what="the amount requested",
        required=False,
        help_text="In pounds, like 45,000 or £45,000.50.",
    )
    method = choice_field(
        "How will it be decided?",
        choices=DecisionMethod.choices,
        radios=True,
        required="Select how the decision is made",
        initial=DecisionMethod.CONSENT,
    )
    vote_threshold_percent = whole_number_field(
        "Threshold: more than this percentage of votes in favour",
        invalid="Enter the threshold as a whole number, like 50",
        min_value=1,
        too_small="The threshold is a percentage from 1 to 99",
        max_value=99,
        too_large="The threshold is a percentage from 1 to 99",
        initial=50,
    )
    vote_quorum = whole_number_field(
        "Quorum: at least this many positions",
        invalid="Enter the quorum as a whole number, like 3",
        min_value=1,
        too_small="The quorum is at least 1",
        max_value=1000,
        too_large="The quorum is at most 1000",
        initial=1,
    )
    title = text_field(
        "Title",
        required="Enter a title for the decision",
        max_length=200,
        too_long="Keep the title to 200 characters or fewer",
        help_text="A short name for the decision, like “Fund a peer-support service”.",
    )
    proposal = text_field(
        "Proposal",
        required="Enter the proposal",
        rows=8,
        help_text="What you propose, and why. Others will take their position on this.",
    )
    closes_on = date_field("Closing date (optional)", invalid="Enter a real date")
    closes_time = time_field("Closing time (optional)", invalid="Enter a time, like 17:00")
    review_on = date_field(
        "Review date (optional)",
        invalid="Enter a real date",
        help_text="When the decision should be looked at again.",
    )
    meeting = id_choice(
        "Meeting (optional)",
        invalid_choice="Choose one of this forum's meetings",
        help_text="A decision taken in a meeting takes the people present as participants.",
    )

    def __init__(
        self, *args: Any, budgets: list[Budget], meetings: list[Meeting], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.budgets = {b.pk: b for b in budgets}
        self.meetings = {m.pk: m for m in meetings}
        offer_choices(
            self.fields["budget"], ((b.pk, b.name) for b in budgets), blank="Choose a budget"
        )
        offer_choices(
            self.fields["meeting"],
            ((m.pk, date_format(m.starts_at, True)) for m in meetings),
            blank="Not in a meeting",
        )

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
    stance = choice_field(
        "Your position",
        choices=Stance.choices,
        radios=True,
        required="Choose consent, a concern, an objection, stand aside or abstain",
        invalid_choice="Choose consent, a concern, an objection, stand aside or abstain",
    )
    reason = text_field(
        "Your reason",
        rows=4,
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
    proposal = text_field("Revised proposal", required="Enter the revised proposal", rows=10)
    change_note = text_field(
        "What changed (optional)",
        rows=3,
        help_text="For example, which objection or concern this revision integrates.",
    )
    version = VersionField()


class OutcomeForm(forms.Form):
    result = choice_field(
        "What was the outcome?",
        choices=[("agreed", "Agreed"), ("not_agreed", "Not agreed")],
        radios=True,
        required="Select agreed or not agreed",
    )
    outcome = text_field(
        "Outcome statement",
        required="Say what was decided",
        rows=4,
        help_text="What was decided, in a sentence or two.",
    )
    rationale = text_field(
        "Rationale",
        required="Give the rationale: why this is the decision",
        rows=5,
        help_text="Why this is the decision: what was weighed, and how concerns were answered.",
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
    note = text_field("Why are you withdrawing it? (optional)", rows=3)


class ReviewForm(forms.Form):
    note = text_field(
        "What did the review find?",
        required="Say what the review found",
        rows=5,
        help_text="How the decision worked out, and what was learned.",
    )


HOLD_MESSAGE = "I stand behind this with you."


class HoldForm(forms.Form):
    message = text_field(
        "Your message to the people acting on it",
        required="Write a short message, like “I stand behind this with you.”",
        max_length=280,
        too_long="Keep the message to 280 characters or fewer",
        rows=3,
        help_text="Shown with the decision wherever it appears. 280 characters at most.",
        initial=HOLD_MESSAGE,
    )


class CommentForm(forms.Form):
    body = text_field("Add a comment", required="Write a comment", rows=4)


class AdviceRequestForm(PersonByEmailForm):
    email = forms.EmailField(
        label="Seek advice from (their work e-mail)",
        error_messages={
            "required": "Enter the work e-mail address of the person to ask",
            "invalid": "Enter an e-mail address in the correct format, like name@example.nhs.uk",
        },
    )


class AdviceGiveForm(forms.Form):
    advice = text_field("Your advice", required="Write your advice", rows=6)


NOT_RECORDED = ""


class ConsentRoundForm(forms.Form):
    """One radio group and one reason per person present at the meeting. Quick on a phone."""

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        for person in people:
            self.fields[f"stance_{person.pk}"] = choice_field(
                person.full_name,
                choices=[*Stance.choices, (NOT_RECORDED, "Not recorded")],
                radios=True,
                invalid_choice="Choose one of the positions",
            )
            self.fields[f"reason_{person.pk}"] = text_field(
                f"Reason given by {person.full_name}", rows=2
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
    name = text_field(
        "Name",
        required="Enter a name for the budget",
        max_length=200,
        help_text="For example “Community transformation 2026/27”.",
    )
    period_start = date_field(
        "Period starts", required="Enter the first day of the period", invalid="Enter a real date"
    )
    period_end = date_field(
        "Period ends", required="Enter the last day of the period", invalid="Enter a real date"
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
    offer_choices(form.fields[field], ((d.pk, _with_amount(d)) for d in proposals))
    return {d.pk: d for d in proposals}


class AllocationRoundForm(forms.Form):
    title = text_field(
        "Title",
        required="Enter a title for the round",
        max_length=200,
        help_text="For example “Community grants, spring round”.",
    )
    proposals = forms.TypedMultipleChoiceField(
        label="Funding proposals to compare",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose at least two open proposals from this budget.",
        error_messages={"required": "Choose at least two funding proposals to compare"},
    )
    closes_on = date_field(
        "Closing date", required="Enter the closing date", invalid="Enter a real date"
    )
    closes_time = time_field(
        "Closing time",
        required="Enter the closing time",
        invalid="Enter a time, like 17:00",
        initial=time(17, 0),
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
