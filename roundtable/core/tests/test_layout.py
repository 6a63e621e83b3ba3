"""The layout every page shares: the header, written once for each person and section."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

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
