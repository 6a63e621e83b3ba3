"""Django form fields rendered as NHS.UK components."""

from __future__ import annotations

from django import forms

from roundtable.core.forms import DateInput, TimeInput, error_summary_items, field_params


class Example(forms.Form):
    name = forms.CharField(label="Name", help_text="Your full name")
    email = forms.EmailField(label="E-mail")
    kind = forms.ChoiceField(
        label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    days = forms.MultipleChoiceField(
        label="Days",
        choices=[("0", "Monday"), ("1", "Tuesday")],
        widget=forms.CheckboxSelectMultiple,
    )
    team = forms.ChoiceField(label="Team", choices=[("", "Any"), ("1", "North")], required=False)
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    agree = forms.BooleanField(label="I agree", required=False)
    on = forms.DateField(label="Date", widget=DateInput(), required=False)
    at = forms.TimeField(label="Time", widget=TimeInput(), required=False)


def test_each_widget_maps_to_its_nhs_component():
    form = Example()
    kinds = {name: field_params(form[name])[0] for name in form.fields}
    assert kinds == {
        "name": "input",
        "email": "input",
        "kind": "radios",
        "days": "checkboxes",
        "team": "select",
        "notes": "textarea",
        "agree": "checkboxes",
        "on": "input",
        "at": "input",
    }


def test_labels_hints_values_and_types():
    from datetime import date, time

    form = Example(
        initial={"name": "Hana", "days": ["1"], "on": date(2026, 3, 5), "at": time(9, 15)}
    )
    _, name = field_params(form["name"])
    assert name["label"] == {"text": "Name"}
    assert name["hint"] == {"text": "Your full name"}
    assert name["value"] == "Hana"
    assert name["attributes"] == {"required": ""}
    _, email = field_params(form["email"])
    assert email["type"] == "email"
    assert email["autocomplete"] == "email"
    _, days = field_params(form["days"])
    assert [i["checked"] for i in days["items"]] == [False, True]
    assert days["fieldset"]["legend"]["text"] == "Days"
    assert field_params(form["on"])[1]["value"] == "2026-03-05"
    assert field_params(form["on"])[1]["type"] == "date"
    assert field_params(form["at"])[1]["value"] == "09:15"


def test_errors_reach_the_component_and_the_summary_in_field_order():
    form = Example(data={"email": "nope", "kind": "z"})
    assert not form.is_valid()
    _, email = field_params(form["email"])
    assert email["errorMessage"]["text"] == (
        "Enter e-mail in the correct format, like name@example.nhs.uk"
    )
    items = error_summary_items(form)
    assert [item["href"] for item in items] == ["#id_name", "#id_email", "#id_kind", "#id_days"]


def test_a_model_fields_blank_choice_is_not_a_radio_but_a_real_empty_choice_is():
    class Radios(forms.Form):
        kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], widget=forms.RadioSelect)
        status = forms.ChoiceField(
            choices=[("present", "Present"), ("", "Not here")], widget=forms.RadioSelect
        )

    form = Radios()
    assert [i["text"] for i in field_params(form["kind"])[1]["items"]] == ["A"]
    assert [i["text"] for i in field_params(form["status"])[1]["items"]] == ["Present", "Not here"]
