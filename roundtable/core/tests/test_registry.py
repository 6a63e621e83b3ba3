"""The one registry apps add their contributions to (home sections, jobs, policies, panels)."""

import pytest

from roundtable.core import access, home, idempotency, ticks
from roundtable.core.registry import Registry
from roundtable.directory import extensions
from roundtable.directory.models import Person


def test_entries_come_by_order_then_name_whatever_order_they_were_added_in():
    registry: Registry[str] = Registry("thing")
    registry.add("b", "second at 10", order=10)
    registry.add("c", "last", order=20)
    registry.add("a", "first at 10", order=10)
    registry.add("z", "before all", order=1)
    assert list(registry) == ["before all", "first at 10", "second at 10", "last"]
    assert [entry.name for entry in registry.in_order()] == ["z", "a", "b", "c"]
    assert len(registry) == 4
    assert "a" in registry
    assert "q" not in registry


def test_adding_a_name_again_replaces_it_and_reorders():
    registry: Registry[str] = Registry("thing")
    registry.add("a", "old", order=1)
    registry.add("b", "other", order=2)
    assert list(registry) == ["old", "other"]
    registry.add("a", "new", order=3)
    assert list(registry) == ["other", "new"]
    assert registry.get("a") == "new"


def test_an_unknown_name_is_a_clear_error_or_the_default():
    registry: Registry[int] = Registry("periodic job")
    with pytest.raises(LookupError, match="No periodic job is registered as 'nightly'"):
        registry.get("nightly")
    assert registry.find("nightly", 7) == 7


def test_kept_undoes_what_a_block_changed():
    registry: Registry[str] = Registry("thing")
    registry.add("a", "A")
    with registry.kept():
        registry.add("b", "B")
        registry.add("a", "changed")
        assert list(registry) == ["changed", "B"]
    assert list(registry) == ["A"]
    with registry.kept(empty=True):
        assert list(registry) == []
        registry.add("c", "C")
    assert list(registry) == ["A"]


def test_every_app_adds_to_the_registries_when_it_loads():
    assert home.sections.names() == {
        "forums",
        "decisions",
        "safety",
        "voice",
        "wellbeing",
        "learning",
        "insights",
    }
    assert ticks.jobs.names() == {
        "idempotency",
        "meetings",
        "decisions",
        "voice",
        "wellbeing",
        "insights",
        "audit",
    }
    assert idempotency.token_readers.names() == {"directory"}
    assert extensions.team_panels.names() == {"learning.overdue", "insights.link"}
    assert extensions.leadership_panels.names() == {"learning.overdue"}
    assert "directory.Person" in access.policies
    assert Person in access.person_identifiable_models()
    assert [fn.__module__ for fn in access.narrowings.get("decisions.Decision")] == [
        "roundtable.care.access"
    ]
