"""The form-then-service round every page that changes something goes through (`core.pages`)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from roundtable.core.concurrency import ConcurrentEditError
from roundtable.core.pages import posted, submit
from roundtable.directory.models import Team

factory = RequestFactory()


class NameForm(forms.Form):
    name = forms.CharField(max_length=20)
    version = forms.IntegerField()


def post(data: dict[str, Any]) -> Any:
    return factory.post("/", data)


def test_a_get_shows_an_unbound_form_and_saves_nothing() -> None:
    request = factory.get("/")
    form = NameForm(posted(request))
    calls: list[Any] = []
    outcome = submit(request, form, calls.append)
    assert (outcome.saved, calls, form.is_bound) == (False, [], False)
    assert outcome.status(form) == 200
    with pytest.raises(LookupError):
        outcome.value  # noqa: B018 - nothing was saved, so there is nothing to read


def test_a_form_with_errors_calls_no_service() -> None:
    request = post({"name": "", "version": "1"})
    form = NameForm(posted(request))
    calls: list[Any] = []
    outcome = submit(request, form, calls.append)
    assert (outcome.saved, calls) == (False, [])
    assert "name" in form.errors
    assert outcome.status(form) == 400


def test_a_valid_form_is_saved_with_what_the_service_returned() -> None:
    request = post({"name": "North", "version": "3"})
    form = NameForm(posted(request))
    outcome = submit(request, form, lambda data: f"saved {data['name']} v{data['version']}")
    assert (outcome.saved, outcome.value, outcome.conflict) == (True, "saved North v3", None)


def test_a_refusal_goes_on_the_fields_it_names_and_on_the_form_for_the_rest() -> None:
    request = post({"name": "North", "version": "3"})
    form = NameForm(posted(request))

    def refuse(data: dict[str, Any]) -> None:
        raise ValidationError(
            {"title": ["That name is taken."], "__all__": ["Choose a team first."]}
        )

    outcome = submit(request, form, refuse, aliases={"title": "name"})
    assert not outcome.saved
    assert form.errors["name"] == ["That name is taken."]
    assert form.non_field_errors() == ["Choose a team first."]
    assert outcome.status(form) == 400


@pytest.mark.django_db
def test_someone_saving_first_is_a_conflict_the_page_answers_409() -> None:
    request = post({"name": "North", "version": "3"})
    form = NameForm(posted(request))

    def stale(data: dict[str, Any]) -> None:
        raise ConcurrentEditError(Team(name="North"))

    outcome = submit(request, form, stale)
    assert not outcome.saved
    assert outcome.conflict is not None
    assert "Someone else changed this team" in form.non_field_errors()[0]
    assert outcome.status(form) == 409


def test_a_csv_download_writes_text_like_a_formula_as_text_and_numbers_as_numbers():
    from roundtable.core.pages import csv_download

    response = csv_download(
        [["what", "value"], ['=HYPERLINK("http://x")', -3.5], ["+1 day", 2], ["plain", 0]],
        "figures.csv",
    )
    assert response["Content-Disposition"] == 'attachment; filename="figures.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.getvalue().decode()
    assert text.splitlines() == [
        "what,value",
        '"\'=HYPERLINK(""http://x"")",-3.5',
        "'+1 day,2",
        "plain,0",
    ]
