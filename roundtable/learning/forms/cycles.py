"""Forms for tests of change: starting a ramp with its first cycle, writing a cycle's plan,
trying it, closing it (study and act) and planning the next. They check shapes with the models'
limits and messages; the services decide what is allowed and say why not."""

from __future__ import annotations

from typing import Any

from django import forms

from roundtable.core.forms import choice_field, id_choice, text_field
from roundtable.directory.forms import VersionField
from roundtable.directory.models import Team
from roundtable.learning.forms.responses import LONG_TOO_LONG, SHORT_TEXT, _Records
from roundtable.learning.models import (
    LONG_TEXT,
    Act,
    ChangeCycle,
    CycleStatus,
    LearningStatement,
)
from roundtable.learning.services.cycles import NO_ACT, NO_STUDY

AIM_LENGTH = 500  # as `Ramp.aim` holds


def _short(label: str, *, required: str, what: str, help_text: str = "") -> forms.CharField:
    return text_field(
        label,
        required=required,
        max_length=SHORT_TEXT,
        too_long=f"Keep {what} to 2,000 characters or fewer",
        rows=3,
        help_text=help_text,
    )


class _PlanFields(forms.Form):
    """Plan: the change to try, what the team predicts, how it will know, and who does what."""

    change = _short(
        "What change will you try?",
        required="Say what change you will try",
        what="the change",
        help_text="Small enough to try in days or weeks, with a few people.",
    )
    prediction = _short(
        "What do you predict will happen?",
        required="Say what you predict will happen",
        what="the prediction",
    )
    measure = _short(
        "How will you know?",
        required="Say how you will know",
        what="the measure",
        help_text="What you will count or ask, and how often.",
    )
    plan = text_field(
        "Who does what, when and where?",
        required="Say who does what, when and where",
        max_length=LONG_TEXT,
        too_long=LONG_TOO_LONG.format(what="the plan"),
        rows=4,
    )


class RampForm(_Records, _PlanFields):
    """A new test of change: the team, its aim and its first cycle's plan; perhaps the learning
    statement it starts from (sent back as it came, in a hidden field)."""

    team = id_choice("Team", required="Choose the team", invalid_choice="Choose one of your teams")
    aim = text_field(
        "What are you trying to achieve?",
        required="Say what the team is trying to achieve",
        max_length=AIM_LENGTH,
        too_long="Keep the aim to 500 characters or fewer",
        rows=3,
        help_text="The aim of every cycle in this test of change.",
    )
    statement = id_choice(
        "Learning statement",
        invalid_choice="There is no learning statement you can see with id %(value)s",
    )

    field_order = ["team", "aim", "change", "prediction", "measure", "plan", "statement"]

    def __init__(
        self,
        *args: Any,
        teams: list[Team],
        statement: LearningStatement | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offer("team", teams, lambda team: team.name, blank="Choose a team")
        if len(teams) == 1:
            self.fields["team"].initial = teams[0].pk
        found = [statement] if statement is not None else []
        self.offer("statement", found, lambda s: s.text, blank="None")


class CycleForm(_PlanFields):
    """A cycle's plan, and what happened once it is being tried, with the version it was read at."""

    what_happened = text_field(
        "What happened?",
        max_length=LONG_TEXT,
        too_long=LONG_TOO_LONG.format(what="what happened"),
        rows=4,
        help_text="What you saw as you tried it, and what you measured.",
    )
    version = VersionField()

    def __init__(self, *args: Any, cycle: ChangeCycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cycle.status == CycleStatus.PLANNED:  # nothing has happened yet
            del self.fields["what_happened"]

    def answers(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class CycleVersionForm(forms.Form):
    """A button that moves a cycle on (start trying it), with the version it was read at."""

    version = VersionField()


class CloseForm(forms.Form):
    """Do, Study, Act: what happened, what the team found against its prediction, what next."""

    what_happened = text_field(
        "What happened?",
        max_length=LONG_TEXT,
        too_long=LONG_TOO_LONG.format(what="what happened"),
        rows=4,
        help_text="What you saw as you tried it, and what you measured.",
    )
    study = text_field(
        "What did you find when you compared what happened with your prediction?",
        required=NO_STUDY,
        max_length=LONG_TEXT,
        too_long=LONG_TOO_LONG.format(what="what you studied"),
        rows=4,
    )
    act = choice_field(
        "What will you do next?",
        choices=Act.choices,
        radios=True,
        required=NO_ACT,
        invalid_choice=NO_ACT,
    )
    act_note = text_field(
        "Say more about what you will do next (optional)",
        max_length=SHORT_TEXT,
        too_long="Keep what you will do next to 2,000 characters or fewer",
        rows=3,
    )
    version = VersionField()


class NextCycleForm(_PlanFields):
    """The plan of the ramp's next cycle."""
