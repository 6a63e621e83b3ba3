"""The parts of the layout written once and kept (`config/jinja2.py`: the header, the footer and
the breadcrumbs) hold nothing that depends on what the reader may see or on the time: each is
written from the values it is kept by, and from nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.template import engines
from django.template.backends.jinja2 import Jinja2
from django.urls import reverse
from django.utils import timezone
from jinja2 import Environment, meta, nodes

from roundtable.directory.models import Membership, MembershipRole
from roundtable.testing import System

# What a kept part may call besides its own values: functions of their arguments alone.
PURE = {"url", "static"}


def _env() -> Environment:
    backend = engines["jinja2"]
    assert isinstance(backend, Jinja2)
    env = backend.env
    assert isinstance(env, Environment)
    return env


def _written_once() -> tuple[Any, ...]:
    written: tuple[Any, ...] = getattr(_env(), "written_once")  # noqa: B009
    return written


def _names_read(env: Environment, template_name: str) -> set[str]:
    """The names `template_name` reads from the values it is written with, with those of the
    templates it includes (which see the same values). The macros it imports do not see them:
    Jinja imports a template without the importer's values unless told `with context`."""
    assert env.loader is not None
    source = env.loader.get_source(env, template_name)[0]
    parsed = env.parse(source)
    names = set(meta.find_undeclared_variables(parsed))
    shared: list[nodes.Expr] = [node.template for node in parsed.find_all(nodes.Include)]
    for imported in parsed.find_all((nodes.Import, nodes.FromImport)):
        assert isinstance(imported, nodes.Import | nodes.FromImport)
        if imported.with_context:
            shared.append(imported.template)
    for other in shared:
        assert isinstance(other, nodes.Const), template_name
        names |= _names_read(env, other.value)
    return names


@pytest.fixture
def cleared() -> Iterator[None]:
    for part in _written_once():
        part.cache_clear()
    yield
    for part in _written_once():
        part.cache_clear()


def test_every_kept_part_reads_only_the_values_it_is_kept_by():
    env = _env()
    parts = {part.template_name: part.names for part in _written_once()}
    assert parts == {
        "core/_header.jinja": ("person_id", "full_name", "active_nav"),
        "core/_footer.jinja": ("signed_in",),
        "core/_breadcrumbs.jinja": ("trail",),
    }
    for template_name, names in parts.items():
        read = _names_read(env, template_name)
        # No request, user, permissions, messages, CSRF token or clock: only its own values.
        assert read <= {*names, *PURE}, (template_name, read - {*names, *PURE})


def test_the_kept_parts_take_only_hashable_values():
    header = _env().globals["site_header"]
    with pytest.raises(TypeError):
        _written_once()[0](1, ["not", "hashable"], "care")
    assert callable(header)
    assert header(1, "Amira", "care") is header(1, "Amira", "care")  # kept


def header(html: str) -> str:
    """The site header of a page (the page's own head, with its nonce, left out)."""
    return html[html.index("<header") : html.index("</header>")]


def footer(html: str) -> str:
    """The site footer of a page."""
    return html[html.index("<footer") : html.index("</footer>")]


@pytest.mark.django_db
def test_a_kept_header_is_the_same_as_one_written_afresh_after_role_sight_and_day_change(
    client_for: Any, system: System, monkeypatch: pytest.MonkeyPatch, cleared: None
):
    person = system.clinician_a
    client = client_for(person)
    page = reverse("forums:list")
    before = header(client.get(page).content.decode())
    footer_before = footer(client.get(page).content.decode())

    # What they may do and see changes: an administrator, leading another team; and a later day.
    person.is_staff = person.is_superuser = True
    person.save(update_fields=["is_staff", "is_superuser"])
    Membership.objects.create(person=person, team=system.team_b, role=MembershipRole.TEAM_LEADER)
    later = timezone.now() + timedelta(days=3, hours=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client = client_for(person)  # signed in again: the session would have ended by then
    kept = client.get(page).content.decode()
    assert header(kept) == before

    for part in _written_once():
        part.cache_clear()
    afresh = client.get(page).content.decode()
    assert header(afresh) == header(kept)
    assert footer(afresh) == footer(kept) == footer_before
