"""What the decision pages share: rendering, breadcrumbs, and the way back to a decision."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from roundtable.core.pages import renderer
from roundtable.decisions.models import Decision
from roundtable.decisions.services import pounds
from roundtable.forums.models import Forum


def log_crumb() -> tuple[str, str]:
    return ("Decisions", reverse("decisions:log"))


def decision_crumb(decision: Decision) -> tuple[str, str]:
    return (decision.title, reverse("decisions:decision", args=[decision.pk]))


def forum_crumbs(forum: Forum) -> list[tuple[str, str]]:
    return [
        ("Forums", reverse("forums:list")),
        (forum.name, reverse("forums:forum", args=[forum.pk])),
    ]


render = renderer("decisions", {"pounds": pounds})


def back(decision: Decision, anchor: str = "") -> HttpResponse:
    return redirect(reverse("decisions:decision", args=[decision.pk]) + anchor)
