"""The practice exchange under /api/v1/learning/: practice notes shared across sites and
organisations, their tags, comments and "we tried this too" links. Thin.

Everyone signed in reads every note. Any member of staff shares one, in the name of their
organisation, perhaps drawn from a finished test of change or learning response they may see;
the writer and the person to contact change it, naming the `version` they read (409 with the
`version` now if someone saved since; 403 for anyone else). A text that could identify a person
in care is refused (422, by field) and nothing is stored; so is a second identical "we tried
this too" link, even one sent at the same moment as the first.
"""

# No `from __future__ import annotations`: ninja reads the annotations when endpoints are declared,
# and `paginate` cannot resolve a postponed `Query[...]` from this module.
import functools

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from roundtable.core.api import (
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    REFUSED,
    actor,
    all_named,
    given,
    named,
    paginated,
)
from roundtable.core.schemas import PathId
from roundtable.directory.models import Person, Team
from roundtable.forums import selectors as forum_selectors
from roundtable.learning.models import PracticeComment, PracticeNote, PracticeTag, TriedToo
from roundtable.learning.schemas.exchange import (
    PracticeCommentIn,
    PracticeCommentOut,
    PracticeNoteChangeIn,
    PracticeNoteIn,
    PracticeNoteOut,
    PracticeNoteQuery,
    PracticeNoteSummary,
    PracticeTagCount,
    TriedTooIn,
    TriedTooOut,
)
from roundtable.learning.selectors import exchange as selectors
from roundtable.learning.selectors.exchange import NotePage
from roundtable.learning.services import exchange as services

router = Router(tags=["learning"])

_WRITES = {**NOT_FOUND, **FORBIDDEN, **REFUSED}
_TEXTS = ("title", "what_we_tried", "what_happened", "differently", "tags")


def _contact(request: HttpRequest, pk: int) -> Person:
    """Someone in the directory the caller may see (people who have left are not)."""
    return all_named("contact", "person", forum_selectors.people_by_id(request.user, [pk]), [pk])[0]


def _team(pk: int | None) -> Team | None:
    return None if pk is None else named("team", "team", forum_selectors.team_get, pk)


def _note(request: HttpRequest, note_id: int) -> PracticeNote:
    """A note to act on (the write is audited, so the read is not)."""
    return selectors.note_get(request.user, note_id, audit=False)


@router.get("/practice-notes", response=list[PracticeNoteSummary])
@paginated
def note_list(request: HttpRequest, filters: Query[PracticeNoteQuery]) -> QuerySet[PracticeNote]:
    """Every practice note, newest first: those whose title or text holds `q`, with a tag, of
    an organisation."""
    organisation = None
    if filters.organisation is not None:
        get = forum_selectors.organisation_get
        organisation = named("organisation", "organisation", get, filters.organisation)
    return selectors.note_list(request.user, filters.q, filters.tag or None, organisation)


@router.post("/practice-notes", response={201: PracticeNoteOut, **FORBIDDEN, **REFUSED})
def note_write(request: HttpRequest, payload: PracticeNoteIn) -> Status[NotePage]:
    """Share a practice note in the name of your organisation: what you tried, what happened,
    what you would do differently and who to contact; drawn from a closed test of change or a
    finished learning response you may see, if one."""
    user = actor(request)
    cycle = response = None
    if payload.from_cycle is not None:
        get_cycle = functools.partial(selectors.finished_cycle_get, user)
        cycle = named(
            "from_cycle", "finished test of change you can see", get_cycle, payload.from_cycle
        )
    if payload.from_response is not None:
        get_response = functools.partial(selectors.finished_response_get, user)
        response = named(
            "from_response",
            "finished learning response you can see",
            get_response,
            payload.from_response,
        )
    note = services.note_write(
        actor=user,
        contact=_contact(request, payload.contact),
        team=_team(payload.team),
        from_cycle=cycle,
        from_response=response,
        **given(payload, *_TEXTS),
    )
    return Status(201, selectors.note_page(user, note.pk, audit=False))


@router.get("/practice-notes/{note_id}", response={200: PracticeNoteOut, **NOT_FOUND})
def note_detail(request: HttpRequest, note_id: PathId) -> NotePage:
    """A note, its tags, comments and "we tried this too" links both ways, and — if you may
    see it — a link to what it was drawn from."""
    return selectors.note_page(request.user, note_id)


@router.put("/practice-notes/{note_id}", response={200: PracticeNoteOut, **_WRITES, **CONFLICT})
def note_edit(request: HttpRequest, note_id: PathId, payload: PracticeNoteChangeIn) -> NotePage:
    """Change a note: for its writer and the person to contact."""
    services.note_edit(
        actor=actor(request),
        note=_note(request, note_id),
        expected_version=payload.version,
        contact=_contact(request, payload.contact),
        team=_team(payload.team),
        **given(payload, *_TEXTS),
    )
    return selectors.note_page(request.user, note_id, audit=False)


@router.post("/practice-notes/{note_id}/comments", response={201: PracticeCommentOut, **_WRITES})
def comment_add(
    request: HttpRequest, note_id: PathId, payload: PracticeCommentIn
) -> Status[PracticeComment]:
    """A comment on a note, shared like the note with every organisation."""
    comment = services.comment_add(
        actor=actor(request), note=_note(request, note_id), text=payload.text
    )
    return Status(201, comment)


@router.post("/practice-notes/{note_id}/tried-too", response={201: TriedTooOut, **_WRITES})
def tried_too_link(request: HttpRequest, note_id: PathId, payload: TriedTooIn) -> Status[TriedToo]:
    """Say "we tried this too": link this note to an earlier one it echoes. Once for each pair."""
    note = _note(request, note_id)
    earlier = all_named(
        "earlier",
        "practice note",
        selectors.notes_by_id(request.user, [payload.earlier]),
        [payload.earlier],
    )[0]
    return Status(201, services.tried_too_link(actor=actor(request), note=note, earlier=earlier))


@router.get("/practice-tags", response=list[PracticeTagCount])
@paginated
def tag_list(request: HttpRequest) -> QuerySet[PracticeTag]:
    """Every tag, by name, with how many notes have it."""
    return selectors.tag_list(request.user)
