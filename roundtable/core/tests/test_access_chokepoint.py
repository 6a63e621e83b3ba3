"""Views and API modules never query a person-identifiable model directly.

They call selectors, which read through `roundtable.core.access`. This test reads the source of
every views and api module and fails on `Model.objects…`, `Model._default_manager…` or
`get_object_or_404(Model…)` for any model registered with the access chokepoint.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from roundtable.core import access

PACKAGE = Path(__file__).resolve().parents[2]
MANAGER_ATTRIBUTES = {"objects", "_default_manager", "_base_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def view_modules() -> list[Path]:
    paths: list[Path] = []
    for pattern in ("*/views.py", "*/views/*.py", "*/api.py", "*/api/*.py", "config/api.py"):
        paths.extend(PACKAGE.glob(pattern))
    return sorted(set(paths))


def direct_queries(source: str, model_names: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGER_ATTRIBUTES
            and isinstance(node.value, ast.Name)
            and node.value.id in model_names
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in SHORTCUTS
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in model_names
        ):
            found.append(f"line {node.lineno}: {node.func.id}({node.args[0].id})")
    return sorted(found, key=lambda text: int(text.split(":")[0].split()[1]))


def test_people_are_registered_as_person_identifiable():
    from roundtable.directory.models import Person

    assert Person in access.person_identifiable_models()


def test_there_are_view_modules_to_check():
    names = {path.relative_to(PACKAGE).as_posix() for path in view_modules()}
    assert "directory/views.py" in names
    assert "directory/api.py" in names


@pytest.mark.parametrize("path", view_modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_view_module_reads_people_only_through_selectors(path: Path):
    names = {model.__name__ for model in access.person_identifiable_models()}
    assert direct_queries(path.read_text(), names) == []


def test_the_check_catches_a_direct_query():
    source = (
        "from django.shortcuts import get_object_or_404\n"
        "def view(request, pk):\n"
        "    a = Person.objects.filter(pk=pk)\n"
        "    b = get_object_or_404(Person, pk=pk)\n"
        "    c = Team.objects.all()\n"
    )
    assert direct_queries(source, {"Person"}) == [
        "line 3: Person.objects",
        "line 4: get_object_or_404(Person)",
    ]
