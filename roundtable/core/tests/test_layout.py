"""The layout every page shares: the header, written once for each person and section; the
footer and the breadcrumbs, written once each too."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

import pytest
from django.template import engines
from django.urls import reverse
from jinja2 import Environment

pytestmark = pytest.mark.django_db


def header(html: str) -> str:
    """The page's header: everything before its main content."""
    return html[: html.index('<main class="nhsuk-main-wrapper')]


def current_section(html: str) -> list[str]:
    """The navigation items marked as the page's section."""
    return re.findall(
        r'navigation-item--current"\s*>\s*<a\s[^>]*aria-current="page"[^>]*>\s*'
        r"(?:<strong[^>]*>)?([^<]+)",
        html,
    )


def test_the_header_names_who_is_signed_in_and_marks_their_section(client_for, system):
    client = client_for(system.clinician_a)
    decisions = header(client.get(reverse("decisions:log")).content.decode())
    assert "Amira" in decisions
    assert reverse("directory:person", args=[system.clinician_a.pk]) in decisions
    assert reverse("core:sign-out") in decisions
    assert current_section(decisions) == ["Decisions"]
    # Another section, then the same one again: each page says where it is.
    assert current_section(header(client.get(reverse("forums:list")).content.decode())) == [
        "Forums"
    ]
    assert current_section(header(client.get(reverse("decisions:log")).content.decode())) == [
        "Decisions"
    ]


def test_the_header_follows_a_change_of_name_and_of_person(client_for, system):
    page = reverse("forums:list")
    before = header(client_for(system.clinician_a).get(page).content.decode())
    system.clinician_a.full_name = "Amira <Renamed>"
    system.clinician_a.save(update_fields=["full_name"])
    after = header(client_for(system.clinician_a).get(page).content.decode())
    assert "Amira &lt;Renamed&gt;" in after  # escaped
    assert "Amira <Renamed>" not in after
    assert after != before
    other = header(client_for(system.clinician_b).get(page).content.decode())
    assert system.clinician_b.full_name in other
    assert "Renamed" not in other


def test_signed_out_pages_have_no_account_links(client):
    html = header(client.get(reverse("core:sign-in")).content.decode())
    assert reverse("core:sign-out") not in html
    assert current_section(html) == []


def _jinja() -> Environment:
    return engines["jinja2"].env  # type: ignore[attr-defined,no-any-return]


def _written(name: str, *args: object) -> str:
    """What a layout helper of the environment writes."""
    helper = cast(Callable[..., object], _jinja().globals[name])
    return str(helper(*args))


def test_the_footer_is_written_once_for_signed_in_and_once_for_signed_out():
    macro = _jinja().from_string(
        '{% from "nhsuk/components/footer/macro.jinja" import footer %}'
        '{{ footer({"meta": {"items": items}, "copyright": {"text": copyright}}) }}'
    )
    copyright = "Roundtable \N{EN DASH} open source"
    api = {"href": reverse("api:openapi-view"), "text": "API documentation"}
    helper = cast(Callable[[bool], object], _jinja().globals["site_footer"])
    signed_in = helper(True)
    assert signed_in is helper(True)  # kept, not written again
    mine = [
        {"href": reverse("forums:calendar"), "text": "Your meetings in your calendar"},
        {"href": reverse("directory:api-tokens"), "text": "API tokens"},
    ]
    assert str(signed_in).strip() == macro.render(copyright=copyright, items=[*mine, api]).strip()
    signed_out = _written("site_footer", False)
    assert signed_out.strip() == macro.render(copyright=copyright, items=[api]).strip()
    assert reverse("forums:calendar") not in signed_out


def test_breadcrumbs_are_kept_per_trail_and_escaped():
    trail = [
        {"text": "Home", "href": "/"},
        {"text": "North <CMHT>", "href": "/teams/1/"},
        {"text": "Huddle board", "href": ""},
    ]
    written = _written("site_breadcrumbs", trail)
    macro = _jinja().from_string(
        '{% from "nhsuk/components/breadcrumb/macro.jinja" import breadcrumb %}'
        '{{ breadcrumb({"items": items[:-1], "text": items[-1].text, "href": ""}) }}'
    )
    assert written.strip() == macro.render(items=trail).strip()
    assert "North &lt;CMHT&gt;" in written
    assert "North <CMHT>" not in written
    other = _written(
        "site_breadcrumbs", [trail[0], {"text": "South", "href": "/teams/2/"}, trail[2]]
    )
    assert "South" in other
    assert "North" not in other


def test_a_page_shows_its_breadcrumbs_and_footer(client_for, system):
    html = client_for(system.clinician_a).get(reverse("directory:people")).content.decode()
    assert 'class="nhsuk-breadcrumb' in html
    assert reverse("forums:calendar") in html  # the signed-in footer
