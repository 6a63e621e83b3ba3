"""Forums where decisions are made, their meetings and attendance, and leaders' presence."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from roundtable.core.models import TimeStampedModel, VersionedModel
from roundtable.directory.models import (
    Discipline,
    Locality,
    Organisation,
    OrganisationKind,
    Person,
    Team,
)


class ForumKind(models.TextChoices):
    FRONT_DOOR = "front_door", "Front-door meeting"
    DAILY_HUDDLE = "daily_huddle", "Daily huddle"
    MDT = "mdt", "Multidisciplinary team meeting (MDT)"
    RISK_PANEL = "risk_panel", "Risk panel"
    PROJECT_GROUP = "project_group", "Project group for a new service"
    BOARD = "board", "Board"
    PEER_CIRCLE = "peer_circle", "Peer circle"


class Forum(VersionedModel):
    """A standing forum where decisions are made together, often across organisations.

    The representation rule says whose voices a decision here needs: at least
    `min_disciplines` disciplines, someone from each of `required_organisation_kinds`, and a
    lived-experience voice when `lived_experience_required`. Decisions check it.
    """

    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=ForumKind.choices)
    home_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="forums"
    )
    min_disciplines = models.PositiveSmallIntegerField("at least this many disciplines", default=0)
    required_organisation_kinds = models.JSONField(
        "organisation kinds that must take part", default=list, blank=True
    )
    lived_experience_required = models.BooleanField(
        "a lived-experience voice is required", default=False
    )
    is_archived = models.BooleanField(default=False)
    members: models.ManyToManyField[Person, ForumMembership] = models.ManyToManyField(
        Person, through="ForumMembership", related_name="forums"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="forum_unique_name"),
            models.CheckConstraint(
                condition=Q(min_disciplines__lte=13), name="forum_min_disciplines_at_most_13"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        kinds = self.required_organisation_kinds
        if not isinstance(kinds, list) or any(k not in OrganisationKind.values for k in kinds):
            raise ValidationError(
                {"required_organisation_kinds": "Choose organisation kinds from the list."}
            )
        self.required_organisation_kinds = sorted(set(kinds))


class ForumMembership(TimeStampedModel):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="forum_memberships")
    takes_turn_facilitating = models.BooleanField(
        default=True, help_text="Included when the facilitator rotates."
    )

    class Meta:
        ordering = ["person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "person"], name="forum_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.forum}"


class Site(TimeStampedModel):
    """A building where teams are based. Leaders record being "in the building" at a site."""

    name = models.CharField(max_length=200, unique=True)
    address = models.TextField(blank=True)
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="sites"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="sites"
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="sites")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class MeetingSeries(TimeStampedModel):
    """A recurring meeting: on these weekdays, every `interval_weeks` weeks, at a local time.

    Occurrences are Meeting rows, generated ahead (see `services.meeting_series_extend`), so
    each can be moved, cancelled or minuted on its own. Times are Europe/London wall-clock
    times: a 09:15 huddle stays at 09:15 across the clock changes.
    """

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="series")
    weekdays = models.JSONField(help_text="Days of the week, 0 = Monday.")
    interval_weeks = models.PositiveSmallIntegerField(default=1)
    start_time = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT)
    online_url = models.URLField(blank=True)
    generated_until = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "meeting series"
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=24 * 60),
                name="series_duration_5_minutes_to_a_day",
            ),
            models.CheckConstraint(
                condition=Q(interval_weeks__gte=1, interval_weeks__lte=8),
                name="series_interval_1_to_8_weeks",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="series_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        days = ", ".join(Weekday(d).label for d in sorted(self.weekdays))
        return f"{self.forum}: {days} at {self.start_time:%H:%M}"

    def occurs_on(self, day: date) -> bool:
        if day < self.starts_on or (self.ends_on is not None and day > self.ends_on):
            return False
        if day.weekday() not in self.weekdays:
            return False
        weeks = (day - self.starts_on).days // 7
        return weeks % self.interval_weeks == 0


def _new_uid() -> str:
    return secrets.token_hex(16)


class Meeting(VersionedModel):
    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="meetings")
    series = models.ForeignKey(
        MeetingSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    online_url = models.URLField("online link", blank=True)
    agenda = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    facilitator = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=255, blank=True)
    # Stable identifier for calendar clients (iCalendar UID), unguessable so it leaks nothing.
    uid = models.CharField(max_length=40, unique=True, default=_new_uid, editable=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["forum", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_it_starts"
            ),
            models.UniqueConstraint(
                fields=["series", "starts_at"],
                condition=Q(series__isnull=False),
                name="meeting_once_per_series_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.forum} on {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The meeting must end after it starts."})


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"


class Attendance(TimeStampedModel):
    """Who was at a meeting. A guest may be someone in Roundtable or only a name.

    Someone in Roundtable brings their discipline, organisation and job title from their
    profile. A guest known only by name has them recorded here, so that they count towards a
    forum's representation rule like anyone else present: their organisation, or only its kind
    when the organisation is not in Roundtable (a lived-experience network, a small charity),
    their discipline if they have one, and their role in their own words.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="attendances"
    )
    guest_name = models.CharField(max_length=150, blank=True)
    guest_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guest_organisation_kind = models.CharField(
        "kind of organisation, when it is not in Roundtable",
        max_length=20,
        choices=OrganisationKind.choices,
        blank=True,
        error_messages={"invalid_choice": "Choose a kind of organisation from the list."},
    )
    guest_discipline = models.ForeignKey(
        Discipline, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guest_role = models.CharField(
        max_length=150,
        blank=True,
        error_messages={"max_length": "Give their role in 150 characters or fewer."},
    )
    is_guest = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.PRESENT,
        error_messages={
            "blank": "Choose present or apologies.",
            "invalid_choice": "Choose present or apologies.",
        },
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["is_guest", "person__full_name", "guest_name"]
        indexes = [
            # Covers the presence query: a leader's attendance, by status, to its meetings.
            models.Index(
                fields=["person", "status", "meeting"], name="attendance_person_status_meet"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(person__isnull=False),
                name="attendance_once_per_person",
            ),
            # A named guest once, whatever the case of their name (`services.attendance_record`
            # trims it first).
            models.UniqueConstraint(
                "meeting",
                Lower("guest_name"),
                condition=Q(person__isnull=True),
                name="attendance_once_per_guest_name",
            ),
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(guest_name=""))
                | (Q(person__isnull=True) & ~Q(guest_name="") & Q(is_guest=True)),
                name="attendance_person_or_named_guest",
            ),
            # Someone in Roundtable is described by their profile; only a named guest has a
            # kind of organisation, discipline or role recorded here, and a kind only when
            # their organisation is not in Roundtable.
            models.CheckConstraint(
                condition=Q(person__isnull=True)
                | (
                    Q(guest_organisation_kind="")
                    & Q(guest_discipline__isnull=True)
                    & Q(guest_role="")
                ),
                name="attendance_guest_details_only_for_named_guests",
            ),
            models.CheckConstraint(
                condition=Q(guest_organisation__isnull=True) | Q(guest_organisation_kind=""),
                name="attendance_guest_organisation_or_kind",
            ),
        ]

    def __str__(self) -> str:
        who = self.person.full_name if self.person else self.guest_name
        return f"{who} at {self.meeting}"

    @property
    def display_name(self) -> str:
        return self.person.full_name if self.person else self.guest_name

    @property
    def organisation_kind(self) -> str:
        """The kind of organisation they come from ("" if not recorded): their profile's for
        someone in Roundtable; a named guest's organisation's, or the kind recorded for them."""
        if self.person is not None:
            return self.person.organisation.kind if self.person.organisation else ""
        if self.guest_organisation is not None:
            return self.guest_organisation.kind
        return self.guest_organisation_kind

    @property
    def discipline(self) -> Discipline | None:
        return self.person.discipline if self.person is not None else self.guest_discipline

    @property
    def role(self) -> str:
        """Their job title (someone in Roundtable) or the role recorded for a named guest."""
        return self.person.job_title if self.person is not None else self.guest_role


class PresenceVisit(TimeStampedModel):
    """A leader was in a building on a day ("in the building today", one tap)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="presence_visits")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="presence_visits")
    on_date = models.DateField()

    class Meta:
        ordering = ["-on_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "site", "on_date"], name="presence_visit_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.site} on {self.on_date}"


def _new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(TimeStampedModel):
    """A person's private iCalendar feed. The token in the URL is the only key: keep it secret."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=_new_feed_token)

    def __str__(self) -> str:
        return f"Calendar feed of {self.person}"


def local_datetime(day: date, at: time) -> datetime:
    """A Europe/London wall-clock time on a day, as an aware datetime.

    On the autumn change, 01:30 happens twice: the first (summer time) is taken. In the spring
    gap, 01:30 does not exist: zoneinfo moves it forward an hour.
    """
    from zoneinfo import ZoneInfo

    return datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE))
