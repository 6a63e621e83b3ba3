"""Shapes of the learning API: events, learning responses and what they record, safety actions.

Texts are bounded as the models bound them, so the document says how long each may be. Who owns
an action and when it is due may be left out or null in a body: the service then says, in its
own words and by field, what is missing ("Choose who owns the action"). Nothing here grades a
person or names anyone as at fault (see `roundtable.learning.models`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Field, Schema
from pydantic import AwareDatetime

from roundtable.care.schemas import PersonInCareRef
from roundtable.core.schemas import Id, Version
from roundtable.directory.schemas import OrganisationRef, TeamRef
from roundtable.forums.schemas import PersonName
from roundtable.learning.models import (
    LONG_TEXT,
    QUESTIONS,
    ActionStatus,
    EventKind,
    ResponseKind,
    ResponseStatus,
    TookPart,
    WorkSystem,
)
from roundtable.learning.selectors import EventPage, ResponsePage

_ID = "The id of {}, as returned by {}."
_VERSION = "The `version` you read. If someone has saved since, the answer is 409."
_SHORT = 200  # a title, a place, a description of who took part
_STATEMENT = 2_000  # a learning statement, a safety action
_ANSWER = "Your answer; left out or null keeps what is stored."
_OWNER = "Who sees it through (required). The id of a person, as returned by /directory/people."

# ---------------------------------------------------------------------------------------------
# Query parameters
# ---------------------------------------------------------------------------------------------


class LearningListQuery(Schema):
    team: Id | None = Field(None, description="Only those of this team.")


# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------


class LearningEventIn(Schema):
    team: Id = Field(description="Your team, or one you lead. " + _ID.format("a team", "/me"))
    kind: EventKind
    title: str = Field(min_length=1, max_length=_SHORT, description="A short title.")
    what_happened: str = Field(
        min_length=1, max_length=LONG_TEXT, description="The minimum facts, in plain words."
    )
    happened_on: date = Field(description="Not in the future.")
    place: str = Field("", max_length=_SHORT, description="Where it happened, if it matters.")
    person: Id | None = Field(
        None,
        description="The person in care it is about, if anyone: someone you may see. "
        + _ID.format("a person in care", "/care/people"),
    )
    episode: Id | None = Field(
        None,
        description="Their time with a team it happened in, if any (names the person too). "
        + _ID.format("an episode", "/care/people/{id}"),
    )


class LearningEventSummary(Schema):
    id: int
    team: TeamRef
    kind: EventKind
    title: str
    happened_on: date
    place: str
    version: int


class LearningEventOut(Schema):
    # Read from `selectors.EventPage`.
    id: int = Field(alias="event.id")
    team: TeamRef = Field(alias="event.team")
    kind: EventKind = Field(alias="event.kind")
    title: str = Field(alias="event.title")
    what_happened: str = Field(alias="event.what_happened")
    happened_on: date = Field(alias="event.happened_on")
    place: str = Field(alias="event.place")
    person: PersonInCareRef | None = Field(
        alias="event.person", description="The person in care it is about; null for no one."
    )
    episode: int | None = Field(alias="event.episode_id")
    recorded_by: PersonName = Field(alias="event.recorded_by")
    version: int = Field(alias="event.version")
    responses: list[int] = Field(
        description="The learning responses to it that you may see, by id (`/learning/responses`)."
    )

    @staticmethod
    def resolve_responses(page: EventPage) -> list[int]:
        return [response.pk for response in page.responses]


# ---------------------------------------------------------------------------------------------
# Learning responses
# ---------------------------------------------------------------------------------------------


class LearningResponseIn(Schema):
    kind: ResponseKind = Field(
        description="A SWARM huddle, After Action Review or MDT review learns from one event; a "
        "thematic review from two or more, of teams you lead."
    )
    events: list[Id] = Field(description=_ID.format("each event", "/learning/events"))
    held_on: date | None = Field(None, description="Today unless given.")
    team: Id | None = Field(
        None,
        description="For a thematic review: the team, of those its events happened in, that "
        "holds it. Other responses are held by their event's team.",
    )


class LearningAnswersIn(Schema):
    """Only what you send changes: an answer or date left out (or null) keeps what is stored.
    The questions a response's kind asks are in its `questions`."""

    held_on: date | None = Field(None, description="When it was held; left out keeps it.")
    what_happened: str | None = Field(None, max_length=LONG_TEXT, description=_ANSWER)
    what_was_expected: str | None = Field(None, max_length=LONG_TEXT, description=_ANSWER)
    why_different: str | None = Field(None, max_length=LONG_TEXT, description=_ANSWER)
    what_now: str | None = Field(None, max_length=LONG_TEXT, description=_ANSWER)
    what_we_learn: str | None = Field(None, max_length=LONG_TEXT, description=_ANSWER)
    version: Version = Field(description=_VERSION)


class LearningVersionIn(Schema):
    version: Version = Field(description=_VERSION)


class LearningResponseSummary(Schema):
    id: int
    kind: ResponseKind
    team: TeamRef
    held_on: date
    status: ResponseStatus
    event_count: int = Field(description="How many events it learns from.")
    open_actions: int = Field(description="Its safety actions not yet done.")
    version: int


class LearningEventRef(Schema):
    id: int
    title: str
    happened_on: date


class LearningQuestionOut(Schema):
    field: str = Field(description="Where its answer is, in `answers` (and in a change).")
    question: str


class LearningAnswersOut(Schema):
    what_happened: str
    what_was_expected: str
    why_different: str
    what_now: str
    what_we_learn: str


class ContributoryFactorIn(Schema):
    element: WorkSystem = Field(description="The part of the work system (SEIPS).")
    note: str = Field(
        min_length=1, max_length=LONG_TEXT, description="What made a difference, in plain words."
    )


class ContributoryFactorOut(Schema):
    id: int
    element: WorkSystem
    note: str


class LearningParticipantIn(Schema):
    took_part_as: TookPart
    person: Id | None = Field(
        None,
        description="A colleague in Roundtable (staff or partner). "
        + _ID.format("a person", "/directory/people"),
    )
    described_as: str = Field(
        "",
        max_length=_SHORT,
        description="Anyone else, described rather than named in full (“her sister”): required "
        "for the person or their family.",
    )
    organisation: Id | None = Field(
        None,
        description="Their organisation; for a colleague, theirs unless given. "
        + _ID.format("an organisation", "/directory/organisations"),
    )


class LearningParticipantOut(Schema):
    id: int
    took_part_as: TookPart
    person: PersonName | None
    described_as: str
    organisation: OrganisationRef | None
    compassionate_engagement: bool = Field(
        description="The person or their family: engaged with compassionately, not as a colleague."
    )


class LearningStatementIn(Schema):
    text: str = Field(
        min_length=1,
        max_length=_STATEMENT,
        description="What was learned, in a sentence or two others can use.",
    )


class LearningStatementOut(Schema):
    id: int
    text: str


class SafetyActionIn(Schema):
    description: str = Field(min_length=1, max_length=_STATEMENT, description="What will change.")
    owner: Id | None = Field(None, description=_OWNER)
    due_on: date | None = Field(None, description="By when (required): not before it was agreed.")
    statement: Id | None = Field(
        None, description="The learning statement of this response it acts on, if one."
    )


class SafetyActionChangeIn(Schema):
    description: str = Field(min_length=1, max_length=_STATEMENT, description="What will change.")
    owner: Id | None = Field(None, description=_OWNER)
    due_on: date | None = Field(None, description="By when (required).")
    version: Version = Field(description=_VERSION)


class SafetyActionProgressIn(Schema):
    to_status: ActionStatus = Field(description="In progress, or done.")
    evidence: str = Field(
        "", max_length=LONG_TEXT, description="For done: what shows it is done (required)."
    )
    completed_on: date | None = Field(
        None, description="For done: the day it was done, not in the future; today unless given."
    )
    version: Version = Field(description=_VERSION)


class SafetyActionOut(Schema):
    id: int
    response: int = Field(alias="response_id", description="The learning response it came from.")
    team: int = Field(alias="team_id")
    statement: int | None = Field(alias="statement_id")
    description: str
    owner: PersonName
    due_on: date
    status: ActionStatus
    evidence: str
    completed_on: date | None
    version: int


class OverdueActionOut(Schema):
    id: int
    response: int = Field(alias="response_id", description="The learning response it came from.")
    team: TeamRef
    description: str
    owner: PersonName
    due_on: date
    status: ActionStatus
    version: int


class VoiceOut(Schema):
    name: str
    role: str = Field(description="What they do, or the leadership team a leader held it for.")


class DecisionHistoryEntryOut(Schema):
    at: AwareDatetime = Field(description="When it was decided, or the zone changed.")
    what: str = Field(
        description="The kind: a front-door offer, a move on, positive risk-taking, a zone change."
    )
    title: str = Field(description="The decision's title, or the zones it moved between.")
    outcome: str = Field(description="The decision's status, or the reason for a zone change.")
    where: str = Field(description="The forum it was made in, if any.")
    link: str = Field(description="The decision's page (empty for a zone change).")
    took_part: list[VoiceOut] = Field(description="Who took part, or who was in the room.")
    held_by: list[VoiceOut] = Field(description="The leaders who hold the decision.")


class DecisionHistoryOut(Schema):
    person_id: int = Field(description="The person in care an event of the response names.")
    person_name: str
    entries: list[DecisionHistoryEntryOut] = Field(description="Oldest first.")


class LearningResponseOut(Schema):
    # Read from `selectors.ResponsePage`.
    id: int = Field(alias="response.id")
    kind: ResponseKind = Field(alias="response.kind")
    team: TeamRef = Field(alias="response.team")
    held_on: date = Field(alias="response.held_on")
    status: ResponseStatus = Field(alias="response.status")
    started_by: PersonName = Field(alias="response.started_by")
    finished_at: AwareDatetime | None = Field(alias="response.finished_at")
    version: int = Field(alias="response.version", description="Send it back to change it.")
    events: list[LearningEventRef]
    questions: list[LearningQuestionOut] = Field(description="What its kind asks, in order.")
    answers: LearningAnswersOut = Field(alias="response")
    factors: list[ContributoryFactorOut]
    participants: list[LearningParticipantOut]
    statements: list[LearningStatementOut]
    actions: list[SafetyActionOut]
    decision_history: list[DecisionHistoryOut] = Field(
        description="For each person in care the events name: the shared decisions about them "
        "and their zone changes, with who took part and who held each."
    )

    @staticmethod
    def resolve_decision_history(page: ResponsePage) -> list[dict[str, Any]]:
        return [
            {"person_id": person.pk, "person_name": person.name, "entries": entries}
            for person, entries in page.histories
        ]

    @staticmethod
    def resolve_questions(page: ResponsePage) -> list[dict[str, Any]]:
        return [
            {"field": name, "question": question}
            for name, question in QUESTIONS[page.response.kind]
        ]
