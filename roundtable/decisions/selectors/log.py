"""Reads of the decision log: the filtered list, its CSV rows and the forums to filter by."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from roundtable.core import access
from roundtable.decisions.models import Decision, Revision
from roundtable.directory.models import Person
from roundtable.forums.models import Forum


@dataclass(frozen=True)
class DecisionFilter:
    q: str = ""
    forum: int | None = None
    kind: str = ""
    status: str = ""
    mine: bool = False


def decision_log(user: Person, filters: DecisionFilter) -> QuerySet[Decision]:
    """Decisions, newest first, with their position count and whether a leader holds them.

    The search looks in titles, the current proposal, outcomes and rationales.
    """
    decisions = (
        access.scoped(user, Decision)
        .select_related("forum", "proposer", "budget")
        .annotate(
            hold_count=Count("holds", distinct=True),
        )
    )
    if filters.forum:
        decisions = decisions.filter(forum_id=filters.forum)
    if filters.kind:
        decisions = decisions.filter(kind=filters.kind)
    if filters.status:
        decisions = decisions.filter(status=filters.status)
    if filters.mine:
        decisions = decisions.filter(forum__memberships__person=user)
    if filters.q:
        words = filters.q.split()
        for word in words[:8]:
            in_proposal = Revision.objects.filter(decision=OuterRef("pk"), proposal__icontains=word)
            decisions = decisions.filter(
                Q(title__icontains=word)
                | Q(outcome__icontains=word)
                | Q(rationale__icontains=word)
                | Exists(in_proposal)
            )
    return decisions.order_by("-created_at", "-pk")


CSV_HEADER = [
    "id",
    "title",
    "forum",
    "kind",
    "method",
    "status",
    "proposer",
    "revision",
    "amount requested (£)",
    "amount agreed (£)",
    "outcome",
    "rationale",
    "decided at",
    "review on",
    "held by leaders",
]


def decision_log_rows(decisions: QuerySet[Decision]) -> Iterator[list[str]]:
    """The decision log as CSV rows, streamed in chunks."""

    def money(pence: int | None) -> str:
        return "" if pence is None else f"{pence / 100:.2f}"

    yield CSV_HEADER
    for d in decisions.iterator(chunk_size=500):
        yield [
            str(d.pk),
            d.title,
            d.forum.name,
            d.get_kind_display(),
            d.get_method_display(),
            d.get_status_display(),
            d.proposer.full_name,
            str(d.current_revision),
            money(d.amount_requested_pence),
            money(d.amount_agreed_pence),
            d.outcome,
            d.rationale,
            d.decided_at.isoformat() if d.decided_at else "",
            d.review_on.isoformat() if d.review_on else "",
            str(getattr(d, "hold_count", 0)),
        ]


def forum_choices() -> list[tuple[int, str]]:
    """Forums by name, for the decision log's filter."""
    return list(
        Forum.objects.filter(is_archived=False).order_by("name", "pk").values_list("pk", "name")
    )
