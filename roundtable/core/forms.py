"""Django forms rendered as NHS.UK design system components.

`field_params` turns a bound Django field into the component name and the parameters of the
matching NHS.UK macro (input, select, textarea, radios, checkboxes), with its label, hint, value
and error message; `core/fields.jinja` renders it. `error_summary_items` lists a form's errors for
the NHS.UK error summary, each linked to its field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms.boundfield import BoundField

_AUTOCOMPLETE = {"email": "email", "full_name": "name", "password": "current-password"}


def _choices(bound: BoundField, *, selected_key: str) -> list[dict[str, Any]]:
    value = bound.value()
    current = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    return [
        {"value": str(key), "text": str(label), selected_key: str(key) in current}
        for key, label in bound.field.choices  # type: ignore[attr-defined]
    ]


def field_params(bound: BoundField, **overrides: Any) -> tuple[str, dict[str, Any]]:
    """The NHS.UK component for `bound` and its parameters."""
    widget = bound.field.widget
    errors = bound.errors
    params: dict[str, Any] = {
        "id": bound.id_for_label or bound.auto_id,
        "name": bound.html_name,
        "hint": {"text": str(bound.help_text)} if bound.help_text else None,
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


class DateInput(forms.DateInput):
    """The browser's date picker (keyboard accessible), ISO formatted."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


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
