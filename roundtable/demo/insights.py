"""The insights figures of the demo: worked out, as `roundtable insights_rebuild` would, from
everything the other parts of the demo built, from the first referral to the reference day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.utils import timezone

from roundtable.care.models import Episode
from roundtable.insights import services


def build_insights(*, today: date, say: Callable[[str], None]) -> int:
    first = Episode.objects.order_by("referred_at").values_list("referred_at", flat=True).first()
    since = timezone.localdate(first) if first else today
    written = services.refresh(start=since, end=today)
    say(f"  insights figures    {written:>5}")
    return written
