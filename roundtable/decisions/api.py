"""Shared decisions under /api/v1/decisions/: the log, proposals, positions, outcomes, holds,
discussion, advice, budgets, participatory allocation and notifications. Thin.

Reads call the selectors; every write calls one service, which checks who may make it (members
of the decision's forum; the proposer to revise or withdraw; a leader covering the forum to
hold), validates, saves in one transaction and writes the audit trail. So a refused write is a
422 that says why, and nothing was stored. Revising a proposal and recording an outcome name the
`version` that was read: if the decision changed since, the answer is 409 and nothing is
overwritten.
"""

# No `from __future__ import annotations` here: ninja reads the endpoints' annotations when they
# are declared, and `paginate` cannot resolve a postponed `Query[...]` from this module.
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from roundtable.core.api import (
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    REFUSED,
    actor,
    all_named,
    given,
    named,
    paginated,
)
from roundtable.core.schemas import PathId
from roundtable.decisions import selectors, services
from roundtable.decisions.models import AdviceRequest, Budget, Comment, Decision, Hold
from roundtable.decisions.schemas import (
    AdviceIn,
    AdviceOut,
    AdviceRequestIn,
    AllocationRoundIn,
    AllocationRoundOut,
    ApprovalsIn,
    BudgetIn,
    BudgetOut,
    CommentIn,
    CommentOut,
    ConsentRoundIn,
    DecisionDetail,
    DecisionIn,
    DecisionQuery,
    DecisionRef,
    DecisionReviewIn,
    DecisionSummary,
    HoldIn,
    HoldOut,
    NotificationQuery,
    NotificationsOut,
    NotificationsReadIn,
    NotificationsReadOut,
    OutcomeIn,
    PositionIn,
    RevisionIn,
    WithdrawIn,
)
from roundtable.directory.models import Person
from roundtable.forums import selectors as forum_selectors
from roundtable.forums.models import Meeting

router = Router(tags=["decisions"])

# A write the service turns down is a 422 (with `errors` by field); one made to a copy that is
# out of date is a 409.


# ---------------------------------------------------------------------------------------------
# Helpers: who is asking, and the records a body refers to by id
# ---------------------------------------------------------------------------------------------


def _people(request: HttpRequest, field: str, ids: list[int]) -> dict[int, Person]:
    """People named by id in a body field, read through the access policy; all must be found."""
    found = forum_selectors.people_by_id(request.user, ids)
    all_named(field, "person", found, ids)
    return found


def _decisions(request: HttpRequest, field: str, ids: list[int]) -> list[Decision]:
    """Decisions named by id in a body field, in the order given; all must exist."""
    wanted = list(dict.fromkeys(ids))
    found = selectors.decisions_by_id(request.user, wanted)
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise ValidationError({field: f"There is no decision with id {', '.join(missing)}."})
    return [found[pk] for pk in wanted]


def _meeting(field: str, pk: int | None) -> Meeting | None:
    return None if pk is None else named(field, "meeting", forum_selectors.meeting_get, pk)


def _budget(pk: int | None) -> Budget | None:
    return None if pk is None else named("budget", "budget", selectors.budget_get, pk)


def _page(request: HttpRequest, decision_id: PathId) -> selectors.DecisionPage:
    return selectors.decision_detail(request.user, decision_id)


# ---------------------------------------------------------------------------------------------
# The decision log and proposing
# ---------------------------------------------------------------------------------------------


@router.get("/decisions", response=list[DecisionSummary])
@paginated(shown=selectors.note_missing_voices)
def decision_list(request: HttpRequest, filters: Query[DecisionQuery]) -> QuerySet[Decision]:
    """The decision log, newest first: search it and narrow it by forum, kind and status.

    `mine=true` for only the forums you are a member of. The CSV export is on the decision log
    page.
    """
    return selectors.decision_log(
        actor(request),
        selectors.DecisionFilter(
            q=filters.q.strip(),
            forum=filters.forum,
            kind=filters.kind.value if filters.kind else "",
            status=filters.status.value if filters.status else "",
            mine=filters.mine,
        ),
    )


@router.post("/decisions", response={201: DecisionDetail, **FORBIDDEN, **REFUSED})
def decision_create(request: HttpRequest, payload: DecisionIn) -> Status[selectors.DecisionPage]:
    """Propose a decision in a forum you are a member of; any member may, from any organisation.

    It is open for positions at once (members are notified) unless `open` is false. A funding
    decision names one of the forum's budgets and the amount requested, in pence; a vote has a
    threshold and a quorum.
    """
    forum = named("forum", "forum", forum_selectors.forum_get, payload.forum)
    decision = services.decision_propose(
        actor=actor(request),
        forum=forum,
        kind=payload.kind.value,
        method=payload.method.value,
        meeting=_meeting("meeting", payload.meeting),
        budget=_budget(payload.budget),
        open_now=payload.open,
        **given(
            payload,
            "title",
            "proposal",
            "closes_at",
            "review_on",
            "amount_requested_pence",
            "vote_threshold_percent",
            "vote_quorum",
        ),
    )
    return Status(201, _page(request, decision.pk))


@router.get("/decisions/{decision_id}", response={200: DecisionDetail, **NOT_FOUND})
def decision_detail(request: HttpRequest, decision_id: PathId) -> selectors.DecisionPage:
    """A decision with its proposal and every revision, the positions on the current proposal
    and earlier ones, who has been silent, the tally and whether it may be agreed, whose voices
    took part, holds, comments, advice, its history and, for funding, its budget."""
    return _page(request, decision_id)


@router.post(
    "/decisions/{decision_id}/open",
    response={200: DecisionDetail, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def decision_open(request: HttpRequest, decision_id: PathId) -> selectors.DecisionPage:
    """Open a draft for positions. The proposer only."""
    decision = selectors.decision_get(request.user, decision_id)
    services.decision_open(actor=actor(request), decision=decision)
    return _page(request, decision_id)


@router.post(
    "/decisions/{decision_id}/revisions",
    response={201: DecisionDetail, **NOT_FOUND, **CONFLICT, **FORBIDDEN, **REFUSED},
)
def decision_revise(
    request: HttpRequest, decision_id: PathId, payload: RevisionIn
) -> Status[selectors.DecisionPage]:
    """Revise the proposal, such as to integrate an objection. The proposer only, while it is
    a draft or open.

    Every revision is kept. Positions on earlier revisions are kept but no longer count:
    everyone is asked for their position on the new one.
    """
    decision = selectors.decision_get(request.user, decision_id)
    services.decision_revise(
        actor=actor(request),
        decision=decision,
        expected_version=payload.version,
        **given(payload, "proposal", "change_note"),
    )
    return Status(201, _page(request, decision_id))


# ---------------------------------------------------------------------------------------------
# Positions
# ---------------------------------------------------------------------------------------------


@router.put(
    "/decisions/{decision_id}/position",
    response={200: DecisionDetail, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def position_take(
    request: HttpRequest, decision_id: PathId, payload: PositionIn
) -> selectors.DecisionPage:
    """Take or change your position on the current proposal: consent, consent with a concern,
    an objection, stand aside or abstain. A concern or an objection needs a reason.

    Members of the forum only, while the decision is open. Every change is kept as history.
    """
    decision = selectors.decision_get(request.user, decision_id)
    services.position_take(
        actor=actor(request),
        decision=decision,
        stance=payload.stance.value,
        reason=payload.reason,
    )
    return _page(request, decision_id)


@router.post(
    "/decisions/{decision_id}/consent-round",
    response={200: DecisionDetail, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def consent_round(
    request: HttpRequest, decision_id: PathId, payload: ConsentRoundIn
) -> selectors.DecisionPage:
    """Record a quick round in a meeting of the forum: each attendee's position.

    Only people recorded as present at the meeting can be recorded; someone who was not there
    cannot be recorded as consenting. All are recorded, or (422) none.
    """
    decision = selectors.decision_get(request.user, decision_id)
    meeting = named("meeting", "meeting", forum_selectors.meeting_get, payload.meeting)
    ids = [row.person for row in payload.positions]
    repeated = sorted({str(pk) for pk in ids if ids.count(pk) > 1})
    if repeated:
        raise ValidationError(
            {"positions": f"Give one position for each person: {', '.join(repeated)} repeated."}
        )
    people = _people(request, "positions", ids)
    services.consent_round(
        actor=actor(request),
        decision=decision,
        meeting=meeting,
        positions={people[row.person]: (row.stance.value, row.reason) for row in payload.positions},
    )
    return _page(request, decision_id)


# ---------------------------------------------------------------------------------------------
# Outcome, withdrawal and review
# ---------------------------------------------------------------------------------------------


@router.post(
    "/decisions/{decision_id}/outcome",
    response={200: DecisionDetail, **NOT_FOUND, **CONFLICT, **FORBIDDEN, **REFUSED},
)
def decision_decide(
    request: HttpRequest, decision_id: PathId, payload: OutcomeIn
) -> selectors.DecisionPage:
    """Record the outcome, agreed or not, with what was decided and why.

    "Agreed" must meet the method's rule (see `verdict` on the decision): under consent, an
    open objection blocks it and silence is never consent. A funding decision commits the
    amount agreed (the amount requested unless given) from its budget.
    """
    decision = selectors.decision_get(request.user, decision_id)
    services.decision_decide(
        actor=actor(request),
        decision=decision,
        expected_version=payload.version,
        **given(payload, "agreed", "outcome", "rationale", "amount_agreed_pence"),
    )
    return _page(request, decision_id)


@router.post(
    "/decisions/{decision_id}/withdraw",
    response={200: DecisionDetail, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def decision_withdraw(
    request: HttpRequest, decision_id: PathId, payload: WithdrawIn
) -> selectors.DecisionPage:
    """Withdraw a draft or open proposal, with a note if you like. The proposer only."""
    decision = selectors.decision_get(request.user, decision_id)
    services.decision_withdraw(actor=actor(request), decision=decision, note=payload.note)
    return _page(request, decision_id)


@router.post(
    "/decisions/{decision_id}/review",
    response={200: DecisionDetail, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def decision_review(
    request: HttpRequest, decision_id: PathId, payload: DecisionReviewIn
) -> selectors.DecisionPage:
    """Record that a decided decision has been reviewed, and what the review found."""
    decision = selectors.decision_get(request.user, decision_id)
    services.decision_review(actor=actor(request), decision=decision, note=payload.note)
    return _page(request, decision_id)


@router.post(
    "/decisions/{decision_id}/holds",
    response={201: HoldOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def hold_add(request: HttpRequest, decision_id: PathId, payload: HoldIn) -> Status[Hold]:
    """Hold an agreed decision: as a member of a leadership team covering the forum, stand
    behind it with the people who act on it, in a short message."""
    decision = selectors.decision_get(request.user, decision_id)
    hold = services.hold_add(actor=actor(request), decision=decision, message=payload.message)
    return Status(201, hold)


# ---------------------------------------------------------------------------------------------
# Discussion and advice
# ---------------------------------------------------------------------------------------------


@router.post(
    "/decisions/{decision_id}/comments",
    response={201: CommentOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def comment_add(request: HttpRequest, decision_id: PathId, payload: CommentIn) -> Status[Comment]:
    """Comment on a decision. Members of the forum only."""
    decision = selectors.decision_get(request.user, decision_id)
    comment = services.comment_add(actor=actor(request), decision=decision, body=payload.body)
    return Status(201, comment)


@router.post(
    "/decisions/{decision_id}/advice",
    response={201: AdviceOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def advice_request(
    request: HttpRequest, decision_id: PathId, payload: AdviceRequestIn
) -> Status[AdviceRequest]:
    """Advice process: as the proposer, seek advice from a named person."""
    decision = selectors.decision_get(request.user, decision_id)
    adviser = _people(request, "adviser", [payload.adviser])[payload.adviser]
    asked = services.advice_request(actor=actor(request), decision=decision, adviser=adviser)
    return Status(201, asked)


@router.post(
    "/decisions/{decision_id}/advice/{advice_id}",
    response={200: AdviceOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def advice_give(
    request: HttpRequest, decision_id: PathId, advice_id: PathId, payload: AdviceIn
) -> AdviceRequest:
    """Give the advice you were asked for, by the request's `id` from the decision's `advice`."""
    decision = selectors.decision_get(request.user, decision_id)
    asked = selectors.advice_request_get(decision, advice_id)
    return services.advice_give(actor=actor(request), request=asked, advice=payload.advice)


# ---------------------------------------------------------------------------------------------
# Budgets
# ---------------------------------------------------------------------------------------------


@router.get("/forums/{forum_id}/budgets", response={200: list[BudgetOut], **NOT_FOUND})
@paginated
def budget_list(request: HttpRequest, forum_id: PathId) -> list[selectors.BudgetSummary]:
    """A forum's budgets, the latest period first, each with what is committed and remaining."""
    forum = forum_selectors.forum_get(forum_id)
    return selectors.budget_summaries(forum.pk)


@router.post(
    "/forums/{forum_id}/budgets",
    response={201: BudgetOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def budget_create(
    request: HttpRequest, forum_id: PathId, payload: BudgetIn
) -> Status[selectors.BudgetSummary]:
    """Set up a budget for the forum to allocate. Members of the forum only."""
    forum = forum_selectors.forum_get(forum_id)
    budget = services.budget_create(
        actor=actor(request),
        forum=forum,
        **given(payload, "name", "period_start", "period_end", "total_pence"),
    )
    return Status(201, selectors.budget_summary(budget))


@router.get("/budgets/{budget_id}", response={200: BudgetOut, **NOT_FOUND})
def budget_detail(request: HttpRequest, budget_id: PathId) -> selectors.BudgetSummary:
    """One budget, with what is committed and remaining."""
    return selectors.budget_summary(selectors.budget_get(budget_id))


# ---------------------------------------------------------------------------------------------
# Participatory allocation
# ---------------------------------------------------------------------------------------------


@router.post("/allocation-rounds", response={201: AllocationRoundOut, **FORBIDDEN, **REFUSED})
def allocation_round_create(
    request: HttpRequest, payload: AllocationRoundIn
) -> Status[selectors.AllocationPage]:
    """Start a participatory allocation round among open funding proposals on one budget."""
    budget = named("budget", "budget", selectors.budget_get, payload.budget)
    allocation = services.allocation_round_create(
        actor=actor(request),
        budget=budget,
        **given(payload, "title", "closes_at"),
        proposals=_decisions(request, "proposals", payload.proposals),
    )
    return Status(201, selectors.allocation_detail(actor(request), allocation.pk))


@router.get("/allocation-rounds/{round_id}", response={200: AllocationRoundOut, **NOT_FOUND})
def allocation_round_detail(request: HttpRequest, round_id: PathId) -> selectors.AllocationPage:
    """A round's proposals with their approvals and which are funded, and yours."""
    return selectors.allocation_detail(actor(request), round_id)


@router.put(
    "/allocation-rounds/{round_id}/approvals",
    response={200: AllocationRoundOut, **NOT_FOUND, **FORBIDDEN, **REFUSED},
)
def approval_set(
    request: HttpRequest, round_id: PathId, payload: ApprovalsIn
) -> selectors.AllocationPage:
    """Approve the proposals you support in the round, all at once, while it is open."""
    allocation = selectors.allocation_get(round_id)
    services.approval_set(
        actor=actor(request),
        allocation=allocation,
        approve=_decisions(request, "approve", payload.approve),
    )
    return selectors.allocation_detail(actor(request), round_id)


# ---------------------------------------------------------------------------------------------
# What needs me
# ---------------------------------------------------------------------------------------------


@router.get("/awaiting", response=list[DecisionRef])
def awaiting(request: HttpRequest) -> list[Decision]:
    """Open decisions in your forums awaiting your position on the current proposal, the
    soonest closing first (up to 20)."""
    return selectors.awaiting_my_position(actor(request))


@router.get("/notifications", response=NotificationsOut)
def notification_list(request: HttpRequest, filters: Query[NotificationQuery]) -> dict[str, Any]:
    """Your notifications: awaiting your position, closing within 24 hours, outcome reached,
    decision held. The latest 50, newest first; unread only unless asked."""
    return {
        "unread": selectors.unread_count(request.user),
        "items": selectors.notifications_for(request.user, unread_only=filters.unread_only),
    }


@router.post("/notifications/read", response=NotificationsReadOut)
def notification_read(request: HttpRequest, payload: NotificationsReadIn) -> dict[str, int]:
    """Mark some of your notifications read, by id. Others' ids are ignored."""
    marked = services.notification_read(actor=actor(request), notification_ids=payload.ids)
    return {"marked": marked, "unread": selectors.unread_count(request.user)}
