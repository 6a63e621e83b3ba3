"""Forms for support after an event: a leader's offer, and the answer of the person offered it."""

from __future__ import annotations

from typing import Any

from django import forms

from roundtable.core.forms import choice_field, id_choice, text_field
from roundtable.core.templating import date_format
from roundtable.directory.forms import VersionField
from roundtable.directory.models import Person
from roundtable.learning.forms.responses import _Records
from roundtable.learning.models import TakenUp
from roundtable.wellbeing.models import SupportSession


class SupportOfferForm(_Records):
    person = id_choice(
        "Who is offered support",
        required="Choose who is offered support",
        invalid_choice="Choose someone in the team",
    )
    what = text_field(
        "What support is offered",
        required="Say what support is offered",
        max_length=280,
        too_long="Keep it to 280 characters or fewer",
        help_text="For example: “Time with me this week, and a place at Thursday's reflective "
        "practice.” It is seen only by them and the team's leadership.",
    )
    session = id_choice(
        "A support session to point to (optional)",
        invalid_choice="Choose one of the team's support sessions",
    )

    def __init__(
        self, *args: Any, people: list[Person], sessions: list[SupportSession], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offer("person", people, lambda p: p.full_name, blank="Choose someone")
        self.offer(
            "session",
            sessions,
            lambda s: f"{s.get_kind_display()}, {date_format(s.starts_at, with_time=True)}",
            blank="None",
        )


class SupportAnswerForm(forms.Form):
    taken_up = choice_field(
        "Do you take up the offer?",
        choices=[(TakenUp.ACCEPTED, "Yes, I take it up"), (TakenUp.DECLINED, "No, thank you")],
        radios=True,
        required="Choose whether you take up the offer",
    )
    version = VersionField()
