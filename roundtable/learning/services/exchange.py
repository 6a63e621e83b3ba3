"""Every write to the practice exchange: practice notes, their tags, comments and "we tried this
too" links. Validated, transactional, audited.

Any member of staff signed in shares a note, in the name of their organisation; the writer and
the person to contact may change it. A note may be drawn from a finished test of change or
learning response the writer may see. Notes are read by every organisation, so nothing that
could identify a person in care is ever stored: a text shaped like an NHS number is refused,
and so, for a note drawn from a source, is the name of any person in care the source's events
name (`selectors.exchange.identifies`). The refusal never repeats the name.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from roundtable.audit.models import AuditAction
from roundtable.audit.services import audit_record
from roundtable.core import access, records
from roundtable.core.concurrency import update_versioned
from roundtable.core.errors import NotAllowed
from roundtable.core.text import visible
from roundtable.directory.models import Person, Team
from roundtable.learning.models import (
    ChangeCycle,
    CycleStatus,
    LearningResponse,
    PracticeComment,
    PracticeNote,
    PracticeTag,
    ResponseStatus,
    TriedToo,
)
from roundtable.learning.selectors.exchange import identifies, source_names
from roundtable.learning.services.responses import may_take_part

MOST_TAGS = 5
TAG_LENGTH = 60
NOTE_TEXTS = ("title", "what_we_tried", "what_happened", "differently")
IDENTIFIES = (
    "Take out anything that could identify a person in care, such as a name or an NHS number: "
    "{what} shared with every organisation"
)


# -- Checks every note and comment passes ---------------------------------------------------------


def _identifying(texts: dict[str, str], names: Sequence[str], what: str) -> dict[str, str]:
    """A refusal for each text that could identify a person in care."""
    return {
        name: IDENTIFIES.format(what=what)
        for name, text in texts.items()
        if identifies(text, names)
    }


def _tag_names(tags: Sequence[str]) -> tuple[list[str], str]:
    """The tags asked for, once each (by slug), and why they are refused, or ""."""
    chosen: dict[str, str] = {}
    for tag in tags:
        name = " ".join(visible(tag).split())
        if not name:
            continue
        if len(name) > TAG_LENGTH:
            return [], f"Keep each tag to {TAG_LENGTH} characters or fewer"
        slug = slugify(name)
        if not slug:
            return [], f"Use letters or numbers in the tag “{name}”"
        chosen.setdefault(slug, name)
    if len(chosen) > MOST_TAGS:
        return [], f"Choose {MOST_TAGS} tags or fewer"
    return list(chosen.values()), ""


def _tags(actor: Person, names: Sequence[str]) -> list[PracticeTag]:
    """The tags of these names, each one made if it is new. Two notes tagged with the same new
    tag at the same moment make it once: the unique slug refuses the second, which then reads
    the first (`get_or_create` retries its read after the database refuses a duplicate)."""
    found = []
    for name in names:
        tag, made = PracticeTag.objects.get_or_create(slug=slugify(name), defaults={"name": name})
        if made:
            audit_record(
                actor=actor, action=AuditAction.CREATE, obj=tag, summary=f"Practice tag {name}"
            )
        found.append(tag)
    return found


def _contact_errors(contact: Person | None) -> dict[str, str]:
    if contact is None:
        return {"contact": "Choose who to contact"}
    if not contact.is_active:
        return {"contact": f"{contact.full_name} no longer has an account: choose someone else"}
    return {}


def _source_errors(
    actor: Person, cycle: ChangeCycle | None, response: LearningResponse | None
) -> dict[str, str]:
    if cycle is not None and response is not None:
        return {"from_response": "Draw a note from one test of change or learning response"}
    if cycle is not None:
        closed = access.scoped(actor, ChangeCycle).filter(pk=cycle.pk, status=CycleStatus.CLOSED)
        if not closed.exists():
            return {
                "from_cycle": f"There is no finished test of change you can see with id {cycle.pk}"
            }
    if response is not None:
        seen = access.scoped(actor, LearningResponse).filter(
            pk=response.pk, status=ResponseStatus.FINISHED
        )
        if not seen.exists():
            return {
                "from_response": (
                    f"There is no finished learning response you can see with id {response.pk}"
                )
            }
    return {}


def _note_errors(
    actor: Person,
    note: PracticeNote,
    *,
    tags: Sequence[str],
    team_changed: bool,
    names: Sequence[str],
) -> tuple[dict[str, str], list[str]]:
    """The service's refusals of a note by field, and the tags' names."""
    errors = _contact_errors(note.contact if note.contact_id is not None else None)
    if team_changed and note.team is not None and not may_take_part(actor, note.team):
        errors["team"] = "Choose one of your teams, or none"
    tag_names, refused = _tag_names(tags)
    if refused:
        errors["tags"] = refused
    texts = {name: getattr(note, name) for name in NOTE_TEXTS}
    errors.update(_identifying(texts, names, "this note is"))
    return errors, tag_names


# -- Notes ----------------------------------------------------------------------------------------


@transaction.atomic
def note_write(
    *,
    actor: Person,
    title: str,
    what_we_tried: str,
    what_happened: str,
    differently: str,
    contact: Person | None,
    tags: Sequence[str] = (),
    team: Team | None = None,
    from_cycle: ChangeCycle | None = None,
    from_response: LearningResponse | None = None,
) -> PracticeNote:
    """Share a practice note in the name of the actor's organisation: what we tried, what
    happened, what we would do differently and who to contact, with up to five tags; drawn from
    a finished test of change or learning response the actor may see, if one."""
    if actor.organisation_id is None:
        raise NotAllowed("Practice notes are shared by staff of an organisation.")
    note = PracticeNote(
        title=visible(title),
        what_we_tried=visible(what_we_tried),
        what_happened=visible(what_happened),
        differently=visible(differently),
        contact=contact,
        team=team,
        organisation_id=actor.organisation_id,
        from_cycle=from_cycle,
        from_response=from_response,
        written_by=actor,
    )
    errors = _source_errors(actor, from_cycle, from_response)
    names = [] if errors else source_names(cycle=from_cycle, response=from_response)
    found, tag_names = _note_errors(actor, note, tags=tags, team_changed=True, names=names)
    records.validate(note, also={**found, **errors})
    records.create(note, actor=actor, summary=f"Practice note shared: {note.title}")
    note.tags.set(_tags(actor, tag_names))
    return note


def may_edit(actor: Person, note: PracticeNote) -> bool:
    """The writer and the person to contact keep a note up to date."""
    return actor.pk in (note.written_by_id, note.contact_id)


@transaction.atomic
def note_edit(
    *,
    actor: Person,
    note: PracticeNote,
    expected_version: int,
    title: str,
    what_we_tried: str,
    what_happened: str,
    differently: str,
    contact: Person | None,
    tags: Sequence[str] = (),
    team: Team | None = None,
) -> PracticeNote:
    """Change a note: for its writer and the person to contact. Its source stays as it is."""
    if not may_edit(actor, note):
        raise NotAllowed("Only the writer of a note and the person to contact change it.")
    team_changed = (team.pk if team else None) != note.team_id
    names = source_names(cycle=note.from_cycle, response=note.from_response)
    values = {
        "title": visible(title),
        "what_we_tried": visible(what_we_tried),
        "what_happened": visible(what_happened),
        "differently": visible(differently),
        "contact": contact,
        "team": team,
    }
    tag_names: list[str] = []

    def clean() -> None:
        nonlocal tag_names
        errors, tag_names = _note_errors(
            actor, note, tags=tags, team_changed=team_changed, names=names
        )
        records.validate(note, also=errors)

    update_versioned(
        note,
        actor=actor,
        expected_version=expected_version,
        fields=list(values),
        values=values,
        summary=lambda changed: f"Practice note changed: {changed.title}",
        clean=clean,
    )
    note.tags.set(_tags(actor, tag_names))
    return note


# -- Comments and "we tried this too" ----------------------------------------------------------


@transaction.atomic
def comment_add(*, actor: Person, note: PracticeNote, text: str) -> PracticeComment:
    """A comment on a note, shared like the note with every organisation."""
    comment = PracticeComment(note=note, author=actor, text=visible(text))
    names = source_names(cycle=note.from_cycle, response=note.from_response)
    records.validate(comment, also=_identifying({"text": comment.text}, names, "comments are"))
    return records.create(comment, actor=actor, summary=f"Comment on practice note {note.pk}")


@transaction.atomic
def tried_too_link(*, actor: Person, note: PracticeNote, earlier: PracticeNote) -> TriedToo:
    """Link `note` to an `earlier` one as "we tried this too". Once for each pair: a second
    link, even one sent at the same moment as the first, is refused (the unique constraint
    backs the check)."""
    if note.pk == earlier.pk:
        raise ValidationError({"earlier": "Choose another note: a note cannot echo itself"})

    def check() -> None:
        if TriedToo.objects.filter(note=note, earlier=earlier).exists():
            raise ValidationError({"earlier": f"This note is already linked to “{earlier.title}”"})

    return records.create(
        TriedToo(note=note, earlier=earlier, linked_by=actor),
        actor=actor,
        summary=f"Practice note {note.pk}: we tried {earlier.pk} too",
        check=check,
    )
