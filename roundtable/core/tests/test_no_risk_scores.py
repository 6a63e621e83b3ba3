"""No risk scores or low/medium/high risk ratings anywhere (NICE NG225).

Reads every model Roundtable defines: no field name, label or help text, and no choice, may rate
risk (a score, rating, level or category of risk) or offer low / medium / high.
"""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.db import models

FORBIDDEN = [
    re.compile(r"\brisk[\s_-]*(score|rating|level|category|stratif\w*|tier)s?\b", re.I),
    re.compile(r"\b(score|rating|level|category|tier)s?[\s_-]+of[\s_-]+risk\b", re.I),
    re.compile(r"\b(low|medium|high)[\s_-]*risk\b", re.I),
]
LOW_MEDIUM_HIGH = {"low", "medium", "high"}


def _texts(field: models.Field[Any, Any]) -> list[str]:
    texts = [field.name, str(field.verbose_name), str(field.help_text)]
    for value, label in field.flatchoices or []:
        texts += [str(value), str(label)]
    return texts


def test_no_model_rates_risk() -> None:
    problems = []
    for model in apps.get_models():
        if not model.__module__.startswith("roundtable."):
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, models.Field):
                continue
            for text in _texts(field):
                if any(pattern.search(text) for pattern in FORBIDDEN):
                    problems.append(f"{model._meta.label}.{field.name}: {text!r}")
            choices = {str(v).lower() for v, _ in field.flatchoices or []}
            if len(choices & LOW_MEDIUM_HIGH) >= 2:
                problems.append(f"{model._meta.label}.{field.name}: low/medium/high choices")
    assert problems == []


def test_the_check_finds_a_risk_rating() -> None:
    """The patterns catch what they are for (so the test above can fail)."""
    field: models.Field[Any, Any] = models.CharField(
        max_length=6, choices=[("low", "Low"), ("medium", "Medium"), ("high", "High")]
    )
    field.set_attributes_from_name("risk_level")
    assert any(pattern.search(t) for t in _texts(field) for pattern in FORBIDDEN)
    assert len({str(v) for v, _ in field.flatchoices} & LOW_MEDIUM_HIGH) == 3
    harmless: models.Field[Any, Any] = models.TextField("what might happen and what would help")
    harmless.set_attributes_from_name("what_might_happen")
    assert not any(pattern.search(t) for t in _texts(harmless) for pattern in FORBIDDEN)
