"""A person's meetings as an iCalendar feed (RFC 5545), written with the `icalendar` package."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from roundtable.directory.models import Person
from roundtable.forums.models import Meeting

PRODID = "-//Roundtable//Forums//EN"


def feed_ics(person: Person, meetings: Iterable[Meeting]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Roundtable: {person.full_name}")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    # Clients should check back about hourly; meetings are often added or cancelled.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    stamp = timezone.now()
    for meeting in meetings:
        calendar.add_component(_event(meeting, stamp))
    return bytes(calendar.to_ical())


def _event(meeting: Meeting, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"{meeting.uid}@roundtable")
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.forum.name)
    event.add("sequence", meeting.version)
    event.add("last-modified", meeting.updated_at)
    if meeting.site is not None:
        event.add("location", meeting.site.name)
    elif meeting.online_url:
        event.add("location", meeting.online_url)
    if meeting.online_url:
        event.add("url", meeting.online_url)
    description = meeting.agenda.strip()
    if meeting.is_cancelled:
        event.add("status", "CANCELLED")
        if meeting.cancel_reason:
            description = f"Cancelled: {meeting.cancel_reason}\n\n{description}".strip()
    else:
        event.add("status", "CONFIRMED")
    if description:
        event.add("description", description)
    return event
