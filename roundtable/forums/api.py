"""Forums, meetings, attendance and leadership presence under /api/v1/forums/. Thin.

Reads call the selectors; every write calls one service, which validates, saves in one
transaction and writes the audit trail, so a refused write (422) stores nothing. A forum's
members (or an administrator) change it, its meetings and their attendance; anyone else gets
403. Changing a forum or a meeting names the `version` that was read: if someone has saved
since, the answer is 409 and nothing is overwritten.
"""

# No `from __future__ import annotations` here: ninja reads the endpoints' annotations when they
# are declared, and `paginate` cannot resolve a postponed `Query[...]` from this module.
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import Enum
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status
from ninja.errors import HttpError

from roundtable.core.api import (
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    REFUSED,
    actor,
    all_named,
    given,
    may,
    named,
    paginated,
)
from roundtable.core.schemas import PathId
from roundtable.directory.models import Discipline, Organisation, Person, Team
from roundtable.forums import selectors, services
from roundtable.forums.models import Attendance, Forum, ForumMembership, Meeting, Site
from roundtable.forums.schemas import (
    AttendanceIn,
    AttendanceOut,
    CancelIn,
    ForumChanges,
    ForumDetail,
    ForumIn,
    ForumMemberOut,
    ForumQuery,
    ForumSummary,
    GuestIn,
    MeetingChanges,
    MeetingDetail,
    MeetingIn,
    MeetingQuery,
    MeetingSummary,
    MemberIn,
    SeriesCreated,
    SeriesIn,
    SiteOut,
    SystemPresenceOut,
    TeamPresenceOut,
    VisitIn,
    VisitOut,
)

router = Router(tags=["forums"])

# A write may also be refused: 403 for someone who may not make it, 422 for a request the
# service turns down (with `errors` by field), 409 for a change to a copy that is out of date.

# ---------------------------------------------------------------------------------------------
# Helpers: who is asking, may they, and the records a body refers to by id
# ---------------------------------------------------------------------------------------------


def _may_change(request: HttpRequest, forum: Forum) -> None:
    may(
        request,
        "forums.change_forum",
        forum,
        f"Only members of {forum.name}, or an administrator, can change the forum, "
        "its meetings and their attendance.",
    )


def _people(request: HttpRequest, field: str, ids: Iterable[int]) -> list[Person]:
    """People named by id in a body field, in the order given, read through the access policy."""
    wanted = list(ids)
    return all_named(field, "person", selectors.people_by_id(request.user, wanted), wanted)


def _plain(value: Any) -> Any:
    """Enum members (and lists of them) as the strings the services store."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _site(pk: int | None) -> Site | None:
    return None if pk is None else named("site", "site", selectors.site_get, pk)


def _team(pk: int | None) -> Team | None:
    return None if pk is None else named("home_team", "team", selectors.team_get, pk)


def _organisation(pk: int | None) -> Organisation | None:
    get = selectors.organisation_get
    return None if pk is None else named("guest_organisation", "organisation", get, pk)


@contextmanager
def _past_start_explained(starts_at: datetime | None) -> Iterator[None]:
    """A start in the past that the service refused, with the API's way to confirm it."""
    try:
        yield
    except ValidationError as error:
        if starts_at is None or "confirm_past" not in getattr(error, "error_dict", {}):
            raise
        raise ValidationError(
            {
                "confirm_past": f"{services.past_start_message(starts_at)} If you are recording "
                'a meeting that has already happened, send "confirm_past": true.'
            }
        ) from None


def _discipline(slug: str | None) -> Discipline | None:
    if slug is None:
        return None
    try:
        return selectors.discipline_by_slug(slug)
    except Http404:
        raise ValidationError(
            {"guest_discipline": f"There is no discipline {slug!r}: see /directory/disciplines."}
        ) from None


# ---------------------------------------------------------------------------------------------
# Forums
# ---------------------------------------------------------------------------------------------


@router.get("/forums", response=list[ForumSummary])
@paginated
def forum_list(request: HttpRequest, filters: Query[ForumQuery]) -> QuerySet[Forum]:
    """Forums that are not archived, by name; `mine=true` for only the ones you are in."""
    kind = filters.kind.value if filters.kind else ""
    return selectors.forum_list(actor(request), kind=kind, mine=filters.mine)


@router.post("/forums", response={201: ForumDetail, **FORBIDDEN, **REFUSED})
def forum_create(request: HttpRequest, payload: ForumIn) -> Status[selectors.ForumPage]:
    """Set up a forum. You become a member, with the people in `members`, from any organisation."""
    me = actor(request)
    forum = services.forum_create(
        actor=me,
        kind=payload.kind.value,
        home_team=_team(payload.home_team),
        required_organisation_kinds=_plain(payload.required_organisation_kinds),
        **given(payload, "name", "purpose", "min_disciplines", "lived_experience_required"),
        members=_people(request, "members", payload.members),
    )
    return Status(201, selectors.forum_detail(me, forum.pk))


@router.get("/forums/{forum_id}", response={200: ForumDetail, **NOT_FOUND})
def forum_detail(request: HttpRequest, forum_id: PathId) -> selectors.ForumPage:
    """A forum with its members, who facilitates next, and its meetings."""
    return selectors.forum_detail(request.user, forum_id)


@router.patch(
    "/forums/{forum_id}",
    response={200: ForumDetail, **NOT_FOUND, **FORBIDDEN, **CONFLICT, **REFUSED},
)
def forum_update(
    request: HttpRequest, forum_id: PathId, payload: ForumChanges
) -> selectors.ForumPage:
    """Change a forum's name, purpose, kind, home team or representation rule."""
    forum = selectors.forum_get(forum_id)
    _may_change(request, forum)
    values = {name: _plain(value) for name, value in payload.changes().items()}
    if "home_team" in values:
        values["home_team"] = _team(values["home_team"])
    services.forum_update(
        actor=actor(request), forum=forum, expected_version=payload.version, **values
    )
    return selectors.forum_detail(request.user, forum_id)


@router.post(
    "/forums/{forum_id}/members",
    response={201: ForumMemberOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def forum_member_add(
    request: HttpRequest, forum_id: PathId, payload: MemberIn
) -> Status[ForumMembership]:
    """Add someone, from any organisation, to the forum."""
    forum = selectors.forum_get(forum_id)
    _may_change(request, forum)
    [person] = _people(request, "person", [payload.person])
    membership = services.forum_member_add(
        actor=actor(request),
        forum=forum,
        person=person,
        takes_turn_facilitating=payload.takes_turn_facilitating,
    )
    return Status(201, membership)


@router.delete(
    "/forums/{forum_id}/members/{membership_id}",
    response={204: None, **NOT_FOUND, **FORBIDDEN},
)
def forum_member_remove(
    request: HttpRequest, forum_id: PathId, membership_id: PathId
) -> Status[None]:
    """Take someone out of the forum, by the membership's `id` from the forum's `members`."""
    forum = selectors.forum_get(forum_id)
    _may_change(request, forum)
    membership = selectors.forum_membership_get(forum, membership_id)
    services.forum_member_remove(actor=actor(request), membership=membership)
    return Status(204, None)


# ---------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------


@router.get("/forums/{forum_id}/meetings", response={200: list[MeetingSummary], **NOT_FOUND})
@paginated
def meeting_list(
    request: HttpRequest, forum_id: PathId, filters: Query[MeetingQuery]
) -> QuerySet[Meeting]:
    """The forum's meetings, cancelled ones included, earliest first."""
    forum = selectors.forum_get(forum_id)
    return selectors.forum_meetings(forum, start=filters.starts_from, end=filters.until)


@router.post(
    "/forums/{forum_id}/meetings",
    response={201: MeetingDetail, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def meeting_create(
    request: HttpRequest, forum_id: PathId, payload: MeetingIn
) -> Status[selectors.MeetingPage]:
    """Schedule one meeting, at a site or online. The next facilitator in turn is proposed.

    A start that has already passed needs `"confirm_past": true` (recording a meeting that
    happened); without it the answer is 422 and nothing is stored."""
    forum = selectors.forum_get(forum_id)
    _may_change(request, forum)
    with _past_start_explained(payload.starts_at):
        meeting = services.meeting_create(
            actor=actor(request),
            forum=forum,
            site=_site(payload.site),
            **given(payload, "starts_at", "ends_at", "online_url", "agenda", "confirm_past"),
        )
    return Status(201, selectors.meeting_detail(request.user, meeting.pk))


@router.post(
    "/forums/{forum_id}/series",
    response={201: SeriesCreated, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def meeting_series_create(
    request: HttpRequest, forum_id: PathId, payload: SeriesIn
) -> Status[dict[str, Any]]:
    """Set up a recurring meeting, such as a weekday huddle or a weekly MDT.

    Its meetings are made for the next twelve weeks (and kept twelve weeks ahead), each of
    which can then be moved, cancelled or minuted on its own.
    """
    forum = selectors.forum_get(forum_id)
    _may_change(request, forum)
    series = services.meeting_series_create(
        actor=actor(request),
        forum=forum,
        site=_site(payload.site),
        **given(
            payload,
            "weekdays",
            "start_time",
            "duration_minutes",
            "starts_on",
            "ends_on",
            "interval_weeks",
            "online_url",
        ),
    )
    made = selectors.series_meeting_count(series)
    return Status(201, {"series": series, "meetings_made": made})


@router.get("/meetings/{meeting_id}", response={200: MeetingDetail, **NOT_FOUND})
def meeting_detail(request: HttpRequest, meeting_id: PathId) -> selectors.MeetingPage:
    """A meeting with its agenda, minutes and attendance."""
    return selectors.meeting_detail(request.user, meeting_id)


@router.patch(
    "/meetings/{meeting_id}",
    response={200: MeetingDetail, **NOT_FOUND, **FORBIDDEN, **CONFLICT, **REFUSED},
)
def meeting_update(
    request: HttpRequest, meeting_id: PathId, payload: MeetingChanges
) -> selectors.MeetingPage:
    """Change a meeting's times, place, agenda or minutes. Moving its start to a time that
    has already passed needs `"confirm_past": true`."""
    meeting = selectors.meeting_get(meeting_id)
    _may_change(request, meeting.forum)
    values = payload.changes()
    if "site" in values:
        values["site"] = _site(values["site"])
    with _past_start_explained(values.get("starts_at")):
        services.meeting_update(
            actor=actor(request),
            meeting=meeting,
            expected_version=payload.version,
            confirm_past=payload.confirm_past,
            **values,
        )
    return selectors.meeting_detail(request.user, meeting_id)


@router.post(
    "/meetings/{meeting_id}/cancel",
    response={200: MeetingDetail, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def meeting_cancel(
    request: HttpRequest, meeting_id: PathId, payload: CancelIn
) -> selectors.MeetingPage:
    """Cancel a meeting, saying why. Its attendance can no longer be recorded."""
    meeting = selectors.meeting_get(meeting_id)
    _may_change(request, meeting.forum)
    services.meeting_cancel(actor=actor(request), meeting=meeting, reason=payload.reason)
    return selectors.meeting_detail(request.user, meeting_id)


@router.post(
    "/meetings/{meeting_id}/facilitate",
    response={200: MeetingDetail, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def meeting_facilitate(request: HttpRequest, meeting_id: PathId) -> selectors.MeetingPage:
    """Take on facilitating this meeting yourself, whoever's turn it was. Members only."""
    meeting = selectors.meeting_get(meeting_id)
    if not selectors.is_forum_member(actor(request), meeting.forum):
        raise HttpError(403, f"Only members of {meeting.forum.name} can facilitate its meetings.")
    services.meeting_facilitate(actor=actor(request), meeting=meeting)
    return selectors.meeting_detail(request.user, meeting_id)


# ---------------------------------------------------------------------------------------------
# Attendance
# ---------------------------------------------------------------------------------------------


@router.put(
    "/meetings/{meeting_id}/attendance",
    response={200: MeetingDetail, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def attendance_set(
    request: HttpRequest, meeting_id: PathId, payload: AttendanceIn
) -> selectors.MeetingPage:
    """Record the members who were there and those who sent apologies, in one go.

    Replaces the members' attendance recorded before; guests are kept. Record anyone who is
    not a member of the forum as a guest.
    """
    meeting = selectors.meeting_get(meeting_id)
    _may_change(request, meeting.forum)
    services.attendance_set(
        actor=actor(request),
        meeting=meeting,
        present=_people(request, "present", payload.present),
        apologies=_people(request, "apologies", payload.apologies),
    )
    return selectors.meeting_detail(request.user, meeting_id)


@router.post(
    "/meetings/{meeting_id}/guests",
    response={201: AttendanceOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def attendance_add(
    request: HttpRequest, meeting_id: PathId, payload: GuestIn
) -> Status[Attendance]:
    """Record someone at the meeting: `person` for someone in Roundtable, from any
    organisation, or `guest_name` for someone who is not, with their `guest_organisation` (or,
    when it is not in Roundtable, its `guest_organisation_kind`), `guest_discipline` and
    `guest_role`. A named guest present counts towards the forum's representation rule for a
    decision made at the meeting."""
    meeting = selectors.meeting_get(meeting_id)
    _may_change(request, meeting.forum)
    person = None
    if payload.person is not None:
        [person] = _people(request, "person", [payload.person])
    attendance = services.attendance_record(
        actor=actor(request),
        meeting=meeting,
        person=person,
        guest_organisation=_organisation(payload.guest_organisation),
        guest_organisation_kind=_plain(payload.guest_organisation_kind) or "",
        guest_discipline=_discipline(payload.guest_discipline),
        status=payload.status.value,
        **given(payload, "guest_name", "guest_role"),
    )
    return Status(201, attendance)


@router.delete(
    "/meetings/{meeting_id}/attendance/{attendance_id}",
    response={204: None, **NOT_FOUND, **FORBIDDEN},
)
def attendance_remove(
    request: HttpRequest, meeting_id: PathId, attendance_id: PathId
) -> Status[None]:
    """Remove one attendance record, by its `id` from the meeting's `attendance`."""
    meeting = selectors.meeting_get(meeting_id)
    _may_change(request, meeting.forum)
    attendance = selectors.attendance_get(meeting, attendance_id)
    services.attendance_remove(actor=actor(request), attendance=attendance)
    return Status(204, None)


# ---------------------------------------------------------------------------------------------
# Presence and sites
# ---------------------------------------------------------------------------------------------


@router.get("/presence", response=SystemPresenceOut)
def presence(request: HttpRequest) -> selectors.SystemPresence:
    """Leadership presence across the system: for each team, when a member of a leadership
    team covering it was last there, the teams no leader has reached in 28 days, and the
    backgrounds of the leaders who have been present.

    A leader is present at a team by attending its forums' meetings or by recording being in a
    building where it is based.
    """
    return selectors.system_presence()


@router.get("/presence/teams/{team_id}", response={200: TeamPresenceOut, **NOT_FOUND})
def team_presence(request: HttpRequest, team_id: PathId) -> selectors.TeamPresence:
    """One team's leadership presence, by each leadership team covering it."""
    return selectors.team_presence(selectors.team_get(team_id))


@router.post("/presence/visits", response={200: VisitOut, 201: VisitOut, **FORBIDDEN, **REFUSED})
def presence_visit_record(request: HttpRequest, payload: VisitIn) -> Status[dict[str, Any]]:
    """You are in the building today: one tap. 201 the first time today, 200 after that."""
    site = named("site", "site", selectors.site_get, payload.site)
    visit, created = services.presence_visit_record(actor=actor(request), site=site)
    body = {"id": visit.pk, "site": site, "on_date": visit.on_date, "created": created}
    return Status(201 if created else 200, body)


@router.get("/sites", response=list[SiteOut])
@paginated
def site_list(request: HttpRequest) -> QuerySet[Site]:
    """Buildings where teams are based: those of your own teams first, then by name."""
    return selectors.site_list(actor(request))
