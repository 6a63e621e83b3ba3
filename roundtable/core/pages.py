"""What every app's page views share: who is asking and what they may do, the form-then-service
round of a page that changes something, rendering with the app's helpers, breadcrumbs.

A page that changes something reads like this (`submit` does the plumbing):

    form = OfferEditForm(posted(request), initial=...)
    outcome = submit(request, form, lambda data: services.offer_update(actor=me(request), ...))
    if outcome.saved:
        messages.success(request, f"{outcome.value.name} is saved.")
        return redirect("care:offers")
    latest = selectors.offer_get(offer_id) if outcome.conflict else None  # shown side by side
    return render_page(request, "care/offer_form.jinja", {...}, status=outcome.status(form))
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from rules.permissions import has_perm as rule_allows

from roundtable.core.concurrency import ConcurrentEditError
from roundtable.core.forms import plain_validation_error

if TYPE_CHECKING:  # the user model, for the type checker only: core imports no app
    from roundtable.directory.models import Person

T = TypeVar("T")


# -- Who is asking, and may they ------------------------------------------------------------


def me(request: HttpRequest) -> Person:
    """The signed-in person: every page but sign-in and a receipt needs signing in
    (`core.middleware.SignInRequiredMiddleware`)."""
    user = request.user
    assert user.is_authenticated, "pages are behind SignInRequiredMiddleware"
    return user


def allowed(request: HttpRequest, rule: str, obj: Any = None) -> bool:
    """An app's rule (`"care.change_episode"`), as the API and the services read it: without
    Django's superuser shortcut, so an administrator is offered only what the services would
    let them do, and sees no one in care through the rule."""
    return bool(rule_allows(rule, request.user, obj))  # type: ignore[no-untyped-call]


def require(request: HttpRequest, rule: str, obj: Any = None) -> None:
    """403 (the NHS-styled page) unless `allowed`."""
    if not allowed(request, rule, obj):
        raise PermissionDenied


def choice(request: HttpRequest, name: str, values: Collection[str]) -> str:
    """A query parameter that picks one of `values` (`?kind=mdt`): "" for none, or for anything
    else, and the page shows them all."""
    value = request.GET.get(name, "")
    return value if value in values else ""


# -- A page that changes something ----------------------------------------------------------


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST (even an empty one, which must still be validated), else None:
    the first argument of a page's form, bound on a POST and unbound on a GET."""
    return request.POST if request.method == "POST" else None


@dataclass(frozen=True)
class Compared:
    """On a page shown again after someone else saved first: one part of the record as they
    saved it (`theirs`) beside what the writer typed (`yours`), so that nothing is lost."""

    label: str
    theirs: str
    yours: str

    @property
    def same(self) -> bool:
        return self.theirs.strip() == self.yours.strip()


@dataclass
class Outcome(Generic[T]):
    """What came of a page's form: saved (with what the service returned), not saved (the form
    now says why), or a conflict (someone saved first; the form says so, and the page shows what
    is saved now beside what was typed, so nothing is lost)."""

    saved: bool = False
    result: T | None = None
    conflict: ConcurrentEditError | None = None

    @property
    def value(self) -> T:
        """What the service returned, once it has saved."""
        if not self.saved:
            raise LookupError("Nothing was saved.")
        return cast(T, self.result)

    def status(self, *forms: Any) -> int:
        """The page's status when shown again: 409 for a conflict, 400 for errors, else 200."""
        return 409 if self.conflict is not None else form_status(*forms)


def submit(
    request: HttpRequest,
    form: Any,
    save: Callable[[dict[str, Any]], T],
    *,
    aliases: Mapping[str, str] | None = None,
    refusals_on: str | None = None,
    stale: str | None = None,
) -> Outcome[T]:
    """On a POST whose form is valid, `save(form.cleaned_data)` (a call to a service); a refusal
    (ValidationError) goes on the form's fields (`add_service_errors`, with `aliases` for names
    that differ; one that names no field on the `refusals_on` field, else on the whole form), a
    stale version (ConcurrentEditError) on the form as a whole, in the page's own words (`stale`)
    or else the service's. On a GET, or a form with errors, nothing is called."""
    if request.method != "POST" or not form.is_valid():
        return Outcome()
    try:
        value = save(form.cleaned_data)
    except ConcurrentEditError as error:
        form.add_error(None, str(error) if stale is None else stale)
        return Outcome(conflict=error)
    except ValidationError as error:
        add_service_errors(form, error, aliases, refusals_on)
        return Outcome()
    return Outcome(saved=True, result=value)


def fields(data: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """The values of a form's fields, by name, for a service that takes them by the same names:

    services.zone_create(actor=me(request), team=team, **fields(data, "name", "colour"))
    """
    return {name: data[name] for name in names}


def one_click(request: HttpRequest, change: Callable[[], object], done: str) -> None:
    """A change made with a button alone, no form to show again: the page's message says it is
    done, or why the service refused it (in its own words)."""
    refusal = _refusal(change)
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, done)


@dataclass(frozen=True)
class Answer:
    """What came of a page that asks first, then a button: the change made, or refused (with
    why, in the service's words, for the page to show), or — on the GET — not asked yet."""

    made: bool = False
    refusal: str = ""

    @property
    def status(self) -> int:
        return 400 if self.refusal else 200


def asked_first(request: HttpRequest, change: Callable[[], object], done: str) -> Answer:
    """A page that asks first ("Stop using this zone?"), then a button: on its POST the change is
    made, with `done` as the next page's message (the view redirects), or refused, and the page
    is shown again saying why. On the GET nothing is changed."""
    if request.method != "POST":
        return Answer()
    refusal = _refusal(change)
    if refusal:
        return Answer(refusal=refusal)
    messages.success(request, done)
    return Answer(made=True)


def _refusal(change: Callable[[], object]) -> str:
    """Make the change: "" once it is made, else why the service refused it, as sentences (a
    field's message has no full stop of its own)."""
    try:
        change()
    except ValidationError as error:
        return " ".join(m if m.endswith((".", "?", "!")) else f"{m}." for m in error.messages)
    return ""


def renderer(
    active_nav: str, helpers: Mapping[str, Any] | None = None
) -> Callable[..., HttpResponse]:
    """An app's `render`: its section of the header marked as the current one, and the helpers
    its templates call (`nhs_number`, `days_text`…) in the context of every page.

        render_page = renderer("care", {"nhs_number": presenters.nhs_number})
        return render_page(request, "care/person.jinja", context, status=400)
    """

    def render_page(
        request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
    ) -> HttpResponse:
        context.setdefault("active_nav", active_nav)
        context.update(helpers or {})
        return render(request, template, context, status=status)

    return render_page


# -- Breadcrumbs and errors -------------------------------------------------------------------


def breadcrumbs(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    """Home, then each (text, link); the last is the current page."""
    return [
        {"text": text, "href": href} for text, href in [("Home", reverse("directory:home")), *pairs]
    ]


def add_service_errors(
    form: Any,
    error: ValidationError,
    aliases: Mapping[str, str] | None = None,
    refusals_on: str | None = None,
) -> None:
    """Put a service's ValidationError on the form, on its fields where they match.

    `aliases` maps the service's names to the form's (amount_requested_pence → amount). Django's
    own messages (a model's validation) come out in plain English, named by the form's label for
    the field, or by the service's name for one the form does not have.
    """
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = aliases.get(name, name)
            if field in form.fields:
                form.add_error(field, errors)
            else:
                plain = plain_validation_error(ValidationError({name: errors}))
                form.add_error(None, plain.messages)
    else:
        form.add_error(refusals_on, error.error_list)


def form_status(*forms: Any) -> int:
    """400 when any bound form has errors, else 200."""
    return 400 if any(f is not None and f.is_bound and f.errors for f in forms) else 200


# -- Downloads ---------------------------------------------------------------------------------


class _Echo:
    """A write-only buffer: csv.writer hands back each line for streaming."""

    def write(self, value: str) -> str:
        return value


def _safe_cell(value: object) -> object:
    # A text cell starting like a formula is run by spreadsheets: make it plain text. Numbers
    # (a negative one included) are written as numbers.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_download(rows: Iterable[Sequence[object]], filename: str) -> StreamingHttpResponse:
    """`rows` (the header first) as a CSV file to save, streamed as they are read."""
    writer = csv.writer(_Echo())
    lines = (writer.writerow([_safe_cell(cell) for cell in row]) for row in rows)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
