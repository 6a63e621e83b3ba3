"""Forms for the care pages. They parse and check shapes; the services decide what is allowed
and say why not. Error messages follow the NHS.UK style: say what to fix."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from roundtable.care.models import (
    PATHWAY,
    Destination,
    Episode,
    Offer,
    OfferKind,
    ReferralSource,
    Stage,
    Zone,
    ZoneColour,
)
from roundtable.core.forms import (
    choice_field,
    date_field,
    id_choice,
    offer_choices,
    text_field,
    whole_number_field,
)
from roundtable.core.templating import date_format
from roundtable.decisions.models import Decision
from roundtable.directory.forms import VersionField
from roundtable.directory.models import Organisation, Person, Team
from roundtable.forums.models import Forum, Meeting


class _Lookup(forms.Form):
    """A form whose choice fields stand for objects: `cleaned_data[name]` is the object."""

    lookups: dict[str, dict[int, Any]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lookups = {}

    def _objects(self, name: str, objects: Iterable[Any], label: Any, blank: str = "") -> None:
        found = {obj.pk: obj for obj in objects}
        self.lookups[name] = found
        offer_choices(
            self.fields[name], ((pk, label(obj)) for pk, obj in found.items()), blank=blank
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, found in self.lookups.items():
            if data.get(name) is not None:
                data[name] = found.get(data[name])
        return data


def _id_choice(
    label: str, *, required: bool, message: str, help_text: str = ""
) -> forms.TypedChoiceField:
    """A choice of one record by its id, with one `message` for choosing none (when one is
    `required`) and for choosing one that is no longer offered."""
    return id_choice(
        label, required=message if required else None, invalid_choice=message, help_text=help_text
    )


# -- Referring -----------------------------------------------------------------------------------

REFERRAL_SOURCES = [(v, label) for v, label in ReferralSource.choices if v != "re_referral"]


class ReferralFields(_Lookup):
    """Which team, from where, the key worker and why: referring someone new or again."""

    team = _id_choice("Team", required=True, message="Choose the team to refer to")
    referral_source = choice_field(
        "Where did the referral come from?",
        choices=REFERRAL_SOURCES,
        radios=True,
        required="Choose where the referral came from",
    )
    key_worker = _id_choice(
        "Key worker (optional)",
        required=False,
        message="Choose a key worker from the list",
        help_text="The named lead professional. You can leave this until the offer is made.",
    )
    reason = text_field(
        "Reason for the referral (optional)",
        rows=3,
        help_text="What the person would like help with, in a sentence or two.",
    )

    def __init__(
        self, *args: Any, teams: list[Team], members: dict[int, list[Person]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        self._objects("team", teams, lambda t: t.name, blank="Choose a team")
        people = {p.pk: p for team_members in members.values() for p in team_members}
        names = {t.pk: t.name for t in teams}

        def label(person: Person) -> str:
            in_teams = [names[t] for t, ps in members.items() if person in ps]
            return f"{person.full_name} ({', '.join(in_teams)})"

        self._objects("key_worker", people.values(), label, blank="Not chosen yet")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        team, key_worker = data.get("team"), data.get("key_worker")
        if team is not None and key_worker is not None and key_worker not in self.members[team.pk]:
            self.add_error("key_worker", f"Choose a key worker who is in {team.name}")
        return data


class ReferForm(ReferralFields):
    local_id = text_field(
        "Local identifier",
        required="Enter the local identifier from the patient record",
        max_length=40,
        too_long="The local identifier is 40 characters or fewer",
        help_text="The person's identifier in your patient record system.",
    )
    nhs_number = text_field(
        "NHS number (optional)",
        max_length=12,
        too_long="Enter an NHS number with 10 digits, like 999 123 4578",
        help_text="10 digits, like 999 123 4578.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )
    name = text_field(
        "Name or initials",
        required="Enter the person's name or initials",
        max_length=150,
        help_text="Only what the team needs to recognise the person.",
    )
    date_of_birth = date_field(
        "Date of birth (optional)", invalid="Enter a real date of birth", example="birth"
    )
    gp_practice = _id_choice(
        "GP practice (optional)", required=False, message="Choose a GP practice from the list"
    )

    field_order = ["local_id", "nhs_number", "name", "date_of_birth", "gp_practice"]

    def __init__(self, *args: Any, practices: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._objects("gp_practice", practices, lambda o: o.name, blank="Not known")


# -- The person page -----------------------------------------------------------------------------


class ConsentForm(_Lookup):
    organisation = _id_choice(
        "Partner organisation", required=True, message="Choose the organisation to share with"
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._objects(
            "organisation", organisations, lambda o: o.name, blank="Choose an organisation"
        )


class StageForm(_Lookup):
    """Move an episode along its path: only the legal next stages are offered."""

    to_stage = choice_field(
        "Move to",
        radios=True,
        required="Choose the stage to move to",
        invalid_choice="Choose one of the stages listed",
    )
    destination = choice_field(
        "Moving on to (only for moving on)",
        choices=[("", "Choose where"), *Destination.choices],
        invalid_choice="Choose where the person is moving on to",
    )
    decision = _id_choice(
        "Agreed move-on decision (only for moving on)",
        required=False,
        message="Choose the agreed move-on decision",
        help_text="Nobody moves a person on alone: moving on needs the team's agreed decision.",
    )
    reason = text_field("Why (optional)", rows=2)
    version = VersionField()

    def __init__(self, *args: Any, episode: Episode, move_on: list[Decision], **kwargs: Any):
        super().__init__(*args, **kwargs)
        stages = PATHWAY.following(episode.stage)
        offer_choices(
            self.fields["to_stage"],
            [(value, label) for value, label in Stage.choices if value in stages],
        )
        self._objects("decision", move_on, lambda d: d.title, blank="Choose the decision")
        self.fields["version"].initial = episode.version


# -- The front door ------------------------------------------------------------------------------


class OfferProposeForm(_Lookup):
    offer = _id_choice("Offer", required=True, message="Choose an offer from the catalogue")
    proposal = text_field(
        "Proposal (optional)",
        rows=3,
        help_text="Why this offer fits what the person asked for. Left empty, the proposal "
        "names the offer and who provides it.",
    )
    meeting = _id_choice(
        "Take it in today's meeting (optional)",
        required=False,
        message="Choose one of today's meetings",
        help_text="A decision taken in a meeting takes the people present as participants.",
    )

    def __init__(
        self, *args: Any, offers: list[Offer], meetings: list[Meeting], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._objects(
            "offer",
            offers,
            lambda o: f"{o.name} ({o.organisation.name})",
            blank="Choose an offer",
        )
        self._objects(
            "meeting",
            meetings,
            lambda m: f"The meeting on {date_format(m.starts_at, with_time=True)}",
            blank="Not in a meeting",
        )


# -- The huddle board ------------------------------------------------------------------------------


class BoardForm(_Lookup):
    """Every card form carries the meeting chosen at the top of the board."""

    meeting = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ZoneSetForm(BoardForm):
    zone = _id_choice("Zone", required=True, message="Choose a zone")
    reason = text_field("Why (optional)", max_length=1000)
    version = VersionField(required=False)

    def __init__(self, *args: Any, zones: list[Zone], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._objects("zone", zones, lambda z: z.name, blank="Choose a zone")


class NoteForm(BoardForm):
    situation = text_field("Situation", rows=2)
    background = text_field("Background", rows=2)
    assessment = text_field("Assessment", rows=2)
    recommendation = text_field("Recommendation", rows=2)
    decision = text_field("Decision", rows=2)


class ActionForm(BoardForm):
    description = text_field(
        "What will be done",
        required="Say what will be done",
        max_length=300,
        too_long="Keep it to 300 characters or fewer",
    )
    owner = _id_choice("Who will do it", required=True, message="Choose who will do it")
    due_on = date_field(
        "Due date", required="Enter the date it is due", invalid="Enter a real date"
    )

    def __init__(self, *args: Any, members: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._objects("owner", members, lambda p: p.full_name, blank="Choose someone")


class ActionDoneForm(BoardForm):
    version = VersionField(required=False)


class MoveOnForm(BoardForm):
    destination = choice_field(
        "Moving on to",
        choices=[("", "Choose where"), *Destination.choices],
        required="Choose where the person is moving on to",
        invalid_choice="Choose where the person is moving on to",
    )
    forum = _id_choice(
        "Forum that shares the decision", required=True, message="Choose one of the team's forums"
    )
    proposal = text_field(
        "Proposal",
        required="Say what the move on is and how the person comes back if need be",
        rows=3,
    )

    def __init__(self, *args: Any, forums: list[Forum], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._objects("forum", forums, lambda f: f.name, blank="Choose a forum")


# -- Zones and offers ------------------------------------------------------------------------------


class ZoneForm(forms.Form):
    """A zone says what the team does; the service refuses one that rates risk (NICE NG225)."""

    name = text_field(
        "Name",
        required="Enter the zone's name",
        max_length=60,
        too_long="Keep the name to 60 characters or fewer",
        help_text="What the team does, like “Intensive input” or “Light touch”.",
    )
    colour = choice_field(
        "Colour",
        choices=[("", "Choose a colour"), *ZoneColour.choices],
        required="Choose a colour",
        invalid_choice="Choose a colour",
        help_text="Shown with the name, never on its own.",
    )
    meaning = text_field(
        "What the team does for people in this zone",
        required="Say in plain English what the team does for people in this zone",
        rows=3,
        help_text="The team's input and plan, in plain English: how often it is in touch, when "
        "it reviews the plan, what support it gives. Never a prediction about the person.",
    )


class ZoneEditForm(ZoneForm):
    position = whole_number_field(
        "Order on the board",
        required="Enter the order, a whole number like 2",
        invalid="Enter the order as a whole number, like 2",
        min_value=0,
        too_small="The order is a whole number, 0 or more",
        max_value=1000,
        too_large="The order is a whole number up to 1000",
        help_text="Zones are shown from the lowest number to the highest.",
    )
    version = VersionField()


class OfferForm(_Lookup):
    name = text_field(
        "Name",
        required="Enter the name of the offer",
        max_length=150,
        too_long="Keep the name to 150 characters or fewer",
        help_text="What people call it, like “Peer support at Open Door”.",
    )
    kind = choice_field(
        "Kind of support",
        choices=[("", "Choose a kind"), *OfferKind.choices],
        required="Choose the kind of offer",
        invalid_choice="Choose the kind of offer",
    )
    organisation = _id_choice(
        "Provided by", required=True, message="Choose the organisation that provides it"
    )
    description = text_field(
        "What the person can expect (optional)",
        rows=4,
        help_text="In plain English, as you would explain it to them.",
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._objects(
            "organisation", organisations, lambda o: o.name, blank="Choose an organisation"
        )


class OfferEditForm(OfferForm):
    is_active = forms.BooleanField(
        label="Offered now",
        required=False,
        help_text="Untick to retire it: it stays in the history of everyone it was offered to.",
    )
    version = VersionField()
