"""Who may do what with a decision, written once (django-rules) and used to offer actions.

The services are the authority: they check the same things (and more) on every write, with the
message the person sees. These rules decide which actions a page offers, and refuse the pages of
actions someone can never take (a person who is not the proposer cannot revise, for example).
Whether the decision's *state* allows an action is left to the service, so that its message is
shown instead of a bare "you cannot do this".

Membership and leadership are looked up once per decision and request, whatever the number of
rules asked, to keep the decision page at a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from rules.permissions import add_perm
from rules.predicates import predicate

from roundtable.core.access import Reader
from roundtable.decisions.models import Decision, DecisionMethod, DecisionStatus
from roundtable.decisions.selectors import covering_leadership, is_member_of
from roundtable.directory.models import Person
from roundtable.directory.rules import is_administrator
from roundtable.forums.models import Forum

_CACHE = "_rt_rules_cache"


def _cached(decision: Decision, key: str, user: Person, compute: Any) -> bool:
    cache: dict[tuple[str, int], bool] = decision.__dict__.setdefault(_CACHE, {})
    if (key, user.pk) not in cache:
        cache[(key, user.pk)] = bool(compute())
    return cache[(key, user.pk)]


@predicate
def is_forum_member(user: Reader, forum: Forum | None) -> bool:
    if forum is None or not user.is_authenticated:
        return False
    return is_member_of(forum.pk, user)


@predicate
def is_member(user: Reader, decision: Decision | None) -> bool:
    """A member of the decision's forum."""
    if decision is None or not user.is_authenticated:
        return False
    return _cached(decision, "member", user, lambda: is_member_of(decision.forum_id, user))


@predicate
def is_proposer(user: Reader, decision: Decision | None) -> bool:
    return bool(decision is not None and user.is_authenticated and decision.proposer_id == user.pk)


@predicate
def is_leader_covering(user: Reader, decision: Decision | None) -> bool:
    """In a leadership team that covers the decision's forum (`selectors.covering_leadership`)."""
    if decision is None or not user.is_authenticated:
        return False
    return _cached(
        decision, "leader", user, lambda: covering_leadership(decision, user) is not None
    )


@predicate
def is_open(user: Reader, decision: Decision | None) -> bool:
    return decision is not None and decision.status == DecisionStatus.OPEN


@predicate
def is_in_progress(user: Reader, decision: Decision | None) -> bool:
    return decision is not None and decision.status in (DecisionStatus.DRAFT, DecisionStatus.OPEN)


@predicate
def is_decided(user: Reader, decision: Decision | None) -> bool:
    return decision is not None and decision.status in (
        DecisionStatus.AGREED,
        DecisionStatus.NOT_AGREED,
    )


@predicate
def is_agreed(user: Reader, decision: Decision | None) -> bool:
    return decision is not None and decision.status in (
        DecisionStatus.AGREED,
        DecisionStatus.REVIEWED,
    )


@predicate
def is_advice_process(user: Reader, decision: Decision | None) -> bool:
    return decision is not None and decision.method == DecisionMethod.ADVICE


@predicate
def has_meeting(user: Reader, decision: Decision | None) -> bool:
    return decision is not None and decision.meeting_id is not None


# Who may act at all (the pages of these actions answer 403 to anyone else).
add_perm("decisions.propose", is_forum_member)
add_perm("decisions.set_up_budget", is_forum_member | is_administrator)
add_perm("decisions.revise", is_proposer)
add_perm("decisions.withdraw", is_proposer)
add_perm("decisions.decide", is_member & (~is_advice_process | is_proposer))
add_perm("decisions.review", is_member)
add_perm("decisions.hold", is_leader_covering)
add_perm("decisions.run_round", is_member)
add_perm("decisions.comment", is_member | is_administrator)
add_perm("decisions.seek_advice", is_proposer & is_advice_process)

# Which actions a decision page offers now (who, and the decision's state).
add_perm("decisions.offer_position", is_member & is_open)
add_perm("decisions.offer_revise", is_proposer & is_in_progress)
add_perm("decisions.offer_withdraw", is_proposer & is_in_progress)
add_perm("decisions.offer_outcome", is_member & is_open & (~is_advice_process | is_proposer))
add_perm("decisions.offer_review", is_member & is_decided)
add_perm("decisions.offer_hold", is_agreed & is_leader_covering)
add_perm("decisions.offer_round", is_member & is_open & has_meeting)
add_perm("decisions.offer_advice", is_proposer & is_advice_process & is_in_progress)
