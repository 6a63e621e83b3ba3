"""Shapes of the tests of change API: ramps of Plan-Do-Study-Act cycles and their cycles.

Texts are bounded as the models bound them, so the document says how long each may be. What was
studied and what the team does next may be left out of a close: the service then says, by field,
that a cycle is never closed without them.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from roundtable.core.schemas import Id, Version
from roundtable.directory.schemas import TeamRef
from roundtable.forums.schemas import PersonName
from roundtable.learning.models import LONG_TEXT, Act, CycleStatus
from roundtable.learning.selectors.cycles import RampPage

_VERSION = "The `version` of the cycle you read. If someone has saved since, the answer is 409."
_SHORT = 2_000  # the change, the prediction, the measure, the note on what next
_KEEP = " Left out or null keeps what is stored."

_CHANGE = "What change you will try: small enough to try in days or weeks."
_PREDICTION = "What you predict will happen."
_MEASURE = "How you will know: what you will count or ask, and how often."
_PLAN = "Who does what, when and where."
_WHAT_HAPPENED = "What happened as you tried it, and what you measured."


class CyclePlanIn(Schema):
    """The plan of a cycle: Plan, in Plan-Do-Study-Act."""

    change: str = Field(min_length=1, max_length=_SHORT, description=_CHANGE)
    prediction: str = Field(min_length=1, max_length=_SHORT, description=_PREDICTION)
    measure: str = Field(min_length=1, max_length=_SHORT, description=_MEASURE)
    plan: str = Field(min_length=1, max_length=LONG_TEXT, description=_PLAN)


class RampIn(CyclePlanIn):
    """A new test of change: its team and aim, and the plan of its first cycle."""

    team: Id = Field(
        description="Your team, or one you lead. The id of a team, as returned by /me."
    )
    aim: str = Field(
        min_length=1, max_length=500, description="What the team is trying to achieve."
    )
    statement: Id | None = Field(
        None,
        description="The learning statement it starts from, if one: one you can see. The id of "
        "a learning statement, as returned by /learning/responses/{id}.",
    )


class CycleChangeIn(Schema):
    """Only what you send changes: a text left out (or null) keeps what is stored."""

    change: str | None = Field(None, max_length=_SHORT, description=_CHANGE + _KEEP)
    prediction: str | None = Field(None, max_length=_SHORT, description=_PREDICTION + _KEEP)
    measure: str | None = Field(None, max_length=_SHORT, description=_MEASURE + _KEEP)
    plan: str | None = Field(None, max_length=LONG_TEXT, description=_PLAN + _KEEP)
    what_happened: str | None = Field(
        None, max_length=LONG_TEXT, description=_WHAT_HAPPENED + _KEEP
    )
    version: Version = Field(description=_VERSION)


class CycleCloseIn(Schema):
    """Do, Study, Act: a cycle is closed only with what was studied and what comes next."""

    what_happened: str = Field("", max_length=LONG_TEXT, description=_WHAT_HAPPENED)
    study: str = Field(
        "",
        max_length=LONG_TEXT,
        description="What you found when you compared what happened with your prediction "
        "(required).",
    )
    act: Act | None = Field(
        None, description="What the team does next: adopt, adapt or abandon the change (required)."
    )
    act_note: str = Field("", max_length=_SHORT, description="More about what you do next.")
    version: Version = Field(description=_VERSION)


class CycleOut(Schema):
    id: int
    ramp: int = Field(alias="ramp_id", description="The test of change it belongs to.")
    number: int = Field(description="Its place in the test of change, from 1.")
    change: str = Field(description=_CHANGE)
    prediction: str = Field(description=_PREDICTION)
    measure: str = Field(description=_MEASURE)
    plan: str = Field(description=_PLAN)
    what_happened: str = Field(description=_WHAT_HAPPENED)
    study: str = Field(description="What was found against the prediction; once closed.")
    act: Act | None = Field(description="Adopt, adapt or abandon; null until it is closed.")
    act_note: str = Field(description="More about what the team does next.")
    status: CycleStatus = Field(description="Planned, being tried (doing) or closed.")
    started_by: PersonName = Field(description="Who planned it.")
    closed_at: datetime | None = Field(description="When it was closed.")
    version: int = Field(description="Send it back to change the cycle.")

    @staticmethod
    def resolve_act(cycle: object) -> str | None:
        return getattr(cycle, "act", "") or None


class RampSummary(Schema):
    id: int
    team: TeamRef = Field(description="The team whose test of change it is.")
    aim: str = Field(description="What the team is trying to achieve.")
    statement: int | None = Field(
        alias="statement_id", description="The learning statement it started from, if one."
    )
    cycle_count: int = Field(description="How many cycles it has.")
    latest_status: CycleStatus | None = Field(description="Its latest cycle's status.")
    latest_act: Act | None = Field(description="Its latest cycle's act, once that is closed.")
    created_at: datetime = Field(description="When it was started.")

    @staticmethod
    def resolve_latest_act(ramp: object) -> str | None:
        return getattr(ramp, "latest_act", "") or None


class RampOut(Schema):
    # Read from `selectors.cycles.RampPage`.
    id: int = Field(alias="ramp.id")
    team: TeamRef = Field(alias="ramp.team", description="The team whose test of change it is.")
    aim: str = Field(alias="ramp.aim", description="What the team is trying to achieve.")
    statement: int | None = Field(
        description="The learning statement it started from, if one you can see."
    )
    response: int | None = Field(
        description="The learning response that statement was learned in (`/learning/responses`)."
    )
    started_by: PersonName = Field(alias="ramp.started_by", description="Who started it.")
    created_at: datetime = Field(alias="ramp.created_at", description="When it was started.")
    cycles: list[CycleOut] = Field(description="Its cycles, in order: the last may be open.")

    @staticmethod
    def resolve_statement(page: RampPage) -> int | None:
        return page.statement.pk if page.statement is not None else None

    @staticmethod
    def resolve_response(page: RampPage) -> int | None:
        return page.statement.response_id if page.statement is not None else None
