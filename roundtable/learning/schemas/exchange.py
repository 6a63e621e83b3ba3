"""Shapes of the practice exchange API: practice notes, their tags, comments and "we tried this
too" links. Texts are bounded as the models bound them. A note never identifies a person in
care: a text that could (an NHS number's shape, or the name of someone the note's source is
about) is refused by the service."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema

from roundtable.core.schemas import Id, Version
from roundtable.directory.schemas import OrganisationRef, TeamRef
from roundtable.forums.schemas import PersonName
from roundtable.learning.models import LONG_TEXT
from roundtable.learning.selectors.exchange import NotePage, Source
from roundtable.learning.services.exchange import MOST_TAGS, TAG_LENGTH

_ID = "The id of {}, as returned by {}."
_TITLE = 200
_COMMENT = 2_000
_NO_ONE = " Nothing that could identify a person in care: it is shared with every organisation."

TagName = Annotated[str, Field(min_length=1, max_length=TAG_LENGTH)]


class PracticeNoteQuery(Schema):
    q: str = Field(
        "", max_length=200, description="Only notes whose title or text holds these words."
    )
    tag: str = Field("", max_length=TAG_LENGTH, description="Only notes with the tag of this slug.")
    organisation: Id | None = Field(
        None,
        description="Only notes shared by this organisation. "
        + _ID.format("an organisation", "/directory/organisations"),
    )


class _NoteFields(Schema):
    title: str = Field(min_length=1, max_length=_TITLE, description="A short title." + _NO_ONE)
    what_we_tried: str = Field(
        min_length=1, max_length=LONG_TEXT, description="What the team tried." + _NO_ONE
    )
    what_happened: str = Field(
        min_length=1, max_length=LONG_TEXT, description="What happened." + _NO_ONE
    )
    differently: str = Field(
        "", max_length=LONG_TEXT, description="What the team would do differently." + _NO_ONE
    )
    contact: Id = Field(
        description="Who others may ask about it: someone active in the directory. "
        + _ID.format("a person", "/directory/people")
    )
    tags: list[TagName] = Field(
        default_factory=list,
        max_length=MOST_TAGS,
        description=f"Up to {MOST_TAGS} tags by name, existing or new (“front door”, “huddles”).",
    )
    team: Id | None = Field(
        None, description="The team that tried it: one of yours. " + _ID.format("a team", "/me")
    )


class PracticeNoteIn(_NoteFields):
    from_cycle: Id | None = Field(
        None,
        description="A closed test of change you may see that the note is drawn from. "
        + _ID.format("a cycle", "/learning/tests-of-change/{id}"),
    )
    from_response: Id | None = Field(
        None,
        description="Or a finished learning response you may see that it is drawn from. "
        + _ID.format("a response", "/learning/responses"),
    )


class PracticeNoteChangeIn(_NoteFields):
    """Every part of the note, as it should now be (its source stays as it is)."""

    version: Version = Field(
        description="The `version` you read. If someone has saved since, the answer is 409."
    )


class PracticeTagOut(Schema):
    id: int
    name: str
    slug: str = Field(description="To filter notes by: `?tag=`.")


class PracticeTagCount(PracticeTagOut):
    note_count: int = Field(description="How many notes have it.")


class PracticeNoteRef(Schema):
    id: int
    title: str


class PracticeNoteSummary(Schema):
    id: int
    title: str
    organisation: OrganisationRef
    team: TeamRef | None
    tags: list[PracticeTagOut]
    comment_count: int = Field(description="How many comments it has.")
    created_at: datetime
    version: int

    @staticmethod
    def resolve_tags(note: object) -> list[object]:
        return list(note.tags.all())  # type: ignore[attr-defined]


class PracticeCommentIn(Schema):
    text: str = Field(min_length=1, max_length=_COMMENT, description="The comment." + _NO_ONE)


class PracticeCommentOut(Schema):
    id: int
    author: PersonName
    text: str
    created_at: datetime


class TriedTooIn(Schema):
    earlier: Id = Field(
        description="The note this one echoes: “we tried this too”. "
        + _ID.format("a practice note", "/learning/practice-notes")
    )


class TriedTooOut(Schema):
    id: int
    note: PracticeNoteRef = Field(description="The note that says “we tried this too”.")
    earlier: PracticeNoteRef = Field(description="The note it echoes.")
    linked_by: PersonName


class PracticeSourceOut(Schema):
    kind: str = Field(description="`cycle` (a test of change) or `response` (learning response).")
    id: int = Field(description="The cycle's or response's id.")


class PracticeNoteOut(Schema):
    # Read from `selectors.exchange.NotePage`.
    id: int = Field(alias="note.id")
    title: str = Field(alias="note.title")
    what_we_tried: str = Field(alias="note.what_we_tried")
    what_happened: str = Field(alias="note.what_happened")
    differently: str = Field(alias="note.differently")
    contact: PersonName = Field(alias="note.contact")
    organisation: OrganisationRef = Field(alias="note.organisation")
    team: TeamRef | None = Field(alias="note.team")
    written_by: PersonName = Field(alias="note.written_by")
    created_at: datetime = Field(alias="note.created_at")
    version: int = Field(alias="note.version")
    tags: list[PracticeTagOut]
    comments: list[PracticeCommentOut]
    tried_too: list[PracticeNoteRef] = Field(description="Earlier notes this one echoes.")
    echoed_by: list[PracticeNoteRef] = Field(
        description="Notes whose teams say “we tried this too” of this one."
    )
    source: PracticeSourceOut | None = Field(
        description="What it was drawn from, if you may see it: a link, never its text."
    )

    @staticmethod
    def resolve_source(page: NotePage) -> Source | None:
        return page.source
