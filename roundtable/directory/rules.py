"""Object permissions for the directory, written once (django-rules) and used by pages and API."""

from __future__ import annotations

from rules.permissions import add_perm
from rules.predicates import predicate

from roundtable.core.access import Reader
from roundtable.directory.models import LeadershipLevel, MembershipRole, Person, Team


@predicate
def is_administrator(user: Reader) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.is_staff))


@predicate
def is_self(user: Reader, person: Person | None) -> bool:
    return bool(person is not None and user.pk == person.pk)


@predicate
def leads_team(user: Reader, team: Team | None) -> bool:
    """A team leader or clinical lead of the team, or a member of its leadership team."""
    if team is None or not user.is_authenticated:
        return False
    if team.memberships.filter(
        person=user, role__in=[MembershipRole.TEAM_LEADER, MembershipRole.CLINICAL_LEAD]
    ).exists():
        return True
    return team.leadership_teams.filter(
        level__in=[LeadershipLevel.TEAM, LeadershipLevel.PROJECT], members=user
    ).exists()


add_perm("directory.manage_organisations", is_administrator)
add_perm("directory.change_person", is_self | is_administrator)
add_perm("directory.change_team", leads_team | is_administrator)
