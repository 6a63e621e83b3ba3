"""Every write to forums, meetings, attendance and presence. Validated, transactional, audited."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core import records
from roundtable.core.concurrency import update_versioned
from roundtable.core.errors import NotAllowed
from roundtable.core.integrity import same_ignoring_case
from roundtable.core.templating import date_format
from roundtable.core.text import visible
from roundtable.directory.models import (
    Discipline,
    LeadershipMembership,
    Organisation,
    OrganisationKind,
    Person,
    Team,
)
from roundtable.forums import selectors
from roundtable.forums.models import (
    Attendance,
    AttendanceStatus,
    CalendarFeed,
    Forum,
    ForumMembership,
    Meeting,
    MeetingSeries,
    PresenceVisit,
    Site,
    local_datetime,
)

FORUM_FIELDS = (
    "name",
    "purpose",
    "kind",
    "home_team",
    "min_disciplines",
    "required_organisation_kinds",
    "lived_experience_required",
)
MEETING_FIELDS = ("starts_at", "ends_at", "site", "online_url", "agenda", "minutes")
# How far ahead recurring meetings exist as rows; `roundtable tick` keeps the horizon moving.
SERIES_HORIZON_DAYS = 84
# How far back a new series may start (its meetings are made from then).
SERIES_PAST_DAYS = 366


def teams_one_may_home(actor: Person) -> QuerySet[Team]:
    """The teams `actor` may home a forum at: those they are a member of or lead."""
    return Team.objects.filter(
        Q(memberships__person=actor) | Q(leadership_teams__members=actor)
    ).distinct()


def _check_home_team(actor: Person, home_team: Team | None) -> None:
    """A forum's home team says whose forum it is (and counts its meetings as leaders' presence
    at that team), so only the team's own members and leaders may claim it."""
    if home_team is not None and not teams_one_may_home(actor).filter(pk=home_team.pk).exists():
        raise ValidationError(
            {"home_team": f"Choose a team you are a member or leader of, not {home_team.name}"}
        )


@transaction.atomic
def forum_create(
    *,
    actor: Person,
    name: str,
    kind: str,
    purpose: str = "",
    home_team: Team | None = None,
    min_disciplines: int = 0,
    required_organisation_kinds: Sequence[str] = (),
    lived_experience_required: bool = False,
    members: Iterable[Person] = (),
) -> Forum:
    """Create a forum. Whoever creates it becomes a member, with any `members` given."""
    _check_home_team(actor, home_team)
    forum = Forum(
        name=visible(name),
        kind=kind,
        purpose=visible(purpose),
        home_team=home_team,
        min_disciplines=min_disciplines,
        required_organisation_kinds=list(required_organisation_kinds),
        lived_experience_required=lived_experience_required,
    )
    # The model's unique check says "There is already a forum with this name" (a constraint).
    records.create(forum, actor=actor, summary=f"Forum {forum.name}", unique=True)
    for person in {actor, *members}:
        forum_member_add(actor=actor, forum=forum, person=person)
    return forum


@transaction.atomic
def forum_update(*, actor: Person, forum: Forum, expected_version: int, **values: Any) -> Forum:
    home_team = values.get("home_team")
    if home_team is not None and home_team.pk != forum.home_team_id:
        _check_home_team(actor, home_team)
    return update_versioned(
        forum,
        actor=actor,
        expected_version=expected_version,
        fields=FORUM_FIELDS,
        values=values,
        summary=lambda f: f"Forum {f.name}",
    )


@transaction.atomic
def forum_member_add(
    *, actor: Person, forum: Forum, person: Person, takes_turn_facilitating: bool = True
) -> ForumMembership:

    def check() -> None:
        if ForumMembership.objects.filter(forum=forum, person=person).exists():
            raise ValidationError(f"{person.full_name} is already a member of {forum.name}.")

    return records.create(
        ForumMembership(
            forum=forum, person=person, takes_turn_facilitating=takes_turn_facilitating
        ),
        actor=actor,
        summary=f"{person.full_name} joined forum {forum.name}",
        check=check,
    )


@transaction.atomic
def forum_member_remove(*, actor: Person, membership: ForumMembership) -> None:
    records.delete(
        membership,
        actor=actor,
        summary=f"{membership.person.full_name} left forum {membership.forum.name}",
    )


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("Meeting times must be time-zone aware.")
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The meeting must end after it starts."})
    if ends_at - starts_at > timedelta(hours=24):
        raise ValidationError({"ends_at": "A meeting can last at most 24 hours."})


PAST_START = "past_start"


def starts_in_the_past(starts_at: datetime, *, now: datetime | None = None) -> bool:
    """Whether a meeting starting at `starts_at` has already started: before the current
    minute, so that the huddle starting now (times are given to the minute) is not."""
    now = now or timezone.now()
    return starts_at < now.replace(second=0, microsecond=0)


def _check_past_start(starts_at: datetime, confirm_past: bool | None, now: datetime | None) -> None:
    """A start that has passed is usually a slip of the date; recording a meeting that did
    happen is confirmed. `confirm_past=None` is code that records history on purpose."""
    if confirm_past is False and starts_in_the_past(starts_at, now=now):
        raise ValidationError(
            {
                "confirm_past": ValidationError(
                    f"{past_start_message(starts_at)} Check the date and time, or confirm that "
                    "you are recording a meeting that has already happened.",
                    code=PAST_START,
                )
            }
        )


def past_start_message(starts_at: datetime) -> str:
    return f"The meeting starts in the past ({date_format(starts_at, True)})."


@transaction.atomic
def meeting_create(
    *,
    actor: Person,
    forum: Forum,
    starts_at: datetime,
    ends_at: datetime,
    site: Site | None = None,
    online_url: str = "",
    agenda: str = "",
    confirm_past: bool | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Schedule one meeting; the member in turn is proposed to facilitate it.

    A person scheduling it (the page, the API) says whether they confirm a start that has
    already passed: `confirm_past=False` refuses one, with the field `confirm_past`, and nothing
    is stored. Leaving it `None` records the meeting as given, for code setting up history.
    """
    _check_times(starts_at, ends_at)
    meeting = Meeting(
        forum=forum,
        starts_at=starts_at,
        ends_at=ends_at,
        site=site,
        online_url=online_url,
        agenda=agenda,
    )
    meeting.facilitator = _in_turn(forum)
    # Asked last: what is wrong with the meeting is said before whether it is wanted.
    return records.create(
        meeting,
        actor=actor,
        summary=str(meeting),
        check=lambda: _check_past_start(starts_at, confirm_past, now),
    )


@transaction.atomic
def meeting_update(
    *,
    actor: Person,
    meeting: Meeting,
    expected_version: int,
    confirm_past: bool | None = None,
    **values: Any,
) -> Meeting:
    """Change a meeting. Moving its start to a time that has passed is confirmed as for
    `meeting_create`; a start sent unchanged asks nothing."""
    was = meeting.starts_at

    def clean() -> None:
        _check_times(meeting.starts_at, meeting.ends_at)
        # Unique checks too: a meeting of a series moved onto another's start is refused.
        records.validate(meeting, unique=True)
        if meeting.starts_at != was:
            _check_past_start(meeting.starts_at, confirm_past, None)

    return update_versioned(
        meeting,
        actor=actor,
        expected_version=expected_version,
        fields=MEETING_FIELDS,
        values=values,
        summary=str,
        clean=clean,
    )


@transaction.atomic
def meeting_cancel(*, actor: Person, meeting: Meeting, reason: str = "") -> Meeting:
    if meeting.is_cancelled:
        raise ValidationError("This meeting is already cancelled.")
    meeting.cancelled_at = timezone.now()
    meeting.cancel_reason = visible(reason)[:255]
    records.validate(meeting)
    meeting.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=meeting,
        summary=f"Cancelled {meeting}",
        changes={"cancelled": [False, True]},
    )
    return meeting


def next_facilitator(forum: Forum) -> Person | None:
    """Who facilitates next, as the forum's page shows it: see `selectors.next_facilitator`."""
    return selectors.next_facilitator(forum)


def _in_turn(forum: Forum) -> Person | None:
    """Whom a new meeting proposes to facilitate: the member who facilitated least recently.
    Anyone may still take a meeting on instead (`meeting_facilitate`)."""
    rotation = selectors.facilitator_rotation(forum)
    return rotation[0] if rotation else None


@transaction.atomic
def meeting_facilitate(*, actor: Person, meeting: Meeting) -> Meeting:
    """`actor` takes on facilitating this meeting. Any member of the forum may."""
    if not ForumMembership.objects.filter(forum=meeting.forum_id, person=actor).exists():
        raise NotAllowed("Only members of this forum can facilitate its meetings.")
    if meeting.is_cancelled:
        raise ValidationError("This meeting is cancelled.")
    before = meeting.facilitator_id
    meeting.facilitator = actor
    meeting.save(update_fields=["facilitator", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=meeting,
        summary=f"{actor.full_name} facilitates {meeting}",
        changes={"facilitator": [before, actor.pk]},
    )
    return meeting


@transaction.atomic
def meeting_series_create(
    *,
    actor: Person,
    forum: Forum,
    weekdays: Sequence[int],
    start_time: time,
    duration_minutes: int,
    starts_on: date,
    ends_on: date | None = None,
    interval_weeks: int = 1,
    site: Site | None = None,
    online_url: str = "",
    today: date | None = None,
) -> MeetingSeries:
    """Set up a recurring meeting and generate its occurrences for the weeks ahead."""
    days = sorted(set(weekdays))
    if not days or any(d not in range(7) for d in days):
        raise ValidationError({"weekdays": "Choose at least one day of the week."})
    series = MeetingSeries(
        forum=forum,
        weekdays=days,
        start_time=start_time,
        duration_minutes=duration_minutes,
        starts_on=starts_on,
        ends_on=ends_on,
        interval_weeks=interval_weeks,
        site=site,
        online_url=online_url,
    )
    if not 5 <= duration_minutes <= 24 * 60:
        raise ValidationError({"duration_minutes": "A meeting lasts from 5 minutes to 24 hours."})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": "The last day must be on or after the first day."})
    # Its meetings are made from its first day: a series that already ran may be recorded, for
    # up to a year, but not one that would make a meeting a week since long ago.
    if starts_on < (today or timezone.localdate()) - timedelta(days=SERIES_PAST_DAYS):
        raise ValidationError(
            {"starts_on": "The first day can be at most a year ago. Choose a later day."}
        )
    # `unique=True` asks the model's constraints too: one refuses an interval over 8 weeks.
    records.create(series, actor=actor, summary=str(series), unique=True)
    meeting_series_extend(series=series, today=today)
    return series


@transaction.atomic
def meeting_series_extend(*, series: MeetingSeries, today: date | None = None) -> int:
    """Generate the series' meetings up to the horizon. Returns how many this call made.

    Safe to run again and again: a meeting already made for a start time is never made twice.
    Two calls at once for one series (overlapping ticks) take turns on the series' row, and the
    second starts where the first got to, so it makes none and says 0, not what it meant to make.
    """
    today = today or timezone.localdate()
    series.generated_until = (
        MeetingSeries.objects.select_for_update()
        .values_list("generated_until", flat=True)
        .get(pk=series.pk)
    )
    until = today + timedelta(days=SERIES_HORIZON_DAYS)
    if series.ends_on is not None:
        until = min(until, series.ends_on)
    day = series.starts_on
    if series.generated_until is not None:
        day = max(day, series.generated_until + timedelta(days=1))
    # Facilitation rotates: each meeting is proposed to the next member in turn.
    rotation = selectors.facilitator_rotation(series.forum)
    meetings: list[Meeting] = []
    while day <= until:
        if series.occurs_on(day):
            starts_at = local_datetime(day, series.start_time)
            meetings.append(
                Meeting(
                    forum=series.forum,
                    series=series,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=series.duration_minutes),
                    site=series.site,
                    online_url=series.online_url,
                    facilitator=rotation[len(meetings) % len(rotation)] if rotation else None,
                )
            )
        day += timedelta(days=1)
    if meetings:
        # Made already (by an earlier run before `generated_until` was set): not made or counted
        # again. `ignore_conflicts` stays as the constraint's last word.
        made = set(
            Meeting.objects.filter(
                series=series,
                starts_at__gte=meetings[0].starts_at,
                starts_at__lte=meetings[-1].starts_at,
            ).values_list("starts_at", flat=True)
        )
        meetings = [meeting for meeting in meetings if meeting.starts_at not in made]
        Meeting.objects.bulk_create(meetings, ignore_conflicts=True)
    series.generated_until = max(until, series.generated_until or until)
    series.save(update_fields=["generated_until", "updated_at"])
    return len(meetings)


def meeting_series_extend_all(*, today: date | None = None) -> int:
    """Extend every open-ended or unfinished series; for `roundtable tick`."""
    today = today or timezone.localdate()
    made = 0
    horizon = today + timedelta(days=SERIES_HORIZON_DAYS)
    for series in (
        MeetingSeries.objects.select_related("forum")
        .filter(forum__is_archived=False)
        .exclude(generated_until__gte=horizon)
    ):
        made += meeting_series_extend(series=series, today=today)
    return made


def _check_guest_details(attendance: Attendance) -> None:
    """A named guest's organisation or, when it is not in Roundtable, its kind — not both; none
    of a guest's details for someone in Roundtable, whose profile says them."""
    person, organisation = attendance.person, attendance.guest_organisation
    kind = attendance.guest_organisation_kind
    if person is not None:
        if organisation or kind or attendance.guest_discipline or attendance.guest_role:
            raise ValidationError(
                f"{person.full_name} uses Roundtable: their organisation, discipline and role "
                "come from their profile, so leave the guest's details empty."
            )
        return
    if organisation is not None and kind and kind != organisation.kind:
        raise ValidationError(
            {
                "guest_organisation_kind": (
                    f"Choose their organisation ({organisation.name}) or, if it is not in "
                    f"Roundtable, the kind of organisation ({OrganisationKind(kind).label}) — "
                    "not both."
                )
            }
        )


@transaction.atomic
def attendance_record(
    *,
    actor: Person,
    meeting: Meeting,
    person: Person | None = None,
    guest_name: str = "",
    guest_organisation: Organisation | None = None,
    guest_organisation_kind: str = "",
    guest_discipline: Discipline | None = None,
    guest_role: str = "",
    status: str = AttendanceStatus.PRESENT,
) -> Attendance:
    """Record that someone was at (or sent apologies to) a meeting.

    A person who is not a member of the forum is recorded as a guest. Someone without a
    Roundtable account is recorded by name, as a guest, with their organisation — or, when
    their organisation is not in Roundtable, its kind (a lived-experience network, say) — their
    discipline if they have one, and their role ("Peer support worker"). These count towards a
    forum's representation rule for a decision made at the meeting.
    """
    if meeting.is_cancelled:
        raise ValidationError("This meeting was cancelled, so no attendance can be recorded.")
    guest_name = visible(guest_name)
    if (person is None) == (not guest_name):
        raise ValidationError("Choose a person, or give a guest's name — not both.")
    attendance = Attendance(
        meeting=meeting,
        person=person,
        guest_name=guest_name,
        guest_organisation=guest_organisation,
        guest_organisation_kind=guest_organisation_kind,
        guest_discipline=guest_discipline,
        guest_role=visible(guest_role),
        status=status,
        recorded_by=actor,
    )
    # Its own rules first (a status and a kind of organisation from the list, a name and a role
    # of 150 characters or fewer), then what a guest's details may say.
    records.validate(attendance)
    _check_guest_details(attendance)
    if guest_organisation is not None:
        # The organisation says its kind; only one is stored.
        attendance.guest_organisation_kind = ""
    attendance.is_guest = person is None or not (
        ForumMembership.objects.filter(forum_id=meeting.forum_id, person=person).exists()
    )

    def check() -> None:
        # Someone once per meeting; a named guest once whatever the case of their name. Both
        # are constraints, so a second request at the same moment is refused with these words.
        if person is not None:
            if Attendance.objects.filter(meeting=meeting, person=person).exists():
                raise ValidationError(f"{person.full_name} is already recorded for this meeting.")
        elif Attendance.objects.filter(
            same_ignoring_case("guest_name", guest_name), meeting=meeting, person__isnull=True
        ).exists():
            raise ValidationError(f"{guest_name} is already recorded for this meeting.")

    _lock_attendance(meeting)
    return records.create(
        attendance,
        actor=actor,
        summary=f"{attendance.display_name}: {attendance.get_status_display()} at {meeting}",
        check=check,
    )


def _lock_attendance(meeting: Meeting) -> None:
    """Lock the meeting until the transaction ends, so that the writes to its attendance take
    turns: each reads what the one before it stored."""
    list(Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk"))


@transaction.atomic
def attendance_set(
    *,
    actor: Person,
    meeting: Meeting,
    present: Iterable[Person],
    apologies: Iterable[Person] = (),
) -> list[Attendance]:
    """Record the members' attendance in one go (the few-taps form on a phone).

    Replaces earlier member rows for this meeting; guests already recorded are kept.
    """
    if meeting.is_cancelled:
        raise ValidationError("This meeting was cancelled, so no attendance can be recorded.")
    # The same list sent twice at the same moment (a double tap, a retry) is applied once and
    # then found already applied: both succeed, with one row a person.
    _lock_attendance(meeting)
    present_ids = {p.pk for p in present}
    apology_ids = {p.pk for p in apologies}
    both = present_ids & apology_ids
    if both:
        raise ValidationError("Someone cannot be both present and sending apologies.")
    # Every row for a person, guests included: a guest may have joined the forum since.
    existing = {
        a.person_id: a for a in Attendance.objects.filter(meeting=meeting, person__isnull=False)
    }
    wanted = {pid: AttendanceStatus.PRESENT for pid in present_ids} | {
        pid: AttendanceStatus.APOLOGIES for pid in apology_ids
    }
    member_ids = set(
        ForumMembership.objects.filter(forum_id=meeting.forum_id).values_list(
            "person_id", flat=True
        )
    )
    not_members = set(wanted) - member_ids
    if not_members:
        raise ValidationError("Record people who are not members of this forum as guests.")
    for person_id, old in existing.items():
        # Guests are added and removed one by one on their own form; this form is for members.
        if person_id not in wanted and not old.is_guest:
            old.delete()
    saved = []
    for person_id, status in wanted.items():
        found = existing.get(person_id)
        if found is None:
            row = Attendance.objects.create(
                meeting=meeting, person_id=person_id, status=status, recorded_by=actor
            )
        else:
            row = found
        if row.status != status or row.is_guest:
            row.status = status
            row.is_guest = False
            row.recorded_by = actor
            row.save(update_fields=["status", "is_guest", "recorded_by", "updated_at"])
        saved.append(row)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=meeting,
        summary=f"Attendance at {meeting}",
        changes={"present": sorted(present_ids), "apologies": sorted(apology_ids)},
    )
    return saved


@transaction.atomic
def attendance_remove(*, actor: Person, attendance: Attendance) -> None:
    records.delete(
        attendance,
        actor=actor,
        summary=f"{attendance.display_name} removed from {attendance.meeting}",
    )


@transaction.atomic
def presence_visit_record(
    *, actor: Person, site: Site, on_date: date | None = None
) -> tuple[PresenceVisit, bool]:
    """`actor` is in the building today. Recording it twice in a day changes nothing."""
    day = on_date or timezone.localdate()
    if not LeadershipMembership.objects.filter(person=actor).exists():
        raise NotAllowed(
            "Only members of a leadership team record being in a building: it is how "
            "leaders' presence with teams is seen."
        )
    if day > timezone.localdate():
        raise ValidationError("You can only record being in a building today or earlier.")
    visit, created = PresenceVisit.objects.get_or_create(person=actor, site=site, on_date=day)
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=visit,
            summary=f"{actor.full_name} in {site.name} on {day:%Y-%m-%d}",
        )
    return visit, created


@transaction.atomic
def site_create(
    *,
    actor: Person,
    name: str,
    address: str = "",
    locality: Any = None,
    organisation: Organisation | None = None,
    teams: Iterable[Team] = (),
) -> Site:
    site = Site(name=visible(name), address=address, locality=locality, organisation=organisation)
    records.create(site, actor=actor, summary=f"Site {site.name}", unique=True)
    site.teams.set(list(teams))
    return site


@transaction.atomic
def calendar_feed_get_or_create(*, actor: Person) -> CalendarFeed:
    feed, created = CalendarFeed.objects.get_or_create(person=actor)
    if created:
        audit_record(actor=actor, action=AuditAction.CREATE, obj=feed, summary="Calendar feed")
    return feed


@transaction.atomic
def calendar_feed_reset(*, actor: Person) -> CalendarFeed:
    """A new secret address; the old one stops working at once. Asked for twice at the same
    moment, the second waits for the first and replaces its address in turn."""
    feed, _ = CalendarFeed.objects.select_for_update().get_or_create(person=actor)
    feed.token = CalendarFeed._meta.get_field("token").get_default()
    feed.save(update_fields=["token", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=feed, summary="Calendar feed reset")
    return feed
