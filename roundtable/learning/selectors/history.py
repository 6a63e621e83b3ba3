"""Decision history: the shared decisions made about a person in care, shown on a learning
response about them, so that those who learn from what happened see who decided each thing
together and which leader held it — and that nobody decided alone.

What counts: the decisions about the person's episodes (a front-door offer, a move on), the
positive risk-taking plans agreed for them, and their zone changes at the huddle with who was in
the room. Only what the reader may see is read (`core.access`): the decisions, and the people
who took part. A fixed number of queries however long the history and however many people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Prefetch, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from roundtable.care.models import ZoneChange
from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.decisions import selectors as decision_selectors
from roundtable.decisions.models import Decision, DecisionKind, DecisionStatus
from roundtable.decisions.rules_engine import Participant
from roundtable.directory.models import Person


@dataclass(frozen=True)
class Voice:
    """Someone in the room or with a position: a name and, where known, what they do."""

    name: str
    role: str = ""

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


@dataclass
class HistoryEntry:
    at: datetime
    what: str  # "Front-door offer", "Zone change"
    title: str
    outcome: str
    where: str = ""
    link: str = ""
    took_part: list[Voice] = field(default_factory=list)
    held_by: list[Voice] = field(default_factory=list)

    @property
    def alone(self) -> bool:
        """Decided with no one else recorded as taking part."""
        return len(self.took_part) < 2


_SHOWN = (
    DecisionStatus.OPEN,
    DecisionStatus.AGREED,
    DecisionStatus.NOT_AGREED,
    DecisionStatus.REVIEWED,
)


def _voice(participant: Participant) -> Voice:
    role = participant.role or participant.discipline_name or ""
    return Voice(participant.name, role)


def _decisions(user: Reader, person_ids: list[int]) -> dict[int, list[HistoryEntry]]:
    decisions = list(
        access.scoped(user, Decision)
        .filter(
            Q(care__episode__person_id__in=person_ids)
            | Q(positive_risk_plan__episode__person_id__in=person_ids),
            kind__in=(
                DecisionKind.FRONT_DOOR_OFFER,
                DecisionKind.MOVE_ON,
                DecisionKind.POSITIVE_RISK,
            ),
            status__in=_SHOWN,
        )
        .annotate(
            about_id=Coalesce("care__episode__person_id", "positive_risk_plan__episode__person_id"),
            when=Coalesce("decided_at", "created_at"),
        )
        .select_related("forum", "meeting")
        .order_by(F("when").asc(), "pk")
    )
    took_part = decision_selectors.took_part_in(user, decisions)
    holds = decision_selectors.holds_by_decision([d.pk for d in decisions])
    found: dict[int, list[HistoryEntry]] = {}
    for d in decisions:
        found.setdefault(d.about_id, []).append(
            HistoryEntry(
                at=d.when,
                what=d.get_kind_display(),
                title=d.title,
                outcome=d.get_status_display(),
                where=d.forum.name,
                link=reverse("decisions:decision", args=[d.pk]),
                took_part=[_voice(p) for p in took_part.get(d.pk, [])],
                held_by=[
                    Voice(h.leader.full_name, h.leadership_team.name) for h in holds.get(d.pk, [])
                ],
            )
        )
    return found


def _zone_changes(user: Reader, person_ids: list[int]) -> dict[int, list[HistoryEntry]]:
    changes = (
        access.scoped(user, ZoneChange)
        .filter(episode__person_id__in=person_ids)
        .select_related("episode", "from_zone", "to_zone", "meeting__forum", "actor")
        .prefetch_related(
            Prefetch(
                "present",
                queryset=access.scoped(user, Person).only("id", "full_name", "job_title"),
            )
        )
        .order_by("at", "pk")
    )
    found: dict[int, list[HistoryEntry]] = {}
    for change in changes:
        moved = (
            f"{change.from_zone.name} to {change.to_zone.name}"
            if change.from_zone
            else (f"Placed in {change.to_zone.name}")
        )
        in_room = [Voice(p.full_name, p.job_title) for p in change.present.all()]
        in_room += [Voice(name, "guest") for name in change.guests]
        if not in_room:  # decided outside a meeting: whoever moved the card
            in_room = [Voice(change.actor.full_name, change.actor.job_title)]
        found.setdefault(change.episode.person_id, []).append(
            HistoryEntry(
                at=change.at,
                what="Zone change",
                title=moved,
                outcome=change.reason,
                where=change.meeting.forum.name if change.meeting else "",
                took_part=sorted(in_room, key=lambda v: v.name),
            )
        )
    return found


def decision_histories(user: Reader, person_ids: Iterable[int]) -> dict[int, list[HistoryEntry]]:
    """Each person's shared decisions and zone changes, oldest first, by person id."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    decisions = _decisions(user, ids)
    zones = _zone_changes(user, ids)
    return {
        pk: sorted(decisions.get(pk, []) + zones.get(pk, []), key=lambda entry: entry.at)
        for pk in ids
    }
