"""Who may act in the care flow, written once (django-rules) and used to offer actions.

The services are the authority and refuse with a message; these rules decide which forms a page
offers, and answer 403 to someone who can never take an action (a partner who sees a person by
their consent, but is not in the team caring for them, cannot change their care).
"""

from __future__ import annotations

from rules.permissions import add_perm
from rules.predicates import predicate

from roundtable.care.models import Episode, PersonInCare
from roundtable.core.access import Reader
from roundtable.directory.models import LeadershipMembership, Membership, Team
from roundtable.directory.rules import is_administrator


@predicate
def is_leader(user: Reader) -> bool:
    """A member of any leadership team: board, organisation, team or project."""
    if not user.is_authenticated:
        return False
    return LeadershipMembership.objects.filter(person_id=user.pk).exists()


@predicate
def is_team_member(user: Reader, team: Team | None) -> bool:
    if team is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(person_id=user.pk, team_id=team.pk).exists()


@predicate
def is_caring_team_member(user: Reader, episode: Episode | None) -> bool:
    """A member of the team the episode is with: the people who change the person's care."""
    if episode is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(person_id=user.pk, team_id=episode.team_id).exists()


@predicate
def cares_for(user: Reader, person: PersonInCare | None) -> bool:
    """A member of a team the person has (or had) an episode with."""
    if person is None or not user.is_authenticated:
        return False
    return Episode.objects.filter(person=person, team__memberships__person_id=user.pk).exists()


# The offer catalogue is the system's: administrators and leaders of any level look after it.
add_perm("care.change_offers", is_administrator | is_leader)
add_perm("care.refer_to_team", is_team_member)
add_perm("care.change_episode", is_caring_team_member)
add_perm("care.record_consent", cares_for)
