"""Shapes of the care API: query parameters and request bodies in, JSON out.

Records are referred to by id (`team`, `key_worker`, `zone`, `meeting`, `forum`, `offer`…), as
returned by the directory, forums and care APIs. Times are ISO 8601 with a UTC offset; days are
whole days. Output schemas read the model instances and records the selectors build, with every
related row already loaded, so serialising never queries.

There are no risk scores or ratings here: a zone says what the team does for the people in it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from django.utils import timezone
from ninja import Field, Schema
from pydantic import model_validator

from roundtable.care.models import (
    CareAction,
    CareDecision,
    Destination,
    Episode,
    OfferKind,
    ReferralSource,
    Stage,
    ZoneColour,
)
from roundtable.care.selectors import BoardCard, Durations, ReadyRow, TeamsFlow
from roundtable.core import dates
from roundtable.core.schemas import WHOLE_NUMBER, Id, Version, not_null
from roundtable.decisions.models import DecisionKind, DecisionStatus
from roundtable.directory.schemas import OrganisationRef, TeamRef
from roundtable.forums.schemas import MeetingRef, PersonName

_ID = "The id of {}, as returned by {}."
_VERSION = "The `version` you read. If someone has saved since, the answer is 409."
_MEETING = "The team's meeting where this happens, if any (such as today's huddle). " + _ID.format(
    "a meeting", "/forums/forums/{id}/meetings"
)

# ---------------------------------------------------------------------------------------------
# Query parameters
# ---------------------------------------------------------------------------------------------


class PeopleInCareQuery(Schema):
    q: str = Field("", max_length=200, description="Part of the person's name or local id.")


class HuddleBoardQuery(Schema):
    meeting: Id | None = Field(
        None,
        description="The team's meeting the board is shown in: who is present comes with it. "
        + _ID.format("a meeting", "/forums/forums/{id}/meetings"),
    )


class OfferQuery(Schema):
    include_inactive: bool = Field(False, description="`true` to list offers no longer made.")


class FlowQuery(Schema):
    team: list[Id] = Field(
        default_factory=list,
        description="Only these teams (repeat the parameter for several); all of your teams "
        "unless given. Only teams you are a member of. " + _ID.format("a team", "/directory/teams"),
    )
    since: date | None = Field(
        None, description="Only episodes referred on or after this day (durations and counts)."
    )
    zone_days: Annotated[int, Field(ge=0, le=366), WHOLE_NUMBER] = Field(
        28, description="How many days of zone mix, up to today; 0 for none."
    )


# ---------------------------------------------------------------------------------------------
# Request bodies
# ---------------------------------------------------------------------------------------------


class ReferralIn(Schema):
    team: Id = Field(
        description="The team referred to: one you are a member of. "
        + _ID.format("a team", "/directory/teams")
    )
    referral_source: ReferralSource = Field(
        description="Where the referral came from. Someone who moved on from the team within "
        "the re-referral window comes straight back in support, whatever is given here."
    )
    key_worker: Id | None = Field(
        None,
        description="Their key worker, if known; someone coming back keeps their previous one "
        "unless given. " + _ID.format("a person", "/directory/people"),
    )
    reason: str = Field("", max_length=5000, description="Why they were referred.")


class PersonIn(Schema):
    local_id: str = Field(
        min_length=1, max_length=40, description="The identifier in the patient record."
    )
    name: str = Field(
        min_length=1, max_length=150, description="Name or initials: no more than is needed."
    )
    nhs_number: str | None = Field(
        None, max_length=20, description="10 digits; spaces and dashes are allowed."
    )
    date_of_birth: date | None = None
    gp_practice: Id | None = Field(
        None, description=_ID.format("a GP practice", "/directory/organisations?kind=gp")
    )
    referral: ReferralIn = Field(
        description="Their first referral. A person is recorded with it: Roundtable holds only "
        "people a team is caring for, and only the caring team may see them."
    )


class ConsentIn(Schema):
    organisation: Id = Field(
        description="The partner organisation the person agreed may see their details. "
        + _ID.format("an organisation", "/directory/organisations")
    )


class StageIn(Schema):
    to_stage: Stage
    reason: str = Field("", max_length=5000)
    destination: Destination | None = Field(None, description="Moving on only: where to.")
    decision: Id | None = Field(
        None,
        description="Moving on only: the agreed move-on decision about this person. "
        + _ID.format("a decision", "/care/episodes/{id}/move-on-decision"),
    )
    version: Version = Field(description=_VERSION)


class ZoneIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    colour: ZoneColour
    meaning: str = Field(
        min_length=1,
        max_length=2000,
        description="What the team does and plans for people in this zone, in plain English: "
        "the team's input, never a prediction about the person.",
    )


class ZoneChanges(Schema):
    """A PATCH body: only the fields sent are changed; `version` is the one that was read."""

    required: ClassVar[tuple[str, ...]] = ("name", "colour", "meaning", "position")

    name: str | None = Field(None, min_length=1, max_length=60, json_schema_extra=not_null)
    colour: ZoneColour | None = Field(None, json_schema_extra=not_null)
    meaning: str | None = Field(None, min_length=1, max_length=2000, json_schema_extra=not_null)
    position: Annotated[int, Field(ge=0, le=1000), WHOLE_NUMBER] | None = Field(
        None, description="Its place on the board.", json_schema_extra=not_null
    )
    version: Version = Field(description=_VERSION)

    @model_validator(mode="after")
    def no_null(self) -> ZoneChanges:
        for name in self.model_fields_set & set(self.required):
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null; leave it out to keep it as it is.")
        return self


class ZoneSetIn(Schema):
    zone: Id = Field(description=_ID.format("one of the team's zones", "/care/teams/{id}/zones"))
    reason: str = Field("", max_length=5000, description="Why, as said at the huddle.")
    meeting: Id | None = Field(None, description=_MEETING)
    version: Version = Field(description="The episode's `version` you read. " + _VERSION)


class HuddleNoteIn(Schema):
    """An SBARD handover note: write at least one part."""

    situation: str = Field("", max_length=5000)
    background: str = Field("", max_length=5000)
    assessment: str = Field("", max_length=5000)
    recommendation: str = Field("", max_length=5000)
    decision: str = Field("", max_length=5000)
    meeting: Id | None = Field(None, description=_MEETING)


class CareActionIn(Schema):
    description: str = Field(min_length=1, max_length=300, description="What will be done.")
    owner: Id = Field(description="Who will do it. " + _ID.format("a person", "/directory/people"))
    due_on: date = Field(description="Today or later.")
    meeting: Id | None = Field(None, description=_MEETING)


class VersionIn(Schema):
    version: Version = Field(description=_VERSION)


class OfferIn(Schema):
    name: str = Field(min_length=1, max_length=150)
    kind: OfferKind
    organisation: Id = Field(
        description="Who provides it. " + _ID.format("an organisation", "/directory/organisations")
    )
    description: str = Field(
        "", max_length=5000, description="What the person can expect, in plain English."
    )


class OfferChanges(Schema):
    """A PATCH body: only the fields sent are changed; `version` is the one that was read."""

    required: ClassVar[tuple[str, ...]] = (
        "name",
        "kind",
        "organisation",
        "description",
        "is_active",
    )

    name: str | None = Field(None, min_length=1, max_length=150, json_schema_extra=not_null)
    kind: OfferKind | None = Field(None, json_schema_extra=not_null)
    organisation: Id | None = Field(None, json_schema_extra=not_null)
    description: str | None = Field(None, max_length=5000, json_schema_extra=not_null)
    is_active: bool | None = Field(
        None, description="`false` to stop offering it.", json_schema_extra=not_null
    )
    version: Version = Field(description=_VERSION)

    @model_validator(mode="after")
    def no_null(self) -> OfferChanges:
        for name in self.model_fields_set & set(self.required):
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null; leave it out to keep it as it is.")
        return self


class OfferDecisionIn(Schema):
    offer: Id = Field(description=_ID.format("an offer", "/care/offers"))
    forum: Id = Field(
        description="The front-door forum that shares the decision; you are a member of it. "
        + _ID.format("a forum", "/forums/forums?kind=front_door")
    )
    meeting: Id | None = Field(
        None,
        description="The forum's meeting where it is decided, if any. "
        + _ID.format("a meeting", "/forums/forums/{id}/meetings"),
    )
    proposal: str = Field(
        "", max_length=20000, description="The proposal; a plain one is written unless given."
    )


class MoveOnDecisionIn(Schema):
    destination: Destination
    forum: Id = Field(
        description="One of the caring team's forums, such as its huddle. "
        + _ID.format("a forum", "/forums/forums")
    )
    proposal: str = Field(
        min_length=1,
        max_length=20000,
        description="What the move on is, and how the person comes back if need be.",
    )
    meeting: Id | None = Field(
        None,
        description="The forum's meeting where it is decided, if any. "
        + _ID.format("a meeting", "/forums/forums/{id}/meetings"),
    )


# ---------------------------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------------------------


class PersonInCareRef(Schema):
    id: int
    local_id: str
    name: str


class ZoneRef(Schema):
    id: int
    name: str
    colour: ZoneColour


class OfferRef(Schema):
    id: int
    name: str


class CareDecisionRef(Schema):
    id: int
    title: str
    kind: DecisionKind
    status: DecisionStatus
    forum: int = Field(alias="forum_id", description="The forum's id.")


_days_since = dates.days_since


# ---------------------------------------------------------------------------------------------
# People and episodes
# ---------------------------------------------------------------------------------------------


class PersonInCareOut(PersonInCareRef):
    nhs_number: str | None
    date_of_birth: date | None
    gp_practice: OrganisationRef | None
    version: int


class EpisodeBrief(Schema):
    """An episode as part of the person's record (the person is the record's)."""

    id: int
    team: TeamRef
    key_worker: PersonName | None
    referral_source: ReferralSource
    stage: Stage
    destination: Destination | None = Field(description="Where they moved on to, once moved on.")
    referred_at: datetime
    stage_since: datetime = Field(description="When they reached their current stage.")
    closed_at: datetime | None
    previous: int | None = Field(
        alias="previous_id", description="The episode they came back from, if they came back."
    )
    came_back: bool = Field(
        description="A return within the re-referral window: straight back to the team, "
        "without starting again."
    )
    offer: OfferRef | None
    zone: ZoneRef | None
    zone_since: datetime | None
    days_to_offer: int | None
    days_ready_to_moved_on: int | None
    version: int = Field(description="Send it back to change the stage or the zone.")

    @staticmethod
    def resolve_destination(obj: Episode) -> str | None:
        return obj.destination or None

    @staticmethod
    def resolve_came_back(obj: Episode) -> bool:
        return obj.previous_id is not None


class EpisodeOut(EpisodeBrief):
    person: PersonInCareRef


class PathwayEventOut(Schema):
    id: int
    episode: int = Field(alias="episode_id")
    from_stage: Stage | None = Field(description="None for the referral itself.")
    to_stage: Stage
    actor: PersonName
    reason: str
    decision: int | None = Field(alias="decision_id", description="The decision that made it.")
    at: datetime

    @staticmethod
    def resolve_from_stage(obj: Any) -> str | None:
        return obj.from_stage or None


class ZoneChangeOut(Schema):
    id: int
    episode: int = Field(alias="episode_id")
    from_zone: ZoneRef | None
    to_zone: ZoneRef
    actor: PersonName
    meeting: MeetingRef | None
    present: list[PersonName] = Field(description="Who was in the room, as the meeting recorded.")
    guests: list[str] = Field(description="Guests present, by name.")
    reason: str
    at: datetime

    @staticmethod
    def resolve_present(obj: Any) -> list[Any]:
        return list(obj.present.all())


class NoteOut(Schema):
    id: int
    episode: int = Field(alias="episode_id")
    author: PersonName
    meeting: int | None = Field(alias="meeting_id")
    situation: str
    background: str
    assessment: str
    recommendation: str
    decision: str
    at: datetime


class ActionOut(Schema):
    id: int
    episode: int = Field(alias="episode_id")
    description: str
    owner: PersonName
    due_on: date
    overdue: bool = Field(description="Not done, and due before today.")
    meeting: int | None = Field(alias="meeting_id")
    done_at: datetime | None
    version: int

    @staticmethod
    def resolve_overdue(obj: CareAction) -> bool:
        return obj.done_at is None and obj.due_on < timezone.localdate()


class CareDecisionOut(Schema):
    decision: CareDecisionRef
    episode: int = Field(alias="episode_id")
    offer: OfferRef | None = Field(description="A front-door offer: what is offered.")
    destination: Destination | None = Field(description="A move on: where to.")
    hold_count: int = Field(description="How many leaders hold it.")

    @staticmethod
    def resolve_destination(obj: CareDecision) -> str | None:
        return obj.destination or None

    @staticmethod
    def resolve_hold_count(obj: CareDecision) -> int:
        return int(getattr(obj, "hold_count", 0))


class ConsentOut(Schema):
    id: int
    person: int = Field(alias="person_id")
    organisation: OrganisationRef
    recorded_by: PersonName
    created_at: datetime
    withdrawn_at: datetime | None


class PersonRecordOut(Schema):
    # Read from `selectors.PersonDetail`: the person's own fields are under `record.person`.

    id: int = Field(alias="record.person.id")
    local_id: str = Field(alias="record.person.local_id")
    name: str = Field(alias="record.person.name")
    nhs_number: str | None = Field(alias="record.person.nhs_number")
    date_of_birth: date | None = Field(alias="record.person.date_of_birth")
    gp_practice: OrganisationRef | None = Field(alias="record.person.gp_practice")
    version: int = Field(alias="record.person.version")
    consents: list[ConsentOut] = Field(description="Newest first; withdrawn ones too.")
    episodes: list[EpisodeBrief] = Field(
        alias="record.episodes", description="The latest referral first."
    )
    events: list[PathwayEventOut] = Field(
        alias="record.events", description="Every change of stage, in order."
    )
    zone_changes: list[ZoneChangeOut] = Field(
        alias="record.zone_changes", description="Latest first."
    )
    notes: list[NoteOut] = Field(alias="record.notes", description="SBARD notes, latest first.")
    actions: list[ActionOut] = Field(
        alias="record.actions", description="Open ones first, by due date."
    )
    decisions: list[CareDecisionOut] = Field(
        alias="record.decisions", description="Shared decisions about them, latest first."
    )


class PersonCreatedOut(Schema):
    person: PersonInCareOut
    episode: EpisodeOut = Field(description="Their first referral.")


# ---------------------------------------------------------------------------------------------
# Zones and the huddle board
# ---------------------------------------------------------------------------------------------


class ZoneOut(ZoneRef):
    team: int = Field(alias="team_id")
    meaning: str = Field(description="What the team does and plans for people in this zone.")
    position: int
    marks_ready: bool = Field(
        description="Putting someone here makes them ready to move on; taking them out takes "
        "them back into support."
    )
    version: int


class MoveOnOut(Schema):
    decision: CareDecisionRef
    destination: Destination
    hold_count: int = Field(description="How many leaders hold it.")
    position_count: int = Field(description="How many positions have been taken on it.")

    @staticmethod
    def resolve_hold_count(obj: CareDecision) -> int:
        return int(getattr(obj, "hold_count", 0))

    @staticmethod
    def resolve_position_count(obj: CareDecision) -> int:
        return int(getattr(obj, "position_count", 0))


class CardOut(Schema):
    episode: int = Field(alias="episode.id")
    version: int = Field(alias="episode.version", description="The episode's, to move zone.")
    person: PersonInCareRef = Field(alias="episode.person")
    key_worker: PersonName | None = Field(alias="episode.key_worker")
    stage: Stage = Field(alias="episode.stage")
    zone: int | None = Field(alias="episode.zone_id")
    zone_since: datetime | None = Field(alias="episode.zone_since")
    days_in_zone: int | None = Field(description="Whole days since they moved to this zone.")
    open_actions: list[ActionOut] = Field(description="By due date.")
    overdue_actions: int = Field(description="How many open actions are past their due date.")
    latest_note: NoteOut | None
    move_on: MoveOnOut | None = Field(description="The latest move-on decision, if any.")

    @staticmethod
    def resolve_days_in_zone(obj: BoardCard) -> int | None:
        return _days_since(obj.episode.zone_since)

    @staticmethod
    def resolve_overdue_actions(obj: BoardCard) -> int:
        return len(obj.overdue_actions)


class ColumnOut(Schema):
    zone: ZoneOut | None = Field(description="None for people in support not yet zoned.")
    cards: list[CardOut] = Field(description="By name.")


class AttendeeOut(Schema):
    person: PersonName | None
    guest_name: str


class BoardOut(Schema):
    team: TeamRef
    meeting: MeetingRef | None
    present: list[AttendeeOut] = Field(description="Who is present at the meeting, if given.")
    count: int = Field(description="How many people are on the board.")
    columns: list[ColumnOut] = Field(
        description="The people not yet zoned first (if any), then each zone in order."
    )


# ---------------------------------------------------------------------------------------------
# Offers and the front door
# ---------------------------------------------------------------------------------------------


class OfferOut(OfferRef):
    kind: OfferKind
    organisation: OrganisationRef
    description: str
    is_active: bool
    version: int


class OpenOfferOut(Schema):
    decision: CareDecisionRef
    offer: OfferRef


class ReferralOut(Schema):
    episode: int = Field(alias="episode.id")
    person: PersonInCareRef = Field(alias="episode.person")
    team: TeamRef = Field(alias="episode.team")
    referral_source: ReferralSource = Field(alias="episode.referral_source")
    referred_at: datetime = Field(alias="episode.referred_at")
    days_waiting: int
    open_offer: OpenOfferOut | None = Field(description="The offer decision open for them.")

    @staticmethod
    def resolve_days_waiting(obj: Any) -> int:
        return _days_since(obj.episode.referred_at) or 0


# ---------------------------------------------------------------------------------------------
# Ready to move on and caseloads
# ---------------------------------------------------------------------------------------------


class ReadyOut(Schema):
    episode: int = Field(alias="episode.id")
    person: PersonInCareRef = Field(alias="episode.person")
    key_worker: PersonName | None = Field(alias="episode.key_worker")
    ready_since: datetime = Field(alias="episode.stage_since")
    days_ready: int
    move_on: MoveOnOut | None = Field(description="The latest move-on decision, if any.")
    shared: bool = Field(description="The move-on decision has been agreed with the team.")
    held: bool = Field(description="A leader holds the move-on decision.")

    @staticmethod
    def resolve_days_ready(obj: ReadyRow) -> int:
        return max(obj.days_ready, 0)


class CaseloadOut(Schema):
    id: int
    person: PersonInCareRef
    team: TeamRef
    stage: Stage
    stage_since: datetime
    zone: ZoneRef | None
    zone_since: datetime | None
    version: int


# ---------------------------------------------------------------------------------------------
# Flow measures
# ---------------------------------------------------------------------------------------------


class DaysCount(Schema):
    days: int
    count: int


class DurationsOut(Schema):
    count: int = Field(description="How many episodes it is measured over.")
    median: float | None = Field(description="The median in days; None with no episodes.")
    histogram: list[DaysCount] = Field(description="How many episodes took each number of days.")

    @staticmethod
    def resolve_histogram(obj: Durations) -> list[dict[str, int]]:
        return [{"days": days, "count": n} for days, n in obj.histogram]


class CaseloadCount(Schema):
    key_worker: str
    count: int


class ZoneMixDay(Schema):
    day: date
    zones: dict[str, int] = Field(description="How many people were in each zone, by name.")


class FlowOut(Schema):
    # Read from `selectors.TeamsFlow`: the measures are under `measures`.

    teams: list[int] = Field(alias="team_ids", description="The teams measured, by id.")
    referral_to_offer: DurationsOut = Field(alias="measures.referral_to_offer")
    ready_to_moved_on: DurationsOut = Field(alias="measures.ready_to_moved_on")
    moved_on: int = Field(alias="measures.moved_on")
    came_back: int = Field(
        alias="measures.came_back", description="Returns within the re-referral window."
    )
    caseload_by_key_worker: list[CaseloadCount] = Field(description="Open episodes, most first.")
    zone_mix: list[ZoneMixDay] = Field(description="At the end of each day, up to today.")

    @staticmethod
    def resolve_caseload_by_key_worker(obj: TeamsFlow) -> list[dict[str, Any]]:
        rows = obj.measures.caseload_by_key_worker
        return [{"key_worker": name, "count": n} for name, n in rows]

    @staticmethod
    def resolve_zone_mix(obj: TeamsFlow) -> list[dict[str, Any]]:
        return [{"day": day, "zones": zones} for day, zones in obj.measures.zone_mix]
