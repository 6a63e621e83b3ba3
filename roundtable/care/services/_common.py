"""Who may act: changes to a person's care are made by the team caring for them."""

from __future__ import annotations

from roundtable.care.models import Episode
from roundtable.core.errors import NotAllowed
from roundtable.directory.models import Membership, Person


def is_team_member(person: Person, team_id: int) -> bool:
    return Membership.objects.filter(person=person, team_id=team_id).exists()


def _check_caring_team(actor: Person, episode: Episode, doing: str) -> None:
    """Changes to a person's care are made by the team caring for them."""
    if not is_team_member(actor, episode.team_id):
        raise NotAllowed(f"Only members of {episode.team.name} can {doing}.")
