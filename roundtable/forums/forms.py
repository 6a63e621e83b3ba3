"""Forms for forum, meeting, attendance and presence pages."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from roundtable.core.forms import DateInput, TimeInput
from roundtable.directory.forms import VersionField
from roundtable.directory.models import Discipline, Organisation, OrganisationKind, Person, Team
from roundtable.forums.models import (
    AttendanceStatus,
    Forum,
    ForumKind,
    Site,
    Weekday,
    local_datetime,
)

REQUIRED_EMAIL = {
    "required": "Enter their work e-mail address",
    "invalid": "Enter an e-mail address in the correct format, like name@example.nhs.uk",
}


class ForumForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter a name for the forum"}
    )
    purpose = forms.CharField(
        label="Purpose (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the forum decides, in a sentence or two.",
    )
    kind = forms.ChoiceField(
        label="Kind of forum",
        choices=ForumKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of forum"},
    )
    home_team = forms.ModelChoiceField(
        label="Home team (optional)",
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label="No home team (a cross-organisation forum)",
        help_text=(
            "One of your teams. Meetings of a team's forum count as leaders being present at "
            "that team."
        ),
    )
    min_disciplines = forms.IntegerField(
        label="Decisions need at least this many disciplines",
        min_value=0,
        max_value=13,
        initial=0,
        error_messages={
            "required": "Enter how many disciplines decisions need, or 0",
            "invalid": "Enter a whole number, like 2",
            "min_value": "Enter a number from 0 to 13",
            "max_value": "Enter a number from 0 to 13",
        },
    )
    required_organisation_kinds = forms.MultipleChoiceField(
        label="Organisations that must take part in decisions (optional)",
        choices=OrganisationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    lived_experience_required = forms.BooleanField(
        label="Decisions need a lived-experience voice", required=False
    )
    version = VersionField(required=False)

    def limit_home_teams(self, teams: QuerySet[Team], current: Team | None = None) -> None:
        """Offer only the teams one may home a forum at, and the forum's own if it has one."""
        field = self.fields["home_team"]
        assert isinstance(field, forms.ModelChoiceField)
        allowed = Q(pk__in=teams.values("pk"))
        if current is not None:
            allowed |= Q(pk=current.pk)
        field.queryset = Team.objects.filter(allowed).order_by("name")

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        same = Forum.objects.filter(name__iexact=name)
        if self.initial.get("id"):
            same = same.exclude(pk=self.initial["id"])
        if same.exists():
            raise ValidationError("There is already a forum with this name")
        return name


class AddMemberForm(forms.Form):
    email = forms.EmailField(label="Add a member by work e-mail", error_messages=REQUIRED_EMAIL)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        self.people = people
        super().__init__(*args, **kwargs)

    def clean_email(self) -> Person:
        email = str(self.cleaned_data["email"]).strip().lower()
        person = self.people.filter(email=email).first()
        if person is None:
            raise ValidationError("Nobody in Roundtable has this e-mail address")
        return person  # type: ignore[no-any-return]


def _site_choice(required: bool = False) -> forms.ModelChoiceField[Site]:
    return forms.ModelChoiceField(
        label="Place",
        queryset=Site.objects.order_by("name"),
        required=required,
        empty_label="No building (online or elsewhere)",
    )


class MeetingForm(forms.Form):
    on_date = forms.DateField(
        label="Date",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date of the meeting",
            "invalid": "Enter a real date",
        },
    )
    start_time = forms.TimeField(
        label="Starts at",
        widget=TimeInput(),
        error_messages={"required": "Enter when the meeting starts", "invalid": "Enter a time"},
    )
    end_time = forms.TimeField(
        label="Ends at",
        widget=TimeInput(),
        error_messages={"required": "Enter when the meeting ends", "invalid": "Enter a time"},
    )
    site = _site_choice()
    online_url = forms.URLField(
        label="Online link (optional)",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, like https://meet.example.nhs.uk/abc"},
    )
    agenda = forms.CharField(
        label="Agenda (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    # Shown only once the page has warned that the start has passed.
    confirm_past = forms.BooleanField(
        label="Yes, this meeting has already happened: record it", required=False
    )
    past_warned = forms.BooleanField(required=False, widget=forms.HiddenInput)

    PAST_NOT_CONFIRMED = (
        "Tick the box if the meeting has already happened, or change its date and time"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("on_date"), data.get("start_time"), data.get("end_time")
        if isinstance(day, date) and isinstance(start, time) and isinstance(end, time):
            starts_at = local_datetime(day, start)
            ends_at = local_datetime(day, end)
            if ends_at <= starts_at:
                self.add_error("end_time", "The meeting must end after it starts")
            data["starts_at"], data["ends_at"] = starts_at, ends_at
        return data


class MeetingNotesForm(forms.Form):
    agenda = forms.CharField(
        label="Agenda", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    minutes = forms.CharField(
        label="Minutes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="What was discussed and decided. Record decisions themselves as decisions.",
    )
    version = VersionField()


class SeriesForm(forms.Form):
    weekdays = forms.TypedMultipleChoiceField(
        label="Which days",
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one day of the week"},
    )
    start_time = forms.TimeField(
        label="Starts at",
        widget=TimeInput(),
        error_messages={"required": "Enter when the meetings start", "invalid": "Enter a time"},
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=5,
        max_value=24 * 60,
        error_messages={
            "required": "Enter how long the meetings last, in minutes",
            "invalid": "Enter a whole number of minutes, like 15",
            "min_value": "A meeting lasts at least 5 minutes",
            "max_value": "A meeting lasts at most 24 hours (1440 minutes)",
        },
    )
    interval_weeks = forms.TypedChoiceField(
        label="How often",
        choices=[(1, "Every week"), (2, "Every 2 weeks"), (4, "Every 4 weeks")],
        coerce=int,
        initial=1,
    )
    starts_on = forms.DateField(
        label="First day",
        widget=DateInput(),
        error_messages={"required": "Enter the first day", "invalid": "Enter a real date"},
    )
    ends_on = forms.DateField(
        label="Last day (optional)",
        required=False,
        widget=DateInput(),
        help_text="Leave empty to carry on until the series is changed.",
        error_messages={"invalid": "Enter a real date"},
    )
    site = _site_choice()
    online_url = forms.URLField(
        label="Online link (optional)",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, like https://meet.example.nhs.uk/abc"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The last day must be on or after the first day")
        if starts_on and starts_on < timezone.localdate() - timedelta(days=366):
            self.add_error("starts_on", "The first day must be within the last year")
        return data


class AttendanceForm(forms.Form):
    """One radio group per member: present, apologies or not recorded. A few taps on a phone."""

    NOT_RECORDED = ""

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for membership in members:
            self.fields[f"member_{membership.person_id}"] = forms.ChoiceField(
                label=membership.person.full_name,
                choices=[
                    (AttendanceStatus.PRESENT, "Present"),
                    (AttendanceStatus.APOLOGIES, "Apologies"),
                    (self.NOT_RECORDED, "Not here"),
                ],
                required=False,
                widget=forms.RadioSelect,
            )

    def people(self, status: str) -> list[Person]:
        return [
            m.person
            for m in self.members
            if self.cleaned_data.get(f"member_{m.person_id}") == status
        ]


class GuestForm(forms.Form):
    """Someone who is not a member: by e-mail if they use Roundtable, or by name with where
    they are from and what they do, which count towards the forum's representation rule."""

    GUEST_DETAILS = (
        "guest_organisation",
        "guest_organisation_kind",
        "guest_discipline",
        "guest_role",
    )

    email = forms.EmailField(
        label="Their work e-mail, if they use Roundtable",
        required=False,
        error_messages={"invalid": REQUIRED_EMAIL["invalid"]},
    )
    guest_name = forms.CharField(label="Or their name", required=False, max_length=150)
    guest_organisation = forms.ModelChoiceField(
        label="Their organisation",
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label="Not recorded",
    )
    guest_organisation_kind = forms.ChoiceField(
        label="Or, if their organisation is not listed, the kind of organisation",
        choices=[("", "Not recorded"), *OrganisationKind.choices],
        required=False,
        help_text="For example, a lived-experience network for a lived-experience representative.",
        error_messages={"invalid_choice": "Choose a kind of organisation from the list"},
    )
    guest_discipline = forms.ModelChoiceField(
        label="Their discipline (optional)",
        queryset=Discipline.objects.order_by("sort_order", "name"),
        required=False,
        empty_label="None or not recorded",
        error_messages={"invalid_choice": "Choose a discipline from the list"},
    )
    guest_role = forms.CharField(
        label="Their role (optional)",
        required=False,
        max_length=150,
        help_text="In their own words, for example “Peer support worker”.",
        error_messages={"max_length": "Give their role in 150 characters or fewer"},
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        self.people = people
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email = (data.get("email") or "").strip().lower()
        name = (data.get("guest_name") or "").strip()
        if email and name:
            self.add_error("guest_name", "Give their e-mail or their name, not both")
        elif not email and not name and "email" not in self.errors:
            self.add_error("email", "Enter the guest's work e-mail or their name")
        elif email:
            person = self.people.filter(email=email).first()
            if person is None:
                self.add_error(
                    "email", "Nobody in Roundtable has this e-mail address: give their name instead"
                )
            data["person"] = person
            for name in self.GUEST_DETAILS:
                if data.get(name):
                    self.add_error(
                        name,
                        "Leave this empty for someone who uses Roundtable: it comes from their "
                        "profile",
                    )
        organisation, kind = data.get("guest_organisation"), data.get("guest_organisation_kind")
        if organisation is not None and kind and kind != organisation.kind:
            self.add_error(
                "guest_organisation_kind",
                "Choose their organisation or, if it is not listed, the kind of organisation "
                "— not both",
            )
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled? (optional)",
        required=False,
        max_length=255,
        help_text="Members see this, and it goes into their calendars.",
    )


class VisitForm(forms.Form):
    """ "I'm in the building today": the person's own teams' buildings are listed first."""

    site = forms.TypedChoiceField(
        label="Which building are you in?",
        coerce=int,
        error_messages={
            "required": "Select the building you are in",
            "invalid_choice": "Select a building from the list",
        },
    )

    def __init__(self, *args: Any, sites: list[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sites = {site.pk: site for site in sites}
        field = self.fields["site"]
        field.choices = [(s.pk, s.name) for s in sites]  # type: ignore[attr-defined]
        if sites:
            field.initial = sites[0].pk

    def clean_site(self) -> Site:
        return self.sites[self.cleaned_data["site"]]
