"""Reads of tests of change (ramps of Plan-Do-Study-Act cycles), scoped to the person asking
(`roundtable.learning.access`: the ramp's team and those who lead it).

Lists read a fixed number of queries however many ramps and cycles there are: each ramp's count
of cycles and its latest cycle's status and act are worked out in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery

from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.directory.models import Team
from roundtable.learning.models import ChangeCycle, CycleStatus, LearningStatement, Ramp


def _latest(field: str) -> Subquery:
    newest = ChangeCycle.objects.filter(ramp=OuterRef("pk")).order_by("-number")
    return Subquery(newest.values(field)[:1])


def ramp_list(user: Reader, team: Team | None = None) -> QuerySet[Ramp]:
    """The ramps `user` may see, newest first, each with its team, how many cycles it has and
    its latest cycle's status and act (`latest_status`, `latest_act`)."""
    ramps = access.scoped(user, Ramp)
    if team is not None:
        ramps = ramps.filter(team=team)
    return (
        ramps.select_related("team")
        .annotate(
            cycle_count=Count("cycles"),
            latest_status=_latest("status"),
            latest_act=_latest("act"),
        )
        .order_by("-created_at", "-pk")  # an aggregate drops the model's own ordering
    )


def ramp_get(user: Reader, ramp_id: int, *, audit: bool = True) -> Ramp:
    """One ramp `user` may see, or 404; audited unless the caller is about to change it."""
    return access.get_visible(
        user, Ramp, Ramp.objects.select_related("team", "started_by"), audit=audit, pk=ramp_id
    )


@dataclass(frozen=True)
class RampPage:
    ramp: Ramp
    cycles: list[ChangeCycle]
    # The learning statement it started from, when the reader may see it (and its response).
    statement: LearningStatement | None

    @property
    def last(self) -> ChangeCycle | None:
        return self.cycles[-1] if self.cycles else None

    @property
    def open_cycle(self) -> ChangeCycle | None:
        """The cycle planned or being tried, if any: a ramp has at most one."""
        last = self.last
        return last if last is not None and last.status != CycleStatus.CLOSED else None


def ramp_page(user: Reader, ramp_id: int, *, audit: bool = True) -> RampPage:
    """A ramp with its cycles in order and where it came from, in three queries."""
    ramp = ramp_get(user, ramp_id, audit=audit)
    statement = None
    if ramp.statement_id is not None:
        statement = (
            access.scoped(user, LearningStatement)
            .select_related("response")
            .filter(pk=ramp.statement_id)
            .first()
        )
    cycles = list(ramp.cycles.select_related("started_by").order_by("number"))
    for cycle in cycles:
        cycle.ramp = ramp  # read once, for each cycle's team and aim
    return RampPage(ramp=ramp, cycles=cycles, statement=statement)


def cycle_get(user: Reader, cycle_id: int, *, audit: bool = True) -> ChangeCycle:
    """One cycle `user` may see, or 404; audited unless the caller is about to change it."""
    return access.get_visible(
        user,
        ChangeCycle,
        ChangeCycle.objects.select_related("ramp__team", "started_by"),
        audit=audit,
        pk=cycle_id,
    )


def statement_find(user: Reader, statement_id: int | None) -> LearningStatement | None:
    """The learning statement a test of change may start from, if `user` may see it."""
    if statement_id is None:
        return None
    return (
        access.scoped(user, LearningStatement)
        .select_related("response__team")
        .filter(pk=statement_id)
        .first()
    )


def ramps_from_statements(user: Reader, statement_ids: Iterable[int]) -> dict[int, list[Ramp]]:
    """The ramps `user` may see that started from each of these learning statements, oldest
    first, by statement id (one query)."""
    found: dict[int, list[Ramp]] = {}
    ramps = access.scoped(user, Ramp).filter(statement__in=list(statement_ids))
    for ramp in ramps.order_by("created_at", "pk"):
        assert ramp.statement_id is not None
        found.setdefault(ramp.statement_id, []).append(ramp)
    return found
