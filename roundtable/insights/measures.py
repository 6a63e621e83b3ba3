"""What insights measures, each stated as its page states it: a definition, where it comes from,
which way is better and the unit — and how it is worked out, week by week and team by team, by
one grouped SQL query over the other apps' append-only records.

A measure's `weekly(start, end)` returns, for each team and week (the Monday it starts on) with
something to count between `start` and `end`, a total and how many it is over: a mean of days is
(sum of days, number of people), a share is (number that met it, number there were). Weeks and
teams with nothing to count are left out, not written as zero. Figures for an organisation or the
whole system add the totals and the counts of their teams, so they are exact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from roundtable.care.models import Episode, PathwayEvent, Stage, Zone, ZoneChange, ZoneColour
from roundtable.decisions.models import (
    Decision,
    DecisionEvent,
    DecisionKind,
    DecisionStatus,
    Hold,
)
from roundtable.decisions.selectors.decision import missing_voices
from roundtable.directory.models import LeadershipLevel, LeadershipMembership, Team
from roundtable.forums.models import Attendance, AttendanceStatus, PresenceVisit
from roundtable.insights.spc import Direction
from roundtable.learning.models import ActionStatus, SafetyAction
from roundtable.voice.models import (
    Concern,
    ConcernEvent,
    ConcernEventKind,
    ConcernLevel,
    ConcernStatus,
)
from roundtable.wellbeing.models import (
    DEFAULT_STATEMENTS,
    PulseAnswer,
    PulseRound,
    PulseStatement,
    SupportSession,
)
from roundtable.wellbeing.queries import minimum_group

# A share's unit: its figures are shown as percentages (a total over a count, times 100).
PER_CENT = "%"


class WeekRow(NamedTuple):
    team_id: int
    week: date
    total: float
    n: int  # how many the total is over


Weekly = Callable[[datetime, datetime], Iterable[WeekRow]]


@dataclass(frozen=True)
class Measure:
    slug: str
    name: str
    unit: str
    definition: str
    source: str
    direction: Direction
    weekly: Weekly
    # How many weeks back a figure can still change as records arrive: `roundtable tick`
    # rewrites this many. A pulse round's figure sits in the week its month began and is known
    # only once the round closes; a hold may come weeks after the decision.
    settles_weeks: int = 2

    @property
    def scale(self) -> int:
        """What a total over a count is multiplied by to be shown: 100 for a share."""
        return 100 if self.unit == PER_CENT else 1

    @property
    def higher_is_better(self) -> bool | None:
        if self.direction == Direction.NEUTRAL:
            return None
        return self.direction == Direction.INCREASE


def _week(value: object) -> date:
    """A truncated week as a date (SQLite and PostgreSQL give a datetime)."""
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]


def _days_to(stage: str, days_field: str) -> Weekly:
    """The mean whole days, by the week a person reached `stage`, of the episode's `days_field`
    (written by care when the stage changes)."""

    def weekly(start: datetime, end: datetime) -> Iterable[WeekRow]:
        rows = (
            PathwayEvent.objects.filter(
                to_stage=stage,
                at__gte=start,
                at__lt=end,
                **{f"episode__{days_field}__isnull": False},
            )
            .annotate(week=TruncWeek("at"))
            .values_list("episode__team_id", "week")
            .annotate(total=Sum(f"episode__{days_field}"), count=Count("*"))
            .order_by()
        )
        return [
            WeekRow(team, _week(week), float(total), count) for team, week, total, count in rows
        ]

    return weekly


READY_TO_MOVED_ON = Measure(
    slug="ready-to-moved-on",
    name="Ready to moved on",
    unit="days",
    definition="The mean number of whole days between someone being ready to move on and moving "
    "on, for the people who moved on that week.",
    source="Care: each move on, and the day the person became ready to move on.",
    direction=Direction.DECREASE,
    weekly=_days_to(Stage.MOVED_ON, "days_ready_to_moved_on"),
)
REFERRAL_TO_OFFER = Measure(
    slug="referral-to-offer",
    name="Referral to offer",
    unit="days",
    definition="The mean number of whole days between a referral and the first offer made, for "
    "the people offered something that week.",
    source="Care: each referral, and the first offer agreed at the front door.",
    direction=Direction.DECREASE,
    weekly=_days_to(Stage.OFFER_MADE, "days_to_offer"),
)


def _rows(rows: Iterable[tuple[int, object, float | int | None, int]]) -> list[WeekRow]:
    """Grouped (team, week, total, count) rows as week rows."""
    return [
        WeekRow(team, _week(week), float(total or 0), count)
        for team, week, total, count in rows
        if count
    ]


def _day(moment: datetime) -> date:
    return timezone.localdate(moment)


# -- Care: returns ------------------------------------------------------------------------------

RETURN_DAYS = 183  # six months: care's re-referral window (`REREFERRAL_WINDOW_DAYS`) by default


def _returns(start: datetime, end: datetime) -> Iterable[WeekRow]:
    """Referrals by the week they were made: how many were someone coming back to the team within
    six months of moving on from it (care links such a referral to the episode before it)."""
    came_back = Q(
        previous__isnull=False,
        previous__closed_at__gte=F("referred_at") - timedelta(days=RETURN_DAYS),
    )
    return _rows(
        Episode.objects.filter(referred_at__gte=start, referred_at__lt=end)
        .annotate(week=TruncWeek("referred_at"))
        .values_list("team_id", "week")
        .annotate(total=Count("pk", filter=came_back), count=Count("pk"))
        .order_by()
    )


RETURNS_WITHIN_6_MONTHS = Measure(
    slug="returns-within-6-months",
    name="Returns within 6 months",
    unit=PER_CENT,
    definition="Of the referrals to the team that week, the share who were coming back to the "
    "same team within six months of moving on from it.",
    source="Care: each referral, and the episode it follows when the person came back.",
    direction=Direction.DECREASE,
    weekly=_returns,
)


# -- Forums: leadership presence ----------------------------------------------------------------


def _leaders() -> tuple[set[int], dict[int, set[int]], dict[int, set[int]]]:
    """Active leaders by what their leadership teams cover: every team (system), an
    organisation's teams, or one team (a team or project leadership team)."""
    system: set[int] = set()
    by_organisation: dict[int, set[int]] = {}
    by_team: dict[int, set[int]] = {}
    for person, level, organisation, team in (
        LeadershipMembership.objects.filter(person__is_active=True)
        .values_list(
            "person_id",
            "leadership_team__level",
            "leadership_team__organisation_id",
            "leadership_team__team_id",
        )
        .order_by()
    ):
        if level == LeadershipLevel.SYSTEM:
            system.add(person)
        elif level == LeadershipLevel.ORGANISATION:
            by_organisation.setdefault(organisation, set()).add(person)
        elif team is not None:
            by_team.setdefault(team, set()).add(person)
    return system, by_organisation, by_team


def _leadership_presence(start: datetime, end: datetime) -> Iterable[WeekRow]:
    """Whether, each week, a leader covering the team was present at it, as the presence page
    says: at a meeting (not cancelled, already started) of a forum whose home team it is, or in
    a building where the team is based. Every team counts for every week that has begun, a week
    with a leader present as 1 of 1 and one without as 0 of 1, so weeks without are not lost.

    Four queries: the teams, the leaders, and the (team, leader, week) each was present in, from
    meetings and from buildings, already grouped. The leaders are today's, as on the presence
    page: who led a team in a past week is not kept.
    """
    today = timezone.localdate()
    first, last = _day(start), min(_day(end), today + timedelta(days=1))
    weeks = []
    week = first - timedelta(days=first.weekday())
    while week < last:
        weeks.append(week)
        week += timedelta(weeks=1)
    if not weeks:
        return []
    teams = dict(Team.objects.order_by("pk").values_list("pk", "organisation_id"))
    system, by_organisation, by_team = _leaders()
    leaders = LeadershipMembership.objects.filter(person__is_active=True).values("person_id")
    meetings = (
        Attendance.objects.filter(
            person_id__in=leaders,
            status=AttendanceStatus.PRESENT,
            meeting__cancelled_at__isnull=True,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
            meeting__starts_at__lte=timezone.now(),
            meeting__forum__home_team__isnull=False,
        )
        .annotate(week=TruncWeek("meeting__starts_at"))
        .values_list("meeting__forum__home_team_id", "person_id", "week")
        .order_by()
        .distinct()
    )
    visits = (
        PresenceVisit.objects.filter(
            person_id__in=leaders,
            on_date__gte=first,
            on_date__lt=last,
            site__teams__isnull=False,
        )
        .annotate(week=TruncWeek("on_date"))
        .values_list("site__teams", "person_id", "week")
        .order_by()
        .distinct()
    )
    present: set[tuple[int, date]] = set()
    for team, person, when in [*meetings, *visits]:
        if (
            person in system
            or person in by_organisation.get(teams.get(team, -1), ())
            or person in by_team.get(team, ())
        ):
            present.add((team, _week(when)))
    return [
        WeekRow(team, week, 1.0 if (team, week) in present else 0.0, 1)
        for team in teams
        for week in weeks
    ]


LEADERSHIP_PRESENCE = Measure(
    slug="leadership-presence",
    name="Leadership presence",
    unit=PER_CENT,
    definition="The share of weeks in which a leader covering the team (its own leadership "
    "team, its organisation's or the system's) was present: at a meeting of one of the team's "
    "own forums, or in a building where the team is based.",
    source="Forums: attendance at each meeting, and leaders' 'in the building today' visits.",
    direction=Direction.INCREASE,
    weekly=_leadership_presence,
)


# -- Decisions ----------------------------------------------------------------------------------

DECIDED = (DecisionStatus.AGREED, DecisionStatus.NOT_AGREED, DecisionStatus.REVIEWED)
REPRESENTATION_BATCH = 500  # decisions whose voices are read together


def _has_rules(decision: Decision) -> bool:
    forum = decision.forum
    return bool(
        forum.min_disciplines
        or forum.required_organisation_kinds
        or forum.lived_experience_required
    )


def _full_representation(start: datetime, end: datetime) -> Iterable[WeekRow]:
    """Decisions reached in the week, in forums with a home team and a representation rule: how
    many were reached with every voice the rule asks for.

    Representation is not stored: it is worked out as the decision page works it out
    (`decisions.selectors.decision.missing_voices`), from who took a position on the final
    proposal and who was present at the decision's meeting. One query for the decisions, then
    two for each 500 of them: never a query per decision.
    """
    decisions = list(
        Decision.objects.filter(
            status__in=DECIDED,
            decided_at__gte=start,
            decided_at__lt=end,
            forum__home_team__isnull=False,
        )
        .select_related("forum")
        .only(
            "id",
            "status",
            "current_revision",
            "meeting_id",
            "decided_at",
            "forum__id",
            "forum__home_team_id",
            "forum__min_disciplines",
            "forum__required_organisation_kinds",
            "forum__lived_experience_required",
        )
        .annotate(week=TruncWeek("decided_at"))
        .order_by("pk")
    )
    ruled = [decision for decision in decisions if _has_rules(decision)]
    missing: dict[int, tuple[str, ...]] = {}
    for at in range(0, len(ruled), REPRESENTATION_BATCH):
        missing.update(missing_voices(ruled[at : at + REPRESENTATION_BATCH]))
    counts: dict[tuple[int, date], list[int]] = {}
    for decision in ruled:
        team = decision.forum.home_team_id
        assert team is not None  # filtered above
        met_and_all = counts.setdefault((team, _week(decision.week)), [0, 0])
        met_and_all[0] += decision.pk not in missing
        met_and_all[1] += 1
    return [WeekRow(team, week, float(met), n) for (team, week), (met, n) in counts.items()]


DECISIONS_FULL_REPRESENTATION = Measure(
    slug="decisions-full-representation",
    name="Decisions with every voice",
    unit=PER_CENT,
    definition="Of the decisions reached that week in the team's own forums that have a "
    "representation rule, the share reached with every voice the rule asks for (disciplines, "
    "organisations, lived experience).",
    source="Decisions: who took a position on the final proposal and who was at the meeting, "
    "against each forum's representation rule.",
    direction=Direction.INCREASE,
    weekly=_full_representation,
)


def _agreed() -> Exists:
    """The decision was agreed (and may since have been reviewed)."""
    return Exists(
        DecisionEvent.objects.filter(decision=OuterRef("pk"), to_status=DecisionStatus.AGREED)
    )


def _held_share(kind: str | None = None) -> Weekly:
    """Agreed decisions (of one kind, or of any) by the week they were agreed, in forums with a
    home team: how many a leader holds."""

    def weekly(start: datetime, end: datetime) -> Iterable[WeekRow]:
        decisions = Decision.objects.filter(
            _agreed(), decided_at__gte=start, decided_at__lt=end, forum__home_team__isnull=False
        )
        if kind is not None:
            decisions = decisions.filter(kind=kind)
        return _rows(
            decisions.annotate(
                week=TruncWeek("decided_at"),
                held=Exists(Hold.objects.filter(decision=OuterRef("pk"))),
            )
            .values_list("forum__home_team_id", "week")
            .annotate(total=Count("pk", filter=Q(held=True)), count=Count("pk"))
            .order_by()
        )

    return weekly


DECISIONS_HELD = Measure(
    slug="decisions-held",
    name="Decisions held",
    unit=PER_CENT,
    definition="Of the decisions agreed that week in the team's own forums, the share a leader "
    "holds: stands behind with the people who act on it.",
    source="Decisions: each agreed decision and the leaders who hold it.",
    direction=Direction.INCREASE,
    weekly=_held_share(),
    settles_weeks=8,
)
POSITIVE_RISK_HELD = Measure(
    slug="positive-risk-held",
    name="Positive risk-taking held",
    unit=PER_CENT,
    definition="Of the positive risk-taking plans agreed that week in the team's own forums, "
    "the share a leader holds: stands behind the person's choice with the team that supports "
    "it, so that no one carries it alone.",
    source="Decisions and safety: each agreed positive risk-taking plan and the leaders who "
    "hold it.",
    direction=Direction.INCREASE,
    weekly=_held_share(DecisionKind.POSITIVE_RISK),
    settles_weeks=8,
)


def _days_to_hold(start: datetime, end: datetime) -> Iterable[WeekRow]:
    """Agreed decisions by the week of their first hold, in forums with a home team: the whole
    days (calendar days, in the service's time zone) from agreement to that hold."""
    first_hold = Subquery(
        Hold.objects.filter(decision=OuterRef("pk"))
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    rows = (
        Decision.objects.filter(_agreed(), decided_at__isnull=False, forum__home_team__isnull=False)
        .annotate(first_hold=first_hold)
        .filter(first_hold__gte=start, first_hold__lt=end)
        .annotate(
            week=TruncWeek("first_hold"),
            days=ExpressionWrapper(
                TruncDate("first_hold") - TruncDate("decided_at"), output_field=DurationField()
            ),
        )
        .values_list("forum__home_team_id", "week")
        .annotate(total=Sum("days"), count=Count("pk"))
        .order_by()
    )
    return [
        WeekRow(team, _week(week), float(round(total.total_seconds() / 86_400)), count)
        for team, week, total, count in rows
    ]


DAYS_TO_HOLD = Measure(
    slug="days-to-hold",
    name="Days to hold",
    unit="days",
    definition="The mean number of whole days between a decision being agreed in one of the "
    "team's own forums and a leader first holding it, for the decisions first held that week.",
    source="Decisions: when each decision was agreed, and when a leader first held it.",
    direction=Direction.DECREASE,
    weekly=_days_to_hold,
    settles_weeks=8,
)


# -- Voice --------------------------------------------------------------------------------------


def _acknowledged_on_time(start: datetime, end: datetime) -> Iterable[WeekRow]:
    """Concerns raised to a team by the week they were raised: how many were acknowledged by the
    deadline set when they were raised (`VOICE_ACKNOWLEDGE_WORKING_DAYS` working days, kept on
    the "raised" event). A concern still waiting counts once its deadline has passed; until then
    it is left out. Concerns raised to an organisation or the whole system belong to no team and
    are left out of team figures."""
    deadline = Subquery(
        ConcernEvent.objects.filter(concern=OuterRef("pk"), kind=ConcernEventKind.RAISED)
        .order_by("pk")
        .values("due_on")[:1]
    )
    on_time = Exists(
        ConcernEvent.objects.filter(
            concern=OuterRef("pk"),
            kind=ConcernEventKind.ACKNOWLEDGED,
            on__lte=OuterRef("deadline"),
        )
    )
    return _rows(
        Concern.objects.filter(
            level=ConcernLevel.TEAM, raised_on__gte=_day(start), raised_on__lt=_day(end)
        )
        .annotate(deadline=deadline)
        .annotate(on_time=on_time)
        .filter(Q(on_time=True) | Q(deadline__lt=timezone.localdate()))
        .annotate(week=TruncWeek("raised_on"))
        .values_list("team_id", "week")
        .annotate(total=Count("pk", filter=Q(on_time=True)), count=Count("pk"))
        .order_by()
    )


CONCERNS_ACKNOWLEDGED_ON_TIME = Measure(
    slug="concerns-acknowledged-on-time",
    name="Concerns acknowledged on time",
    unit=PER_CENT,
    definition="Of the concerns raised to the team that week, the share its leaders "
    "acknowledged within the deadline (5 working days unless set otherwise). A concern still "
    "waiting counts once its deadline has passed. Concerns raised to an organisation or the "
    "whole system are not counted for any team.",
    source="Voice: the day each concern was raised, its deadline, and the day it was acknowledged.",
    direction=Direction.INCREASE,
    weekly=_acknowledged_on_time,
)


def _addressed(start: datetime, end: datetime) -> Iterable[WeekRow]:
    """Concerns raised to a team by the week they were closed: how many were addressed (the
    agreed action done) rather than not taken forward. Concerns raised to an organisation or
    the whole system are left out of team figures."""
    return _rows(
        Concern.objects.filter(
            level=ConcernLevel.TEAM,
            status__in=[ConcernStatus.ADDRESSED, ConcernStatus.NOT_TAKEN_FORWARD],
            closed_on__gte=_day(start),
            closed_on__lt=_day(end),
        )
        .annotate(week=TruncWeek("closed_on"))
        .values_list("team_id", "week")
        .annotate(total=Count("pk", filter=Q(status=ConcernStatus.ADDRESSED)), count=Count("pk"))
        .order_by()
    )


CONCERNS_ADDRESSED = Measure(
    slug="concerns-addressed",
    name="Concerns addressed",
    unit=PER_CENT,
    definition="Of the concerns raised to the team that were closed that week, the share "
    "addressed (the agreed action done) rather than not taken forward. Concerns raised to an "
    "organisation or the whole system are not counted for any team.",
    source="Voice: each concern closed, and how it was closed.",
    direction=Direction.INCREASE,
    weekly=_addressed,
)


# -- Wellbeing ----------------------------------------------------------------------------------


def _support_attendance(start: datetime, end: datetime) -> Iterable[WeekRow]:
    """The team's support sessions held in the week (not cancelled, already started): the people
    who came over the number of sessions."""
    return _rows(
        SupportSession.objects.filter(
            team__isnull=False,
            cancelled_at__isnull=True,
            starts_at__gte=start,
            starts_at__lt=end,
            starts_at__lte=timezone.now(),
        )
        .annotate(week=TruncWeek("starts_at"))
        .values_list("team_id", "week")
        .annotate(total=Count("attendances"), count=Count("pk", distinct=True))
        .order_by()
    )


SUPPORT_ATTENDANCE = Measure(
    slug="support-attendance",
    name="Support session attendance",
    unit="people",
    definition="The mean number of people at each of the team's support sessions held that "
    "week (reflective practice, restorative supervision, Schwartz-style rounds). Sessions "
    "called off are not counted; peer circles' sessions belong to no team.",
    source="Wellbeing: each support session and who came.",
    direction=Direction.INCREASE,
    weekly=_support_attendance,
)


def _first_monday(month: date) -> date:
    return month + timedelta(days=(7 - month.weekday()) % 7)


def _pulse_agreeing(statement: str) -> Weekly:
    """A team's monthly pulse round, in the first week that starts in its month (so that by
    month it is counted in its own month, whatever day the month begins): how many of the
    answers to `statement` agree (4) or strongly agree (5). Only rounds the pulse results page
    shows count: closed, answered by at least the minimum group (`PULSE_MINIMUM_GROUP`, never
    below 5), with at least that many answers to every statement. The statement is found by its
    words, so a round that reworded it is not counted."""

    def weekly(start: datetime, end: datetime) -> Iterable[WeekRow]:
        minimum = minimum_group()
        thin = (
            PulseStatement.objects.annotate(answered=Count("answers"))
            .filter(answered__lt=minimum)
            .values("round_id")
        )
        # The rounds whose first Monday falls between `start` and `end`.
        shown = (
            PulseRound.objects.filter(
                month__gte=_day(start) - timedelta(days=6),
                month__lt=_day(end) - timedelta(days=6),
                closes_on__lt=timezone.localdate(),
            )
            .annotate(responses=Count("markers"))
            .filter(responses__gte=minimum)
            .exclude(pk__in=thin)
            .values("pk")
        )
        return _rows(
            (team, _first_monday(month), total, count)
            for team, month, total, count in PulseAnswer.objects.filter(
                round__in=shown, statement__text__iexact=statement
            )
            .values_list("round__team_id", "round__month")
            .annotate(total=Count("pk", filter=Q(value__gte=4)), count=Count("pk"))
            .order_by()
        )

    return weekly


HELD_STATEMENT, ISOLATED_STATEMENT = DEFAULT_STATEMENTS[0], DEFAULT_STATEMENTS[1]

PULSE_HELD = Measure(
    slug="pulse-held",
    name="Feeling held",
    unit=PER_CENT,
    definition=f"The share of the team's answers agreeing or strongly agreeing with "
    f"“{HELD_STATEMENT}” in its monthly pulse, shown in the first week that starts in "
    "the month. Only months with enough answers for the results to be shown are counted.",
    source="Wellbeing: the team's anonymous monthly pulse.",
    direction=Direction.INCREASE,
    weekly=_pulse_agreeing(HELD_STATEMENT),
    settles_weeks=16,
)
PULSE_ISOLATED = Measure(
    slug="pulse-isolated",
    name="Feeling isolated",
    unit=PER_CENT,
    definition=f"The share of the team's answers agreeing or strongly agreeing with "
    f"“{ISOLATED_STATEMENT}” in its monthly pulse, shown in the first week that starts in "
    "the month. Only months with enough answers for the results to be shown are counted.",
    source="Wellbeing: the team's anonymous monthly pulse.",
    direction=Direction.DECREASE,
    weekly=_pulse_agreeing(ISOLATED_STATEMENT),
    settles_weeks=16,
)


# -- Learning -----------------------------------------------------------------------------------


def _actions_on_time(start: datetime, end: datetime) -> Iterable[WeekRow]:
    """The team's safety actions by the week they are due: how many were done on or before the
    day they were due. An action not done counts once its due day has passed."""
    on_time = Q(status=ActionStatus.DONE, completed_on__lte=F("due_on"))
    return _rows(
        SafetyAction.objects.filter(due_on__gte=_day(start), due_on__lt=_day(end))
        .filter(Q(status=ActionStatus.DONE) | Q(due_on__lt=timezone.localdate()))
        .annotate(week=TruncWeek("due_on"))
        .values_list("team_id", "week")
        .annotate(total=Count("pk", filter=on_time), count=Count("pk"))
        .order_by()
    )


LEARNING_ACTIONS_ON_TIME = Measure(
    slug="learning-actions-on-time",
    name="Safety actions done on time",
    unit=PER_CENT,
    definition="Of the team's safety actions from learning responses due that week, the share "
    "done on or before the day they were due. An action not yet done counts once its due day "
    "has passed.",
    source="Learning: each safety action's due date and the day it was done.",
    direction=Direction.INCREASE,
    weekly=_actions_on_time,
)

# -- Care: the zone mix ---------------------------------------------------------------------------


def _colour_of(zones: dict[int, str], zone: int | None) -> str | None:
    return zones.get(zone) if zone is not None else None


def _zone_mix(start: datetime, end: datetime) -> dict[tuple[int, date], Counter[str]]:
    """For each team and week from `start` to `end` (this week at the most), how many people on
    its huddle board were in a zone of each colour at the end of the week (this week: now).

    Worked back from today's board: each zone change since `start` is undone (one back to the
    zone it left, one taken from the zone it went to), each person who left care since `start`
    is put back in their last zone, and each person who came back straight into a zone (a
    return within the re-referral window) is taken out of it again, week by week. Four queries,
    each grouped or small, whatever the number of teams and weeks.
    """
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    first = _day(start)
    weeks_before = _day(end) - timedelta(days=1)
    last = min(weeks_before - timedelta(days=weeks_before.weekday()), this_monday)
    if last < first:
        return {}
    zones: dict[int, str] = {}
    team_of_zone: dict[int, int] = {}
    for zone, colour, team in Zone.objects.values_list("pk", "colour", "team_id"):
        zones[zone], team_of_zone[zone] = colour, team
    board: Counter[tuple[int, str]] = Counter()
    for zone, n in (
        Episode.objects.filter(closed_at__isnull=True, zone__isnull=False)
        .values_list("zone")
        .annotate(n=Count("*"))
        .order_by()
    ):
        board[(team_of_zone[zone], zones[zone])] += n
    # What to undo going back over each week: (team, colour) -> change in count.
    undo: dict[date, Counter[tuple[int, str]]] = {}

    def undo_in(day: date) -> Counter[tuple[int, str]]:
        return undo.setdefault(day - timedelta(days=day.weekday()), Counter())

    for day, to_zone, from_zone, n in (
        ZoneChange.objects.filter(day__gte=first)
        .values_list("day", "to_zone", "from_zone")
        .annotate(n=Count("*"))
        .order_by()
    ):
        undo_in(day)[(team_of_zone[to_zone], zones[to_zone])] -= n
        if from_zone is not None:
            undo_in(day)[(team_of_zone[from_zone], zones[from_zone])] += n
    for week, zone, n in (
        Episode.objects.filter(closed_at__gte=start, zone__isnull=False)
        .annotate(week=TruncWeek("closed_at"))
        .values_list("week", "zone")
        .annotate(n=Count("*"))
        .order_by()
    ):
        undo_in(_week(week))[(team_of_zone[zone], zones[zone])] += n
    # A return straight into a zone: the zone it came back to is its first change's "from", or
    # its zone now if it has not changed since.
    first_from = Subquery(
        ZoneChange.objects.filter(episode=OuterRef("pk"))
        .order_by("at", "pk")
        .values("from_zone")[:1]
    )
    for referred_at, zone, earliest in (
        Episode.objects.filter(previous__isnull=False, referred_at__gte=start)
        .annotate(
            earliest=first_from, changed=Exists(ZoneChange.objects.filter(episode=OuterRef("pk")))
        )
        .filter(Q(changed=True, earliest__isnull=False) | Q(changed=False, zone__isnull=False))
        .values_list("referred_at", "zone", "earliest")
    ):
        began = earliest if earliest is not None else zone
        undo_in(_day(referred_at))[(team_of_zone[began], zones[began])] -= 1
    mix: dict[tuple[int, date], Counter[str]] = {}
    week = this_monday
    while week >= first:
        if week <= last:
            for (team, colour), n in board.items():
                if n > 0:
                    mix.setdefault((team, week), Counter())[colour] = n
        board.update(undo.get(week, Counter()))
        week -= timedelta(weeks=1)
    return mix


def _in_zones_of(colour: str) -> Weekly:
    def weekly(start: datetime, end: datetime) -> Iterable[WeekRow]:
        return [
            WeekRow(team, week, float(counts[colour]), sum(counts.values()))
            for (team, week), counts in sorted(_zone_mix(start, end).items())
        ]

    return weekly


ZONE_MIX: tuple[Measure, ...] = tuple(
    Measure(
        slug=f"zone-mix-{colour.value}",
        name=f"Zone mix: {colour.label}",
        unit=PER_CENT,
        definition=f"Of the people in a zone on the team's huddle board at the end of the week, "
        f"the share in a {colour.label.lower()} zone. Each team says what its zones mean (the "
        "team's input, never a prediction); this week's figure is the board now.",
        source="Care: the huddle board's zone changes, and who left care or came back.",
        direction=Direction.NEUTRAL,
        weekly=_in_zones_of(colour.value),
    )
    for colour in ZoneColour
)

MEASURES: tuple[Measure, ...] = (
    REFERRAL_TO_OFFER,
    READY_TO_MOVED_ON,
    RETURNS_WITHIN_6_MONTHS,
    LEADERSHIP_PRESENCE,
    DECISIONS_FULL_REPRESENTATION,
    DECISIONS_HELD,
    POSITIVE_RISK_HELD,
    DAYS_TO_HOLD,
    CONCERNS_ACKNOWLEDGED_ON_TIME,
    CONCERNS_ADDRESSED,
    SUPPORT_ATTENDANCE,
    PULSE_HELD,
    PULSE_ISOLATED,
    LEARNING_ACTIONS_ON_TIME,
)
# Every measure the roll-up keeps: those on the measures page, and the zone mix.
ALL: tuple[Measure, ...] = (*MEASURES, *ZONE_MIX)
BY_SLUG = {measure.slug: measure for measure in ALL}
