"""The practice exchange: practice notes shared across sites and organisations. The list (search,
tags, organisation), sharing a note (perhaps drawn from a finished test of change or learning
response), a note's page with its comments and "we tried this too" links, and changing a note.

Every form posts to an address of its own and, when refused, shows the page again with what to
fix (400); a note changed by someone else meanwhile is shown beside what was typed (409).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roundtable.core import access
from roundtable.core.pages import Compared, breadcrumbs, choice, fields, me, posted, submit
from roundtable.directory.models import Person
from roundtable.learning import selectors
from roundtable.learning.forms.exchange import (
    CommentForm,
    EditNoteForm,
    NewNoteForm,
    TriedTooForm,
)
from roundtable.learning.models import ChangeCycle, LearningResponse, PracticeNote
from roundtable.learning.selectors import exchange as notes
from roundtable.learning.services import exchange as services
from roundtable.learning.views._common import _render, learning_crumb, page_of

NOTE_CONFLICT = (
    "Someone else changed this note while you were writing. Nothing has been lost: compare the "
    "two, then save again."
)
# The longest search the list reads: far longer than anyone types.
SEARCH_LENGTH = 200
# How the service's names for a note's parts are put on the form's fields: who to contact is
# named by e-mail, and the source rides along hidden, so a refusal of it is the form's own.
ALIASES = {"contact": "email", "from_cycle": "source", "from_response": "source"}


def _list_crumb() -> tuple[str, str]:
    return ("Practice exchange", reverse("learning:practice-notes"))


def _note_crumbs(note: PracticeNote, *more: tuple[str, str]) -> list[dict[str, str]]:
    link = reverse("learning:practice-note", args=[note.pk])
    return breadcrumbs(learning_crumb(), _list_crumb(), (note.title, link if more else ""), *more)


def _back(note: PracticeNote, anchor: str = "message") -> HttpResponse:
    return redirect(reverse("learning:practice-note", args=[note.pk]) + f"#{anchor}")


def _people(request: HttpRequest) -> Any:
    """Who may be named as the contact, found by e-mail: read only when a form is sent."""
    return access.scoped(request.user, Person) if request.method == "POST" else None


# -- The list ------------------------------------------------------------------------------------


@require_GET
def note_list(request: HttpRequest) -> HttpResponse:
    """Every note, newest first: searched, and filtered by tag and organisation."""
    user = me(request)
    tags = list(notes.tag_list(user, in_use=True))
    organisations = notes.organisations_sharing(user)
    q = " ".join(request.GET.get("q", "").split())[:SEARCH_LENGTH]
    slug = choice(request, "tag", {tag.slug for tag in tags})
    chosen = choice(request, "organisation", {str(o.pk) for o in organisations})
    tag = next((t for t in tags if t.slug == slug), None)
    organisation = next((o for o in organisations if str(o.pk) == chosen), None)
    context = {
        "page_title": "Practice exchange",
        "page": page_of(request, notes.note_list(user, q, slug or None, organisation)),
        "q": q,
        "tags": tags,
        "tag": tag,
        "organisations": organisations,
        "organisation": organisation,
        "filtered": bool(q or tag or organisation),
        "breadcrumbs": breadcrumbs(learning_crumb(), ("Practice exchange", "")),
    }
    return _render(request, "learning/practice_notes.jinja", context)


# -- Sharing a note ------------------------------------------------------------------------------


def _source_id(request: HttpRequest, name: str) -> int | None:
    """The id of a source given in the address (`?cycle=`) or with the form (`from_cycle`)."""
    raw = request.POST.get(f"from_{name}") if request.method == "POST" else request.GET.get(name)
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if value > 0 else None


def _cycle(request: HttpRequest, pk: int | None) -> ChangeCycle | None:
    if pk is None:
        return None
    try:
        return notes.finished_cycle_get(request.user, pk)
    except Http404:
        raise ValidationError(
            {"from_cycle": f"There is no finished test of change you can see with id {pk}"}
        ) from None


def _response(request: HttpRequest, pk: int | None) -> LearningResponse | None:
    if pk is None:
        return None
    try:
        return notes.finished_response_get(request.user, pk)
    except Http404:
        raise ValidationError(
            {"from_response": f"There is no finished learning response you can see with id {pk}"}
        ) from None


def _draft(request: HttpRequest) -> notes.NoteDraft | None:
    """What a note drawn from a source starts with (404 for a source the reader may not see,
    or that is not finished)."""
    user = me(request)
    cycle_id, response_id = _source_id(request, "cycle"), _source_id(request, "response")
    if cycle_id is not None:
        return notes.note_draft_from_cycle(user, notes.finished_cycle_get(user, cycle_id))
    if response_id is not None:
        return notes.note_draft_from_response(user, notes.finished_response_get(user, response_id))
    return None


@require_http_methods(["GET", "POST"])
def note_new(request: HttpRequest) -> HttpResponse:
    """Share a note; with `?cycle=` or `?response=`, drawn from a finished source."""
    user = me(request)
    draft = _draft(request) if request.method == "GET" else None
    initial: dict[str, Any] = {"email": user.email}
    if draft is not None:
        initial.update(
            title=draft.title,
            what_we_tried=draft.what_we_tried,
            what_happened=draft.what_happened,
            differently=draft.differently,
            from_cycle=draft.from_cycle.pk if draft.from_cycle else None,
            from_response=draft.from_response.pk if draft.from_response else None,
        )
    teams = list(selectors.teams_recording(user))
    form = NewNoteForm(posted(request), teams=teams, people=_people(request), initial=initial)
    outcome = submit(
        request,
        form,
        lambda data: services.note_write(
            actor=user,
            contact=data["email"],
            from_cycle=_cycle(request, data["from_cycle"]),
            from_response=_response(request, data["from_response"]),
            **fields(data, "title", "what_we_tried", "what_happened", "differently"),
            **fields(data, "tags", "team"),
        ),
        aliases=ALIASES,
        refusals_on="title",
    )
    if outcome.saved:
        messages.success(request, "Your practice note is shared with every organisation.")
        return _back(outcome.value)
    drawn = bool(
        draft or (form.is_bound and (form.data.get("from_cycle") or form.data.get("from_response")))
    )
    context = {
        "page_title": "Share a practice note",
        "page_has_errors": bool(form.errors),
        "form": form,
        "drawn": drawn,
        "editing": None,
        "breadcrumbs": breadcrumbs(learning_crumb(), _list_crumb(), ("Share a practice note", "")),
    }
    return _render(request, "learning/practice_form.jinja", context, status=outcome.status(form))


# -- A note's page -------------------------------------------------------------------------------


def _source_link(source: notes.Source | None) -> str:
    """Where the source is read, for a reader who may see it ("" when there is no page)."""
    if source is None:
        return ""
    try:
        if source.kind == "cycle":
            return reverse("learning:ramp", args=[source.ramp_id])
        return reverse("learning:response", args=[source.id])
    except NoReverseMatch:  # tests of change have no pages in this build
        return ""


def _show(
    request: HttpRequest,
    page: notes.NotePage,
    *,
    comment: forms.Form | None = None,
    link: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    user = me(request)
    note = page.note
    page_forms = {
        "comment": comment or CommentForm(None),
        "link": link or TriedTooForm(None, notes=notes.notes_to_link(user, note)),
    }
    context = {
        "page_title": note.title,
        "page_has_errors": any(f.is_bound and f.errors for f in page_forms.values()),
        "page": page,
        "note": note,
        "forms": page_forms,
        "may_edit": services.may_edit(user, note),
        "source_link": _source_link(page.source),
        "breadcrumbs": _note_crumbs(note),
    }
    return _render(request, "learning/practice_note.jinja", context, status=status)


@require_GET
def note(request: HttpRequest, note_id: int) -> HttpResponse:
    return _show(request, notes.note_page(request.user, note_id))


@require_POST
def comment_add(request: HttpRequest, note_id: int) -> HttpResponse:
    page = notes.note_page(request.user, note_id, audit=False)
    form = CommentForm(posted(request))
    outcome = submit(
        request,
        form,
        lambda data: services.comment_add(actor=me(request), note=page.note, text=data["text"]),
        refusals_on="text",
    )
    if outcome.saved:
        messages.success(request, "Your comment is added.")
        return _back(page.note, "comments")
    return _show(request, page, comment=form, status=outcome.status(form))


@require_POST
def tried_too_link(request: HttpRequest, note_id: int) -> HttpResponse:
    """Link this note to another as "we tried this too"."""
    user = me(request)
    page = notes.note_page(request.user, note_id, audit=False)
    form = TriedTooForm(posted(request), notes=notes.notes_to_link(user, page.note))
    outcome = submit(
        request,
        form,
        lambda data: services.tried_too_link(actor=user, note=page.note, earlier=data["earlier"]),
        refusals_on="earlier",
    )
    if outcome.saved:
        messages.success(request, f"Linked: you tried “{outcome.value.earlier.title}” too.")
        return _back(page.note, "tried-too")
    return _show(request, page, link=form, status=outcome.status(form))


# -- Changing a note -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, note_id: int) -> HttpResponse:
    """For the writer and the person to contact; a stale save shows both versions."""
    user = me(request)
    page = notes.note_page(request.user, note_id, audit=False)
    note = page.note
    if not services.may_edit(user, note):
        raise PermissionDenied
    title = note.title  # a refused write leaves what was typed on `note`
    teams = list(selectors.teams_recording(user))
    if note.team is not None and note.team not in teams:
        teams.append(note.team)  # kept as it is, though not one of the editor's teams
    form = EditNoteForm(
        posted(request),
        teams=teams,
        people=_people(request),
        initial=EditNoteForm.initial_of(note, page.tags),
    )
    outcome = submit(
        request,
        form,
        lambda data: services.note_edit(
            actor=user,
            note=note,
            expected_version=data["version"],
            contact=data["email"],
            **fields(data, "title", "what_we_tried", "what_happened", "differently"),
            **fields(data, "tags", "team"),
        ),
        aliases=ALIASES,
        refusals_on="title",
        stale=NOTE_CONFLICT,
    )
    if outcome.saved:
        messages.success(request, "The note is saved.")
        return _back(note)
    latest: notes.NotePage | None = None
    compared: list[Compared] = []
    if outcome.conflict:
        latest = notes.note_page(request.user, note_id, audit=False)
        typed = form.cleaned_data
        compared = [
            Compared(label, getattr(latest.note, name), str(typed.get(name) or ""))
            for name, label in (
                ("title", "Title"),
                ("what_we_tried", "What we tried"),
                ("what_happened", "What happened"),
                ("differently", "What we would do differently"),
            )
        ]
    context = {
        "page_title": f"Change “{title}”",
        "page_has_errors": bool(form.errors),
        "form": form,
        "drawn": bool(note.from_cycle_id or note.from_response_id),
        "editing": note,
        "latest": latest,
        "compared": compared,
        "conflict_message": NOTE_CONFLICT,
        "title": title,
        "breadcrumbs": breadcrumbs(
            learning_crumb(),
            _list_crumb(),
            (title, reverse("learning:practice-note", args=[note.pk])),
            ("Change", ""),
        ),
    }
    return _render(request, "learning/practice_form.jinja", context, status=outcome.status(form))
