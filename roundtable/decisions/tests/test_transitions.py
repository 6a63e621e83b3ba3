"""A decision's state machine, pinned here as the product describes it (not read back from the
code): a draft opens or is withdrawn; an open decision is agreed, not agreed or withdrawn; an
outcome is reviewed; withdrawn and reviewed are final."""

from roundtable.decisions.models import DECISION_STATES

LEGAL = {
    "draft": {"open", "withdrawn"},
    "open": {"agreed", "not_agreed", "withdrawn"},
    "agreed": {"reviewed"},
    "not_agreed": {"reviewed"},
    "withdrawn": set(),
    "reviewed": set(),
}


def test_the_table_is_the_one_the_product_describes():
    assert {state: set(targets) for state, targets in DECISION_STATES.legal.items()} == LEGAL
