"""One way to keep a uniqueness rule when two people do the same thing at the same moment.

A service checks a rule ("someone with this local identifier is already recorded") so that it
can say so in words, then writes. Two identical requests at the same moment both pass the check
on PostgreSQL (SQLite serialises writers and hides this); the database's constraint lets only
one write through and the other fails with an IntegrityError. `create_or_refuse` runs the write
in a savepoint and, if the constraint refused it, runs the same check again: the row that won is
committed by then (PostgreSQL makes the loser wait for the winner's transaction), so the loser
gets the very refusal the check gives anyone else, a 422 from the API or a form error on a page,
and nothing is changed. A violation the check does not explain is not ours to hide: it is raised.

So every rule checked this way needs a constraint that says exactly what the check says: a rule
that ignores case is backed by a unique constraint on `Lower(field)` and checked with
`same_ignoring_case`, which asks the database the same question the constraint asks.

Rules that check an aggregate rather than a row ("the budget has enough left", "one open offer
decision for this referral") lock the row they check instead (`select_for_update` on the budget
or the episode), so that the second writer waits and then sees what the first did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact

T = TypeVar("T")


def create_or_refuse(check: Callable[[], None], write: Callable[[], T]) -> T:
    """Run `check` (which raises ValidationError to refuse), then `write` in a savepoint; if the
    database refuses `write` as a duplicate, `check` again, which now raises the same refusal.
    Returns what `write` returned.

    `check` raises whatever the service raises to anyone who comes second: usually a
    ValidationError, or a ConcurrentEditError where a second writer is told to compare versions.
    Call it inside the service's transaction. Where coming second is not a refusal (opening this
    month's pulse round, taking the same position twice), catch the IntegrityError in a savepoint
    and read the winner's row instead.
    """
    check()
    try:
        with transaction.atomic():
            return write()
    except IntegrityError:
        check()
        raise


def same_ignoring_case(field: str, text: str) -> Exact[str]:
    """A filter: `field` equals `text` whatever the case, in the words of a unique constraint on
    `Lower(field)` (the database lowers both sides), so the check and the constraint agree on
    every string: `Zone.objects.filter(same_ignoring_case("name", name), team=team)`."""
    return Exact(Lower(field), Lower(Value(text)))
