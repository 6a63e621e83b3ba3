"""Shapes of the wellbeing API. Pulse answers go in without a name and come out only as
results for groups of at least `PULSE_MINIMUM_GROUP`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from ninja import Field, Schema
from pydantic import AwareDatetime

from roundtable.core.schemas import WHOLE_NUMBER, Id, Moment, Version
from roundtable.directory.schemas import TeamRef
from roundtable.forums.schemas import PersonName
from roundtable.wellbeing.models import SupportKind

Minutes = Annotated[int, Field(ge=15, le=480), WHOLE_NUMBER]
_VERSION = "The `version` you read; 409 if it changed since."


class StatementOut(Schema):
    id: int
    position: int
    text: str


class PulseRoundOut(Schema):
    id: int = Field(alias="round.id")
    team: TeamRef = Field(alias="round.team")
    month: date = Field(alias="round.month")
    closes_on: date = Field(alias="round.closes_on")
    statements: list[StatementOut]
    answered: bool = Field(description="Whether you have answered it (you answer once).")

    @staticmethod
    def resolve_statements(invite: object) -> list[object]:
        return list(invite.round.statements.order_by("position"))  # type: ignore[attr-defined]


class AnswerIn(Schema):
    statement: Id
    value: Annotated[int, Field(ge=1, le=5), WHOLE_NUMBER] = Field(
        description="1 strongly disagree … 5 strongly agree."
    )


class PulseAnswerIn(Schema):
    answers: list[AnswerIn] = Field(description="One for every statement of the round.")
    comment: str = Field("", max_length=1000)


class StatementResultOut(Schema):
    position: int
    text: str
    count: int
    mean: float
    distribution: list[int] = Field(description="How many answered 1, 2, 3, 4 and 5.")
    agree_percent: int


class RoundResultOut(Schema):
    month: date = Field(alias="round.month")
    closes_on: date = Field(alias="round.closes_on")
    responses: int
    is_closed: bool
    shown: bool = Field(
        description="False until the round has closed with enough answers: then `statements` "
        "and `comments` are empty and `message` says why."
    )
    message: str
    statements: list[StatementResultOut]
    comments: list[str]


class TrendRowOut(Schema):
    month: date
    responses: int
    teams: int
    means: dict[str, float] = Field(description="Average answer (1 to 5) by statement.")


class SupportSessionIn(Schema):
    kind: SupportKind
    team: Id | None = Field(None, description="For a team (or give `peer_circle`).")
    peer_circle: Id | None = None
    starts_at: Moment
    duration_minutes: Minutes = 60
    facilitator: Id | None = Field(None, description="A person's id.")
    attendees: list[Id] = Field(default_factory=list, description="Who came (once started).")


class SupportSessionChangeIn(Schema):
    """Only the fields sent change. Who a session is for does not: that is another session."""

    kind: SupportKind | None = None
    starts_at: Moment | None = None
    duration_minutes: Minutes | None = None
    facilitator: Id | None = Field(None, description="A person's id; null for nobody.")
    version: Version = Field(description=_VERSION)


class SupportSessionCancelIn(Schema):
    reason: str = Field(
        min_length=1, max_length=500, description="Why: the team or circle sees it."
    )
    version: Version = Field(description=_VERSION)


class SupportSessionOut(Schema):
    id: int
    kind: SupportKind
    team: TeamRef | None
    peer_circle: str | None
    starts_at: AwareDatetime
    duration_minutes: int
    facilitator: PersonName | None
    cancelled_at: AwareDatetime | None
    cancel_reason: str
    version: int

    @staticmethod
    def resolve_peer_circle(session: object) -> str | None:
        circle = session.peer_circle  # type: ignore[attr-defined]
        return circle.name if circle else None


class IsolatedOut(Schema):
    person: PersonName
    reasons: list[str]
    last_contact: date | None
    peer_circles: list[str]

    @staticmethod
    def resolve_peer_circles(entry: object) -> list[str]:
        return [c.name for c in entry.peer_circles]  # type: ignore[attr-defined]


class PeerCircleOut(Schema):
    id: int = Field(alias="circle.id")
    name: str = Field(alias="circle.name")
    discipline: str = Field(alias="circle.discipline.name")
    forum: int = Field(alias="circle.forum_id")
    members: int
    localities: list[str]
    is_member: bool
