"""Learning, not blame: nothing in the learning data model grades a person or looks for someone
to blame (PSIRF). Every field of every learning model is read, with its label and choices."""

from __future__ import annotations

import re

from django.apps import apps

# Words of blame, fault-finding and grading, as a field's name, label or choice would say them.
FORBIDDEN = re.compile(
    r"fault|blame|culpab|culprit|responsible|responsibility|root[ _]?cause|severity|"
    r"harm[ _]?grade|grading|risk[ _]?(score|rating|level)|negligen|disciplin(e|ary)_action",
    re.IGNORECASE,
)


def _said(field) -> list[str]:
    said = [field.name, str(getattr(field, "verbose_name", ""))]
    said += [f"{value} {label}" for value, label in getattr(field, "choices", None) or []]
    return said


def test_no_learning_model_has_a_field_of_fault_blame_or_grading():
    models = list(apps.get_app_config("learning").get_models())
    read = {model.__name__ for model in models}
    assert read >= {"LearningEvent", "LearningResponse", "ContributoryFactor", "SafetyAction"}
    found = [
        f"{model.__name__}.{field.name}: {text!r}"
        for model in models
        for field in model._meta.get_fields()
        for text in _said(field)
        if FORBIDDEN.search(text)
    ]
    assert found == []


def test_the_check_finds_such_a_field():
    # The pattern itself, tried on names a blame-centred incident form would use.
    for name in ("root_cause", "who_was_responsible", "severity", "at_fault", "harm_grade"):
        assert FORBIDDEN.search(name), name
    for name in ("what_happened", "why_different", "what_we_learn", "element", "owner"):
        assert not FORBIDDEN.search(name), name
