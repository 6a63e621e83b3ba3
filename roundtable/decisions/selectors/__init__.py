"""Reads for decisions, scoped to the person asking; a fixed number of queries per page.

One module a feature: `decision` (the decision page, who took part), `log` (the decision log
and its CSV), `holds`, `members` (who belongs to the forum, who took part), `notices`,
`budgets` and `allocation` (participatory allocation rounds).
"""

from roundtable.decisions.selectors.allocation import (
    AllocationOutcome,
    AllocationPage,
    AllocationResult,
    allocation_detail,
    allocation_get,
    allocation_rounds_of,
    open_funding_proposals,
)
from roundtable.decisions.selectors.budgets import (
    BudgetSummary,
    budget_committed,
    budget_get,
    budget_summaries,
    budget_summary,
)
from roundtable.decisions.selectors.decision import (
    DecisionPage,
    advice_request_get,
    current_tally,
    decision_detail,
    decision_get,
    decisions_by_id,
    meetings_for_proposal,
    missing_voices,
    note_missing_voices,
    took_part,
    took_part_in,
)
from roundtable.decisions.selectors.holds import (
    covering_leadership,
    holds_by_decision,
)
from roundtable.decisions.selectors.log import (
    CSV_HEADER,
    DecisionFilter,
    decision_log,
    decision_log_rows,
    forum_choices,
)
from roundtable.decisions.selectors.members import (
    is_member_of,
    member_ids,
    participant_ids,
)
from roundtable.decisions.selectors.notices import (
    awaiting_my_position,
    notifications_for,
    unread_count,
)

__all__ = [
    "CSV_HEADER",
    "AllocationOutcome",
    "AllocationPage",
    "AllocationResult",
    "BudgetSummary",
    "DecisionFilter",
    "DecisionPage",
    "advice_request_get",
    "allocation_detail",
    "allocation_get",
    "allocation_rounds_of",
    "awaiting_my_position",
    "budget_committed",
    "budget_get",
    "budget_summaries",
    "budget_summary",
    "covering_leadership",
    "current_tally",
    "decision_detail",
    "decision_get",
    "decision_log",
    "decision_log_rows",
    "decisions_by_id",
    "forum_choices",
    "holds_by_decision",
    "is_member_of",
    "meetings_for_proposal",
    "member_ids",
    "missing_voices",
    "note_missing_voices",
    "notifications_for",
    "open_funding_proposals",
    "participant_ids",
    "took_part",
    "took_part_in",
    "unread_count",
]
