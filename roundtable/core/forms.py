"""Django forms rendered as NHS.UK design system components, with messages in plain English.

`field_params` turns a bound Django field into the component name and the parameters of the
matching NHS.UK macro (input, select, textarea, radios, checkboxes), with its label, hint, value
and error message; `core/fields.jinja` renders it. `error_summary_items` lists a form's errors for
the NHS.UK error summary, each linked to its field.

Django's own validation messages speak to developers ("Ensure this value has at most 150
characters (it has 1000)."). `plain_validation_error` rewrites each of them, and only them, in
plain English naming the field ("Name must be 150 characters or fewer"); a message a form or a
service wrote itself is kept. `speak_plainly()` (called once, when the app starts) applies it to
every error any form records, and the API applies it to the refusals it answers with, so no
form, page or API answer has to remember to.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any, Literal

from django import forms
from django.core import validators
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms.boundfield import BoundField
from django.forms.utils import pretty_name
from django.utils import timezone, translation

from roundtable.core.templating import date_format
from roundtable.core.text import visible

# -- Plain English instead of Django's default messages --------------------------------------

# The kind of value a default message is about, by the class that owns the message.
# (Django's form FloatField and DecimalField are kinds of its IntegerField, so they come first.)
_KINDS: list[tuple[tuple[type, ...], str]] = [
    ((forms.FloatField, forms.DecimalField, models.FloatField, models.DecimalField), "number"),
    ((forms.IntegerField, models.IntegerField), "whole number"),
    ((forms.DateTimeField, models.DateTimeField), "date and time"),
    ((forms.DateField, models.DateField), "date"),
    ((forms.TimeField, models.TimeField), "time"),
    ((forms.EmailField, models.EmailField, validators.EmailValidator), "email"),
    ((forms.URLField, models.URLField, validators.URLValidator), "web address"),
    ((forms.BooleanField, forms.NullBooleanField, models.BooleanField), "yes or no"),
    ((forms.ChoiceField,), "choice"),
]
# Codes that say the kind of value themselves.
_INVALID_KINDS = {
    "invalid_date": "date",
    "invalid_time": "time",
    "invalid_datetime": "date and time",
}
# Words written in capitals when a field's name stands in for its label (in the API).
_ACRONYMS = {"nhs": "NHS", "gp": "GP", "ods": "ODS", "id": "ID", "url": "URL", "api": "API"}


def _subclasses(cls: type) -> set[type]:
    found = {cls}
    for sub in cls.__subclasses__():
        found |= _subclasses(sub)
    return found


def _kind_of(cls: type) -> str:
    for classes, kind in _KINDS:
        if issubclass(cls, classes):
            return kind
    return ""


def _text(message: Any) -> str:
    """A message's words, to compare. A lazy plural ("Ensure this value has at most
    %(limit_value)d character(s)", with the number still to come) reads as nothing until it
    has its number, so it is known by its words in the singular."""
    words = getattr(message, "_kw", None)
    if isinstance(words, dict) and "singular" in words:
        return str(words["singular"])
    return str(message)


@functools.lru_cache(maxsize=8)
def _django_defaults(language: str | None) -> dict[tuple[str, str], str]:
    """(code, Django's default message as written in `language`) → the kind of value it is
    about ("date", "whole number", … or "" for any)."""
    found: dict[tuple[str, str], str] = {}

    def add(code: str | None, message: Any, kind: str) -> None:
        if code:
            found.setdefault((code, _text(message)), kind)

    for cls in _subclasses(forms.Field) | _subclasses(models.Field):
        if not cls.__module__.startswith("django."):
            continue  # a message of our own is already plain
        for code, message in vars(cls).get("default_error_messages", {}).items():
            add(code, message, _kind_of(cls))
    for value in vars(validators).values():
        cls = value if isinstance(value, type) else type(value)
        kind = _kind_of(cls)
        if value is validators.integer_validator:
            kind = "whole number"
        if hasattr(value, "message") and hasattr(value, "code"):
            add(value.code, value.message, kind)
        messages = getattr(value, "messages", None)
        if isinstance(messages, dict):  # DecimalValidator's, one for each code
            for code, message in messages.items():
                add(code, message, "number")
    # Written inline in django.db.models (Model.unique_error_message).
    add(
        "unique_together",
        translation.gettext("%(model_name)s with this %(field_labels)s already exists."),
        "",
    )
    return found


@functools.lru_cache(maxsize=8)
def _constraint_message(language: str | None) -> re.Pattern[str]:
    """A database constraint's default message, which arrives with the constraint's name
    already in it ("Constraint “zone_unique_name_in_team” is violated.")."""
    template = str(translation.gettext("Constraint “%(name)s” is violated."))
    return re.compile(re.escape(template).replace(re.escape("%(name)s"), ".+"))


def _django_kind(error: ValidationError) -> str | None:
    """The kind of value when `error` carries one of Django's default messages, else None."""
    language = translation.get_language()
    if error.code is None:
        return "" if _constraint_message(language).fullmatch(str(error.message)) else None
    return _django_defaults(language).get((error.code, _text(error.message)))


def _subject(label: Any) -> str:
    """A field's label as the subject of a sentence: "Date of birth (optional)" → "date of
    birth" ("NHS number" keeps its capitals); a question → "your answer to “Who …?”"."""
    text = str(label).strip().removesuffix("(optional)").strip().rstrip(":").strip()
    if not text:
        return "this"
    if text.endswith("?"):
        return f"your answer to “{text}”"
    if len(text) > 1 and not text[1].isupper():
        text = text[:1].lower() + text[1:]
    return text


def name_label(name: str) -> str:
    """A label for a field known only by its name (a service's or the API's): "gp_practice" →
    "GP practice"."""
    words = pretty_name(name).split(" ")
    return " ".join(_ACRONYMS.get(word.lower(), word) for word in words)


def _amount(value: Any) -> str:
    if isinstance(value, date):
        return date_format(value)
    if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _plain_text(error: ValidationError, kind: str, label: str, choose: bool) -> str | None:
    """`error` (one of Django's own) in plain English about the field `label`."""
    params = error.params or {}
    what = _subject(label)
    starting = what[:1].upper() + what[1:]  # the same words starting a sentence
    limit = _amount(params.get("limit_value", params.get("max", "")))
    code = error.code or "constraint"
    if code in {"required", "blank", "null"}:
        return f"Select {what}" if choose or kind in {"choice", "yes or no"} else f"Enter {what}"
    if code in {"invalid_choice", "invalid_list", "invalid_pk_value"}:
        return f"Select {what} from the options given"  # noqa: S608  (not SQL)
    if code == "max_length":
        return f"{starting} must be {limit} characters or fewer"
    if code == "min_length":
        return f"{starting} must be {limit} characters or more"
    if code == "max_value":
        return (
            f"{starting} must be on or before {limit}"
            if isinstance(params.get("limit_value"), date)
            else f"{starting} must be {limit} or less"
        )
    if code == "min_value":
        return (
            f"{starting} must be on or after {limit}"
            if isinstance(params.get("limit_value"), date)
            else f"{starting} must be {limit} or more"
        )
    if code == "step_size":
        return f"{starting} must be a multiple of {limit}"
    if code == "max_digits":
        return f"{starting} must have {limit} digits or fewer"
    if code == "max_decimal_places":
        return f"{starting} must have {limit} decimal places or fewer"
    if code == "max_whole_digits":
        return f"{starting} must have {limit} digits or fewer before the decimal point"
    if code == "null_characters_not_allowed":
        return f"{starting} contains a hidden control character: remove it and try again"
    if code in {"unique", "unique_together", "unique_for_date"}:
        model = str(params.get("model_name", "record")).lower()
        fields = params.get("field_labels", params.get("field_label", what))
        # "Forum and Name" → "forum and name"; "NHS number" keeps its capitals.
        fields = " ".join(_subject(word) for word in str(fields).split(" "))
        return f"There is already a {model} with this {fields}"
    if code == "constraint":
        return "This cannot be saved as it is: check the details and try again"
    if code == "incomplete":
        return f"Enter all of {what}"
    if code in {"missing", "empty"}:
        return f"Select a file for {what}"
    if code == "contradiction":
        return f"Either select a new file for {what} or remove it, not both"
    if code in {"invalid_extension", "invalid_image"}:
        return f"{starting} must be a file of a kind allowed here"
    if code == "invalid_nullable":
        return f"Select yes or no for {what}"
    kind = _INVALID_KINDS.get(code, kind)
    if code in {"invalid", "invalid_date", "invalid_time", "invalid_datetime", "overflow"}:
        if kind == "email":
            return f"Enter {what} in the correct format, like name@example.nhs.uk"
        if kind == "web address":
            return f"Enter {what} as a web address, like https://www.nhs.uk"
        if kind == "yes or no":
            return f"Select yes or no for {what}"
        if kind in {"whole number", "number", "date", "time", "date and time"}:
            article = "a real" if kind in {"date", "time", "date and time"} else "a"
            return f"{starting} must be {article} {kind}"
        return f"Enter {what} in the correct format"
    return None


def plain_error(error: ValidationError, label: Any, *, choose: bool = False) -> ValidationError:
    """One error (no list, no dict) about the field `label`, in plain English if it is one of
    Django's own; `choose` when the field is answered by choosing (a select, radios)."""
    kind = _django_kind(error)
    if kind is None:
        return error
    text = _plain_text(error, kind, str(label), choose)
    return error if text is None else ValidationError(text, code=error.code)


def plain_validation_error(
    error: ValidationError, label_for: Callable[[str], Any] = name_label
) -> ValidationError:
    """A service's refusal with Django's own messages rewritten in plain English; each field's
    label is `label_for(name)` (by default its name in words)."""
    if hasattr(error, "error_dict"):
        return ValidationError(
            {
                name: [
                    plain_error(e, "" if name == NON_FIELD_ERRORS else label_for(name))
                    for e in errors
                ]
                for name, errors in error.error_dict.items()
            }
        )
    return ValidationError([plain_error(e, "") for e in error.error_list])


_django_add_error = forms.BaseForm.add_error


def _plain_add_error(form: forms.BaseForm, field: str | None, error: Any) -> None:
    """`BaseForm.add_error`, with Django's own messages rewritten in plain English."""
    if not isinstance(error, ValidationError):
        error = ValidationError(error)

    def plain(name: str, e: ValidationError) -> ValidationError:
        if name not in form.fields:
            return plain_error(e, "" if name == NON_FIELD_ERRORS else name_label(name))
        bound = form[name]
        choose = isinstance(bound.field, forms.ChoiceField) or isinstance(
            bound.field.widget, forms.Select | forms.RadioSelect | forms.CheckboxInput
        )
        return plain_error(e, bound.label, choose=choose)

    if hasattr(error, "error_dict"):
        if field is None:
            by_field = error.error_dict.items()
            error = ValidationError({name: [plain(name, e) for e in es] for name, es in by_field})
    else:
        error = ValidationError([plain(field or NON_FIELD_ERRORS, e) for e in error.error_list])
    _django_add_error(form, field, error)


def speak_plainly() -> None:
    """Every form, everywhere, records Django's own validation messages in plain English.

    Every error a form records, from its fields, its `clean()`, a model's validation or a
    service's refusal, goes through `BaseForm.add_error`, so this is the one place all of them
    pass (Django offers no setting for its default messages). Called from `CoreConfig.ready`.
    """
    forms.BaseForm.add_error = _plain_add_error  # type: ignore[method-assign,assignment]


# -- Text that is present is text a reader can see --------------------------------------------

_django_char_to_python = forms.CharField.to_python


def _visible_to_python(field: forms.CharField, value: Any) -> Any:
    """`CharField.to_python`, trimming invisible characters as well as whitespace when the field
    strips (as it does unless told not to, as a password's does)."""
    value = _django_char_to_python(field, value)
    if field.strip and isinstance(value, str):
        value = visible(value)
        if value in field.empty_values:
            return field.empty_value
    return value


def see_only_visible_text() -> None:
    """Every form's text field treats text with nothing visible in it (zero-width spaces, a byte
    order mark, no-break spaces) as no text at all, so a required field says "Enter …" instead
    of keeping an empty-looking note; and trims such characters from either end of what it
    keeps, as Django trims spaces (`core.text.visible`). Fields that subclass `CharField` (email,
    web address, slug) call it too. Called from `CoreConfig.ready`, like `speak_plainly`."""
    forms.CharField.to_python = _visible_to_python  # type: ignore[method-assign,assignment]


# -- Rendering ------------------------------------------------------------------------------------

_AUTOCOMPLETE = {"email": "email", "full_name": "name", "password": "current-password"}


def _choices(bound: BoundField, *, selected_key: str) -> list[dict[str, Any]]:
    value = bound.value()
    current = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    return [
        {"value": str(key), "text": str(label), selected_key: str(key) in current}
        for key, label in bound.field.choices  # type: ignore[attr-defined]
    ]


def _example(bound: BoundField) -> DateExample | None:
    return getattr(bound.field.widget, "example", None)


def _hint(bound: BoundField) -> str:
    """The field's help text, then an example date worked out from today for a date field."""
    example = _example(bound)
    parts = [str(bound.help_text) if bound.help_text else "", date_hint(example) if example else ""]
    return " ".join(part for part in parts if part)


def field_params(bound: BoundField, **overrides: Any) -> tuple[str, dict[str, Any]]:
    """The NHS.UK component for `bound` and its parameters."""
    widget = bound.field.widget
    errors = bound.errors
    params: dict[str, Any] = {
        "id": bound.id_for_label or bound.auto_id,
        "name": bound.html_name,
        "hint": {"text": _hint(bound)} if bound.help_text or _example(bound) else None,
        "errorMessage": {"text": " ".join(str(e) for e in errors)} if errors else None,
    }
    label = {"text": str(bound.label)}
    attributes: dict[str, Any] = {}
    if bound.field.required:
        attributes["required"] = ""
    autocomplete = _AUTOCOMPLETE.get(bound.name)
    # CheckboxSelectMultiple is a subclass of RadioSelect, so it must be tested first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        component = "checkboxes"
        params["fieldset"] = {"legend": {"text": str(bound.label), "size": "s"}}
        params["items"] = _choices(bound, selected_key="checked")
        params["idPrefix"] = params.pop("id")
    elif isinstance(widget, forms.RadioSelect):
        component = "radios"
        params["fieldset"] = {"legend": {"text": str(bound.label), "size": "s"}}
        # A model field's "---------" blank choice means nothing as a radio button.
        params["items"] = [
            item
            for item in _choices(bound, selected_key="checked")
            if not (item["value"] == "" and item["text"] == BLANK_CHOICE_DASH[0][1])
        ]
        params["idPrefix"] = params.pop("id")
    elif isinstance(widget, forms.CheckboxInput):
        component = "checkboxes"
        params["items"] = [
            {"value": "on", "text": str(bound.label), "checked": bool(bound.value())}
        ]
        params["idPrefix"] = params.pop("id")
    elif isinstance(widget, forms.Select):
        component = "select"
        params["label"] = label
        params["items"] = _choices(bound, selected_key="selected")
    elif isinstance(widget, forms.Textarea):
        component = "textarea"
        params["label"] = label
        params["value"] = bound.value() or ""
        params["attributes"] = attributes
    else:
        component = "input"
        params["label"] = label
        input_type = getattr(widget, "input_type", "text")
        params["type"] = input_type
        if input_type != "password":
            # The widget formats dates and times as the browser expects (2026-11-25, 09:15).
            value = widget.format_value(bound.value())
            params["value"] = "" if value is None else str(value)
        if autocomplete:
            params["autocomplete"] = autocomplete
        if input_type == "email":
            params["spellcheck"] = False
        max_length = getattr(bound.field, "max_length", None)
        if max_length and max_length <= 10:
            params["width"] = 10
        params["attributes"] = attributes
    params.update(overrides)
    return component, {k: v for k, v in params.items() if v is not None}


DateExample = Literal["past", "future", "birth"]


def date_example(kind: DateExample, today: date | None = None) -> date:
    """A date to give as an example, worked out from today: a week or so ago (`past`), about
    four weeks ahead (`future`) or 40 years ago (`birth`). Its day is after the 12th, so that
    nobody can read the day as the month."""
    today = today or timezone.localdate()
    if kind == "birth":
        return date(today.year - 40, today.month, 20)
    if kind == "future":
        ahead = today + timedelta(days=28)
        return ahead if ahead.day > 12 else ahead.replace(day=20)
    ago = today - timedelta(days=7)
    return ago if ago.day > 12 else (ago.replace(day=1) - timedelta(days=1)).replace(day=20)


def date_hint(kind: DateExample, today: date | None = None) -> str:
    """ "For example, 20/03/1986.": written as the date field shows a date (day, month, year,
    as the browser's date input does for the UK)."""
    return f"For example, {date_example(kind, today):%d/%m/%Y}."


class DateInput(forms.DateInput):
    """The browser's date picker (keyboard accessible), ISO formatted.

    `example` adds an example date to the field's hint, worked out from today when the page is
    written: `past` for a day that has been (reviewed on), `future` for one to come (due, review
    by), `birth` for a date of birth.
    """

    input_type = "date"

    def __init__(
        self, attrs: dict[str, Any] | None = None, *, example: DateExample | None = None
    ) -> None:
        super().__init__(attrs, format="%Y-%m-%d")
        self.example = example


class TimeInput(forms.TimeInput):
    """The browser's time input, 24-hour HH:MM."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


def error_summary_items(form: forms.BaseForm) -> list[dict[str, str]]:
    """Errors in field order, each linking to the field it is about."""
    items: list[dict[str, str]] = []
    for error in form.non_field_errors():
        items.append({"text": str(error), "href": "#main-content-errors"})
    for bound in form:
        if not bound.errors:
            continue
        component, params = field_params(bound)
        anchor = params.get("id") or f"{params.get('idPrefix')}"
        if component in {"radios", "checkboxes"}:
            anchor = params["idPrefix"]
        items.extend({"text": str(error), "href": f"#{anchor}"} for error in bound.errors)
    return items


# -- Fields declared in one call ------------------------------------------------------------------
# Each takes the product's own messages, named by what went wrong: `required` (left empty; a
# field given no `required` message is optional), `too_long`, `invalid` (not a real date, time or
# whole number), `too_small`, `too_large` and `invalid_choice` (one not offered). Where no message
# is given, Django's own is said in plain English (`speak_plainly`).

Message = str | None


def _options(label: str, required: Message, help_text: str, **messages: Message) -> dict[str, Any]:
    """What every field takes: its label, whether it must be answered, its hint, its messages."""
    messages = {"required": required, **messages}
    return {
        "label": label,
        "required": required is not None,
        "help_text": help_text,
        "error_messages": {code: text for code, text in messages.items() if text is not None},
    }


def text_field(
    label: str,
    *,
    required: Message = None,
    max_length: int | None = None,
    too_long: Message = None,
    rows: int | None = None,
    help_text: str = "",
    initial: str | None = None,
    widget: forms.Widget | None = None,
) -> forms.CharField:
    """A line of text or, with `rows`, a text area that many rows high."""
    return forms.CharField(
        max_length=max_length,
        initial=initial,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else widget,
        **_options(label, required, help_text, max_length=too_long),
    )


def date_field(
    label: str,
    *,
    invalid: str,
    required: Message = None,
    help_text: str = "",
    example: DateExample | None = None,
) -> forms.DateField:
    """A date, in the browser's date picker (`DateInput`, with its `example`)."""
    widget = DateInput(example=example)
    return forms.DateField(widget=widget, **_options(label, required, help_text, invalid=invalid))


def time_field(
    label: str, *, invalid: str, required: Message = None, initial: time | None = None
) -> forms.TimeField:
    """A time of day, in the browser's time input (`TimeInput`)."""
    options = _options(label, required, "", invalid=invalid)
    return forms.TimeField(widget=TimeInput(), initial=initial, **options)


def whole_number_field(
    label: str,
    *,
    required: Message = None,
    invalid: Message = None,
    min_value: int | None = None,
    too_small: Message = None,
    max_value: int | None = None,
    too_large: Message = None,
    initial: int | None = None,
    help_text: str = "",
) -> forms.IntegerField:
    """A whole number, from `min_value` to `max_value` when they are given."""
    messages = {"invalid": invalid, "min_value": too_small, "max_value": too_large}
    return forms.IntegerField(
        min_value=min_value,
        max_value=max_value,
        initial=initial,
        **_options(label, required, help_text, **messages),
    )


def decimal_field(
    label: str,
    *,
    invalid: str,
    required: Message = None,
    min_value: Decimal | int | None = None,
    too_small: Message = None,
    max_value: Decimal | int | None = None,
    too_large: Message = None,
    decimal_places: int = 2,
    help_text: str = "",
) -> forms.DecimalField:
    """A number that may have a fractional part (up to `decimal_places` digits after the point),
    from `min_value` to `max_value` when they are given."""
    messages = {
        "invalid": invalid,
        "min_value": too_small,
        "max_value": too_large,
        "max_decimal_places": invalid,
        "max_digits": invalid,
    }
    return forms.DecimalField(
        min_value=min_value,
        max_value=max_value,
        max_digits=12,
        decimal_places=decimal_places,
        **_options(label, required, help_text, **messages),
    )


def choice_field(
    label: str,
    *,
    choices: Iterable[tuple[Any, Any]] = (),
    required: Message = None,
    invalid_choice: Message = None,
    radios: bool = False,
    initial: Any = None,
    help_text: str = "",
) -> forms.ChoiceField:
    """One of `choices` (or of those `offer_choices` gives it later), from a list or, with
    `radios`, as radio buttons."""
    return forms.ChoiceField(
        choices=choices,
        initial=initial,
        widget=forms.RadioSelect if radios else None,
        **_options(label, required, help_text, invalid_choice=invalid_choice),
    )


def id_choice(
    label: str, *, required: Message = None, invalid_choice: Message = None, help_text: str = ""
) -> forms.TypedChoiceField:
    """A choice of one record by its id: a whole number, or None when none is chosen. The form
    offers the records with `offer_choices`."""
    options = _options(label, required, help_text, invalid_choice=invalid_choice)
    return forms.TypedChoiceField(coerce=int, empty_value=None, **options)


def offer_choices(
    field: forms.Field, choices: Iterable[tuple[Any, Any]], *, blank: str = ""
) -> None:
    """Give a choice field its choices, after one for choosing nothing (worded `blank`) if given."""
    assert isinstance(field, forms.ChoiceField)
    options = list(choices)
    field.choices = [("", blank), *options] if blank else options
