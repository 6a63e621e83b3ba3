"""Shapes of support after an event in the learning API."""

from __future__ import annotations

import enum
from datetime import date

from ninja import Field, Schema
from pydantic import AwareDatetime

from roundtable.core.schemas import Id, Version
from roundtable.forums.schemas import PersonName
from roundtable.learning.models import TakenUp


class SupportAnswer(enum.StrEnum):
    ACCEPTED = TakenUp.ACCEPTED.value
    DECLINED = TakenUp.DECLINED.value


class SupportOfferIn(Schema):
    person: Id | None = Field(
        None,
        description="Who is offered support (required): someone in the event's team. The id of a "
        "person, as returned by /directory/people.",
    )
    what: str = Field(
        max_length=280, description="What support is offered, in a sentence or two (required)."
    )
    session: Id | None = Field(
        None,
        description="A support session of the event's team to point to, going ahead; the id of a "
        "session, as returned by /wellbeing/support-sessions.",
    )


class SupportAnswerIn(Schema):
    taken_up: SupportAnswer = Field(description="Whether you take up the offer.")
    version: Version = Field(description="The `version` you read; a stale one is a 409.")


class SupportSessionRef(Schema):
    id: int
    kind: str
    starts_at: AwareDatetime


class SupportAfterEventOut(Schema):
    id: int
    event: int = Field(alias="event_id", description="The learning event it follows.")
    person: PersonName = Field(alias="offer.person", description="Who it was offered to.")
    offered_by: PersonName = Field(alias="offer.offered_by")
    what: str = Field(alias="offer.what")
    offered_on: date = Field(alias="offer.on", description="The day it was offered.")
    session: SupportSessionRef | None = Field(description="The support session it points to.")
    taken_up: TakenUp = Field(description="Not answered yet, accepted or declined.")
    answered_at: AwareDatetime | None
    version: int = Field(description="Send it back to answer.")
