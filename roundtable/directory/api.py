"""Directory endpoints under /api/v1/directory/. Thin: parse, call a selector, return.

Every list is paginated (`?page=`, `?page_size=` up to 100; 50 by default) in a stable order,
and answers `{"items": [...], "count": n}`. People are read through the selectors, which apply
the directory's access policy: people who have left are visible to administrators only.
"""

# No `from __future__ import annotations` here: ninja reads the endpoints' annotations when they
# are declared, and `paginate` cannot resolve a postponed `Query[...]` from this module.

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router

from roundtable.core.api import NOT_FOUND, paginated
from roundtable.core.schemas import PathId
from roundtable.directory import selectors
from roundtable.directory.models import (
    Discipline,
    LeadershipTeam,
    Locality,
    Organisation,
    Person,
    Team,
)
from roundtable.directory.schemas import (
    DisciplineOut,
    LeadershipTeamDetail,
    LeadershipTeamQuery,
    LeadershipTeamSummary,
    LocalityOut,
    OrganisationDetail,
    OrganisationQuery,
    OrganisationSummary,
    PeopleQuery,
    PersonDetail,
    PersonSummary,
    TeamDetail,
    TeamQuery,
    TeamSummary,
)

router = Router(tags=["directory"])

# Detail endpoints answer 404 both for ids that do not exist and for records the asker may not
# see, so that a 404 reveals nothing.


@router.get("/organisations", response=list[OrganisationSummary])
@paginated
def organisation_list(
    request: HttpRequest, filters: Query[OrganisationQuery]
) -> QuerySet[Organisation]:
    """Organisations in the care system, by kind and then name."""
    return selectors.organisation_list(filters.kind.value if filters.kind else "")


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationDetail, **NOT_FOUND},
)
def organisation_detail(
    request: HttpRequest, organisation_id: PathId
) -> selectors.OrganisationPage:
    """An organisation with its child organisations, teams and leadership teams."""
    return selectors.organisation_detail(request.user, organisation_id)


@router.get("/localities", response=list[LocalityOut])
@paginated
def locality_list(request: HttpRequest) -> list[Locality]:
    """Localities (places), by name."""
    return selectors.localities()


@router.get("/disciplines", response=list[DisciplineOut])
@paginated
def discipline_list(request: HttpRequest) -> list[Discipline]:
    """Professional disciplines and backgrounds, in their usual order."""
    return selectors.disciplines()


@router.get("/teams", response=list[TeamSummary])
@paginated
def team_list(request: HttpRequest, filters: Query[TeamQuery]) -> QuerySet[Team]:
    """Teams, by name."""
    return selectors.team_list(request.user, filters.to_filter())


@router.get("/teams/{team_id}", response={200: TeamDetail, **NOT_FOUND})
def team_detail(request: HttpRequest, team_id: PathId) -> selectors.TeamPage:
    """A team with its members and its leadership teams."""
    return selectors.team_detail(request.user, team_id)


@router.get("/people", response=list[PersonSummary])
@paginated
def person_list(request: HttpRequest, filters: Query[PeopleQuery]) -> QuerySet[Person]:
    """People you may see, by name, each with their teams."""
    return selectors.people_list(request.user, filters.to_filter())


@router.get("/people/{person_id}", response={200: PersonDetail, **NOT_FOUND})
def person_detail(request: HttpRequest, person_id: PathId) -> Person:
    """A person with their teams and leadership teams. Each read is written to the audit trail."""
    return selectors.person_detail(request.user, person_id)


@router.get("/leadership-teams", response=list[LeadershipTeamSummary])
@paginated
def leadership_team_list(
    request: HttpRequest, filters: Query[LeadershipTeamQuery]
) -> QuerySet[LeadershipTeam]:
    """Leadership teams, by name. Leadership is held by a team, never by one person."""
    return selectors.leadership_team_list(
        request.user, filters.level.value if filters.level else ""
    )


@router.get(
    "/leadership-teams/{leadership_team_id}", response={200: LeadershipTeamDetail, **NOT_FOUND}
)
def leadership_team_detail(request: HttpRequest, leadership_team_id: PathId) -> LeadershipTeam:
    """A leadership team with the members you may see."""
    return selectors.leadership_team_detail(request.user, leadership_team_id)
