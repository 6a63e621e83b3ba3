"""Decision pages: the log, proposing, the decision and its actions, budgets, allocation rounds
and notices. Each view parses with a form, calls a selector or service, and renders.

One module a feature: `log`, `proposal` (proposing, revising, the outcome, withdrawing,
reviewing), `decision` (the decision page and comments), `positions` (positions and the consent
round), `advice`, `holds`, `funding` (budgets and allocation rounds) and `notices` (with the
home page section); `common` holds what they share.
"""

from roundtable.decisions.views.advice import advice_give, advice_request
from roundtable.decisions.views.decision import comment_add, decision_detail
from roundtable.decisions.views.funding import allocation, budgets, round_new
from roundtable.decisions.views.holds import hold
from roundtable.decisions.views.log import decision_export, decision_log
from roundtable.decisions.views.notices import home_section, notifications, notifications_read
from roundtable.decisions.views.positions import consent_round, position_take
from roundtable.decisions.views.proposal import outcome, propose, review, revise, withdraw

__all__ = [
    "advice_give",
    "advice_request",
    "allocation",
    "budgets",
    "comment_add",
    "consent_round",
    "decision_detail",
    "decision_export",
    "decision_log",
    "hold",
    "home_section",
    "notifications",
    "notifications_read",
    "outcome",
    "position_take",
    "propose",
    "review",
    "revise",
    "round_new",
    "withdraw",
]
