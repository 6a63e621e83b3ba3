"""Forms for the practice exchange pages. They parse and check shapes, with the models' own
limits and messages; the services decide what is allowed (and what could identify a person in
care) and say why not, on the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from roundtable.core.forms import id_choice, text_field
from roundtable.directory.forms import PersonByEmailForm, VersionField
from roundtable.directory.models import Person, Team
from roundtable.learning.forms.responses import LONG_TOO_LONG, SHORT_TEXT, _Records
from roundtable.learning.models import LONG_TEXT, PracticeNote
from roundtable.learning.services.exchange import MOST_TAGS, TAG_LENGTH

NO_IDENTIFIERS = (
    "Shared with every organisation: leave out anything that could identify a person in care."
)


class NoteForm(_Records, PersonByEmailForm):
    """A note; who to contact is named by their work e-mail (`PersonByEmailForm`)."""

    title = text_field(
        "Title",
        required="Give the note a title",
        max_length=200,
        too_long="Keep the title to 200 characters or fewer",
        help_text="A few words others would search for, like “Huddles without a care "
        "co-ordinator”.",
    )
    what_we_tried = text_field(
        "What did you try?",
        required="Say what you tried",
        max_length=LONG_TEXT,
        too_long=LONG_TOO_LONG.format(what="what you tried"),
        rows=6,
        help_text=NO_IDENTIFIERS,
    )
    what_happened = text_field(
        "What happened?",
        required="Say what happened",
        max_length=LONG_TEXT,
        too_long=LONG_TOO_LONG.format(what="what happened"),
        rows=6,
    )
    differently = text_field(
        "What would you do differently? (optional)",
        max_length=LONG_TEXT,
        too_long=LONG_TOO_LONG.format(what="what you would do differently"),
        rows=4,
    )
    email = forms.EmailField(
        label="Who to contact: their work e-mail",
        error_messages={
            "required": "Enter the work e-mail of who to contact",
            "invalid": "Enter an e-mail address in the correct format, like name@example.nhs.uk",
        },
        help_text="Someone in Roundtable others can ask about it: you, or a colleague.",
    )
    tags = text_field(
        "Tags (optional)",
        max_length=(TAG_LENGTH + 2) * MOST_TAGS,
        too_long=f"Choose {MOST_TAGS} tags or fewer, each of {TAG_LENGTH} characters or fewer",
        help_text=f"Up to {MOST_TAGS}, separated by commas, like “front door, huddles”.",
    )
    team = id_choice(
        "Team (optional)",
        invalid_choice="Choose one of your teams, or none",
        help_text="The team that tried it, if it was one of yours.",
    )

    def __init__(
        self, *args: Any, teams: list[Team], people: QuerySet[Person] | None, **kwargs: Any
    ) -> None:
        """`people`: those the user may see, to find the contact in (None on a form only
        shown)."""
        super().__init__(*args, people=people, **kwargs)
        self.offer("team", teams, lambda team: team.name, blank="Not one team")

    def clean_tags(self) -> list[str]:
        return [tag.strip() for tag in str(self.cleaned_data.get("tags") or "").split(",")]

    @staticmethod
    def initial_of(note: PracticeNote, tags: list[Any]) -> dict[str, Any]:
        return {
            "title": note.title,
            "what_we_tried": note.what_we_tried,
            "what_happened": note.what_happened,
            "differently": note.differently,
            "email": note.contact.email,
            "tags": ", ".join(tag.name for tag in tags),
            "team": note.team_id,
            "version": note.version,
        }


class NewNoteForm(NoteForm):
    """A new note, perhaps drawn from a source: the source's id rides along with the form."""

    from_cycle = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    from_response = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class EditNoteForm(NoteForm):
    version = VersionField()


class CommentForm(forms.Form):
    text = text_field(
        "Add a comment",
        required="Write a comment",
        max_length=SHORT_TEXT,
        too_long="Keep a comment to 2,000 characters or fewer",
        rows=3,
        help_text=NO_IDENTIFIERS,
    )


class TriedTooForm(_Records):
    earlier = id_choice(
        "Which note did you try too?",
        required="Choose the note you tried too",
        invalid_choice="Choose a note from the list",
    )

    def __init__(self, *args: Any, notes: list[PracticeNote], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer(
            "earlier",
            notes,
            lambda n: f"{n.title} ({n.organisation.name})",
            blank="Choose a note",
        )
