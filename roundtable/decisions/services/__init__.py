"""Every write to decisions. Validated with plain-English errors, transactional, audited.

One module a feature: `decision` (proposing, revising, the outcome, withdrawing, reviewing),
`positions` (positions and consent rounds), `holds`, `discussion` (comments and advice),
`budgets` (budgets and participatory allocation) and `notices`; `common` holds what they share.
Reads they need (who is a member, who covers a forum, what a budget has committed) are
selectors.
"""

from roundtable.decisions.services.budgets import (
    allocation_round_create,
    approval_set,
    budget_create,
)
from roundtable.decisions.services.common import pounds
from roundtable.decisions.services.decision import (
    decision_decide,
    decision_open,
    decision_propose,
    decision_review,
    decision_revise,
    decision_withdraw,
)
from roundtable.decisions.services.discussion import advice_give, advice_request, comment_add
from roundtable.decisions.services.holds import hold_add
from roundtable.decisions.services.notices import (
    closing_soon_notify,
    notification_read,
    notification_read_all,
)
from roundtable.decisions.services.positions import consent_round, position_take

__all__ = [
    "advice_give",
    "advice_request",
    "allocation_round_create",
    "approval_set",
    "budget_create",
    "closing_soon_notify",
    "comment_add",
    "consent_round",
    "decision_decide",
    "decision_open",
    "decision_propose",
    "decision_review",
    "decision_revise",
    "decision_withdraw",
    "hold_add",
    "notification_read",
    "notification_read_all",
    "position_take",
    "pounds",
]
