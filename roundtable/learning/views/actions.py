"""A safety action: what it is, putting right its description, owner or due date, and moving it
on (in progress; done, with the evidence and the day)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from roundtable.core.pages import Outcome, breadcrumbs, fields, me, posted, submit
from roundtable.core.templating import date_format
from roundtable.learning import selectors, services
from roundtable.learning.forms.responses import ActionChangeForm, ActionProgressForm
from roundtable.learning.models import ActionStatus, SafetyAction
from roundtable.learning.views._common import _render, learning_crumb

ACTION_CONFLICT = (
    "Someone else changed this action while you were writing. Nothing has been lost: compare, "
    "then save again."
)


def _owners(action: SafetyAction) -> list[Any]:
    """The team's members, and the owner now even if they are no longer one."""
    owners = selectors.action_owners(action.team)
    if action.owner_id not in {person.pk for person in owners}:
        owners.append(action.owner)
    return owners


def _show(
    request: HttpRequest,
    action: SafetyAction,
    *,
    change: forms.Form | None = None,
    progress: forms.Form | None = None,
    outcome: Outcome[Any] | None = None,
) -> HttpResponse:
    """The action's page (as saved now), with its forms: one of them perhaps refused, or stale,
    and then what is saved now is shown beside what was typed."""
    latest = action if outcome is not None and outcome.conflict else None
    done = action.status == ActionStatus.DONE
    if change is None and not done:
        change = ActionChangeForm(
            None,
            owners=_owners(action),
            initial={
                "description": action.description,
                "owner": action.owner_id,
                "due_on": action.due_on,
                "version": action.version,
            },
        )
    if progress is None and not done:
        progress = ActionProgressForm(None, action=action, prefix="progress")
    page_forms = [f for f in (change, progress) if f is not None]
    response = action.response
    context = {
        "page_title": "Safety action",
        "page_has_errors": any(f.is_bound and f.errors for f in page_forms),
        "action": action,
        "done": done,
        "overdue": not done and action.due_on < selectors.today(),
        "today": selectors.today(),
        "change_form": change,
        "progress_form": progress,
        "latest": latest,
        "conflict_message": ACTION_CONFLICT,
        "breadcrumbs": breadcrumbs(
            learning_crumb(),
            (
                f"{response.get_kind_display()} held on {date_format(response.held_on)}",
                reverse("learning:response", args=[response.pk]),
            ),
            ("Safety action", ""),
        ),
    }
    status = outcome.status(*page_forms) if outcome else 200
    return _render(request, "learning/action.jinja", context, status=status)


def _saved(request: HttpRequest, action: SafetyAction, done: str) -> HttpResponse:
    messages.success(request, done)
    return redirect(reverse("learning:action", args=[action.pk]) + "#message")


@require_http_methods(["GET", "POST"])
def action(request: HttpRequest, action_id: int) -> HttpResponse:
    """The action; its POST puts right what it is, who owns it or when it is due."""
    action = selectors.action_get(request.user, action_id)
    if request.method != "POST":
        return _show(request, action)
    form = ActionChangeForm(posted(request), owners=_owners(action))
    outcome = submit(
        request,
        form,
        lambda data: services.action_change(
            actor=me(request),
            action=action,
            expected_version=data["version"],
            **fields(data, "description", "owner", "due_on"),
        ),
        refusals_on="description",
        stale=ACTION_CONFLICT,
    )
    if outcome.saved:
        return _saved(request, action, "The action is saved.")
    # What is saved now: a refused write may have left the typed values on the record read.
    action = selectors.action_get(request.user, action_id, audit=False)
    return _show(request, action, change=form, outcome=outcome)


@require_POST
def action_progress(request: HttpRequest, action_id: int) -> HttpResponse:
    """Move the action on: in progress, or done with the evidence and the day."""
    action = selectors.action_get(request.user, action_id, audit=False)
    form = ActionProgressForm(posted(request), action=action, prefix="progress")
    outcome = submit(
        request,
        form,
        lambda data: services.action_progress(
            actor=me(request),
            action=action,
            expected_version=data["version"],
            to_status=data["to_status"],
            evidence=data["evidence"],
            completed_on=data["completed_on"],
        ),
        refusals_on="to_status",
        stale=ACTION_CONFLICT,
    )
    if outcome.saved:
        return _saved(
            request, action, f"The action is {outcome.value.get_status_display().lower()}."
        )
    if outcome.conflict:
        action = selectors.action_get(request.user, action_id, audit=False)
    return _show(request, action, progress=form, outcome=outcome)
