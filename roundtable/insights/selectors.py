"""Reads for insights: a measure's weekly (or monthly) series for a team, an organisation or the
whole system, from the roll-up alone, and who may see which.

A series is one grouped query over `WeeklyFigure` however many teams it adds up: the totals and
counts of the teams are summed, so a mean or a share over several teams is exact. The figures
name nobody; who may read a team's is still its own people's business:

- a team's insights: its members and those who lead it (its own leadership team, its
  organisation's, the system's);
- an organisation's: those in one of its leadership teams, and the system's leadership;
- the whole system's: the system's leadership.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404

from roundtable.core.access import Reader
from roundtable.directory.models import (
    LeadershipLevel,
    LeadershipMembership,
    Membership,
    Organisation,
    Person,
    Team,
)
from roundtable.directory.queries import leading
from roundtable.insights.measures import BY_SLUG, Measure
from roundtable.insights.models import WeeklyFigure
from roundtable.insights.spc import Chart, Options, xmr

# The teams a series adds up: a list of ids, a query of them, or None for every team.
TeamIds = Sequence[int] | QuerySet[Team, int] | None


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Series:
    measure: Measure
    period: Period
    starts: tuple[date, ...]  # the Monday of each week, or the first of each month
    values: tuple[float, ...]
    counts: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.values)

    def chart(self, *, rebase_on: date | None = None, target: float | None = None) -> Chart:
        """Its XmR chart, rebased from the first period starting on or after `rebase_on`."""
        rebase_at = []
        if rebase_on is not None:
            later = [i for i, start in enumerate(self.starts) if start >= rebase_on]
            if later and later[0] > 0:
                rebase_at = [later[0]]
        options = Options(direction=self.measure.direction, target=target)
        return xmr(self.values, rebase_at=rebase_at, options=options)


def measure_get(slug: str) -> Measure:
    try:
        return BY_SLUG[slug]
    except KeyError:
        raise Http404(f"There is no measure called {slug!r}.") from None


def all_series(
    measures: Sequence[Measure],
    *,
    team_ids: TeamIds,
    start: date,
    end: date,
    period: Period = Period.WEEK,
) -> dict[str, Series]:
    """Each of `measures` over the weeks starting from `start` to `end`, for these teams (None:
    every team), by week or by calendar month, by slug. One query, however many teams and
    measures."""
    figures = WeeklyFigure.objects.filter(
        measure__in=[m.slug for m in measures], week__gte=start, week__lte=end
    )
    if team_ids is not None:
        figures = figures.filter(team_id__in=team_ids)
    key = "week" if period == Period.WEEK else "month"
    if period == Period.MONTH:
        figures = figures.annotate(month=TruncMonth("week"))
    rows: dict[str, list[tuple[date, float, int]]] = {m.slug: [] for m in measures}
    for slug, start_of, total, n in (
        figures.values_list("measure", key)
        .annotate(total=Sum("total"), n=Sum("count"))
        .order_by("measure", key)
    ):
        rows[slug].append((start_of, total / n * BY_SLUG[slug].scale, int(n)))
    return {
        m.slug: Series(
            m,
            period,
            tuple(r[0] for r in rows[m.slug]),
            tuple(r[1] for r in rows[m.slug]),
            tuple(r[2] for r in rows[m.slug]),
        )
        for m in measures
    }


def series(
    measure: Measure,
    *,
    team_ids: TeamIds,
    start: date,
    end: date,
    period: Period = Period.WEEK,
) -> Series:
    """One measure's series (`all_series`)."""
    found = all_series([measure], team_ids=team_ids, start=start, end=end, period=period)
    return found[measure.slug]


@dataclass(frozen=True)
class Measured:
    """A measure's series over the chosen dates, and its chart when there are points enough."""

    series: Series
    chart: Chart | None


def measured(
    scope: Scope,
    measure: Measure,
    *,
    start: date,
    end: date,
    period: Period,
    rebase_on: date | None = None,
    target: float | None = None,
) -> Measured:
    found = series(measure, team_ids=scope.team_ids, start=start, end=end, period=period)
    chart = found.chart(rebase_on=rebase_on, target=target) if len(found) >= 2 else None
    return Measured(found, chart)


@dataclass(frozen=True)
class Scope:
    """Whose insights: a team's, an organisation's (its teams') or the whole system's."""

    kind: str  # "team", "organisation" or "system"
    name: str
    pk: int | None
    team_ids: TeamIds

    def args(self) -> list[int]:
        return [] if self.pk is None else [self.pk]


# -- Who may see which --------------------------------------------------------------------------


def _in_system_leadership(user: Person) -> bool:
    return LeadershipMembership.objects.filter(
        person_id=user.pk, leadership_team__level=LeadershipLevel.SYSTEM
    ).exists()


def may_see_team(user: Reader, team: Team) -> bool:
    """In the team, or leading it (its own leadership team, its organisation's or the
    system's): one query."""
    if not isinstance(user, Person):
        return False
    member = Membership.objects.filter(person_id=OuterRef("pk"), team_id=team.pk)
    leader = LeadershipMembership.objects.filter(
        leading(team) | Q(leadership_team__level=LeadershipLevel.SYSTEM),
        person_id=OuterRef("pk"),
    )
    return Person.objects.filter(Exists(member) | Exists(leader), pk=user.pk).exists()


def may_see_organisation(user: Reader, organisation: Organisation) -> bool:
    if not isinstance(user, Person):
        return False
    return (
        _in_system_leadership(user)
        or LeadershipMembership.objects.filter(
            person_id=user.pk,
            leadership_team__level=LeadershipLevel.ORGANISATION,
            leadership_team__organisation_id=organisation.pk,
        ).exists()
    )


def may_see_system(user: Reader) -> bool:
    return isinstance(user, Person) and _in_system_leadership(user)


def team_get(user: Reader, team_id: int) -> Team:
    """A team whose insights `user` may see, or 404 (the same for one that does not exist)."""
    team = Team.objects.select_related("organisation").filter(pk=team_id).first()
    if team is None or not may_see_team(user, team):
        raise Http404("No team found.")
    return team


def organisation_get(user: Reader, organisation_id: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not may_see_organisation(user, organisation):
        raise Http404("No organisation found.")
    return organisation


def team_scope(user: Reader, team_id: int) -> Scope:
    team = team_get(user, team_id)
    return Scope("team", team.name, team.pk, [team.pk])


def _teams_of(organisation: Organisation) -> QuerySet[Team, int]:
    return Team.objects.filter(organisation=organisation).values_list("pk", flat=True)


def organisation_scope(user: Reader, organisation_id: int) -> Scope:
    organisation = organisation_get(user, organisation_id)
    return Scope("organisation", organisation.name, organisation.pk, _teams_of(organisation))


def system_scope(user: Reader) -> Scope:
    if not may_see_system(user):
        raise Http404("Only the system's leadership sees the whole system's insights.")
    return Scope("system", "The whole system", None, None)


def my_scopes(user: Person) -> list[Scope]:
    """The teams, organisations and system whose insights `user` may see: their own teams and
    the ones they lead first."""
    teams = (
        Team.objects.filter(
            Q(memberships__person=user)
            | Q(leadership_teams__memberships__person=user)
            | Q(
                organisation__leadership_teams__level=LeadershipLevel.ORGANISATION,
                organisation__leadership_teams__memberships__person=user,
            )
        )
        .distinct()
        .order_by("name")
    )
    scopes = [Scope("team", t.name, t.pk, [t.pk]) for t in teams]
    organisations = Organisation.objects.filter(
        leadership_teams__level=LeadershipLevel.ORGANISATION,
        leadership_teams__memberships__person=user,
    ).distinct()
    scopes += [
        Scope("organisation", o.name, o.pk, _teams_of(o)) for o in organisations.order_by("name")
    ]
    if may_see_system(user):
        scopes.append(Scope("system", "The whole system", None, None))
    return scopes
