"""Reads for wellbeing, scoped to the person asking: pulse results with small groups
suppressed, trends, support sessions, support offered, peer circles and isolation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, F, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.directory.models import Discipline, Locality, Membership, Person, Team, TeamKind
from roundtable.directory.queries import leads_team, teams_led_by
from roundtable.forums.models import Attendance, AttendanceStatus
from roundtable.wellbeing.models import (
    PeerCircle,
    PeerCircleMembership,
    PulseAnswer,
    PulseComment,
    PulseResponseMarker,
    PulseRound,
    SupportAttendance,
    SupportOffered,
    SupportSession,
)
from roundtable.wellbeing.queries import minimum_group

NOT_ENOUGH = "Not enough answers to show"
# Governance groups are not where anyone works day to day: being the only one of a discipline on
# a board or a project group does not make a role lonely.
NOT_WORKING_TEAMS = (TeamKind.BOARD, TeamKind.PROJECT_GROUP)


# -- Pulse --------------------------------------------------------------------------------------


@dataclass
class StatementResult:
    position: int
    text: str
    count: int
    mean: float
    distribution: list[int]  # answers of 1, 2, 3, 4 and 5

    @property
    def agree_percent(self) -> int:
        return round(100 * (self.distribution[3] + self.distribution[4]) / self.count)

    @property
    def mean_text(self) -> str:
        return f"{self.mean:.1f}"


@dataclass
class RoundResult:
    round: PulseRound
    responses: int
    is_closed: bool
    shown: bool
    statements: list[StatementResult] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.shown:
            return ""
        if not self.is_closed:
            return (
                f"Results are shown when the check-in closes on "
                f"{self.round.closes_on.day} {self.round.closes_on:%B %Y}, if at least "
                f"{minimum_group()} people have answered."
            )
        return f"{NOT_ENOUGH}: results are shown only when at least {minimum_group()} answer."


def may_see_team_results(user: Reader, team: Team) -> bool:
    return bool(
        user.is_authenticated
        and (
            Membership.objects.filter(person_id=user.pk, team=team).exists()
            or leads_team(user, team)
        )
    )


def _statement_rows(round_ids: list[int]) -> list[dict[str, Any]]:
    return list(
        PulseAnswer.objects.filter(round_id__in=round_ids)
        .values("round_id", "statement__position", "statement__text")
        .annotate(
            n=Count("pk"),
            mean=Avg("value"),
            **{f"v{v}": Count("pk", filter=Q(value=v)) for v in range(1, 6)},
        )
        .order_by("round_id", "statement__position")
    )


def _responses(round_ids: list[int]) -> dict[int, int]:
    rows = (
        PulseResponseMarker.objects.filter(round_id__in=round_ids)
        .values("round_id")
        .annotate(n=Count("pk"))
    )
    return {row["round_id"]: row["n"] for row in rows}


def _results(rounds: list[PulseRound], today: date, *, comments: bool) -> list[RoundResult]:
    ids = [r.pk for r in rounds]
    responses = _responses(ids)
    minimum = minimum_group()
    by_round: dict[int, list[StatementResult]] = defaultdict(list)
    for row in _statement_rows(ids):
        by_round[row["round_id"]].append(
            StatementResult(
                position=row["statement__position"],
                text=row["statement__text"],
                count=row["n"],
                mean=float(row["mean"] or 0),
                distribution=[row[f"v{v}"] for v in range(1, 6)],
            )
        )
    shown_ids = [
        r.pk
        for r in rounds
        if r.closes_on < today
        and responses.get(r.pk, 0) >= minimum
        and all(s.count >= minimum for s in by_round[r.pk])
    ]
    texts: dict[int, list[str]] = defaultdict(list)
    if comments and shown_ids:
        for round_id, text in (
            PulseComment.objects.filter(round_id__in=shown_ids)
            .values_list("round_id", "text")
            .order_by("text")
        ):  # in no order that says who wrote them
            texts[round_id].append(text)
    results = []
    for r in rounds:
        shown = r.pk in shown_ids
        results.append(
            RoundResult(
                round=r,
                responses=responses.get(r.pk, 0),
                is_closed=r.closes_on < today,
                shown=shown,
                statements=by_round[r.pk] if shown else [],
                comments=texts[r.pk] if shown else [],
            )
        )
    return results


def team_pulse(user: Reader, team: Team, *, today: date | None = None) -> list[RoundResult]:
    """A team's rounds, newest first, with results only where the group is big enough and the
    round has closed (so that nobody can work out one answer from the change in the results)."""
    if not may_see_team_results(user, team):
        raise Http404("No team results found.")
    today = today or timezone.localdate()
    rounds = list(PulseRound.objects.filter(team=team).select_related("team").order_by("-month"))
    return _results(rounds, today, comments=True)


def round_result(round_: PulseRound, *, today: date | None = None) -> RoundResult:
    return _results([round_], today or timezone.localdate(), comments=True)[0]


@dataclass
class TrendRow:
    month: date
    responses: int
    teams: int
    means: dict[str, float]  # statement text → mean


def system_trend(
    *, today: date | None = None, months: int = 12
) -> tuple[list[str], list[TrendRow]]:
    """The whole system month by month: answers of every team whose round is shown (closed, and
    big enough), so a suppressed team cannot be worked out by taking the others away."""
    today = today or timezone.localdate()
    since = (today.replace(day=1) - timedelta(days=31 * months)).replace(day=1)
    rounds = list(
        PulseRound.objects.filter(month__gte=since, closes_on__lt=today).order_by("month", "pk")
    )
    shown = [r for r in _results(rounds, today, comments=False) if r.shown]
    per_month: dict[date, list[RoundResult]] = defaultdict(list)
    for result in shown:
        per_month[result.round.month].append(result)
    texts: list[str] = []
    rows: list[TrendRow] = []
    for month in sorted(per_month):
        totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for result in per_month[month]:
            for s in result.statements:
                if s.text not in texts:
                    texts.append(s.text)
                totals[s.text][0] += s.mean * s.count
                totals[s.text][1] += s.count
        rows.append(
            TrendRow(
                month=month,
                responses=sum(r.responses for r in per_month[month]),
                teams=len(per_month[month]),
                means={text: total / n for text, (total, n) in totals.items() if n},
            )
        )
    return texts, rows


def team_trend(
    user: Reader, team: Team, *, today: date | None = None
) -> tuple[list[str], list[TrendRow]]:
    """The team's months, oldest first, only those with results shown."""
    results = [r for r in reversed(team_pulse(user, team, today=today)) if r.shown]
    texts: list[str] = []
    rows = []
    for result in results:
        for s in result.statements:
            if s.text not in texts:
                texts.append(s.text)
        rows.append(
            TrendRow(
                month=result.round.month,
                responses=result.responses,
                teams=1,
                means={s.text: s.mean for s in result.statements},
            )
        )
    return texts, rows


@dataclass
class PulseInvite:
    """A team's check-in this month, and whether the person has answered it."""

    round: PulseRound
    answered: bool


def my_pulse(user: Person, *, today: date | None = None) -> list[PulseInvite]:
    """This month's check-in for each of the person's teams that has one open (pages and the
    API open them first with `services.pulse_rounds_open_for`; `roundtable tick` opens them
    too), and whether the person has answered it."""
    today = today or timezone.localdate()
    rounds = list(
        PulseRound.objects.filter(team__memberships__person_id=user.pk, month=today.replace(day=1))
        .select_related("team")
        .order_by("team__name", "pk")
    )
    answered = set(
        access.scoped(user, PulseResponseMarker)
        .filter(round__in=rounds)
        .values_list("round_id", flat=True)
    )
    return [PulseInvite(r, r.pk in answered) for r in rounds]


def pulse_round_for(user: Person, team_id: int, *, today: date | None = None) -> PulseInvite:
    """This month's check-in of one of the person's teams (404 for a team they are not in)."""
    for invite in my_pulse(user, today=today):
        if invite.round.team_id == team_id:
            return invite
    raise Http404("No check-in found for you in this team.")


def pulse_round_get(user: Person, round_id: int) -> PulseRound:
    """A round of one of the person's teams (404 otherwise)."""
    found = (
        PulseRound.objects.select_related("team")
        .filter(pk=round_id, team__memberships__person_id=user.pk)
        .first()
    )
    if found is None:
        raise Http404("No check-in found.")
    return found


def team_get(team_id: int) -> Team:
    team = Team.objects.select_related("organisation").filter(pk=team_id).first()
    if team is None:
        raise Http404("No team found.")
    return team


def result_teams(user: Person) -> list[Team]:
    """Teams whose pulse results the person may see: their own and those they lead."""
    own = Team.objects.filter(memberships__person_id=user.pk)
    led = teams_led_by(user)
    return list(Team.objects.filter(Q(pk__in=own) | Q(pk__in=led)).order_by("name"))


# -- Support ------------------------------------------------------------------------------------


def _session_visibility(user: Person) -> Q:
    led = teams_led_by(user).values("pk")
    return (
        Q(team__memberships__person_id=user.pk)
        | Q(team__in=led)
        | Q(peer_circle__memberships__person_id=user.pk)
    )


def support_sessions(user: Reader) -> QuerySet[SupportSession]:
    """Sessions of the person's teams, the teams they lead and their peer circles; newest first."""
    return (
        access.scoped(user, SupportSession)
        .select_related("team", "peer_circle", "facilitator")
        .annotate(attended=Count("attendances", distinct=True))
        .order_by("-starts_at", "-pk")
    )


def support_session_detail(user: Reader, session_id: int, *, audit: bool = True) -> SupportSession:
    """A session the user may see, or 404; the read is audited unless `audit` is off (to show
    a session just written, whose writing is audited already)."""
    return access.get_visible(
        user,
        SupportSession,
        SupportSession.objects.select_related("team", "peer_circle__forum", "facilitator"),
        audit=audit,
        pk=session_id,
    )


def support_attendees(session: SupportSession) -> list[Person]:
    return [
        a.person
        for a in SupportAttendance.objects.filter(session=session)
        .select_related("person__discipline")
        .order_by("person__full_name")
    ]


def session_choices(session: SupportSession) -> list[Person]:
    """Who may be recorded as at a session: the team's or the circle's members."""
    if session.team_id is not None:
        people = Person.objects.filter(memberships__team_id=session.team_id)
    else:
        people = Person.objects.filter(peer_circle_memberships__circle_id=session.peer_circle_id)
    return list(people.filter(is_active=True).distinct().order_by("full_name"))


def session_groups(user: Person) -> tuple[list[Team], list[PeerCircle]]:
    """Where the person may record a session: their teams, teams they lead, their circles."""
    teams = result_teams(user)
    circles = list(PeerCircle.objects.filter(memberships__person_id=user.pk).order_by("name"))
    return teams, circles


def support_offered(user: Reader) -> QuerySet[SupportOffered]:
    """Support offered to the person, and by the leadership of teams they lead; newest first."""
    return access.scoped(user, SupportOffered).select_related("person", "team", "offered_by")


def people_led_by(user: Person) -> list[Membership]:
    """Memberships of the teams the person leads, to choose whom support was offered to."""
    return list(
        Membership.objects.filter(team__in=teams_led_by(user), person__is_active=True)
        .select_related("person", "team")
        .order_by("team__name", "person__full_name")
    )


# -- Peer circles -------------------------------------------------------------------------------


@dataclass
class CircleSummary:
    circle: PeerCircle
    members: int
    localities: list[str]
    is_member: bool
    may_join: bool


def peer_circles(user: Person) -> list[CircleSummary]:
    circles = list(PeerCircle.objects.select_related("discipline", "forum").order_by("name"))
    mine = set(
        PeerCircleMembership.objects.filter(person_id=user.pk).values_list("circle_id", flat=True)
    )
    counts = dict(
        PeerCircleMembership.objects.values("circle_id")
        .annotate(n=Count("pk"))
        .values_list("circle_id", "n")
    )
    places: dict[int, set[str]] = defaultdict(set)
    for circle_id, locality in (
        PeerCircleMembership.objects.filter(person__memberships__team__locality__isnull=False)
        .values_list("circle_id", "person__memberships__team__locality__name")
        .distinct()
    ):
        places[circle_id].add(locality)
    discipline_id = getattr(user, "discipline_id", None)
    return [
        CircleSummary(
            circle=c,
            members=counts.get(c.pk, 0),
            localities=sorted(places[c.pk]),
            is_member=c.pk in mine,
            may_join=c.pk not in mine and c.discipline_id == discipline_id,
        )
        for c in circles
    ]


def peer_circle_get(circle_id: int) -> PeerCircle:
    circle = PeerCircle.objects.select_related("discipline", "forum").filter(pk=circle_id).first()
    if circle is None:
        raise Http404("No peer circle found.")
    return circle


@dataclass
class CircleMember:
    person: Person
    teams: list[str]
    localities: list[str]


def peer_circle_members(user: Reader, circle: PeerCircle) -> list[CircleMember]:
    memberships = (
        access.scoped(user, PeerCircleMembership)
        .filter(circle=circle)
        .select_related("person__organisation")
        .prefetch_related("person__memberships__team__locality")
        .order_by("person__full_name")
    )
    return [
        CircleMember(
            person=m.person,
            teams=sorted(pm.team.name for pm in m.person.memberships.all()),
            localities=sorted(
                {pm.team.locality.name for pm in m.person.memberships.all() if pm.team.locality}
            ),
        )
        for m in memberships
    ]


# -- Isolation ----------------------------------------------------------------------------------


@dataclass
class IsolatedPerson:
    """Someone their leadership team should notice, and why. Never a score or a rating."""

    person: Person
    teams: list[Team]
    lone_in_teams: list[Team] = field(default_factory=list)
    lone_in_localities: list[Locality] = field(default_factory=list)
    last_contact: date | None = None
    no_recent_contact: bool = False
    peer_circles: list[PeerCircle] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        discipline = self.person.discipline.name.lower() if self.person.discipline else ""
        reasons = [f"The only {discipline} in {team.name}" for team in self.lone_in_teams]
        reasons += [
            f"The only {discipline} in the {locality.name} locality"
            for locality in self.lone_in_localities
        ]
        if self.no_recent_contact:
            weeks = settings.WELLBEING_CONTACT_WEEKS
            reasons.append(f"No team meeting or support session in the last {weeks} weeks")
        return reasons


def may_see_isolation(user: Reader) -> bool:
    return user.is_authenticated and teams_led_by(user).exists()


def isolation_list(user: Person, *, today: date | None = None) -> list[IsolatedPerson]:
    """For leaders: people in the teams they lead who are the only one of their discipline in a
    team or a locality, or who have had no team meeting or support session lately
    (`WELLBEING_CONTACT_WEEKS`). Nobody else sees it; people who lead no team get an empty list.
    """
    today = today or timezone.localdate()
    led = list(teams_led_by(user).select_related("locality"))
    if not led:
        return []
    led_ids = {t.pk for t in led}
    members = list(
        Membership.objects.filter(person__is_active=True)
        .select_related("person__discipline", "team__locality")
        .order_by("person__full_name", "team__name")
    )
    # Discipline counts per working team and per locality, over everyone, not only those led.
    in_team: dict[tuple[int, int], set[int]] = defaultdict(set)
    in_locality: dict[tuple[int, int], set[int]] = defaultdict(set)
    for m in members:
        discipline_id = m.person.discipline_id
        if discipline_id is None:
            continue
        if m.team.kind not in NOT_WORKING_TEAMS:
            in_team[(m.team_id, discipline_id)].add(m.person_id)
        if m.team.locality_id is not None:
            in_locality[(m.team.locality_id, discipline_id)].add(m.person_id)
    people: dict[int, IsolatedPerson] = {}
    teams_of: dict[int, list[Team]] = defaultdict(list)
    for m in members:
        teams_of[m.person_id].append(m.team)
    for m in members:
        if m.team_id not in led_ids:
            continue
        entry = people.setdefault(m.person_id, IsolatedPerson(m.person, teams_of[m.person_id]))
        discipline_id = m.person.discipline_id
        if discipline_id is None:
            continue
        if m.team.kind not in NOT_WORKING_TEAMS and len(in_team[(m.team_id, discipline_id)]) == 1:
            entry.lone_in_teams.append(m.team)
    for entry in people.values():
        discipline_id = entry.person.discipline_id
        localities = {t.locality.pk: t.locality for t in entry.teams if t.locality is not None}
        for locality_id, locality in sorted(localities.items(), key=lambda kv: kv[1].name):
            if discipline_id is not None and len(in_locality[(locality_id, discipline_id)]) == 1:
                entry.lone_in_localities.append(locality)
    contact = last_contacts(list(people), today=today)
    since = today - timedelta(weeks=settings.WELLBEING_CONTACT_WEEKS)
    circles: dict[int, list[PeerCircle]] = defaultdict(list)
    for membership in PeerCircleMembership.objects.filter(
        person_id__in=list(people)
    ).select_related("circle"):
        circles[membership.person_id].append(membership.circle)
    listed = []
    for person_id, entry in people.items():
        entry.last_contact = contact.get(person_id)
        entry.no_recent_contact = entry.last_contact is None or entry.last_contact < since
        entry.peer_circles = circles[person_id]
        if entry.lone_in_teams or entry.lone_in_localities or entry.no_recent_contact:
            listed.append(entry)
    return sorted(listed, key=lambda e: (e.person.full_name, e.person.pk))


def last_contacts(person_ids: list[int], *, today: date) -> dict[int, date]:
    """The last day each person was present at a meeting of their own team's forum or a peer
    circle's forum, or at a support session, up to and including `today`."""
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    meetings = (
        Attendance.objects.filter(
            person_id__in=person_ids,
            status=AttendanceStatus.PRESENT,
            meeting__cancelled_at__isnull=True,
            meeting__starts_at__lt=end,
        )
        .filter(
            Q(meeting__forum__home_team__memberships__person_id=F("person_id"))
            | Q(meeting__forum__peer_circle__isnull=False)
        )
        .values("person_id")
        .annotate(last=Max("meeting__starts_at"))
    )
    sessions = (
        SupportAttendance.objects.filter(person_id__in=person_ids, session__starts_at__lt=end)
        .values("person_id")
        .annotate(last=Max("session__starts_at"))
    )
    latest: dict[int, date] = {}
    for row in [*meetings, *sessions]:
        day = timezone.localdate(row["last"])
        if row["person_id"] not in latest or day > latest[row["person_id"]]:
            latest[row["person_id"]] = day
    return latest


def disciplines() -> list[Discipline]:
    return list(Discipline.objects.order_by("sort_order", "name"))
