"""Display logic for the care pages: a person's record grouped by episode, days and numbers
written as people read them, and the errors of a huddle card's forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from roundtable.care.models import (
    CareAction,
    CareDecision,
    Episode,
    HuddleNote,
    PathwayEvent,
    ZoneChange,
)
from roundtable.care.selectors import PersonRecord
from roundtable.decisions.models import Decision, DecisionKind, DecisionStatus

AGREED = (DecisionStatus.AGREED, DecisionStatus.REVIEWED)


def nhs_number(value: str | None) -> str:
    """999 123 4578: the NHS number in the 3-3-4 groups people read it in."""
    if not value:
        return ""
    return f"{value[:3]} {value[3:6]} {value[6:]}"


def days_since(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    return max((timezone.now() - moment).days, 0)


def days_text(days: int | None) -> str:
    if days is None:
        return ""
    if days == 0:
        return "today"
    return "1 day" if days == 1 else f"{days} days"


def came_back_after(episode: Episode) -> int | None:
    """Whole days between moving on and being referred again, for someone who came back."""
    previous = episode.previous
    if previous is None or previous.closed_at is None:
        return None
    return max((episode.referred_at - previous.closed_at).days, 0)


def agreed_move_on(decisions: list[CareDecision], episode_id: int) -> list[Decision]:
    """The agreed move-on decisions about this episode: what moving on needs."""
    return [
        c.decision
        for c in decisions
        if c.episode_id == episode_id
        and c.decision.kind == DecisionKind.MOVE_ON
        and c.decision.status in AGREED
    ]


@dataclass
class EpisodeView:
    episode: Episode
    came_back_after: int | None
    events: list[PathwayEvent] = field(default_factory=list)
    zone_changes: list[ZoneChange] = field(default_factory=list)
    notes: list[HuddleNote] = field(default_factory=list)
    actions: list[CareAction] = field(default_factory=list)
    decisions: list[CareDecision] = field(default_factory=list)
    stage_form: Any = None


def episode_views(record: PersonRecord) -> list[EpisodeView]:
    """Each episode with its own history, newest episode first."""
    views = {e.pk: EpisodeView(e, came_back_after(e)) for e in record.episodes}
    for event in record.events:
        views[event.episode_id].events.append(event)
    for change in record.zone_changes:
        views[change.episode_id].zone_changes.append(change)
    for note in record.notes:
        views[note.episode_id].notes.append(note)
    for action in record.actions:
        views[action.episode_id].actions.append(action)
    for decision in record.decisions:
        if decision.episode_id in views:
            views[decision.episode_id].decisions.append(decision)
    return list(views.values())


SBARD = (
    ("situation", "Situation"),
    ("background", "Background"),
    ("assessment", "Assessment"),
    ("recommendation", "Recommendation"),
    ("decision", "Decision"),
)


def sbard_parts(note: HuddleNote) -> list[tuple[str, str]]:
    """The parts of an SBARD note that were written, with their names."""
    return [(label, getattr(note, name)) for name, label in SBARD if getattr(note, name)]


def card_error_items(kind: str, episode_id: int, form: forms.BaseForm) -> list[dict[str, str]]:
    """A huddle card form's errors for the error summary, each linked to its field on the card
    (the card's fields are named `<kind>-<field>-<episode>`)."""
    items = [
        {"text": str(error), "href": f"#card-{episode_id}"} for error in form.non_field_errors()
    ]
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        shown = name in form.fields and not form.fields[name].widget.is_hidden
        target = f"#{kind}-{name}-{episode_id}" if shown else f"#card-{episode_id}"
        items.extend({"text": str(error), "href": target} for error in errors)
    return items
