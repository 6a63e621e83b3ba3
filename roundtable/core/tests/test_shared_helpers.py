"""The small shared helpers pages and endpoints pass values through: fields by name, a filter
read from the address, a change made with a button, and a PATCH that keeps what it leaves out."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.test import RequestFactory
from ninja import Schema

from roundtable.core.api import given, patched
from roundtable.core.pages import choice, fields, one_click, refused


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


def test_a_refused_change_gives_the_services_words_and_a_made_one_nothing() -> None:
    def refuse() -> None:
        raise ValidationError("This action is already done.")

    assert refused(refuse) == "This action is already done."
    made: list[str] = []
    assert refused(lambda: made.append("done")) == ""
    assert made == ["done"]


def _request_with_messages() -> HttpRequest:
    request = RequestFactory().post("/")
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


def test_a_body_gives_its_fields_and_a_patch_keeps_what_it_leaves_out() -> None:
    body = ZoneIn(name="Green")
    assert given(body, "name", "colour") == {"name": "Green", "colour": None}
    zone = SimpleNamespace(name="Amber", colour="yellow")
    assert patched(body, zone, "name", "colour") == {"name": "Green", "colour": "yellow"}
