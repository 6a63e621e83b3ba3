"""What the demo and scale generators share to make a year of meetings and presence.

History is relative to a reference day ("today" at build time), but its *shape* is not: the
window is whole weeks, so every weekday occurs the same number of times in it whatever day the
generator runs, and a recurring meeting has the same number of past and upcoming occurrences.
Choices that matter for the presence view (who was present how many meetings ago, how many days
ago a leader was in a building) are made by position counted back from the reference day, and
kept clear of the 7- and 28-day boundaries, so which teams are reached, and which are not, does
not change with the day of the week either.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from unittest import mock

from django.db import models
from django.utils import timezone

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.directory.models import Person
from roundtable.forums.models import Attendance, AttendanceStatus, Forum, Meeting, MeetingSeries
from roundtable.forums.selectors import MONTH_DAYS, RECENT_DAYS
from roundtable.forums.services import SERIES_HORIZON_DAYS

HISTORY_WEEKS = 52
UPCOMING_WEEKS = 12
# A neglected team has seen no leader for this long: well past the presence view's 28 days.
NEGLECT_DAYS = 42
WEEKDAYS: tuple[int, ...] = (0, 1, 2, 3, 4)
EVERY_DAY: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
# Share of past meetings cancelled (rounded per forum), never among the last ten.
CANCELLED_SHARE = 0.015
# Meetings whose facilitator is saved in one UPDATE, at the most.
TURNS_BATCH = 500


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    """Make `timezone.now()` answer `moment` while services that stamp it are called.

    The demo tells stories over a year through services that date what they write with
    `timezone.now()` (and `auto_now` fields, which call it too). It is built in one thread inside
    one transaction, so nothing else sees the clock.
    """
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


@dataclass(frozen=True)
class Window:
    """The year of history before `today` and the weeks of meetings from `today` on."""

    today: date

    @property
    def starts_on(self) -> date:
        """The first day of history: exactly 52 weeks before today."""
        return self.today - timedelta(weeks=HISTORY_WEEKS)

    @property
    def until(self) -> date:
        """The last day with a generated meeting: exactly 12 weeks from today."""
        return self.today + timedelta(weeks=UPCOMING_WEEKS, days=-1)

    @property
    def series_today(self) -> date:
        """The `today` to give `meeting_series_create` so that it generates up to `until`.

        The service generates `SERIES_HORIZON_DAYS` ahead of the day it is given; asking for
        whole weeks keeps the number of upcoming meetings the same on every day of the week.
        `roundtable tick` moves the horizon on from there.
        """
        return self.until - timedelta(days=SERIES_HORIZON_DAYS)

    def is_past(self, day: date) -> bool:
        return day < self.today

    def days_ago(self, day: date) -> int:
        return (self.today - day).days


def occurrences(
    weekdays: Collection[int], interval_weeks: int, starts_on: date, until: date
) -> list[date]:
    """The days a recurring meeting happens, by the rule of `MeetingSeries.occurs_on`."""
    days: list[date] = []
    day = starts_on
    while day <= until:
        if day.weekday() in weekdays and ((day - starts_on).days // 7) % interval_weeks == 0:
            days.append(day)
        day += timedelta(days=1)
    return days


def cancelled_indexes(rng: random.Random, past: int) -> list[int]:
    """Which of `past` meetings were cancelled (by index, oldest first): `CANCELLED_SHARE` of
    them at random, never among the last ten."""
    if past <= 10:
        return []
    return sorted(rng.sample(range(past - 10), round(past * CANCELLED_SHARE)))


def record_bulk_load(obj: models.Model, what: str) -> None:
    """One audit event for history the demo writes in bulk rather than through the services."""
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        obj=obj,
        summary=f"{what}, bulk-loaded by `roundtable demo`",
    )


def series_meetings(series: MeetingSeries) -> list[Meeting]:
    """The meetings a recurring series made, oldest first."""
    return list(Meeting.objects.filter(series=series).order_by("starts_at", "pk"))


def save_turns(meetings: list[Meeting]) -> None:
    """Save who facilitates each meeting, and cancellations: one UPDATE per person.

    Much faster than `bulk_update`, whose CASE per row is slow to build for thousands of rows.
    """
    by_facilitator: dict[int | None, list[int]] = {}
    for meeting in meetings:
        by_facilitator.setdefault(meeting.facilitator_id, []).append(meeting.pk)
    for facilitator_id, ids in by_facilitator.items():
        for start in range(0, len(ids), TURNS_BATCH):
            Meeting.objects.filter(pk__in=ids[start : start + TURNS_BATCH]).update(
                facilitator_id=facilitator_id
            )
    for meeting in meetings:
        if meeting.cancelled_at is not None:
            Meeting.objects.filter(pk=meeting.pk).update(
                cancelled_at=meeting.cancelled_at, cancel_reason=meeting.cancel_reason
            )


def held_meetings(forum: Forum, window: Window) -> list[Meeting]:
    """The forum's held (past, not cancelled) meetings, oldest first."""
    return [
        m
        for m in Meeting.objects.filter(forum=forum, cancelled_at__isnull=True).order_by(
            "starts_at", "pk"
        )
        if window.is_past(timezone.localdate(m.starts_at))
    ]


def present_at(meeting: Meeting, among: Collection[int] | None = None) -> list[Person]:
    """Who was at the meeting (of `among`, when given), by name."""
    attendance = Attendance.objects.filter(
        meeting=meeting, status=AttendanceStatus.PRESENT, person__isnull=False
    )
    if among is not None:
        attendance = attendance.filter(person_id__in=among)
    return [
        a.person
        for a in attendance.select_related("person").order_by("person__full_name", "person_id")
        if a.person is not None
    ]


def weekday_on_or_before(day: date) -> date:
    """Friday for a Saturday or Sunday; the day itself otherwise."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def clear_of_boundaries(days_ago: int) -> int:
    """`days_ago`, moved so that going back to a weekday (up to 2 days) crosses no boundary.

    A visit planned 6 days ago that falls on a Sunday would move to 8 days ago and out of "this
    week"; so would one planned 27 days ago move out of "this month".
    """
    for boundary in (RECENT_DAYS, MONTH_DAYS):
        if boundary - 2 <= days_ago < boundary:
            return boundary - 3
    return days_ago


def visit_days(
    window: Window,
    *,
    weekdays: Collection[int] = (),
    every_days: int = 0,
    first_days_ago: int = 0,
    leave: tuple[int, int] | None = None,
) -> list[date]:
    """The past weekdays someone is in a building.

    Either every week on `weekdays`, or every `every_days` days counting back from
    `first_days_ago` (each moved back to a weekday). No visits while on `leave`, a range of
    days ago (inclusive). The count never depends on the day of the week of `window.today`.
    """
    days: list[date] = []
    if weekdays:
        days = [
            window.today - timedelta(days=ago)
            for ago in range(1, HISTORY_WEEKS * 7 + 1)
            if (window.today - timedelta(days=ago)).weekday() in weekdays
        ]
    elif every_days > 0:
        ago = clear_of_boundaries(first_days_ago)
        while ago <= HISTORY_WEEKS * 7 - 2:
            days.append(weekday_on_or_before(window.today - timedelta(days=ago)))
            ago += every_days
    if leave is not None:
        first, last = leave
        days = [day for day in days if not first <= window.days_ago(day) <= last]
    return sorted(set(days))


class Rotation:
    """Facilitation rotates round the members who take turns, in a fixed order.

    The next person in turn facilitates if they are there; if not, the one after them, and so on.
    """

    def __init__(self, people: Sequence[int]) -> None:
        self._people = list(people)
        self._next = 0

    def peek(self) -> int | None:
        return self._people[self._next] if self._people else None

    def take(self, present: Iterable[int] | None = None) -> int | None:
        """Whose turn it is among `present` (everyone when None); the turn moves on past them."""
        if not self._people:
            return None
        there = None if present is None else set(present)
        count = len(self._people)
        for step in range(count):
            index = (self._next + step) % count
            person = self._people[index]
            if there is None or person in there:
                self._next = (index + 1) % count
                return person
        return None
