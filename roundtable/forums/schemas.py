"""Shapes of the forums API: query parameters and request bodies in, JSON out.

Records are referred to by id (`home_team`, `site`, `person`, `members`…), as returned by the
directory API and `/forums/sites`. Times are ISO 8601 with a UTC offset: a time without one is
refused, since a meeting's time must not depend on where the server is. Output schemas read the
model instances and page objects the selectors build, with every related row already loaded.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, ClassVar, Literal

from ninja import Field, Schema
from pydantic import WithJsonSchema, field_validator, model_validator

from roundtable.core.schemas import WHOLE_NUMBER, Id, Moment, Version, not_null
from roundtable.directory.models import OrganisationKind
from roundtable.directory.schemas import (
    DisciplineOut,
    LeadershipTeamRef,
    LocalityOut,
    OrganisationRef,
    PersonCard,
    TeamBrief,
    TeamRef,
)
from roundtable.forums.models import Attendance, AttendanceStatus, Forum, ForumKind
from roundtable.forums.selectors import ForumPage, MeetingPage, SystemPresence

_ID = "The id of {}, as returned by {}."
Weekday = Annotated[int, Field(ge=0, le=6), WHOLE_NUMBER]
# A time of day on the wall clock, without an offset (JSON Schema's `time` format has one).
LOCAL_TIME = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"}
_VERSION = "The `version` you read. If someone has saved since, the answer is 409."

# ---------------------------------------------------------------------------------------------
# Query parameters
# ---------------------------------------------------------------------------------------------


class ForumQuery(Schema):
    kind: ForumKind | None = Field(
        None, description="Only forums of this kind; leave it out for any kind."
    )
    mine: bool = Field(False, description="Only forums you are a member of.")


class MeetingQuery(Schema):
    starts_from: Moment | None = Field(
        None,
        alias="from",
        description="Only meetings still going on or after this time (ISO 8601 with an offset).",
    )
    until: Moment | None = Field(
        None, alias="to", description="Only meetings starting before this time."
    )


# ---------------------------------------------------------------------------------------------
# Request bodies
# ---------------------------------------------------------------------------------------------


class _Changes(Schema):
    """A PATCH body: only the fields sent are changed; `version` is the one that was read.

    Sending `null` clears a field that may be empty (listed in `clearable`); for any other
    field it is refused rather than ignored.
    """

    clearable: ClassVar[frozenset[str]] = frozenset()

    version: Version = Field(description=_VERSION)

    @model_validator(mode="after")
    def no_null_for_required_fields(self) -> _Changes:
        for name in self.model_fields_set:
            if getattr(self, name) is None and name not in self.clearable:
                raise ValueError(f"{name} cannot be null; leave it out to keep it as it is.")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields sent, other than `version`."""
        return {name: getattr(self, name) for name in self.model_fields_set - {"version"}}


class _RepresentationIn(Schema):
    min_disciplines: Annotated[int, Field(ge=0, le=13), WHOLE_NUMBER] = Field(
        0, description="A decision here needs at least this many disciplines."
    )
    required_organisation_kinds: list[OrganisationKind] = Field(
        default_factory=list,
        description="A decision here needs someone from an organisation of each of these kinds.",
    )
    lived_experience_required: bool = Field(
        False, description="A decision here needs a lived-experience voice."
    )


class ForumIn(_RepresentationIn):
    name: str = Field(min_length=1, max_length=200)
    kind: ForumKind
    purpose: str = Field("", max_length=5000)
    home_team: Id | None = Field(
        None,
        description="The team whose forum this is. " + _ID.format("a team", "/directory/teams"),
    )
    members: list[Id] = Field(
        default_factory=list,
        max_length=500,
        description="People to add, from any organisation; you join it too. "
        + _ID.format("a person", "/directory/people"),
    )


class ForumChanges(_Changes):
    clearable = frozenset({"home_team"})

    name: str | None = Field(None, min_length=1, max_length=200, json_schema_extra=not_null)
    kind: ForumKind | None = Field(None, json_schema_extra=not_null)
    purpose: str | None = Field(None, max_length=5000, json_schema_extra=not_null)
    home_team: Id | None = Field(None, description="`null` for none.")
    min_disciplines: Annotated[int, Field(ge=0, le=13), WHOLE_NUMBER] | None = Field(
        None, json_schema_extra=not_null
    )
    required_organisation_kinds: list[OrganisationKind] | None = Field(
        None, json_schema_extra=not_null
    )
    lived_experience_required: bool | None = Field(None, json_schema_extra=not_null)


class MemberIn(Schema):
    person: Id = Field(description=_ID.format("a person", "/directory/people"))
    takes_turn_facilitating: bool = Field(
        True, description="Whether they take a turn when the facilitator rotates."
    )


class MeetingIn(Schema):
    starts_at: Moment = Field(description="ISO 8601 with an offset.")
    ends_at: Moment = Field(description="ISO 8601 with an offset; after `starts_at`.")
    site: Id | None = Field(
        None, description="Where it meets. " + _ID.format("a site", "/forums/sites")
    )
    online_url: str = Field("", max_length=200, description="The link to join online.")
    agenda: str = Field("", max_length=20000)
    confirm_past: bool = Field(
        False,
        description="`true` to record a meeting that has already happened. A start that has "
        "passed is refused (422) without it, in case the date is a slip.",
    )


class MeetingChanges(_Changes):
    clearable = frozenset({"site"})

    starts_at: Moment | None = Field(None, json_schema_extra=not_null)
    ends_at: Moment | None = Field(None, json_schema_extra=not_null)
    site: Id | None = Field(None, description="`null` for none.")
    online_url: str | None = Field(None, max_length=200, json_schema_extra=not_null)
    agenda: str | None = Field(None, max_length=20000, json_schema_extra=not_null)
    minutes: str | None = Field(None, max_length=100000, json_schema_extra=not_null)
    confirm_past: bool = Field(
        False,
        description="`true` to move the start to a time that has already passed (recording a "
        "meeting that happened then); refused (422) without it.",
    )

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in super().changes().items() if k != "confirm_past"}


class SeriesIn(Schema):
    weekdays: list[Weekday] = Field(
        min_length=1, max_length=7, description="Days of the week, 0 = Monday … 6 = Sunday."
    )
    start_time: Annotated[time, WithJsonSchema(LOCAL_TIME)] = Field(
        description="The local (Europe/London) time it starts: `HH:MM`."
    )
    duration_minutes: Annotated[int, Field(ge=5, le=24 * 60), WHOLE_NUMBER]
    starts_on: date = Field(
        description="The first day it may happen: up to a year ago (its meetings are made from "
        "then), or later."
    )
    ends_on: date | None = Field(None, description="The last day it may happen; none if open.")
    interval_weeks: Annotated[int, Field(ge=1, le=8), WHOLE_NUMBER] = Field(
        1, description="1 weekly, 2 fortnightly, and so on."
    )
    site: Id | None = Field(None, description=_ID.format("a site", "/forums/sites"))
    online_url: str = Field("", max_length=200)

    @field_validator("start_time")
    @classmethod
    def wall_clock_time(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("give the local time without an offset, such as 09:15")
        return value


class CancelIn(Schema):
    reason: str = Field("", max_length=255)


class AttendanceIn(Schema):
    present: list[Id] = Field(max_length=500, description="Members who were there, by person id.")
    apologies: list[Id] = Field(
        default_factory=list, max_length=500, description="Members who sent apologies."
    )


class GuestIn(Schema):
    person: Id | None = Field(
        None, description="Someone in Roundtable. " + _ID.format("a person", "/directory/people")
    )
    guest_name: str = Field("", max_length=150, description="Or the name of someone who is not.")
    guest_organisation: Id | None = Field(
        None,
        description="Where a named guest is from. "
        + _ID.format("an organisation", "/directory/organisations"),
    )
    guest_organisation_kind: OrganisationKind | None = Field(
        None,
        description="For a named guest whose organisation is not in Roundtable, its kind "
        "(`lived_experience` for a lived-experience representative). Not with "
        "`guest_organisation`, which says its own kind.",
    )
    guest_discipline: str | None = Field(
        None,
        max_length=50,
        pattern=r"^[-a-z0-9_]+$",
        description="A named guest's discipline, if they have one: its slug, as returned by "
        "/directory/disciplines (e.g. `peer-support`).",
    )
    guest_role: str = Field(
        "", max_length=150, description="A named guest's role, e.g. `Peer support worker`."
    )
    status: AttendanceStatus = AttendanceStatus.PRESENT


class VisitIn(Schema):
    site: Id = Field(description=_ID.format("a site", "/forums/sites"))


# ---------------------------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------------------------


class ForumRef(Schema):
    id: int
    name: str
    kind: ForumKind


class SiteRef(Schema):
    id: int
    name: str


class PersonName(Schema):
    id: int
    full_name: str


class SiteOut(SiteRef):
    address: str
    locality: LocalityOut | None
    organisation: OrganisationRef | None
    teams: list[TeamRef] = Field(description="The teams based there.")
    is_own: bool = Field(description="Whether a team you belong to or lead is based there.")

    @staticmethod
    def resolve_teams(obj: Any) -> list[Any]:
        return list(obj.teams.all())


# ---------------------------------------------------------------------------------------------
# Forums
# ---------------------------------------------------------------------------------------------


class ForumRepresentationOut(Schema):
    """Whose voices a decision in the forum needs."""

    min_disciplines: int
    required_organisation_kinds: list[OrganisationKind]
    lived_experience_required: bool


class ForumSummary(ForumRef):
    purpose: str
    home_team: TeamRef | None
    representation: ForumRepresentationOut
    member_count: int

    @staticmethod
    def resolve_representation(obj: Forum) -> Forum:
        return obj


class MeetingRef(Schema):
    id: int
    starts_at: datetime


class ForumMemberOut(Schema):
    id: int = Field(description="The membership's id, to remove it.")
    person: PersonCard
    takes_turn_facilitating: bool


class MeetingSummary(Schema):
    """A meeting in its forum's list: the forum is the one asked about."""

    id: int
    series: int | None = Field(alias="series_id", description="The series it belongs to, if any.")
    starts_at: datetime
    ends_at: datetime
    site: SiteRef | None
    online_url: str
    agenda: str
    facilitator: PersonName | None
    is_cancelled: bool
    cancelled_at: datetime | None
    cancel_reason: str
    version: int


class ForumDetail(Schema):
    # Read from `selectors.ForumPage`: the forum's own fields are under `forum`.

    id: int = Field(alias="forum.id")
    name: str = Field(alias="forum.name")
    kind: ForumKind = Field(alias="forum.kind")
    purpose: str = Field(alias="forum.purpose")
    home_team: TeamRef | None = Field(alias="forum.home_team")
    representation: ForumRepresentationOut
    version: int = Field(alias="forum.version", description="Send it back to change the forum.")
    is_member: bool = Field(description="Whether you are a member.")
    members: list[ForumMemberOut] = Field(description="By name, each with where they are from.")
    next_facilitator: PersonName | None = Field(
        description="Who facilitates next: the facilitator of the forum's next meeting, or, "
        "while it has nobody (or none is scheduled), whose turn it is. Anyone in the forum may "
        "take a meeting on."
    )
    upcoming: list[MeetingSummary] = Field(description="The next ten meetings.")
    recent: list[MeetingSummary] = Field(description="The last ten meetings, latest first.")

    @staticmethod
    def resolve_representation(obj: ForumPage) -> Forum:
        return obj.forum


# ---------------------------------------------------------------------------------------------
# Meetings and attendance
# ---------------------------------------------------------------------------------------------


class AttendanceOut(Schema):
    id: int
    person: PersonCard | None = Field(description="Someone in Roundtable, or none for a name.")
    guest_name: str
    guest_organisation: OrganisationRef | None
    guest_organisation_kind: OrganisationKind | None = Field(
        description="A named guest's kind of organisation: their organisation's, or the kind "
        "recorded when it is not in Roundtable. For someone in Roundtable, see `person`."
    )
    guest_discipline: DisciplineOut | None
    guest_role: str
    is_guest: bool = Field(description="Not a member of the forum.")
    status: AttendanceStatus

    @staticmethod
    def resolve_guest_organisation_kind(obj: Attendance) -> str | None:
        return None if obj.person_id is not None else (obj.organisation_kind or None)


class MeetingDetail(Schema):
    # Read from `selectors.MeetingPage`: the meeting's own fields are under `meeting`.

    id: int = Field(alias="meeting.id")
    forum: ForumRef = Field(alias="meeting.forum")
    series: int | None = Field(alias="meeting.series_id")
    starts_at: datetime = Field(alias="meeting.starts_at")
    ends_at: datetime = Field(alias="meeting.ends_at")
    site: SiteRef | None = Field(alias="meeting.site")
    online_url: str = Field(alias="meeting.online_url")
    agenda: str = Field(alias="meeting.agenda")
    minutes: str = Field(alias="meeting.minutes")
    facilitator: PersonName | None = Field(alias="meeting.facilitator")
    is_cancelled: bool = Field(alias="meeting.is_cancelled")
    cancelled_at: datetime | None = Field(alias="meeting.cancelled_at")
    cancel_reason: str = Field(alias="meeting.cancel_reason")
    version: int = Field(alias="meeting.version", description="Send it back to change it.")
    attendance: list[AttendanceOut] = Field(
        description="Members first, by name, then guests; each present or sending apologies."
    )
    present_count: int

    @staticmethod
    def resolve_attendance(obj: MeetingPage) -> list[Attendance]:
        return obj.attendances


class SeriesOut(Schema):
    id: int
    forum: ForumRef
    weekdays: list[Weekday]
    interval_weeks: int
    start_time: Annotated[time, WithJsonSchema(LOCAL_TIME)] = Field(
        description="Local (Europe/London) time."
    )
    duration_minutes: int
    starts_on: date
    ends_on: date | None
    site: SiteRef | None
    online_url: str
    generated_until: date | None = Field(description="Meetings exist up to this day so far.")


class SeriesCreated(Schema):
    series: SeriesOut
    meetings_made: int = Field(description="How many meetings were made for the weeks ahead.")


# ---------------------------------------------------------------------------------------------
# Presence
# ---------------------------------------------------------------------------------------------

PresenceStatus = Literal["week", "month", "not_reached"]


class CoverageOut(Schema):
    leadership_team: LeadershipTeamRef
    last_present: date | None = Field(description="When one of its members was last there.")
    days_since: int | None
    within_7: bool = Field(description="A member was there in the last 7 days.")
    within_28: bool = Field(description="A member was there in the last 28 days.")


class TeamPresenceOut(Schema):
    team: TeamBrief
    status: PresenceStatus = Field(
        description="`week`: a leader was there in the last 7 days; `month`: in the last 28; "
        "`not_reached`: not in the last 28 days."
    )
    last_present: date | None
    days_since: int | None
    coverage: list[CoverageOut] = Field(
        description="Each leadership team covering the team: its own, its organisation's, the "
        "system's."
    )


class PresenceCounts(Schema):
    week: int
    month: int
    not_reached: int


class BackgroundOut(Schema):
    discipline: str
    count: int = Field(description="Leaders of this background present in the last 28 days.")


class SystemPresenceOut(Schema):
    today: date
    counts: PresenceCounts = Field(description="How many teams have each status.")
    not_reached: list[TeamRef] = Field(description="Teams no leader has reached in 28 days.")
    teams: list[TeamPresenceOut] = Field(description="Every team, the least visited first.")
    backgrounds: list[BackgroundOut] = Field(
        description="The disciplines of leaders present at a team in the last 28 days."
    )

    @staticmethod
    def resolve_counts(obj: SystemPresence) -> dict[str, int]:
        return {status: obj.count(status) for status in ("week", "month", "not_reached")}

    @staticmethod
    def resolve_not_reached(obj: SystemPresence) -> list[Any]:
        return [presence.team for presence in obj.not_reached]

    @staticmethod
    def resolve_backgrounds(obj: SystemPresence) -> list[dict[str, Any]]:
        return [{"discipline": name, "count": count} for name, count in obj.backgrounds]


class VisitOut(Schema):
    id: int
    site: SiteRef
    on_date: date
    created: bool = Field(description="False if you had already recorded it today.")
