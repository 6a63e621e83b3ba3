"""Who may act on a concern (django-rules), used to offer actions and refuse their pages.

The services check again on every write, with the message the person sees.
"""

from __future__ import annotations

from rules.permissions import add_perm
from rules.predicates import predicate

from roundtable.core.access import Reader
from roundtable.voice import queries
from roundtable.voice.models import Concern

_CACHE = "_rt_voice_rules"


@predicate
def is_owner_member(user: Reader, concern: Concern | None) -> bool:
    """In the leadership team that owns the concern now (looked up once per request)."""
    if concern is None or not user.is_authenticated:
        return False
    cache: dict[int, bool] = concern.__dict__.setdefault(_CACHE, {})
    if user.pk not in cache:
        cache[user.pk] = queries.is_owner_member(user, concern)
    return cache[user.pk]


@predicate
def is_named_raiser(user: Reader, concern: Concern | None) -> bool:
    return bool(
        concern is not None
        and user.is_authenticated
        and not concern.is_anonymous
        and concern.raised_by_id == user.pk
    )


@predicate
def is_open(user: Reader, concern: Concern | None) -> bool:
    return concern is not None and concern.is_open


add_perm("voice.act", is_owner_member)
add_perm("voice.reply", is_owner_member | is_named_raiser)
add_perm("voice.offer_reply", (is_owner_member | is_named_raiser) & is_open)
