"""Voice's building-block reads: whose a concern is and who is in that leadership team.

Not scoped to a reader: the access rules (`rules.py`), the services and the selectors build on
them, so they sit below all three and import none of them.
"""

from __future__ import annotations

import hashlib

from roundtable.directory.models import (
    LeadershipLevel,
    LeadershipMembership,
    LeadershipTeam,
    Organisation,
    Person,
    Team,
)
from roundtable.voice.models import Concern, ConcernLevel


def hash_receipt(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _system_leadership() -> LeadershipTeam | None:
    return LeadershipTeam.objects.filter(level=LeadershipLevel.SYSTEM).order_by("pk").first()


def _organisation_leadership(organisation_id: int | None) -> LeadershipTeam | None:
    if organisation_id is None:
        return None
    return (
        LeadershipTeam.objects.filter(
            level=LeadershipLevel.ORGANISATION, organisation_id=organisation_id
        )
        .order_by("pk")
        .first()
    )


def _team_leadership(team_id: int) -> LeadershipTeam | None:
    return (
        LeadershipTeam.objects.filter(level=LeadershipLevel.TEAM, team_id=team_id)
        .order_by("pk")
        .first()
    )


def owner_for(
    level: str, *, team: Team | None = None, organisation: Organisation | None = None
) -> LeadershipTeam | None:
    """The leadership team a concern raised at `level` goes to.

    A team without its own leadership team passes the concern to its organisation's, and an
    organisation without one to the system's: a concern always reaches someone who can act.
    """
    if level == ConcernLevel.TEAM and team is not None:
        return (
            _team_leadership(team.pk)
            or _organisation_leadership(team.organisation_id)
            or _system_leadership()
        )
    if level == ConcernLevel.ORGANISATION and organisation is not None:
        return _organisation_leadership(organisation.pk) or _system_leadership()
    if level == ConcernLevel.SYSTEM:
        return _system_leadership()
    return None


def next_owner(concern: Concern) -> LeadershipTeam | None:
    """The leadership team one level up from the concern's owner, or None at the top."""
    owner = concern.owner
    if owner.level == LeadershipLevel.SYSTEM:
        return None
    if owner.level in (LeadershipLevel.TEAM, LeadershipLevel.PROJECT):
        organisation_id = concern.team.organisation_id if concern.team else None
        return _organisation_leadership(organisation_id) or _system_leadership()
    return _system_leadership()


def is_owner_member(person: Person, concern: Concern) -> bool:
    """Whether `person` is in the leadership team that owns the concern now."""
    return LeadershipMembership.objects.filter(
        leadership_team_id=concern.owner_id, person_id=person.pk
    ).exists()
