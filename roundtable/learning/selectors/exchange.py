"""Reads for the practice exchange: practice notes shared across sites and organisations, their
tags, comments and "we tried this too" links, and the draft of a note drawn from a finished test
of change or learning response.

Every signed-in person reads every note (`roundtable.learning.access`): that is what they are
for. A note's source (the test of change or learning response it was drawn from) is shown only
as a link, and only to a reader who may see the source. Lists read a fixed number of queries
however many notes, tags and comments there are (the tests count them).

Nothing identifying a person in care is ever shared: `identifies` finds what the services refuse
(an NHS number's shape, or the name of a person in care the source's events name), and a draft
leaves it out (`without_identifiers`). `source_names` is a building block for both: it reads the
names of the people a source's events name, whoever asks, and is never shown to anyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from roundtable.care.models import PersonInCare
from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.directory.models import Organisation
from roundtable.learning.models import (
    ChangeCycle,
    CycleStatus,
    LearningEvent,
    LearningResponse,
    LearningStatement,
    PracticeComment,
    PracticeNote,
    PracticeTag,
    ResponseStatus,
    SafetyAction,
    TriedToo,
)

# Ten digits, together or spaced 3-3-4 (as NHS numbers are written): never shared.
NHS_NUMBER_SHAPE = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")
# What a draft says instead of something that could identify a person in care.
NAME_TAKEN_OUT = "the person"
NUMBER_TAKEN_OUT = "[number taken out]"
# The newest notes on the learning start page.
HOME_NOTES = 3


# -- Nothing identifying a person in care ----------------------------------------------------------


def source_names(
    cycle: ChangeCycle | None = None, response: LearningResponse | None = None
) -> list[str]:
    """The names that would identify a person in care named by the source's events: each full
    name and each family name (the last word of a name of two or more words). A cycle's source
    is the learning response its ramp started from, when it did. Longest first, so that a full
    name is matched before the family name within it. Not scoped: never shown."""
    if cycle is not None:
        statement = cycle.ramp.statement
        response = statement.response if statement is not None else None
    if response is None:
        return []
    named = LearningEvent.objects.filter(
        pk__in=response.events.values("pk"), person__isnull=False
    ).values("person_id")
    names: set[str] = set()
    for name in PersonInCare.objects.filter(pk__in=named).values_list("name", flat=True):
        full = " ".join(name.split())
        if full:
            names.add(full)
        words = full.split(" ")
        # A family name of one letter (an initial) would match every "a" and "I".
        if len(words) > 1 and len(words[-1].strip(".")) > 1:
            names.add(words[-1])
    return sorted(names, key=lambda n: (-len(n), n))


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    words = [re.escape(name).replace(r"\ ", r"\s+") for name in names]
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", re.IGNORECASE)


def identifies(text: str, names: Iterable[str] = ()) -> bool:
    """Whether `text` holds something shaped like an NHS number, or one of `names` as a whole
    word whatever its case."""
    if NHS_NUMBER_SHAPE.search(text):
        return True
    pattern = _name_pattern(names)
    return pattern is not None and pattern.search(text) is not None


def without_identifiers(text: str, names: Iterable[str] = ()) -> str:
    """`text` with every NHS-number shape and every one of `names` taken out."""
    text = NHS_NUMBER_SHAPE.sub(NUMBER_TAKEN_OUT, text)
    pattern = _name_pattern(names)
    return text if pattern is None else pattern.sub(NAME_TAKEN_OUT, text)


# -- Notes ----------------------------------------------------------------------------------------


def note_list(
    user: Reader, q: str = "", tag: str | None = None, organisation: Organisation | None = None
) -> QuerySet[PracticeNote]:
    """The notes `user` reads (every note), newest first: those whose title or text holds `q`
    (whatever its case), with the tag of slug `tag`, of `organisation`. Each with its
    organisation, team and tags, and how many comments."""
    notes = access.scoped(user, PracticeNote)
    q = " ".join(q.split())
    if q:
        notes = notes.filter(
            Q(title__icontains=q)
            | Q(what_we_tried__icontains=q)
            | Q(what_happened__icontains=q)
            | Q(differently__icontains=q)
        )
    if tag:
        notes = notes.filter(tags__slug=tag)
    if organisation is not None:
        notes = notes.filter(organisation=organisation)
    return (
        notes.select_related("organisation", "team")
        .prefetch_related(
            Prefetch("tags", queryset=access.scoped(user, PracticeTag).order_by("name"))
        )
        .annotate(comment_count=Count("comments", distinct=True))
        .order_by("-created_at", "-pk")  # an aggregate drops the model's own ordering
    )


def newest_notes(user: Reader, shown: int = HOME_NOTES) -> list[PracticeNote]:
    """The newest notes, for the learning start page: one query (tags are not shown there)."""
    return list(
        access.scoped(user, PracticeNote)
        .select_related("organisation")
        .order_by("-created_at", "-pk")[:shown]
    )


def note_get(user: Reader, note_id: int, *, audit: bool = True) -> PracticeNote:
    """One note, or 404; audited unless the caller is about to change it (the change is)."""
    return access.get_visible(
        user,
        PracticeNote,
        PracticeNote.objects.select_related(
            "organisation", "team", "contact__organisation", "written_by"
        ),
        audit=audit,
        pk=note_id,
    )


@dataclass(frozen=True)
class Source:
    """Where a note was drawn from, for a reader who may see it: a link, never its text."""

    kind: str  # "cycle" or "response"
    id: int
    ramp_id: int | None = None  # a cycle's run of tests of change, whose page shows it


@dataclass(frozen=True)
class NotePage:
    note: PracticeNote
    tags: list[PracticeTag]
    comments: list[PracticeComment]
    tried_too: list[PracticeNote]  # earlier notes this one echoes
    echoed_by: list[PracticeNote]  # later notes that say "we tried this too" of this one
    source: Source | None


def note_source(user: Reader, note: PracticeNote) -> Source | None:
    """The source of `note`, if it has one that `user` may see."""
    if note.from_cycle_id is not None:
        cycles = access.scoped(user, ChangeCycle).filter(pk=note.from_cycle_id)
        ramp_id = cycles.values_list("ramp_id", flat=True).first()
        return Source("cycle", note.from_cycle_id, ramp_id) if ramp_id is not None else None
    if note.from_response_id is not None:
        seen = access.scoped(user, LearningResponse).filter(pk=note.from_response_id).exists()
        return Source("response", note.from_response_id) if seen else None
    return None


def note_page(user: Reader, note_id: int, *, audit: bool = True) -> NotePage:
    """A note with its tags, comments (with their authors), the notes it echoes and those that
    echo it, and its source if the reader may see it: a fixed number of queries."""
    note = note_get(user, note_id, audit=audit)
    links = access.scoped(user, TriedToo).select_related("note", "earlier")
    return NotePage(
        note=note,
        tags=list(access.scoped(user, PracticeTag).filter(notes=note).order_by("name")),
        comments=list(
            access.scoped(user, PracticeComment)
            .filter(note=note)
            .select_related("author__organisation")
            .order_by("created_at", "pk")
        ),
        tried_too=[link.earlier for link in links.filter(note=note).order_by("pk")],
        echoed_by=[link.note for link in links.filter(earlier=note).order_by("pk")],
        source=note_source(user, note),
    )


def notes_to_link(user: Reader, note: PracticeNote) -> list[PracticeNote]:
    """The notes `note` may be linked to as "we tried this too": every other one it is not
    linked to yet, by title."""
    linked = access.scoped(user, TriedToo).filter(note=note).values("earlier_id")
    return list(
        access.scoped(user, PracticeNote)
        .exclude(pk=note.pk)
        .exclude(pk__in=linked)
        .select_related("organisation")
        .only("pk", "title", "organisation__name")
        .order_by("title", "pk")
    )


def notes_by_id(user: Reader, ids: Iterable[int]) -> dict[int, PracticeNote]:
    return {note.pk: note for note in access.scoped(user, PracticeNote).filter(pk__in=set(ids))}


# -- Tags -----------------------------------------------------------------------------------------


def tag_list(user: Reader, *, in_use: bool = False) -> QuerySet[PracticeTag]:
    """Every tag (or, `in_use`, those that a note has), by name, with how many notes have it."""
    tags = access.scoped(user, PracticeTag)
    if in_use:
        tags = tags.filter(pk__in=PracticeNote.tags.through.objects.values("practicetag_id"))
    return tags.annotate(note_count=Count("notes", distinct=True)).order_by("name", "pk")


def organisations_sharing(user: Reader) -> list[Organisation]:
    """The organisations that have shared a note, by name: the list's filter."""
    sharing = access.scoped(user, PracticeNote).values("organisation_id")
    return list(Organisation.objects.filter(pk__in=sharing).order_by("name"))


# -- Drawing a note from a finished test of change or learning response -------------------------


def finished_cycle_get(user: Reader, cycle_id: int) -> ChangeCycle:
    """A closed cycle `user` may see, or 404."""
    return access.get_visible(
        user,
        ChangeCycle,
        ChangeCycle.objects.select_related("ramp__statement__response").filter(
            status=CycleStatus.CLOSED
        ),
        audit=False,
        pk=cycle_id,
    )


def finished_response_get(user: Reader, response_id: int) -> LearningResponse:
    """A finished learning response `user` may see, or 404."""
    return access.get_visible(
        user,
        LearningResponse,
        LearningResponse.objects.filter(status=ResponseStatus.FINISHED),
        audit=False,
        pk=response_id,
    )


@dataclass(frozen=True)
class NoteDraft:
    """What a note drawn from a source starts with. Never an event's title or what happened,
    nor the person or episode an event names; a name or number that could identify a person in
    care is taken out."""

    title: str
    what_we_tried: str
    what_happened: str
    differently: str
    from_cycle: ChangeCycle | None = None
    from_response: LearningResponse | None = None


def _paragraphs(*texts: str) -> str:
    return "\n\n".join(text.strip() for text in texts if text and text.strip())


def note_draft_from_cycle(actor: Reader, cycle: ChangeCycle) -> NoteDraft:
    """From a closed cycle `actor` may see (`finished_cycle_get`): the change tried, what
    happened and what was studied, what the team does next, the ramp's aim as the title."""
    names = source_names(cycle=cycle)

    def clean(text: str) -> str:
        return without_identifiers(text, names)

    return NoteDraft(
        title=clean(cycle.ramp.aim)[:200],
        what_we_tried=clean(cycle.change),
        what_happened=clean(_paragraphs(cycle.what_happened, cycle.study)),
        differently=clean(cycle.act_note),
        from_cycle=cycle,
    )


def note_draft_from_response(actor: Reader, response: LearningResponse) -> NoteDraft:
    """From a finished learning response `actor` may see (`finished_response_get`): what the
    team does now and its safety actions, what it learned. Not the response's account of what
    happened, which is the event's."""
    names = source_names(response=response)
    statements = access.scoped(actor, LearningStatement).filter(response=response)
    actions = access.scoped(actor, SafetyAction).filter(response=response)

    def clean(text: str) -> str:
        return without_identifiers(text, names)

    return NoteDraft(
        title=f"What we changed after a {response.get_kind_display()}",
        what_we_tried=clean(
            _paragraphs(
                response.what_now, "\n".join(f"- {a.description}" for a in actions.order_by("pk"))
            )
        ),
        what_happened=clean(
            _paragraphs(*(s.text for s in statements.order_by("pk")), response.what_we_learn)
        ),
        differently="",
        from_response=response,
    )
