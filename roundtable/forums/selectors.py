"""Reads for forums, meetings and leadership presence, scoped to the person asking."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.directory.models import (
    Discipline,
    LeadershipLevel,
    LeadershipMembership,
    LeadershipTeam,
    Membership,
    Organisation,
    Person,
    Team,
)
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
)

# Presence older than this (13 weeks) is reported as "not in the last 13 weeks" and not searched
# for: it keeps the system view fast on years of history, and a team unvisited for a quarter
# needs attention whatever the exact date.
PRESENCE_LOOKBACK_DAYS = 91
RECENT_DAYS = 7
MONTH_DAYS = 28


# -- Forums and meetings ------------------------------------------------------------------------


def forum_list(user: Person, *, kind: str = "", mine: bool = False) -> QuerySet[Forum]:
    forums = (
        Forum.objects.filter(is_archived=False)
        .select_related("home_team")
        .annotate(
            member_count=Count(
                "memberships",
                filter=Q(memberships__person__in=access.scoped(user, Person).values("pk")),
                distinct=True,
            )
        )
    )
    if kind:
        forums = forums.filter(kind=kind)
    if mine:
        forums = forums.filter(memberships__person=user)
    return forums.order_by("name", "pk")


def my_forums(user: Person) -> list[Forum]:
    return list(forum_list(user, mine=True))


@dataclass
class ForumPage:
    forum: Forum
    members: list[ForumMembership]
    upcoming: list[Meeting]
    recent: list[Meeting]
    is_member: bool
    next_facilitator: Person | None


def _visible_forum_members(user: Reader) -> QuerySet[ForumMembership]:
    return (
        ForumMembership.objects.filter(person__in=access.scoped(user, Person))
        .select_related("person__discipline", "person__organisation")
        .order_by("person__full_name", "pk")
    )


def forum_detail(user: Reader, forum_id: int, *, now: datetime | None = None) -> ForumPage:
    now = now or timezone.now()
    forum = Forum.objects.select_related("home_team").filter(pk=forum_id).first()
    if forum is None:
        raise Http404("No forum found.")
    members = list(_visible_forum_members(user).filter(forum=forum))
    meetings = Meeting.objects.filter(forum=forum).select_related("site", "facilitator")
    upcoming = list(meetings.filter(ends_at__gte=now).order_by("starts_at", "pk")[:10])
    recent = list(meetings.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:10])
    is_member = any(m.person_id == user.pk for m in members)
    return ForumPage(forum, members, upcoming, recent, is_member, next_facilitator(forum, now=now))


def facilitator_rotation(forum: Forum) -> list[Person]:
    """The members who take turns facilitating, whoever facilitated least recently first.

    Members who have never facilitated come first, in name order; members who opted out of the
    rotation, or whose account is closed, are left out. Meetings already scheduled count as
    turns, so a new meeting goes to someone not already booked. Two queries.
    """
    members = list(
        ForumMembership.objects.filter(
            forum=forum, takes_turn_facilitating=True, person__is_active=True
        )
        .select_related("person")
        .order_by("person__full_name", "pk")
    )
    if not members:
        return []
    last_turn: dict[int, datetime] = dict(
        Meeting.objects.filter(forum=forum, cancelled_at__isnull=True, facilitator__isnull=False)
        .order_by()
        .values("facilitator_id")
        .annotate(last=Max("starts_at"))
        .values_list("facilitator_id", "last")
    )
    never = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    # `sorted` is stable: members with the same last turn (never) stay in name order.
    return [m.person for m in sorted(members, key=lambda m: last_turn.get(m.person_id, never))]


def next_facilitator(forum: Forum, *, now: datetime | None = None) -> Person | None:
    """Who facilitates next — the one rule wherever it is shown.

    The facilitator recorded on the forum's next meeting (not cancelled, not yet started): the
    member proposed in turn when it was scheduled, or whoever took it on. Only when that meeting
    has nobody, or no meeting is scheduled, does the rotation suggest whose turn it is.
    """
    now = now or timezone.now()
    upcoming = (
        Meeting.objects.filter(forum=forum, cancelled_at__isnull=True, starts_at__gte=now)
        .select_related("facilitator")
        .order_by("starts_at", "pk")
        .first()
    )
    if upcoming is not None and upcoming.facilitator is not None:
        return upcoming.facilitator
    rotation = facilitator_rotation(forum)
    return rotation[0] if rotation else None


def forum_get(forum_id: int) -> Forum:
    forum = Forum.objects.filter(pk=forum_id).first()
    if forum is None:
        raise Http404("No forum found.")
    return forum


def is_forum_member(user: Person, forum: Forum) -> bool:
    return ForumMembership.objects.filter(forum=forum, person=user).exists()


def forum_membership_get(forum: Forum, membership_id: int) -> ForumMembership:
    membership = (
        ForumMembership.objects.select_related("person", "forum")
        .filter(forum=forum, pk=membership_id)
        .first()
    )
    if membership is None:
        raise Http404("No such member of this forum.")
    return membership


@dataclass
class MeetingPage:
    meeting: Meeting
    members: list[ForumMembership]
    attendances: list[Attendance]
    present_ids: set[int] = field(default_factory=set)
    apology_ids: set[int] = field(default_factory=set)

    @property
    def guests(self) -> list[Attendance]:
        return [a for a in self.attendances if a.is_guest]

    @property
    def present_count(self) -> int:
        return sum(1 for a in self.attendances if a.status == AttendanceStatus.PRESENT)


def meeting_get(meeting_id: int) -> Meeting:
    meeting = (
        Meeting.objects.select_related("forum", "site", "facilitator", "forum__home_team")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404("No meeting found.")
    return meeting


def meeting_detail(user: Reader, meeting_id: int) -> MeetingPage:
    meeting = meeting_get(meeting_id)
    members = list(_visible_forum_members(user).filter(forum=meeting.forum_id))
    visible = access.scoped(user, Person)
    attendances = list(
        Attendance.objects.filter(meeting=meeting)
        .filter(Q(person__isnull=True) | Q(person__in=visible))
        .select_related(
            "person__organisation", "person__discipline", "guest_organisation", "guest_discipline"
        )
        .order_by("is_guest", "person__full_name", "guest_name", "pk")
    )
    page = MeetingPage(meeting, members, attendances)
    for row in attendances:
        if row.person_id is None:
            continue
        if row.status == AttendanceStatus.PRESENT:
            page.present_ids.add(row.person_id)
        else:
            page.apology_ids.add(row.person_id)
    return page


def attendance_get(meeting: Meeting, attendance_id: int) -> Attendance:
    row = (
        Attendance.objects.select_related("person", "meeting__forum")
        .filter(meeting=meeting, pk=attendance_id)
        .first()
    )
    if row is None:
        raise Http404("No such attendance record.")
    return row


def meetings_today(*, now: datetime | None = None) -> QuerySet[Meeting]:
    """The meetings that start today (the local day, whatever its length) and are not
    cancelled, soonest first: where a decision may be taken, or a huddle recorded, now. Narrow it
    to a forum or a team."""
    today = timezone.localdate(now or timezone.now())
    tz = timezone.get_current_timezone()
    start = datetime.combine(today, time.min, tzinfo=tz)
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=tz)
    return Meeting.objects.filter(
        starts_at__gte=start, starts_at__lt=end, cancelled_at__isnull=True
    ).order_by("starts_at", "pk")


def meetings_between(
    user: Reader, start: datetime, end: datetime, *, forum_ids: Iterable[int] | None = None
) -> QuerySet[Meeting]:
    meetings = Meeting.objects.filter(starts_at__lt=end, ends_at__gt=start)
    if forum_ids is not None:
        meetings = meetings.filter(forum_id__in=list(forum_ids))
    return meetings.select_related("forum", "site", "facilitator").order_by("starts_at", "pk")


def sites() -> list[Site]:
    return list(Site.objects.select_related("locality").order_by("name"))


def _is_own_site(user: Person) -> Exists:
    """Whether a site (`OuterRef("pk")`) is one of the person's own teams' (as member or leader).
    Each way into a team is read from its own index: one join of both read every membership."""
    member = Membership.objects.filter(person=user).values("team_id")
    leader = LeadershipMembership.objects.filter(
        person=user, leadership_team__team__isnull=False
    ).values("leadership_team__team_id")
    return Exists(
        Site.teams.through.objects.filter(
            Q(team_id__in=member) | Q(team_id__in=leader), site_id=OuterRef("pk")
        )
    )


def sites_for(user: Person) -> list[Site]:
    """Sites of the person's own teams (member or leader) first, then all others. One query."""
    own = _is_own_site(user)
    return list(Site.objects.only("id", "name").annotate(own=own).order_by("-own", "name", "pk"))


def calendar_feed_of(user: Person) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(person=user).first()


def calendar_feed_by_token(token: str) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.select_related("person")
        .filter(token=token, person__is_active=True)
        .first()
    )


def calendar_meetings(person: Person, *, now: datetime | None = None) -> list[Meeting]:
    """A person's forums' meetings from 30 days ago to 120 days ahead, and any they attended."""
    now = now or timezone.now()
    start, end = now - timedelta(days=30), now + timedelta(days=120)
    return list(
        Meeting.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .filter(Q(forum__memberships__person=person) | Q(attendances__person=person))
        .select_related("forum", "site")
        .distinct()
        .order_by("starts_at", "pk")
    )


# -- Presence -----------------------------------------------------------------------------------


@dataclass
class Coverage:
    """When a leadership team covering a team was last present at it."""

    leadership_team: LeadershipTeam
    last_present: date | None
    today: date

    @property
    def days_since(self) -> int | None:
        return None if self.last_present is None else (self.today - self.last_present).days

    @property
    def within_7(self) -> bool:
        return self.days_since is not None and self.days_since < RECENT_DAYS

    @property
    def within_28(self) -> bool:
        return self.days_since is not None and self.days_since < MONTH_DAYS


@dataclass
class TeamPresence:
    team: Team
    coverage: list[Coverage]
    today: date

    @property
    def last_present(self) -> date | None:
        dates = [c.last_present for c in self.coverage if c.last_present is not None]
        return max(dates) if dates else None

    @property
    def days_since(self) -> int | None:
        last = self.last_present
        return None if last is None else (self.today - last).days

    @property
    def status(self) -> str:
        """ "week" (a leader within 7 days), "month" (within 28) or "not_reached"."""
        days = self.days_since
        if days is not None and days < RECENT_DAYS:
            return "week"
        if days is not None and days < MONTH_DAYS:
            return "month"
        return "not_reached"


@dataclass
class SystemPresence:
    teams: list[TeamPresence]
    backgrounds: list[tuple[str, int]]
    today: date

    @property
    def not_reached(self) -> list[TeamPresence]:
        return [t for t in self.teams if t.status == "not_reached"]

    def count(self, status: str) -> int:
        return sum(1 for t in self.teams if t.status == status)


def covers(leadership_team: LeadershipTeam, team: Team) -> bool:
    """Whether a leadership team's remit includes a team."""
    level = leadership_team.level
    if level == LeadershipLevel.SYSTEM:
        return True
    if level == LeadershipLevel.ORGANISATION:
        return leadership_team.organisation_id == team.organisation_id
    return leadership_team.team_id == team.pk


@dataclass
class _Leadership:
    """Leadership teams indexed by what they cover, their active members, and backgrounds."""

    teams: dict[int, LeadershipTeam]
    members: dict[int, list[int]]
    backgrounds: dict[int, str]
    system: list[int] = field(default_factory=list)
    by_organisation: dict[int, list[int]] = field(default_factory=dict)
    by_team: dict[int, list[int]] = field(default_factory=dict)

    def covering(self, team: Team) -> list[int]:
        """Leadership teams covering `team`: its own and project ones, its organisation's, the
        system's — in that order, each by name."""
        return [
            *self.by_team.get(team.pk, ()),
            *self.by_organisation.get(team.organisation_id, ()),
            *self.system,
        ]


_LEVEL_ORDER: dict[str, int] = {
    LeadershipLevel.TEAM: 0,
    LeadershipLevel.PROJECT: 1,
    LeadershipLevel.ORGANISATION: 2,
    LeadershipLevel.SYSTEM: 3,
}


def _leadership() -> _Leadership:
    """Two queries, reading plain values where no model object is needed."""
    # Only what the presence views show: these run for hundreds of leadership teams.
    teams = {
        lt.pk: lt
        for lt in LeadershipTeam.objects.only("id", "name", "level", "organisation", "team")
    }
    members: dict[int, list[int]] = {}
    backgrounds: dict[int, str] = {}
    for lt_id, person_id, discipline in LeadershipMembership.objects.filter(
        person__is_active=True
    ).values_list("leadership_team_id", "person_id", "person__discipline__name"):
        members.setdefault(lt_id, []).append(person_id)
        backgrounds[person_id] = discipline or "Not recorded"
    index = _Leadership(teams, members, backgrounds)
    for lt in sorted(teams.values(), key=lambda t: (_LEVEL_ORDER[t.level], t.name, t.pk)):
        if lt.level == LeadershipLevel.SYSTEM:
            index.system.append(lt.pk)
        elif lt.level == LeadershipLevel.ORGANISATION and lt.organisation_id is not None:
            index.by_organisation.setdefault(lt.organisation_id, []).append(lt.pk)
        elif lt.team_id is not None:
            index.by_team.setdefault(lt.team_id, []).append(lt.pk)
    return index


def _last_presence(
    leader_ids: Iterable[int] | QuerySet[Any],
    since: date,
    *,
    team_ids: Iterable[int] | None = None,
) -> dict[int, dict[int, date]]:
    """team id → {person id → the last local date the person was present at the team}.

    Present means: attended (not sent apologies to) a meeting, not cancelled and already
    started, of a forum whose home team it is — as a member or as a guest — or recorded being
    in a building where the team is based. Two queries.
    """
    # A subquery for the whole system (thousands of leaders), a short list for one team.
    leaders = leader_ids if isinstance(leader_ids, QuerySet) else list(leader_ids)
    now = timezone.now()
    since_at = datetime.combine(since, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    meetings = Attendance.objects.filter(
        person_id__in=leaders,
        status=AttendanceStatus.PRESENT,
        meeting__cancelled_at__isnull=True,
        meeting__starts_at__gte=since_at,
        meeting__starts_at__lte=now,
        meeting__forum__home_team__isnull=False,
    )
    visits = PresenceVisit.objects.filter(
        person_id__in=leaders, on_date__gte=since, site__teams__isnull=False
    )
    wanted: set[int] | None = None
    if team_ids is not None:
        wanted = set(team_ids)
        meetings = meetings.filter(meeting__forum__home_team_id__in=wanted)
    last: dict[int, dict[int, date]] = {}

    def keep(team_id: int, person_id: int, day: date) -> None:
        if wanted is not None and team_id not in wanted:
            return
        seen = last.setdefault(team_id, {})
        if person_id not in seen or day > seen[person_id]:
            seen[person_id] = day

    london = timezone.get_current_timezone()
    # `order_by()`: the default ordering (by name) would join every person to the aggregate.
    for team_id, person_id, starts_at in (
        meetings.order_by()
        .values_list("meeting__forum__home_team_id", "person_id")
        .annotate(last=Max("meeting__starts_at"))
    ):
        # The date a meeting happened is its date in Europe/London, whatever the clocks did.
        keep(team_id, person_id, starts_at.astimezone(london).date())
    for team_id, person_id, day in visits.values_list("site__teams", "person_id").annotate(
        last=Max("on_date")
    ):
        keep(team_id, person_id, day)
    return last


def _coverage_for(
    team: Team, leadership: _Leadership, last: dict[int, dict[int, date]], today: date
) -> list[Coverage]:
    seen = last.get(team.pk, {})
    coverage = []
    for lt_id in leadership.covering(team):
        dates = [seen[pid] for pid in leadership.members.get(lt_id, ()) if pid in seen]
        coverage.append(Coverage(leadership.teams[lt_id], max(dates) if dates else None, today))
    return coverage


def system_presence(*, today: date | None = None) -> SystemPresence:
    """Leadership presence for every team, and the backgrounds of leaders present lately.

    Five queries whatever the size of the system.
    """
    today = today or timezone.localdate()
    leadership = _leadership()
    last = _last_presence(leadership.backgrounds, today - timedelta(days=PRESENCE_LOOKBACK_DAYS))
    teams = list(
        Team.objects.select_related("organisation", "locality")
        .only(
            "id",
            "name",
            "kind",
            "organisation__id",
            "organisation__name",
            "organisation__kind",
            "locality__id",
            "locality__name",
        )
        .order_by("name", "pk")
    )
    presences = [
        TeamPresence(team, _coverage_for(team, leadership, last, today), today) for team in teams
    ]
    presences.sort(
        key=lambda p: (-(p.days_since if p.days_since is not None else 10**6), p.team.name)
    )
    month_ago = today - timedelta(days=MONTH_DAYS - 1)
    present_lately = {
        pid for seen in last.values() for pid, day in seen.items() if day >= month_ago
    }
    backgrounds = Counter(leadership.backgrounds[pid] for pid in present_lately)
    return SystemPresence(
        presences, sorted(backgrounds.items(), key=lambda kv: (-kv[1], kv[0])), today
    )


def team_presence(team: Team, *, today: date | None = None) -> TeamPresence:
    today = today or timezone.localdate()
    leadership = _leadership()
    leader_ids = {
        pid for lt_id in leadership.covering(team) for pid in leadership.members.get(lt_id, ())
    }
    last = _last_presence(
        leader_ids, today - timedelta(days=PRESENCE_LOOKBACK_DAYS), team_ids=[team.pk]
    )
    return TeamPresence(team, _coverage_for(team, leadership, last, today), today)


def team_get(team_id: int) -> Team:
    team = Team.objects.select_related("organisation", "locality").filter(pk=team_id).first()
    if team is None:
        raise Http404("No team found.")
    return team


def is_leader(user: Person) -> bool:
    return LeadershipMembership.objects.filter(person=user).exists()


def next_meetings(user: Person, *, limit: int = 5, now: datetime | None = None) -> list[Meeting]:
    """The person's forums' next meetings, soonest first."""
    now = now or timezone.now()
    return list(
        Meeting.objects.filter(
            forum__memberships__person=user, ends_at__gte=now, cancelled_at__isnull=True
        )
        .select_related("forum", "site")
        .order_by("starts_at", "pk")[:limit]
    )


# -- For the API --------------------------------------------------------------------------------


def forum_meetings(
    forum: Forum, *, start: datetime | None = None, end: datetime | None = None
) -> QuerySet[Meeting]:
    """A forum's meetings, cancelled ones too, overlapping `start` to `end` when given."""
    meetings = Meeting.objects.filter(forum=forum)
    if start is not None:
        meetings = meetings.filter(ends_at__gt=start)
    if end is not None:
        meetings = meetings.filter(starts_at__lt=end)
    return meetings.select_related("forum", "site", "facilitator").order_by("starts_at", "pk")


def series_meeting_count(series: MeetingSeries) -> int:
    return Meeting.objects.filter(series=series).count()


def site_get(site_id: int) -> Site:
    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        raise Http404("No site found.")
    return site


def site_list(user: Person) -> QuerySet[Site]:
    """Sites, those of the person's own teams (as member or leader) first, then by name."""
    return (
        Site.objects.annotate(is_own=_is_own_site(user))
        .select_related("locality", "organisation")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name", "pk")))
        .order_by("-is_own", "name", "pk")
    )


def discipline_by_slug(slug: str) -> Discipline:
    discipline = Discipline.objects.filter(slug=slug).first()
    if discipline is None:
        raise Http404("No discipline found.")
    return discipline


def organisation_get(organisation_id: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404("No organisation found.")
    return organisation


def people_by_id(user: Reader, person_ids: Iterable[int]) -> dict[int, Person]:
    """The people among `person_ids` whose directory entry `user` may see, by id. One query."""
    ids = set(person_ids)
    if not ids:
        return {}
    people = access.scoped(user, Person).filter(pk__in=ids)
    return {p.pk: p for p in people.select_related("discipline", "organisation")}
