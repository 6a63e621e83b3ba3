"""Reads for decisions, scoped to the person asking; a fixed number of queries per page."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from roundtable.core import access
from roundtable.decisions.models import (
    AdviceRequest,
    AllocationRound,
    Approval,
    Budget,
    Comment,
    Decision,
    DecisionEvent,
    DecisionStatus,
    Hold,
    Notification,
    Position,
    Revision,
)
from roundtable.decisions.rules_engine import (
    Bid,
    Participant,
    Representation,
    Tally,
    Verdict,
    allocate,
    may_agree,
    representation,
)
from roundtable.directory.models import Person
from roundtable.forums.models import Attendance, AttendanceStatus, Forum, ForumMembership, Meeting


@dataclass
class BudgetSummary:
    budget: Budget
    committed_pence: int

    @property
    def remaining_pence(self) -> int:
        return self.budget.total_pence - self.committed_pence


def _committed(budget_ids: list[int]) -> dict[int, int]:
    rows = (
        Decision.objects.filter(
            budget_id__in=budget_ids,
            amount_agreed_pence__isnull=False,
            status__in=[DecisionStatus.AGREED, DecisionStatus.REVIEWED],
        )
        .values("budget_id")
        .annotate(total=Sum("amount_agreed_pence"))
    )
    return {row["budget_id"]: int(row["total"] or 0) for row in rows}


def budget_summaries(forum_id: int) -> list[BudgetSummary]:
    budgets = list(Budget.objects.filter(forum_id=forum_id).order_by("-period_start", "name"))
    committed = _committed([b.pk for b in budgets])
    return [BudgetSummary(b, committed.get(b.pk, 0)) for b in budgets]


def budget_summary(budget: Budget) -> BudgetSummary:
    return BudgetSummary(budget, _committed([budget.pk]).get(budget.pk, 0))


def budget_get(budget_id: int) -> Budget:
    budget = Budget.objects.select_related("forum").filter(pk=budget_id).first()
    if budget is None:
        raise Http404("No budget found.")
    return budget


@dataclass
class DecisionPage:
    decision: Decision
    revisions: list[Revision]
    current_positions: list[Position]
    earlier_positions: list[Position]
    silent: list[ForumMembership]
    holds: list[Hold]
    comments: list[Comment]
    advice: list[AdviceRequest]
    events: list[DecisionEvent]
    budget: BudgetSummary | None
    # Everyone recorded as present at the decision's meeting, guests known only by name too.
    participants_present: list[Attendance] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    verdict: Verdict = field(default_factory=lambda: Verdict(False))
    representation: Representation | None = None

    @property
    def current_revision(self) -> Revision:
        return self.revisions[-1]

    def position_of(self, person_id: int) -> Position | None:
        return next((p for p in self.current_positions if p.person_id == person_id), None)

    @property
    def objections(self) -> list[Position]:
        return [p for p in self.current_positions if p.stance == "objection"]


def decision_get(user: Any, decision_id: int) -> Decision:
    """A decision the user may read, or 404."""
    decision = (
        access.scoped(user, Decision)
        .select_related("forum__home_team", "proposer", "budget", "meeting")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        raise Http404("No decision found.")
    return decision


_POSITION_FIELDS = (
    "id",
    "decision_id",
    "revision",
    "stance",
    "reason",
    "meeting_id",
    "updated_at",
    "person__id",
    "person__full_name",
    "person__job_title",
    "person__discipline__id",
    "person__discipline__slug",
    "person__discipline__name",
    "person__organisation__id",
    "person__organisation__name",
    "person__organisation__kind",
)


def decision_detail(user: Any, decision_id: int) -> DecisionPage:
    """Everything the decision page shows, in a fixed number of queries however long it is."""
    decision = decision_get(user, decision_id)
    visible = access.scoped(user, Person)
    revisions = list(
        Revision.objects.filter(decision=decision).select_related("author").order_by("number")
    )
    # A long decision has hundreds of positions and comments: load only the people's fields the
    # page shows, so that building the objects stays cheap.
    positions = list(
        Position.objects.filter(decision=decision, person__in=visible)
        .select_related("person__discipline", "person__organisation")
        .only(*_POSITION_FIELDS)
        .order_by("-revision", "person__full_name", "pk")
    )
    current = [p for p in positions if p.revision == decision.current_revision]
    earlier = [p for p in positions if p.revision != decision.current_revision]
    # Only the members who have not answered are read: on a long decision that is few rows.
    answered = Position.objects.filter(
        decision=decision, revision=decision.current_revision
    ).values("person_id")
    silent = list(
        ForumMembership.objects.filter(
            forum_id=decision.forum_id, person__in=visible, person__is_active=True
        )
        .exclude(person_id__in=answered)
        .select_related("person")
        .order_by("person__full_name", "pk")
    )
    holds = list(
        Hold.objects.filter(decision=decision)
        .select_related("leader__discipline", "leadership_team")
        .order_by("created_at", "pk")
    )
    comments = list(
        Comment.objects.filter(decision=decision)
        .select_related("author__organisation")
        .only(
            "id",
            "decision_id",
            "body",
            "revision",
            "created_at",
            "author__id",
            "author__full_name",
            "author__organisation__id",
            "author__organisation__name",
            "author__organisation__kind",
        )
        .order_by("created_at", "pk")
    )
    advice = list(
        AdviceRequest.objects.filter(decision=decision)
        .select_related("adviser")
        .order_by("requested_at", "pk")
    )
    events = list(
        DecisionEvent.objects.filter(decision=decision).select_related("actor").order_by("at", "pk")
    )
    budget = budget_summary(decision.budget) if decision.budget is not None else None
    present: list[Attendance] = []
    if decision.meeting_id is not None:
        # Everyone present: people in Roundtable and guests known only by name.
        present = list(
            Attendance.objects.filter(
                meeting_id=decision.meeting_id, status=AttendanceStatus.PRESENT
            ).select_related(
                "person__discipline",
                "person__organisation",
                "guest_organisation",
                "guest_discipline",
            )
        )
    page = DecisionPage(
        decision,
        revisions,
        current,
        earlier,
        silent,
        holds,
        comments,
        advice,
        events,
        budget,
        present,
    )
    page.tally = Tally.of(p.stance for p in current)
    page.verdict = may_agree(
        decision.method,
        page.tally,
        advice_given=sum(1 for a in advice if a.given_at is not None),
        vote_threshold_percent=decision.vote_threshold_percent,
        vote_quorum=decision.vote_quorum,
    )
    page.participants = took_part(current, present)
    forum = decision.forum
    page.representation = representation(
        page.participants,
        min_disciplines=forum.min_disciplines,
        required_organisation_kinds=forum.required_organisation_kinds,
        lived_experience_required=forum.lived_experience_required,
    )
    return page


def _has_rules(forum: Forum) -> bool:
    return bool(
        forum.min_disciplines
        or forum.required_organisation_kinds
        or forum.lived_experience_required
    )


def missing_voices(decisions: Iterable[Decision]) -> dict[int, tuple[str, ...]]:
    """The voices each decided decision was reached without, by the rules of its forum (as on
    the decision page), by id; decisions that met them are left out. For a page of the log:
    two queries, none when no decided decision on it is in a forum with rules."""
    ruled = [d for d in decisions if d.is_decided and _has_rules(d.forum)]
    if not ruled:
        return {}
    current = Q()
    for d in ruled:
        current |= Q(decision_id=d.pk, revision=d.current_revision)
    positions: dict[int, list[Position]] = {}
    for position in (
        Position.objects.filter(current)
        .select_related("person__discipline", "person__organisation")
        .only(*_POSITION_FIELDS)
    ):
        positions.setdefault(position.decision_id, []).append(position)
    present: dict[int, list[Attendance]] = {}
    meetings = {d.meeting_id for d in ruled if d.meeting_id is not None}
    if meetings:
        for row in Attendance.objects.filter(
            meeting_id__in=meetings, status=AttendanceStatus.PRESENT
        ).select_related(
            "person__discipline", "person__organisation", "guest_organisation", "guest_discipline"
        ):
            present.setdefault(row.meeting_id, []).append(row)
    found = {}
    for d in ruled:
        participants = took_part(
            positions.get(d.pk, []), present.get(d.meeting_id, []) if d.meeting_id else []
        )
        missing = representation(
            participants,
            min_disciplines=d.forum.min_disciplines,
            required_organisation_kinds=d.forum.required_organisation_kinds,
            lived_experience_required=d.forum.lived_experience_required,
        ).missing
        if missing:
            found[d.pk] = missing
    return found


def note_missing_voices(user: Any, decisions: list[Decision]) -> None:
    """Set `missing_voices` on each decision of a page of the log (the API's)."""
    missing = missing_voices(decisions)
    for d in decisions:
        d.missing_voices = list(missing.get(d.pk, ()))  # type: ignore[attr-defined]


def took_part(positions: list[Position], present: list[Attendance]) -> list[Participant]:
    """Who took part, by name: those with a position on the current proposal, and, for a
    decision made in a meeting, everyone recorded as present there — guests known only by name
    included, with the organisation (or kind), discipline and role recorded for them."""
    people: dict[tuple[str, int], Participant] = {
        ("person", p.person_id): _participant(p.person) for p in positions
    }
    for row in present:
        if row.person is not None:
            people[("person", row.person.pk)] = _participant(row.person)
        else:
            people[("guest", row.pk)] = _guest_participant(row)
    return sorted(people.values(), key=lambda p: (p.name, p.is_named_guest))


def _participant(person: Person) -> Participant:
    discipline = person.discipline
    organisation = person.organisation
    return Participant(
        discipline_slug=discipline.slug if discipline else None,
        discipline_name=discipline.name if discipline else None,
        organisation_kind=organisation.kind if organisation else None,
        name=person.full_name,
        role=person.job_title,
    )


def _guest_participant(row: Attendance) -> Participant:
    discipline = row.guest_discipline
    return Participant(
        discipline_slug=discipline.slug if discipline else None,
        discipline_name=discipline.name if discipline else None,
        organisation_kind=row.organisation_kind or None,
        name=row.guest_name,
        role=row.guest_role,
        is_named_guest=True,
    )


@dataclass(frozen=True)
class DecisionFilter:
    q: str = ""
    forum: int | None = None
    kind: str = ""
    status: str = ""
    mine: bool = False


def decision_log(user: Any, filters: DecisionFilter) -> QuerySet[Decision]:
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


def awaiting_my_position(user: Any) -> list[Decision]:
    """Open decisions in the person's forums on whose current proposal they have no position."""
    mine = Position.objects.filter(
        decision=OuterRef("pk"), revision=OuterRef("current_revision"), person=user
    )
    return list(
        access.scoped(user, Decision)
        .filter(status=DecisionStatus.OPEN, forum__memberships__person=user)
        .exclude(Exists(mine))
        .select_related("forum")
        .order_by("closes_at", "-created_at")[:20]
    )


def notifications_for(user: Any, *, unread_only: bool = True) -> list[Notification]:
    """The person's notices, of decisions they may still see (access may have ended since)."""
    notices = access.scoped(user, Notification)
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    return list(notices.select_related("decision__forum").order_by("-created_at", "-pk")[:50])


def unread_count(user: Any) -> int:
    return access.scoped(user, Notification).filter(read_at__isnull=True).count()


class AllocationOutcome(models.TextChoices):
    """Where a proposal in an allocation round stands."""

    AGREED = "agreed", "Agreed"
    FUNDED = "funded", "Funded"
    DOES_NOT_FIT = "does_not_fit", "Does not fit in what is left"
    NO_APPROVALS = "no_approvals", "No approvals"
    NOT_AGREED = "not_agreed", "Not agreed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# What a proposal's own decision settles, whatever its approvals.
_SETTLED = {
    DecisionStatus.AGREED: AllocationOutcome.AGREED,
    DecisionStatus.REVIEWED: AllocationOutcome.AGREED,
    DecisionStatus.NOT_AGREED: AllocationOutcome.NOT_AGREED,
    DecisionStatus.WITHDRAWN: AllocationOutcome.WITHDRAWN,
}


@dataclass
class AllocationResult:
    decision: Decision
    approvals: int
    outcome: AllocationOutcome

    @property
    def funded(self) -> bool:
        return self.outcome in (AllocationOutcome.AGREED, AllocationOutcome.FUNDED)

    @property
    def open(self) -> bool:
        """Still to be decided, so members may approve it."""
        return self.decision.status == DecisionStatus.OPEN

    @property
    def amount_pence(self) -> int:
        """The agreed amount once agreed, else the amount requested."""
        if self.outcome == AllocationOutcome.AGREED:
            return self.decision.amount_agreed_pence or 0
        return self.decision.amount_requested_pence or 0


@dataclass
class AllocationPage:
    round: AllocationRound
    results: list[AllocationResult]
    budget: BudgetSummary
    my_approvals: set[int]

    @property
    def funded_total(self) -> int:
        """What the round funds: the amounts agreed, and the open proposals that fit."""
        return sum(r.amount_pence for r in self.results if r.funded)

    @property
    def open_proposals(self) -> list[Decision]:
        return [r.decision for r in self.results if r.open]


def allocation_detail(user: Any, round_id: int) -> AllocationPage:
    """A round's proposals with their approvals and where each stands.

    The round works from the budget as it is: a proposal whose decision is settled keeps its
    outcome (an agreed amount is already committed, so it is not counted again); the open
    proposals are allocated by the published rule (`allocate`) from what is left.
    """
    allocation = AllocationRound.objects.select_related("budget__forum").filter(pk=round_id).first()
    if allocation is None:
        raise Http404("No allocation round found.")
    proposals = list(allocation.proposals.order_by("created_at", "pk"))
    counts = dict(
        Approval.objects.filter(round=allocation)
        .values_list("decision_id")
        .annotate(n=Count("pk"))
        .values_list("decision_id", "n")
    )
    summary = budget_summary(allocation.budget)
    still_open = [d for d in proposals if d.status == DecisionStatus.OPEN]
    funded = set(
        allocate(
            [
                Bid(d.pk, d.amount_requested_pence or 0, counts.get(d.pk, 0), order)
                for order, d in enumerate(still_open)
            ],
            max(summary.remaining_pence, 0),
        )
    )

    def outcome(d: Decision) -> AllocationOutcome:
        if d.status in _SETTLED:
            return _SETTLED[DecisionStatus(d.status)]
        if d.pk in funded:
            return AllocationOutcome.FUNDED
        if not counts.get(d.pk):
            return AllocationOutcome.NO_APPROVALS
        return AllocationOutcome.DOES_NOT_FIT

    # Agreed first (settled), then the open ones in the order the rule considers them (most
    # approvals, then the smaller amount, then the earlier), then those not going ahead.
    settled_rank = {AllocationOutcome.AGREED: 0}
    order = {d.pk: index for index, d in enumerate(proposals)}
    results = sorted(
        (AllocationResult(d, counts.get(d.pk, 0), outcome(d)) for d in proposals),
        key=lambda r: (
            settled_rank.get(r.outcome, 1 if r.open else 2),
            -r.approvals,
            r.decision.amount_requested_pence or 0,
            order[r.decision.pk],
        ),
    )
    mine = set(
        Approval.objects.filter(round=allocation, person=user).values_list("decision_id", flat=True)
    )
    return AllocationPage(allocation, results, summary, mine)


# -- Records a request names by id (the API) ----------------------------------------------------


def advice_request_get(decision: Decision, advice_id: int) -> AdviceRequest:
    """One request for advice on `decision`, with its adviser, or 404."""
    request = (
        AdviceRequest.objects.select_related("adviser")
        .filter(decision=decision, pk=advice_id)
        .first()
    )
    if request is None:
        raise Http404("No advice request found.")
    return request


def decisions_by_id(user: Any, decision_ids: list[int]) -> dict[int, Decision]:
    """The decisions among `decision_ids` that exist and the user may read, by id. One query
    (none for no ids)."""
    if not decision_ids:
        return {}
    return {d.pk: d for d in access.scoped(user, Decision).filter(pk__in=set(decision_ids))}


def allocation_get(round_id: int) -> AllocationRound:
    """An allocation round with its budget and forum, or 404."""
    allocation = AllocationRound.objects.select_related("budget__forum").filter(pk=round_id).first()
    if allocation is None:
        raise Http404("No allocation round found.")
    return allocation


# -- For the decision pages ---------------------------------------------------------------------


def holds_by_decision(decision_ids: list[int]) -> dict[int, list[Hold]]:
    """The holds of several decisions, oldest first, in one query: holds are shown wherever a
    decision is shown (the log, notices, the home page)."""
    if not decision_ids:
        return {}
    found: dict[int, list[Hold]] = {}
    holds = (
        Hold.objects.filter(decision_id__in=decision_ids)
        .select_related("leader", "leadership_team")
        .order_by("created_at", "pk")
    )
    for hold in holds:
        found.setdefault(hold.decision_id, []).append(hold)
    return found


def forum_choices() -> list[tuple[int, str]]:
    """Forums by name, for the decision log's filter."""
    return list(
        Forum.objects.filter(is_archived=False).order_by("name", "pk").values_list("pk", "name")
    )


def meetings_for_proposal(forum_id: int, *, now: datetime | None = None) -> list[Meeting]:
    """Meetings of the forum that a decision can be taken in: today's and upcoming ones, not
    cancelled, soonest first."""
    now = now or timezone.now()
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        Meeting.objects.filter(
            forum_id=forum_id, starts_at__gte=start_of_today, cancelled_at__isnull=True
        ).order_by("starts_at", "pk")[:30]
    )


def open_funding_proposals(budget: Budget) -> list[Decision]:
    """Open funding proposals from a budget, oldest first: the candidates for an allocation
    round."""
    return list(
        Decision.objects.filter(budget=budget, status=DecisionStatus.OPEN)
        .select_related("proposer")
        .order_by("created_at", "pk")
    )


def allocation_rounds_of(budget_ids: list[int]) -> dict[int, list[AllocationRound]]:
    found: dict[int, list[AllocationRound]] = {}
    for allocation in AllocationRound.objects.filter(budget_id__in=budget_ids).order_by(
        "-closes_at", "pk"
    ):
        found.setdefault(allocation.budget_id, []).append(allocation)
    return found
