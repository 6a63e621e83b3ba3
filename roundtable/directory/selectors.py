"""Reads for the directory, always scoped to the person asking.

People are read through `roundtable.core.access` so that the directory follows the same
need-to-know policy as every other person-identifiable record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.directory.models import (
    ApiToken,
    Discipline,
    LeadershipLevel,
    LeadershipMembership,
    LeadershipTeam,
    Locality,
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    Team,
)


@dataclass(frozen=True)
class PeopleFilter:
    q: str = ""
    discipline: str = ""  # discipline slug
    organisation_kind: str = ""
    locality: int | None = None
    organisation: int | None = None


def _memberships_with_team() -> Prefetch[Any]:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.select_related("team__locality", "team__organisation").order_by(
            "team__name"
        ),
    )


def people_list(user: Reader, filters: PeopleFilter) -> QuerySet[Person]:
    """People the user may see, filtered; each with discipline, organisation and teams."""
    people = access.scoped(user, Person).select_related("discipline", "organisation")
    if filters.q:
        people = people.filter(
            Q(full_name__icontains=filters.q) | Q(job_title__icontains=filters.q)
        )
    if filters.discipline:
        people = people.filter(discipline__slug=filters.discipline)
    if filters.organisation_kind:
        people = people.filter(organisation__kind=filters.organisation_kind)
    if filters.organisation:
        people = people.filter(organisation_id=filters.organisation)
    if filters.locality:
        people = people.filter(
            pk__in=Membership.objects.filter(team__locality_id=filters.locality).values("person_id")
        )
    return people.prefetch_related(_memberships_with_team()).order_by("full_name", "pk")


def person_detail(user: Reader, person_id: int) -> Person:
    """One person, with their teams and leadership teams. 404 if not visible. Audited."""
    queryset = Person.objects.select_related("discipline", "organisation").prefetch_related(
        _memberships_with_team(),
        Prefetch(
            "leadership_memberships",
            queryset=LeadershipMembership.objects.select_related(
                "leadership_team__team", "leadership_team__organisation"
            ).order_by("leadership_team__name", "pk"),
        ),
    )
    return access.get_visible(user, Person, queryset, pk=person_id)


def same_discipline_elsewhere(
    user: Reader, person: Person
) -> list[tuple[Locality | None, list[Person]]]:
    """Others of `person`'s discipline in other localities, grouped by locality.

    For lone roles: the only mental health coach in a locality can find their peers.
    """
    if person.discipline_id is None:
        return []
    own_localities = {
        m.team.locality_id for m in person.memberships.all() if m.team.locality_id is not None
    }
    rows = (
        Membership.objects.filter(
            person__in=access.scoped(user, Person).filter(discipline_id=person.discipline_id)
        )
        .exclude(person=person)
        .exclude(team__locality_id__in=own_localities)
        .select_related("person", "team__locality")
        .order_by("team__locality__name", "person__full_name", "team__name")
    )
    # A peer is listed under each locality they work in; someone whose teams have no locality
    # (a system-wide service) is listed once, under None, only if they have no locality at all.
    people: dict[int, Person] = {}
    localities_of: dict[int, dict[int, Locality]] = {}
    for membership in rows:
        people.setdefault(membership.person_id, membership.person)
        places = localities_of.setdefault(membership.person_id, {})
        if membership.team.locality is not None:
            places[membership.team.locality.pk] = membership.team.locality
    groups: dict[Locality | None, list[Person]] = {}
    for person_id, person_row in people.items():
        for locality in localities_of[person_id].values() or [None]:
            groups.setdefault(locality, []).append(person_row)
    return sorted(
        ((loc, sorted(members, key=lambda p: p.full_name)) for loc, members in groups.items()),
        key=lambda item: (item[0] is None, item[0].name if item[0] else ""),
    )


@dataclass(frozen=True)
class TeamFilter:
    q: str = ""
    kind: str = ""
    organisation_kind: str = ""
    locality: int | None = None
    organisation: int | None = None


def _visible_member_count(user: Reader, relation: str = "memberships") -> Count:
    """How many members of a team the user may see (people who have left are not counted)."""
    visible = access.scoped(user, Person).values("pk")
    return Count(relation, filter=Q(**{f"{relation}__person__in": visible}), distinct=True)


def team_list(user: Reader, filters: TeamFilter) -> QuerySet[Team]:
    teams = Team.objects.select_related("organisation", "locality").annotate(
        member_count=_visible_member_count(user)
    )
    if filters.q:
        teams = teams.filter(name__icontains=filters.q)
    if filters.kind:
        teams = teams.filter(kind=filters.kind)
    if filters.organisation_kind:
        teams = teams.filter(organisation__kind=filters.organisation_kind)
    if filters.locality:
        teams = teams.filter(locality_id=filters.locality)
    if filters.organisation:
        teams = teams.filter(organisation_id=filters.organisation)
    return teams.order_by("name", "pk")


@dataclass
class TeamPage:
    team: Team
    members: list[Membership]
    by_discipline: list[tuple[str, list[Membership]]]
    by_organisation: list[tuple[str, list[Membership]]]
    # The team's own (team and project) leadership teams.
    leadership_teams: list[LeadershipTeam]
    # Every leadership team covering the team, closest first: its own, its organisation's, the
    # system's (`covering_leadership_teams`).
    covering_leadership: list[LeadershipTeam]


def team_detail(user: Reader, team_id: int) -> TeamPage:
    """A team, its members grouped by discipline and by organisation, and the leadership teams
    that cover it.

    Four queries whatever the size of the team.
    """
    team = Team.objects.select_related("organisation", "locality").filter(pk=team_id).first()
    if team is None:
        raise Http404("No team found.")
    members = list(
        Membership.objects.filter(team=team, person__in=access.scoped(user, Person))
        .select_related("person__discipline", "person__organisation")
        .order_by("person__full_name", "pk")
    )

    def discipline_name(m: Membership) -> str:
        return m.person.discipline.name if m.person.discipline else "Discipline not recorded"

    def organisation_name(m: Membership) -> str:
        return m.person.organisation.name if m.person.organisation else "Organisation not recorded"

    by_discipline = _group(members, discipline_name)
    by_organisation = _group(members, organisation_name)
    covering = covering_leadership_teams(user, team=team)
    own = sorted((lt for lt in covering if lt.team_id == team.pk), key=lambda lt: (lt.name, lt.pk))
    return TeamPage(team, members, by_discipline, by_organisation, own, covering)


def _group(members: list[Membership], key: Any) -> list[tuple[str, list[Membership]]]:
    groups: dict[str, list[Membership]] = {}
    for member in members:
        groups.setdefault(key(member), []).append(member)
    return sorted(groups.items(), key=lambda item: item[0])


def organisation_list(kind: str = "") -> QuerySet[Organisation]:
    organisations = Organisation.objects.select_related("parent").annotate(
        team_count=Count("teams", distinct=True)
    )
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations.order_by("kind", "name", "pk")


def organisations_by_kind(
    organisations: QuerySet[Organisation],
) -> list[tuple[str, list[Organisation]]]:
    labels = dict(OrganisationKind.choices)
    grouped: dict[str, list[Organisation]] = {}
    for organisation in organisations:
        grouped.setdefault(labels.get(organisation.kind, organisation.kind), []).append(
            organisation
        )
    order = [label for _, label in OrganisationKind.choices]
    return sorted(
        grouped.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99
    )


@dataclass
class OrganisationPage:
    organisation: Organisation
    children: list[Organisation]
    teams: Sequence[Team]
    # The organisation's own leadership teams.
    leadership_teams: list[LeadershipTeam]
    people_count: int
    # Every leadership team covering the organisation: its own, then the system's.
    covering_leadership: list[LeadershipTeam]


def organisation_get(organisation_id: int) -> Organisation:
    """One organisation, with the one it is part of. 404 if there is none."""
    organisation = Organisation.objects.select_related("parent").filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404("No organisation found.")
    return organisation


def organisation_detail(user: Reader, organisation_id: int) -> OrganisationPage:
    organisation = organisation_get(organisation_id)
    children = list(organisation.children.order_by("name"))
    teams = list(
        organisation.teams.select_related("locality")
        .annotate(member_count=_visible_member_count(user))
        .order_by("name")
    )
    covering = covering_leadership_teams(user, organisation=organisation)
    own = sorted(
        (lt for lt in covering if lt.level == LeadershipLevel.ORGANISATION),
        key=lambda lt: (lt.name, lt.pk),
    )
    people_count = access.scoped(user, Person).filter(organisation=organisation).count()
    return OrganisationPage(organisation, children, teams, own, people_count, covering)


def my_memberships(user: Person) -> list[Membership]:
    return list(
        Membership.objects.filter(person=user)
        .select_related("team__organisation", "team__locality")
        .order_by("team__name")
    )


def my_leadership_teams(user: Person) -> list[LeadershipTeam]:
    return list(
        LeadershipTeam.objects.filter(members=user)
        .select_related("team", "organisation")
        .order_by("name")
    )


def disciplines() -> list[Discipline]:
    return list(Discipline.objects.all())


def localities() -> list[Locality]:
    return list(Locality.objects.all())


def organisations_for_choice(excluding: Organisation | None = None) -> list[Organisation]:
    """Every organisation by name, but `excluding` (one cannot be part of itself)."""
    organisations = Organisation.objects.order_by("name")
    if excluding is not None:
        organisations = organisations.exclude(pk=excluding.pk)
    return list(organisations)


def api_tokens_of(user: Person) -> list[ApiToken]:
    return list(ApiToken.objects.filter(person=user).order_by("-created_at"))


def api_token_of(user: Person, token_id: int) -> ApiToken | None:
    return ApiToken.objects.filter(person=user, pk=token_id).first()


def _visible_leadership_members(user: Reader) -> Prefetch[Any]:
    return Prefetch(
        "memberships",
        queryset=LeadershipMembership.objects.filter(person__in=access.scoped(user, Person))
        .select_related("person__discipline", "person__organisation")
        .order_by("person__full_name", "pk"),
    )


# Closest first: a team's own leadership, a project's, the organisation's, the system's.
_CLOSEST_FIRST = Case(
    When(level=LeadershipLevel.TEAM, then=Value(0)),
    When(level=LeadershipLevel.PROJECT, then=Value(1)),
    When(level=LeadershipLevel.ORGANISATION, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def covering_leadership_teams(
    user: Reader, *, team: Team | None = None, organisation: Organisation | None = None
) -> list[LeadershipTeam]:
    """The leadership teams whose remit includes a team, or an organisation, closest first, each
    with the members the user may see. Two queries.

    A team is covered by its own team and project leadership teams, its organisation's, and the
    system's; an organisation by its own and the system's. (Forums and decisions apply the same
    rule to presence and to holding decisions.)
    """
    scope = Q(level=LeadershipLevel.SYSTEM)
    if team is not None:
        scope |= Q(team=team) | Q(
            level=LeadershipLevel.ORGANISATION, organisation_id=team.organisation_id
        )
    elif organisation is not None:
        scope |= Q(level=LeadershipLevel.ORGANISATION, organisation=organisation)
    return list(
        LeadershipTeam.objects.filter(scope)
        .select_related("organisation", "team__locality")
        .prefetch_related(_visible_leadership_members(user))
        .order_by(_CLOSEST_FIRST, "name", "pk")
    )


def leadership_team_list(user: Reader, level: str = "") -> QuerySet[LeadershipTeam]:
    """Leadership teams, each with what it leads and how many of its members the user may see."""
    leadership = LeadershipTeam.objects.select_related("organisation", "team__locality").annotate(
        member_count=_visible_member_count(user)
    )
    if level:
        leadership = leadership.filter(level=level)
    return leadership.order_by("name", "pk")


def leadership_team_detail(user: Reader, leadership_team_id: int) -> LeadershipTeam:
    """One leadership team with the members the user may see. Two queries."""
    leadership = (
        LeadershipTeam.objects.select_related("organisation", "team__locality")
        .prefetch_related(_visible_leadership_members(user))
        .filter(pk=leadership_team_id)
        .first()
    )
    if leadership is None:
        raise Http404("No leadership team found.")
    return leadership


@dataclass
class LeadershipTeamPage:
    leadership: LeadershipTeam
    # The teams in its remit: an organisation's teams, or the one team or project group it
    # leads. A system leadership team covers every team, so only how many is read.
    teams: list[Team]
    team_count: int


def leadership_team_page(user: Reader, leadership_team_id: int) -> LeadershipTeamPage:
    """A leadership team, its members the user may see, and the teams it covers. Three queries
    whatever its size."""
    leadership = leadership_team_detail(user, leadership_team_id)
    teams: list[Team] = []
    if leadership.level == LeadershipLevel.SYSTEM:
        team_count = Team.objects.count()
    else:
        if leadership.level == LeadershipLevel.ORGANISATION:
            teams = list(
                Team.objects.filter(organisation=leadership.organisation)
                .select_related("locality")
                .annotate(member_count=_visible_member_count(user))
                .order_by("name", "pk")
            )
        elif leadership.team is not None:
            teams = list(
                Team.objects.filter(pk=leadership.team.pk)
                .select_related("locality")
                .annotate(member_count=_visible_member_count(user))
            )
        team_count = len(teams)
    return LeadershipTeamPage(leadership, teams, team_count)


def my_profile(user: Reader) -> Person:
    """The person asking, with their teams and leadership teams.

    Not audited, unlike `person_detail`: reading your own entry discloses nothing, and API
    clients call this on every start to check their token.
    """
    queryset = Person.objects.select_related("discipline", "organisation").prefetch_related(
        _memberships_with_team(),
        Prefetch(
            "leadership_memberships",
            queryset=LeadershipMembership.objects.select_related("leadership_team").order_by(
                "leadership_team__name", "pk"
            ),
        ),
    )
    return access.get_visible(user, Person, queryset, audit=False, pk=user.pk)
