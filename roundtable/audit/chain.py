"""The audit trail as a chain: each event, once sealed, carries the SHA-256 of the seal before it
and of its own contents, so that changing or removing any sealed event breaks every link after
it, and `roundtable audit verify` finds the first broken one.

Events are recorded by the services inside their own transactions, in parallel, and so cannot
be chained as they are written without making every write in the system wait for one lock.
They are sealed soon after instead, in the order they are found (`seal`, run by `roundtable
tick` every few minutes): under the lock of the chain's one `AuditChain` row, each unsealed event
takes the next place (`seq`) and its seal (`digest`). An event recorded by a transaction that
commits late is sealed by the next run, at the end of the chain. On PostgreSQL a trigger lets an
audit row be changed only to be given its place and seal, once, and never deleted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from roundtable.audit.models import AuditChain, AuditEvent

GENESIS = "0" * 64
SEAL_BATCH = 2_000
VERIFY_BATCH = 2_000
# What a seal covers, by attribute; and the model fields they are read from.
FIELDS = (
    "id",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "summary",
    "changes",
    "shown",
)
LOADED = tuple("actor" if name == "actor_id" else name for name in FIELDS)


def contents(event: AuditEvent) -> str:
    """What an event's seal covers, written the same way every time: its fields as JSON with
    sorted keys, its time in UTC to the microsecond."""
    record: dict[str, Any] = {name: getattr(event, name) for name in FIELDS}
    record["at"] = event.at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def seal_of(previous: str, seq: int, event: AuditEvent) -> str:
    text = f"{previous}\n{seq}\n{contents(event)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _head() -> AuditChain:
    """The chain's end, locked until the transaction ends."""
    AuditChain.objects.get_or_create(pk=1)
    return AuditChain.objects.select_for_update().get(pk=1)


def seal(*, most: int = 50_000) -> int:
    """Give the events not sealed yet (up to `most`) their places and seals, oldest first; how
    many were sealed."""
    sealed = 0
    with transaction.atomic():
        head = _head()
        while sealed < most:
            events = list(
                AuditEvent.objects.filter(seq__isnull=True)
                .order_by("id")
                .only(*LOADED)[: min(SEAL_BATCH, most - sealed)]
            )
            if not events:
                break
            for event in events:
                head.seq += 1
                event.seq = head.seq
                event.digest = head.digest = seal_of(head.digest or GENESIS, head.seq, event)
            # Past the trail's own refusal to change a row (`AuditEventQuerySet.update`): the
            # one change it allows, and the only one PostgreSQL's trigger lets through.
            plain: models.QuerySet[AuditEvent] = models.QuerySet(model=AuditEvent)
            plain.bulk_update(events, ["seq", "digest"])
            sealed += len(events)
        if sealed:
            head.sealed_at = timezone.now()
            head.save(update_fields=["seq", "digest", "sealed_at"])
    return sealed


def tick(today: date) -> str:
    """The periodic job: seal what has been recorded since the last run."""
    return f"{seal()} audit events sealed"


@dataclass(frozen=True)
class Verdict:
    checked: int  # sealed events whose seals were worked out again
    unsealed: int  # recorded but not sealed yet
    broken_at: int | None = None  # the place (`seq`) of the first broken link
    event_id: int | None = None  # the event found there, if any
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify() -> Verdict:
    """Work every seal out again, in order, from the first: the first place where the chain is
    broken (an event changed, or missing), or that it holds."""
    previous, expected, checked = GENESIS, 1, 0
    while True:
        events = list(
            AuditEvent.objects.filter(seq__gte=expected)
            .order_by("seq")
            .only(*LOADED, "seq", "digest")[:VERIFY_BATCH]
        )
        for event in events:
            assert event.seq is not None
            if event.seq != expected:
                return _broken(checked, expected, None, f"the event in place {expected} is missing")
            if event.digest != seal_of(previous, expected, event):
                reason = "its contents or its seal have been changed since it was sealed"
                return _broken(checked, expected, event.pk, reason)
            previous, expected, checked = event.digest, expected + 1, checked + 1
        if len(events) < VERIFY_BATCH:
            break
    head = AuditChain.objects.filter(pk=1).first()
    if head is not None and head.seq >= expected:
        return _broken(checked, expected, None, f"the event in place {expected} is missing")
    if head is not None and checked and head.digest != previous:
        return _broken(checked, expected - 1, None, "the chain's end does not match its last seal")
    return Verdict(checked, _unsealed())


def _unsealed() -> int:
    return AuditEvent.objects.filter(seq__isnull=True).count()


def _broken(checked: int, seq: int, event_id: int | None, reason: str) -> Verdict:
    return Verdict(checked, _unsealed(), seq, event_id, reason)
