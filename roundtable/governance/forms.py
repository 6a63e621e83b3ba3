from __future__ import annotations

from django import forms

from roundtable.core.forms import text_field


class FindPersonForm(forms.Form):
    identifier = text_field(
        "NHS number or local identifier",
        required="Enter the person's NHS number or local identifier",
        max_length=40,
        help_text="For example 999 123 4567, or the identifier your service gives them.",
    )
