"""Forms for forum, meeting, attendance and presence pages."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from roundtable.core.forms import (
    choice_field,
    date_field,
    id_choice,
    offer_choices,
    text_field,
    time_field,
    whole_number_field,
)
from roundtable.directory.forms import PersonByEmailForm, VersionField
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
    name = text_field("Name", required="Enter a name for the forum", max_length=200)
    purpose = text_field(
        "Purpose (optional)", rows=3, help_text="What the forum decides, in a sentence or two."
    )
    kind = choice_field(
        "Kind of forum", choices=ForumKind.choices, radios=True, required="Select the kind of forum"
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
    min_disciplines = whole_number_field(
        "Decisions need at least this many disciplines",
        required="Enter how many disciplines decisions need, or 0",
        invalid="Enter a whole number, like 2",
        min_value=0,
        too_small="Enter a number from 0 to 13",
        max_value=13,
        too_large="Enter a number from 0 to 13",
        initial=0,
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


class AddMemberForm(PersonByEmailForm):
    email = forms.EmailField(label="Add a member by work e-mail", error_messages=REQUIRED_EMAIL)


def _site_choice(required: bool = False) -> forms.ModelChoiceField[Site]:
    return forms.ModelChoiceField(
        label="Place",
        queryset=Site.objects.order_by("name"),
        required=required,
        empty_label="No building (online or elsewhere)",
    )


def _online_url() -> forms.URLField:
    return forms.URLField(
        label="Online link (optional)",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, like https://meet.example.nhs.uk/abc"},
    )


class MeetingForm(forms.Form):
    on_date = date_field(
        "Date", required="Enter the date of the meeting", invalid="Enter a real date"
    )
    start_time = time_field(
        "Starts at", required="Enter when the meeting starts", invalid="Enter a time"
    )
    end_time = time_field("Ends at", required="Enter when the meeting ends", invalid="Enter a time")
    site = _site_choice()
    online_url = _online_url()
    agenda = text_field("Agenda (optional)", rows=4)
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
    agenda = text_field("Agenda", rows=5)
    minutes = text_field(
        "Minutes",
        rows=10,
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
    start_time = time_field(
        "Starts at", required="Enter when the meetings start", invalid="Enter a time"
    )
    duration_minutes = whole_number_field(
        "Length in minutes",
        required="Enter how long the meetings last, in minutes",
        invalid="Enter a whole number of minutes, like 15",
        min_value=5,
        too_small="A meeting lasts at least 5 minutes",
        max_value=24 * 60,
        too_large="A meeting lasts at most 24 hours (1440 minutes)",
    )
    interval_weeks = forms.TypedChoiceField(
        label="How often",
        choices=[(1, "Every week"), (2, "Every 2 weeks"), (4, "Every 4 weeks")],
        coerce=int,
        initial=1,
    )
    starts_on = date_field("First day", required="Enter the first day", invalid="Enter a real date")
    ends_on = date_field(
        "Last day (optional)",
        invalid="Enter a real date",
        help_text="Leave empty to carry on until the series is changed.",
    )
    site = _site_choice()
    online_url = _online_url()

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
            self.fields[f"member_{membership.person_id}"] = choice_field(
                membership.person.full_name,
                choices=[
                    (AttendanceStatus.PRESENT, "Present"),
                    (AttendanceStatus.APOLOGIES, "Apologies"),
                    (self.NOT_RECORDED, "Not here"),
                ],
                radios=True,
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
    guest_name = text_field("Or their name", max_length=150)
    guest_organisation = forms.ModelChoiceField(
        label="Their organisation",
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label="Not recorded",
    )
    guest_organisation_kind = choice_field(
        "Or, if their organisation is not listed, the kind of organisation",
        choices=[("", "Not recorded"), *OrganisationKind.choices],
        invalid_choice="Choose a kind of organisation from the list",
        help_text="For example, a lived-experience network for a lived-experience representative.",
    )
    guest_discipline = forms.ModelChoiceField(
        label="Their discipline (optional)",
        queryset=Discipline.objects.order_by("sort_order", "name"),
        required=False,
        empty_label="None or not recorded",
        error_messages={"invalid_choice": "Choose a discipline from the list"},
    )
    guest_role = text_field(
        "Their role (optional)",
        max_length=150,
        too_long="Give their role in 150 characters or fewer",
        help_text="In their own words, for example “Peer support worker”.",
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
    reason = text_field(
        "Why is it cancelled? (optional)",
        max_length=255,
        help_text="Members see this, and it goes into their calendars.",
    )


class VisitForm(forms.Form):
    """ "I'm in the building today": the person's own teams' buildings are listed first."""

    site = id_choice(
        "Which building are you in?",
        required="Select the building you are in",
        invalid_choice="Select a building from the list",
    )

    def __init__(self, *args: Any, sites: list[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sites = {site.pk: site for site in sites}
        field = self.fields["site"]
        offer_choices(field, [(s.pk, s.name) for s in sites])
        if sites:
            field.initial = sites[0].pk

    def clean_site(self) -> Site:
        return self.sites[self.cleaned_data["site"]]
