"""Shapes of the voice API. Dates are ISO 8601 days: nothing about a concern is timed finer."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from ninja import Field, Schema

from roundtable.core.schemas import Id, Version
from roundtable.directory.schemas import LeadershipTeamRef
from roundtable.forums.schemas import PersonName
from roundtable.voice.models import ConcernEventKind, ConcernLevel, ConcernStatus
from roundtable.voice.selectors import ConcernPage

_VERSION = "The `version` you read. If someone has saved since, the answer is 409."


class ConcernQuery(Schema):
    status: ConcernStatus | None = Field(None, description="Only concerns with this status.")
    open: bool = Field(False, description="Only open concerns (raised, acknowledged or agreed).")


class YouSaidWeDidQuery(Schema):
    team: Id | None = Field(None, description="A team's board.")
    organisation: Id | None = Field(None, description="An organisation's board (with its teams').")


class RaiseTo(StrEnum):
    TEAM = "team"
    ORGANISATION = "organisation"
    SYSTEM = "system"


class ConcernIn(Schema):
    to: RaiseTo = Field(description="The level the concern goes to.")
    team: Id | None = Field(None, description="With `to: team`: one of your teams.")
    organisation: Id | None = Field(
        None, description="With `to: organisation`: an organisation you work in."
    )
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=10000, description="What the concern is.")
    anonymous: bool = Field(
        description="`true` keeps no trace of you: use the receipt token to follow it."
    )


class ConcernNoteIn(Schema):
    note: str = Field("", max_length=5000)
    version: Version = Field(description=_VERSION)


class ConcernActionIn(Schema):
    action: str = Field(
        min_length=1, max_length=5000, description="What will be done, and by whom."
    )
    action_due_on: date = Field(description="The day it will be done by (in the future).")
    version: Version = Field(description=_VERSION)


class AddressIn(Schema):
    what_we_did: str = Field(min_length=1, max_length=5000)
    on_board: bool = Field(True, description="Show it on You said, we did.")
    version: Version = Field(description=_VERSION)


class NotTakenForwardIn(Schema):
    reason: str = Field(min_length=1, max_length=5000)
    on_board: bool = Field(True, description="Show it on You said, we did.")
    version: Version = Field(description=_VERSION)


class ReplyIn(Schema):
    body: str = Field(min_length=1, max_length=5000)


class ConcernSummary(Schema):
    id: int
    title: str
    level: ConcernLevel
    status: ConcernStatus
    owner: LeadershipTeamRef = Field(description="The leadership team it is with now.")
    anonymous: bool = Field(alias="is_anonymous")
    raised_by: PersonName | None = Field(description="Null when raised anonymously.")
    raised_on: date
    due_on: date | None = Field(description="When the next step is due; null once closed.")
    version: int


class ConcernEventOut(Schema):
    kind: ConcernEventKind
    from_status: str
    to_status: ConcernStatus
    owner: LeadershipTeamRef
    due_on: date | None
    note: str
    actor: PersonName | None = Field(description="The leader who acted; null for automatic steps.")
    on: date


class ReplyOut(Schema):
    from_raiser: bool
    author: PersonName | None = Field(description="Null for the raiser of an anonymous concern.")
    body: str
    on: date


class ConcernDetail(Schema):
    # Read from `selectors.ConcernPage`.
    id: int = Field(alias="concern.id")
    title: str = Field(alias="concern.title")
    body: str = Field(alias="concern.body")
    level: ConcernLevel = Field(alias="concern.level")
    team: str | None
    organisation: str | None
    status: ConcernStatus = Field(alias="concern.status")
    owner: LeadershipTeamRef = Field(alias="concern.owner")
    anonymous: bool = Field(alias="concern.is_anonymous")
    raised_by: PersonName | None
    raised_on: date = Field(alias="concern.raised_on")
    due_on: date | None = Field(alias="concern.due_on")
    action: str = Field(alias="concern.action")
    action_due_on: date | None = Field(alias="concern.action_due_on")
    outcome: str = Field(alias="concern.outcome", description="What we did, or the reason.")
    closed_on: date | None = Field(alias="concern.closed_on")
    on_board: bool = Field(alias="concern.on_board")
    version: int = Field(alias="concern.version", description="Send it back to act on it.")
    events: list[ConcernEventOut]
    replies: list[ReplyOut]

    @staticmethod
    def resolve_team(page: ConcernPage) -> str | None:
        return page.concern.team.name if page.concern.team else None

    @staticmethod
    def resolve_organisation(page: ConcernPage) -> str | None:
        return page.concern.organisation.name if page.concern.organisation else None

    @staticmethod
    def resolve_raised_by(page: ConcernPage) -> Any:
        return None if page.concern.is_anonymous else page.concern.raised_by


class RaisedOut(Schema):
    concern: ConcernDetail
    receipt_token: str = Field(
        description="Keep it: it is the only way to follow an anonymous concern, and it cannot "
        "be shown again."
    )
    receipt_url: str


class BoardItem(Schema):
    id: int
    title: str = Field(description="You said.")
    status: ConcernStatus
    outcome: str = Field(description="We did — or why not.")
    level: ConcernLevel
    team: str | None = Field(alias="team__name")
    organisation: str | None = Field(alias="organisation__name")
    raised_on: date
    closed_on: date | None
