"""The small shared helpers pages and endpoints pass values through: fields by name, a filter
read from the address, a change made with a button, and a PATCH that keeps what it leaves out."""

from __future__ import annotations

from types import SimpleNamespace

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.test import RequestFactory
from ninja import Schema

from roundtable.core.api import given, patched
from roundtable.core.pages import asked_first, choice, fields, one_click, submit


class ZoneIn(Schema):
    name: str | None = None
    colour: str | None = None


def test_fields_are_passed_by_name_and_only_those_named() -> None:
    data = {"name": "Amber", "colour": "yellow", "version": 3}
    assert fields(data, "name", "colour") == {"name": "Amber", "colour": "yellow"}


def test_a_filter_is_one_of_its_values_or_none() -> None:
    factory = RequestFactory()
    kinds = {"mdt", "huddle"}
    assert choice(factory.get("/", {"kind": "mdt"}), "kind", kinds) == "mdt"
    assert choice(factory.get("/", {"kind": "board<script>"}), "kind", kinds) == ""
    assert choice(factory.get("/"), "kind", kinds) == ""


def _request_with_messages(method: str = "post") -> HttpRequest:
    factory = RequestFactory()
    request = factory.post("/") if method == "post" else factory.get("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def test_one_click_says_done_or_why_not() -> None:
    request = _request_with_messages()
    one_click(request, lambda: None, "Marked as done.")

    def refuse() -> None:
        raise ValidationError("You are not in North circle.")

    one_click(request, refuse, "You have left the circle.")
    said = [(m.level_tag, m.message) for m in get_messages(request)]
    assert said == [("success", "Marked as done."), ("error", "You are not in North circle.")]


def test_a_page_that_asks_first_changes_nothing_until_the_button_is_pressed() -> None:
    made: list[str] = []
    answer = asked_first(_request_with_messages("get"), lambda: made.append("x"), "Done.")
    assert (answer.made, answer.refusal, answer.status, made) == (False, "", 200, [])

    request = _request_with_messages()
    answer = asked_first(request, lambda: made.append("archived"), "Amber is no longer used.")
    assert (answer.made, answer.refusal, made) == (True, "", ["archived"])
    assert [m.message for m in get_messages(request)] == ["Amber is no longer used."]


def test_a_page_that_asks_first_says_why_the_change_was_refused() -> None:
    def refuse() -> None:
        raise ValidationError("Move everyone out of Amber first.")

    request = _request_with_messages()
    answer = asked_first(request, refuse, "Amber is no longer used.")
    assert (answer.made, answer.refusal, answer.status) == (
        False,
        "Move everyone out of Amber first.",
        400,
    )
    assert list(get_messages(request)) == []

    def refuse_by_field() -> None:
        raise ValidationError({"a": "Answer “Why?” before finishing", "b": "Say what now."})

    answer = asked_first(_request_with_messages(), refuse_by_field, "Finished.")
    assert answer.refusal == "Answer “Why?” before finishing. Say what now."


class _EmailForm(forms.Form):
    email = forms.CharField()


def test_a_refusal_naming_no_field_goes_where_the_page_says() -> None:
    def refuse(data: dict[str, str]) -> None:
        raise ValidationError("Sam Lee is already a member.")

    form = _EmailForm({"email": "sam@example.nhs.uk"})
    outcome = submit(_request_with_messages(), form, refuse, refusals_on="email")
    assert not outcome.saved
    assert form.errors == {"email": ["Sam Lee is already a member."]}

    form = _EmailForm({"email": "sam@example.nhs.uk"})
    submit(_request_with_messages(), form, refuse)
    assert form.errors == {"__all__": ["Sam Lee is already a member."]}


def test_a_body_gives_its_fields_and_a_patch_keeps_what_it_leaves_out() -> None:
    body = ZoneIn(name="Green")
    assert given(body, "name", "colour") == {"name": "Green", "colour": None}
    zone = SimpleNamespace(name="Amber", colour="yellow")
    assert patched(body, zone, "name", "colour") == {"name": "Green", "colour": "yellow"}
