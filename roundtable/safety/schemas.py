"""Shapes of the safety API: request bodies in, JSON out.

A safety plan has the Stanley-Brown steps and what matters to the person, each in their words;
a formulation has the five Ps and what might happen and what would help. Neither has a score or
a rating of any kind. Saving names the `version` that was read (none for a first plan): if
someone saved since, the answer is 409 with the stored text, so both can be compared.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from roundtable.care.schemas import ZoneRef
from roundtable.core.schemas import WHOLE_NUMBER, Id, Version
from roundtable.decisions.models import DecisionStatus
from roundtable.forums.schemas import ForumRef, PersonName

_VERSION = (
    "The `version` you read; leave it out (or null) for a first plan. If someone has saved "
    "since, the answer is 409 with what they saved."
)
_TEXT = 10_000

# ---------------------------------------------------------------------------------------------
# The plan and the formulation
# ---------------------------------------------------------------------------------------------


class PlanSteps(Schema):
    warning_signs: str = Field(
        "",
        max_length=_TEXT,
        description="Thoughts, feelings or "
        "situations that tell the person a crisis may be starting.",
    )
    things_i_can_do: str = Field("", max_length=_TEXT, description="Things I can do myself.")
    people_and_places: str = Field(
        "", max_length=_TEXT, description="People and places that help take my mind off things."
    )
    people_to_ask: str = Field("", max_length=_TEXT, description="People I can ask for help.")
    professionals: str = Field(
        "", max_length=_TEXT, description="Professionals and services I can contact."
    )
    safer_surroundings: str = Field(
        "", max_length=_TEXT, description="Making my surroundings safer."
    )
    what_matters: str = Field("", max_length=_TEXT, description="What matters to me.")


class PlanIn(PlanSteps):
    written_with: str = Field(
        min_length=1,
        max_length=300,
        description="Who wrote it together: the person, and anyone they chose to involve.",
    )
    review_on: date | None = Field(None, description="Review by this day (today or later).")
    version: Version | None = Field(None, description=_VERSION)


class PlanOut(PlanSteps):
    version: int
    written_by: PersonName
    written_with: str
    review_on: date | None
    updated_at: datetime


class PlanVersionOut(PlanSteps):
    number: int
    written_by: PersonName
    written_with: str
    review_on: date | None
    created_at: datetime


class PlanConflictOut(Schema):
    """A 409: someone saved the plan since the `version` that was sent. Nothing was saved."""

    detail: str
    plan: PlanOut = Field(description="The plan as it is stored now, to compare with yours.")


class FormulationParts(Schema):
    presenting: str = Field("", max_length=_TEXT, description="What is happening now.")
    predisposing: str = Field("", max_length=_TEXT)
    precipitating: str = Field("", max_length=_TEXT)
    perpetuating: str = Field("", max_length=_TEXT)
    protective: str = Field("", max_length=_TEXT)
    what_might_happen: str = Field(
        "", max_length=_TEXT, description="What might happen and what would help."
    )


class FormulationIn(FormulationParts):
    version: Version | None = Field(None, description=_VERSION)


class FormulationOut(FormulationParts):
    version: int
    written_by: PersonName
    updated_at: datetime


class FormulationConflictOut(Schema):
    detail: str
    formulation: FormulationOut


# ---------------------------------------------------------------------------------------------
# Reviews and positive risk-taking
# ---------------------------------------------------------------------------------------------


class SafetyReviewIn(Schema):
    reviewed_on: date | None = Field(None, description="Today unless given; not in the future.")
    note: str = Field("", max_length=5_000)


class ReviewOut(Schema):
    id: int
    reviewed_on: date
    reviewed_by: PersonName
    note: str
    plan_version: int | None = Field(description="The number of the plan version reviewed.")


class PositiveRiskIn(Schema):
    forum: Id = Field(description="One of the caring team's forums, such as its MDT.")
    meeting: Id | None = Field(None, description="Today's meeting of the forum, if shared there.")
    wants_to: str = Field(
        min_length=1, max_length=_TEXT, description="What the person wants to do."
    )
    benefits: str = Field(min_length=1, max_length=_TEXT)
    possible_harms: str = Field(min_length=1, max_length=_TEXT)
    safeguards: str = Field(min_length=1, max_length=_TEXT)
    who_does_what: str = Field(min_length=1, max_length=_TEXT)
    review_on: date = Field(description="When the team reviews it: today or later.")


class PositiveRiskHoldOut(Schema):
    leader: PersonName
    leadership_team: str
    message: str


class PositiveRiskOut(Schema):
    decision: int = Field(description="The Shared decision's id (see /decisions/decisions/{id}).")
    title: str
    status: DecisionStatus
    forum: ForumRef
    wants_to: str
    benefits: str
    possible_harms: str
    safeguards: str
    who_does_what: str
    review_on: date
    holds: list[PositiveRiskHoldOut] = Field(
        description="Leaders who hold it: “I stand behind this with you”."
    )


class SafetyPersonRef(Schema):
    id: int
    name: str


class SafetyRecordOut(Schema):
    person: SafetyPersonRef
    can_write: bool = Field(description="Whether you are in a team caring for the person.")
    plan: PlanOut | None
    last_reviewed_on: date | None
    formulation: FormulationOut | None
    reviews: list[ReviewOut]
    positive_risk_plans: list[PositiveRiskOut]


# ---------------------------------------------------------------------------------------------
# A team's reviews
# ---------------------------------------------------------------------------------------------


class ReviewsDueQuery(Schema):
    key_worker: Id | None = Field(
        None, description="Only this key worker's caseload (a member of the team)."
    )
    within_days: Annotated[int, Field(ge=0, le=366), WHOLE_NUMBER] = Field(
        7, description="Due within this many days."
    )


class ReviewDueOut(Schema):
    person: SafetyPersonRef
    episode: int
    zone: ZoneRef
    key_worker: PersonName | None
    every_days: int
    last_reviewed_on: date | None
    due_on: date
    overdue: bool
    days_overdue: int


class ReviewFrequencyOut(Schema):
    zone: ZoneRef
    every_days: int | None = Field(description="In use now; null: no scheduled review.")
    chosen_days: int | None = Field(description="What the team set; null: the default.")
    default_days: int | None = Field(description="The default for the zone's colour.")


class ReviewFrequencyIn(Schema):
    zone: Id
    every_days: Annotated[int, Field(ge=1, le=366), WHOLE_NUMBER] | None = Field(
        description="From 1 to 366; null for the default of the zone's colour."
    )


class ReviewFrequenciesIn(Schema):
    frequencies: list[ReviewFrequencyIn]
