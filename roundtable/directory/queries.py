"""Building-block reads of the directory: who leads a team, who is in one.

Not scoped to a reader: access policies, services and selectors of any app build on them, so
they sit below all three and import none of them.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from roundtable.directory.models import (
    LeadershipLevel,
    LeadershipMembership,
    Membership,
    Person,
    Team,
)


def leading(team: Team) -> Q:
    """Leadership memberships of a leadership team of the team itself (team or project level)
    or of its organisation."""
    return Q(
        leadership_team__level__in=[LeadershipLevel.TEAM, LeadershipLevel.PROJECT],
        leadership_team__team_id=team.pk,
    ) | Q(
        leadership_team__level=LeadershipLevel.ORGANISATION,
        leadership_team__organisation_id=team.organisation_id,
    )


def leads_team(person: Person, team: Team) -> bool:
    """In a leadership team of the team itself (team or project level) or of its organisation."""
    return LeadershipMembership.objects.filter(leading(team), person_id=person.pk).exists()


def teams_led_by(person: Person) -> QuerySet[Team]:
    """The teams `person` leads: those whose own or organisation's leadership team they are in."""
    memberships = LeadershipMembership.objects.filter(person_id=person.pk)
    return Team.objects.filter(
        Q(
            leadership_teams__level__in=[LeadershipLevel.TEAM, LeadershipLevel.PROJECT],
            leadership_teams__memberships__in=memberships,
        )
        | Q(
            organisation__leadership_teams__level=LeadershipLevel.ORGANISATION,
            organisation__leadership_teams__memberships__in=memberships,
        )
    ).distinct()


def is_member(person: Person, team: Team) -> bool:
    return Membership.objects.filter(person_id=person.pk, team_id=team.pk).exists()


def members_and_leaders(team: Team) -> QuerySet[Person]:
    """The active people in `team` or who lead it (its own or its organisation's leadership
    team), by name."""
    leads = Q(
        leadership_memberships__leadership_team__level__in=[
            LeadershipLevel.TEAM,
            LeadershipLevel.PROJECT,
        ],
        leadership_memberships__leadership_team__team_id=team.pk,
    ) | Q(
        leadership_memberships__leadership_team__level=LeadershipLevel.ORGANISATION,
        leadership_memberships__leadership_team__organisation_id=team.organisation_id,
    )
    in_team = Person.objects.filter(memberships__team_id=team.pk).values("pk")
    led = Person.objects.filter(leads).values("pk")
    return Person.objects.filter(Q(pk__in=in_team) | Q(pk__in=led), is_active=True).order_by(
        "full_name", "pk"
    )
