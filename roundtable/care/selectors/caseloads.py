"""A key worker's caseload, and the team's people ready to move on."""

from __future__ import annotations

from dataclasses import dataclass

from roundtable.care.models import CareDecision, Episode, Stage
from roundtable.care.selectors.board import _latest_move_on_id, _move_on_decisions
from roundtable.care.selectors.people import audit_people_shown
from roundtable.core import access, dates
from roundtable.core.access import Reader
from roundtable.decisions.models import DecisionStatus
from roundtable.directory.models import Person, Team


def caseload(user: Reader, key_worker: Person) -> list[Episode]:
    """The open episodes a key worker leads, that the user may see, by stage then name."""
    episodes = list(
        access.scoped(user, Episode)
        .filter(key_worker=key_worker, closed_at__isnull=True)
        .select_related("person", "team", "zone")
        .order_by("team__name", "person__name", "pk")
    )
    audit_people_shown(user, (e.person_id for e in episodes), f"Caseload of {key_worker.full_name}")
    return episodes


@dataclass
class ReadyRow:
    episode: Episode
    move_on: CareDecision | None

    @property
    def days_ready(self) -> int:
        return dates.days_between(self.episode.stage_since)

    @property
    def shared(self) -> bool:
        """The move-on decision has been agreed with the team (not decided alone)."""
        return bool(
            self.move_on
            and self.move_on.decision.status in (DecisionStatus.AGREED, DecisionStatus.REVIEWED)
        )

    @property
    def held(self) -> bool:
        return bool(self.move_on and getattr(self.move_on, "hold_count", 0))


def ready_to_move_on(user: Reader, team: Team) -> list[ReadyRow]:
    """People ready to move on, longest waiting first, with their move-on decision."""
    episodes = list(
        access.scoped(user, Episode)
        .filter(team=team, stage=Stage.READY_TO_MOVE_ON, closed_at__isnull=True)
        .select_related("person", "key_worker")
        .annotate(move_on_id=_latest_move_on_id())
        .order_by("stage_since", "pk")
    )
    move_on = _move_on_decisions(getattr(e, "move_on_id", None) for e in episodes)
    audit_people_shown(user, (e.person_id for e in episodes), f"Ready to move on in {team.name}")
    return [ReadyRow(e, move_on.get(e.pk)) for e in episodes]
