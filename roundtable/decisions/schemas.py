"""Shapes of the decisions API: query parameters and request bodies in, JSON out.

Money is whole pence (`4500000` is £45,000), never a float. Records are referred to by id
(`forum`, `meeting`, `budget`, `person`…), as returned by the forums and directory APIs. Times
are ISO 8601 with a UTC offset. Output schemas read the model instances and page objects the
selectors build, with every related row already loaded, so serialising never queries.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema

from roundtable.core.schemas import WHOLE_NUMBER, Count, Id, Moment, Version
from roundtable.decisions.models import (
    DecisionEvent,
    DecisionKind,
    DecisionMethod,
    DecisionStatus,
    NotificationKind,
    Position,
    Revision,
    Stance,
)
from roundtable.decisions.rules_engine import Representation
from roundtable.decisions.selectors import AllocationOutcome, AllocationPage, DecisionPage
from roundtable.directory.models import OrganisationKind, Person
from roundtable.directory.schemas import (
    LeadershipTeamRef,
    OrganisationRef,
    PersonCard,
    PersonRef,
)
from roundtable.forums.schemas import ForumRef, MeetingRef, PersonName

_ID = "The id of {}, as returned by {}."
_PENCE = "Whole pence: 4500000 is £45,000."
_VERSION = "The `version` you read. If someone has saved since, the answer is 409."
# A quorum is kept as a small whole number (PostgreSQL's smallint).
MOST_POSITIONS = 32767

# ---------------------------------------------------------------------------------------------
# Query parameters
# ---------------------------------------------------------------------------------------------


class DecisionQuery(Schema):
    q: str = Field(
        "",
        max_length=200,
        description="Words to find in the title, the current or an earlier proposal, the "
        "outcome or the rationale; every word must be found.",
    )
    forum: Id | None = Field(
        None, description="Only this forum's. " + _ID.format("a forum", "/forums/forums")
    )
    kind: DecisionKind | None = Field(None, description="Only decisions of this kind.")
    status: DecisionStatus | None = Field(None, description="Only decisions with this status.")
    mine: bool = Field(False, description="Only decisions in forums you are a member of.")


class NotificationQuery(Schema):
    unread_only: bool = Field(True, description="`false` to include those already read.")


# ---------------------------------------------------------------------------------------------
# Request bodies
# ---------------------------------------------------------------------------------------------


class DecisionIn(Schema):
    forum: Id = Field(description="Where it is decided. " + _ID.format("a forum", "/forums/forums"))
    kind: DecisionKind
    method: DecisionMethod = Field(
        DecisionMethod.CONSENT,
        description="How it is decided: consent unless chosen otherwise.",
    )
    title: str = Field(min_length=1, max_length=200)
    proposal: str = Field(
        min_length=1, max_length=20000, description="The proposal: its first revision."
    )
    meeting: Id | None = Field(
        None,
        description="The forum's meeting where it is decided, if any. "
        + _ID.format("a meeting", "/forums/forums/{id}/meetings"),
    )
    closes_at: Moment | None = Field(
        None, description="When positions close, if ever; in the future."
    )
    review_on: date | None = Field(None, description="When the outcome is to be reviewed.")
    budget: Id | None = Field(
        None,
        description="Funding only: the forum's budget it draws on. "
        + _ID.format("a budget", "/decisions/forums/{id}/budgets"),
    )
    amount_requested_pence: Count | None = Field(
        None,
        description="Funding only: how much is asked for, more than 0 and no more than the "
        "budget has remaining. " + _PENCE,
    )
    vote_threshold_percent: Annotated[int, Field(ge=1, le=99), WHOLE_NUMBER] | None = Field(
        None,
        description="Vote only: more than this percentage of yes-or-no positions must be yes "
        "(1 to 99; 50 unless given).",
    )
    vote_quorum: Annotated[int, Field(ge=1, le=MOST_POSITIONS), WHOLE_NUMBER] | None = Field(
        None, description="Vote only: at least this many positions (1 unless given)."
    )
    open: bool = Field(
        True, description="Open it for positions at once; `false` keeps it as a draft."
    )


class RevisionIn(Schema):
    proposal: str = Field(min_length=1, max_length=20000, description="The whole revised proposal.")
    change_note: str = Field(
        "", max_length=5000, description="What changed, such as which objection it integrates."
    )
    version: Version = Field(description=_VERSION)


class PositionIn(Schema):
    stance: Stance
    reason: str = Field(
        "", max_length=5000, description="Why: needed for a concern or an objection."
    )


class RoundPositionIn(PositionIn):
    person: Id = Field(description=_ID.format("a person", "/directory/people"))


class ConsentRoundIn(Schema):
    meeting: Id = Field(
        description="The forum's meeting. Only people recorded as present there can be recorded."
    )
    positions: list[RoundPositionIn] = Field(min_length=1, max_length=500)


class OutcomeIn(Schema):
    agreed: bool = Field(description="`true` for agreed (if the method's rule allows), or not.")
    outcome: str = Field(min_length=1, max_length=5000, description="What was decided.")
    rationale: str = Field(min_length=1, max_length=5000, description="Why this is the decision.")
    amount_agreed_pence: Count | None = Field(
        None,
        description="Funding only: the amount agreed, if less than requested. " + _PENCE,
    )
    version: Version = Field(description=_VERSION)


class WithdrawIn(Schema):
    note: str = Field("", max_length=5000, description="Why, if you like.")


class DecisionReviewIn(Schema):
    note: str = Field(min_length=1, max_length=5000, description="What the review found.")


class HoldIn(Schema):
    message: str = Field(
        "",
        max_length=280,
        description="A short message to the people who act on it; "
        "“I stand behind this with you.” unless given.",
    )


class CommentIn(Schema):
    body: str = Field(min_length=1, max_length=10000)


class AdviceRequestIn(Schema):
    adviser: Id = Field(
        description="Whose advice to seek. " + _ID.format("a person", "/directory/people")
    )


class AdviceIn(Schema):
    advice: str = Field(min_length=1, max_length=10000)


class BudgetIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    period_start: date
    period_end: date
    total_pence: Count = Field(description="More than 0. " + _PENCE)


class AllocationRoundIn(Schema):
    budget: Id = Field(description=_ID.format("a budget", "/decisions/forums/{id}/budgets"))
    title: str = Field(min_length=1, max_length=200)
    closes_at: Moment = Field(description="When approvals close; in the future.")
    proposals: list[Id] = Field(
        max_length=200,
        description="At least two open funding decisions on the budget, by id.",
    )


class ApprovalsIn(Schema):
    approve: list[Id] = Field(
        max_length=200,
        description="The proposals in the round you approve, by decision id; any you approved "
        "before and leave out are no longer approved.",
    )


class NotificationsReadIn(Schema):
    ids: list[Id] = Field(min_length=1, max_length=500, description="Notifications to mark read.")


# ---------------------------------------------------------------------------------------------
# Budgets
# ---------------------------------------------------------------------------------------------


class BudgetOut(Schema):
    # Read from `selectors.BudgetSummary`: the budget's own fields are under `budget`.

    id: int = Field(alias="budget.id")
    forum: int = Field(alias="budget.forum_id", description="The forum's id.")
    name: str = Field(alias="budget.name")
    period_start: date = Field(alias="budget.period_start")
    period_end: date = Field(alias="budget.period_end")
    total_pence: int = Field(alias="budget.total_pence")
    committed_pence: int = Field(
        description="Agreed by funding decisions that are agreed (or agreed and since reviewed)."
    )
    remaining_pence: int


# ---------------------------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------------------------


class BudgetRef(Schema):
    id: int
    name: str


class DecisionRef(Schema):
    id: int
    title: str
    forum: ForumRef
    kind: DecisionKind
    method: DecisionMethod
    status: DecisionStatus
    current_revision: int
    closes_at: datetime | None


class DecisionSummary(DecisionRef):
    """A decision in the log."""

    proposer: PersonName
    review_on: date | None
    budget: BudgetRef | None
    amount_requested_pence: int | None
    amount_agreed_pence: int | None
    outcome: str
    decided_at: datetime | None
    created_at: datetime
    hold_count: int = Field(description="How many leaders hold it.")
    missing_voices: list[str] = Field(
        default_factory=list,
        description="For a decided decision in a forum with representation rules: the voices "
        "its outcome was reached without (empty when the rules were met).",
    )
    version: int


class RevisionOut(Schema):
    number: int
    proposal: str
    change_note: str
    author: PersonName
    created_at: datetime


class PositionOut(Schema):
    person: PersonCard = Field(description="With their discipline and organisation.")
    revision: int = Field(description="The revision of the proposal it was given on.")
    stance: Stance
    reason: str
    meeting: int | None = Field(
        alias="meeting_id", description="The meeting where it was recorded, if any."
    )
    updated_at: datetime


class TallyOut(Schema):
    consent: int
    concern: int
    objection: int
    stand_aside: int
    abstain: int
    total: int


class VerdictOut(Schema):
    can_agree: bool = Field(description="Whether the method's rule allows recording “agreed”.")
    reason: str = Field(description="If not, why not, in plain words.")


class DecisionRepresentationOut(Schema):
    """Whose voices took part (positions on the current proposal, and a meeting's attendees)
    against the forum's representation rule."""

    met: bool
    missing: list[str] = Field(description="The required voices that did not take part.")
    disciplines: list[str] = Field(description="Slugs of the disciplines that took part.")
    organisation_kinds: list[OrganisationKind]
    lived_experience: bool

    @staticmethod
    def resolve_missing(obj: Representation) -> list[str]:
        return list(obj.missing)

    @staticmethod
    def resolve_disciplines(obj: Representation) -> list[str]:
        return sorted(obj.disciplines)

    @staticmethod
    def resolve_organisation_kinds(obj: Representation) -> list[str]:
        return sorted(obj.organisation_kinds)


class HoldOut(Schema):
    id: int
    leader: PersonRef
    leadership_team: LeadershipTeamRef
    message: str
    created_at: datetime


class CommentAuthor(PersonName):
    organisation: OrganisationRef | None


class CommentOut(Schema):
    id: int
    author: CommentAuthor
    body: str
    revision: int = Field(description="The revision that was current when it was written.")
    created_at: datetime


class AdviceOut(Schema):
    id: int
    adviser: PersonName
    requested_at: datetime
    advice: str
    given_at: datetime | None = Field(description="None until the advice is given.")


class DecisionEventOut(Schema):
    actor: PersonName
    from_status: DecisionStatus | None
    to_status: DecisionStatus
    revision: int
    note: str
    at: datetime

    @staticmethod
    def resolve_from_status(obj: DecisionEvent) -> str | None:
        return obj.from_status or None


class DecisionDetail(Schema):
    # Read from `selectors.DecisionPage`: the decision's own fields are under `decision`.

    id: int = Field(alias="decision.id")
    title: str = Field(alias="decision.title")
    forum: ForumRef = Field(alias="decision.forum")
    meeting: MeetingRef | None = Field(alias="decision.meeting")
    kind: DecisionKind = Field(alias="decision.kind")
    method: DecisionMethod = Field(alias="decision.method")
    status: DecisionStatus = Field(alias="decision.status")
    proposer: PersonName = Field(alias="decision.proposer")
    current_revision: int = Field(alias="decision.current_revision")
    proposal: RevisionOut = Field(description="The current revision of the proposal.")
    revisions: list[RevisionOut] = Field(description="Every revision, the first first.")
    closes_at: datetime | None = Field(alias="decision.closes_at")
    review_on: date | None = Field(alias="decision.review_on")
    vote_threshold_percent: int | None = Field(alias="decision.vote_threshold_percent")
    vote_quorum: int | None = Field(alias="decision.vote_quorum")
    outcome: str = Field(alias="decision.outcome")
    rationale: str = Field(alias="decision.rationale")
    decided_at: datetime | None = Field(alias="decision.decided_at")
    decided_by: PersonName | None
    amount_requested_pence: int | None = Field(alias="decision.amount_requested_pence")
    amount_agreed_pence: int | None = Field(alias="decision.amount_agreed_pence")
    budget: BudgetOut | None = Field(description="Funding only: the budget, as it stands now.")
    version: int = Field(
        alias="decision.version", description="Send it back to revise or record the outcome."
    )
    my_position: PositionOut | None = Field(description="Yours on the current proposal.")
    positions: list[PositionOut] = Field(description="On the current proposal, by name.")
    earlier_positions: list[PositionOut] = Field(
        description="Given on earlier revisions, the latest revision first; kept, not counted."
    )
    silent: list[PersonName] = Field(
        description="Members with no position on the current proposal. Silence is not consent."
    )
    present: list[PersonCard] = Field(
        description="For a decision in a meeting, the people recorded as present there."
    )
    tally: TallyOut
    verdict: VerdictOut
    representation: DecisionRepresentationOut
    holds: list[HoldOut] = Field(description="Leaders standing behind the outcome.")
    comments: list[CommentOut]
    advice: list[AdviceOut]
    events: list[DecisionEventOut] = Field(
        description="Every change of status or revision, in order."
    )

    @staticmethod
    def resolve_proposal(obj: DecisionPage) -> Revision:
        return obj.current_revision

    @staticmethod
    def resolve_decided_by(obj: DecisionPage) -> Person | None:
        # The outcome's event names who recorded it, with the person already loaded.
        if obj.decision.decided_by_id is None:
            return None
        outcomes = (DecisionStatus.AGREED, DecisionStatus.NOT_AGREED)
        recorded = [e for e in obj.events if e.to_status in outcomes]
        return recorded[-1].actor if recorded else None

    @staticmethod
    def resolve_my_position(obj: DecisionPage, context: dict[str, Any]) -> Position | None:
        return obj.position_of(context["request"].user.pk)

    @staticmethod
    def resolve_positions(obj: DecisionPage) -> list[Position]:
        return obj.current_positions

    @staticmethod
    def resolve_silent(obj: DecisionPage) -> list[Person]:
        return [membership.person for membership in obj.silent]

    @staticmethod
    def resolve_present(obj: DecisionPage) -> list[Person]:
        return [a.person for a in obj.participants_present if a.person is not None]


# ---------------------------------------------------------------------------------------------
# Participatory allocation
# ---------------------------------------------------------------------------------------------


class ProposalBrief(Schema):
    id: int
    title: str
    status: DecisionStatus
    amount_requested_pence: int | None


class AllocationResultOut(Schema):
    decision: ProposalBrief
    approvals: int
    outcome: AllocationOutcome = Field(
        description="agreed (its agreed amount is already committed), funded (open, and fits "
        "what is left by the round's rule), does_not_fit, no_approvals, not_agreed or withdrawn."
    )
    funded: bool = Field(description="Agreed, or open and fitting what is left of the budget.")
    amount_pence: int = Field(description="The agreed amount once agreed, else the request.")


class AllocationRoundOut(Schema):
    # Read from `selectors.AllocationPage`: the round's own fields are under `round`.

    id: int = Field(alias="round.id")
    title: str = Field(alias="round.title")
    forum: ForumRef = Field(alias="round.budget.forum")
    closes_at: datetime = Field(alias="round.closes_at")
    closed_at: datetime | None = Field(alias="round.closed_at")
    budget: BudgetOut
    results: list[AllocationResultOut] = Field(
        description="Agreed proposals first (their amounts are already committed); then the "
        "open ones, most approvals first; ties go to the smaller amount, then to the one "
        "proposed first. Each open one is funded if it fits in what is left of the budget; one "
        "that does not fit is skipped; none with no approvals is funded. Proposals not agreed "
        "or withdrawn come last."
    )
    funded_total_pence: int
    my_approvals: list[int] = Field(description="The decisions you approve, by id.")

    @staticmethod
    def resolve_funded_total_pence(obj: AllocationPage) -> int:
        return obj.funded_total

    @staticmethod
    def resolve_my_approvals(obj: AllocationPage) -> list[int]:
        return sorted(obj.my_approvals)


# ---------------------------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------------------------


class NotifiedDecision(Schema):
    id: int
    title: str
    forum: ForumRef


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    decision: NotifiedDecision
    created_at: datetime
    read_at: datetime | None


class NotificationsOut(Schema):
    unread: int = Field(description="How many you have not read, in all.")
    items: list[NotificationOut] = Field(description="The latest 50, newest first.")


class NotificationsReadOut(Schema):
    marked: int = Field(description="How many were marked read now.")
    unread: int = Field(description="How many you still have not read.")
