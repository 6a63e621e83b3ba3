"""What referring needs: the teams someone may be referred again to, whether they are already
recorded, GP practices and key workers."""

from __future__ import annotations

from roundtable.care.models import Episode, PersonInCare
from roundtable.care.selectors.teams import my_care_teams
from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.directory.models import Membership, Organisation, OrganisationKind, Person, Team


def teams_to_refer_again(user: Person, person: PersonInCare) -> list[Team]:
    """The user's teams that `person` could be referred again to: those of them with no open
    episode of theirs (the user is in each, so may know whether it has one)."""
    teams = my_care_teams(user)
    open_with = set(
        Episode.objects.filter(
            person=person, team__in=[t.pk for t in teams], closed_at__isnull=True
        ).values_list("team_id", flat=True)
    )
    return [t for t in teams if t.pk not in open_with]


def person_by_local_id(user: Reader, local_id: str) -> PersonInCare | None:
    """Someone already recorded with this local identifier, if the user may see them: the
    referral page then offers to refer them again from their page instead."""
    if not local_id.strip():
        return None
    return access.scoped(user, PersonInCare).filter(local_id=local_id.strip()).first()


def gp_practices() -> list[Organisation]:
    return list(
        Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE).order_by("name", "pk")
    )


def referral_key_workers(teams: list[Team]) -> dict[int, list[Person]]:
    """The active members of each team, by name, in one query: who may be a key worker."""
    found: dict[int, list[Person]] = {team.pk: [] for team in teams}
    for membership in (
        Membership.objects.filter(team__in=teams, person__is_active=True)
        .select_related("person")
        .order_by("person__full_name", "person_id")
    ):
        found[membership.team_id].append(membership.person)
    return found
