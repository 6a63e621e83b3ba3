"""Shapes of the directory API: query parameters in, JSON out.

Output schemas read model instances (and the page objects the selectors build) directly; the
selectors have already loaded every related row they touch, so serialising never queries.
People appear in three sizes: `PersonRef` (who), `PersonCard` (who and where from) and
`PersonSummary`/`PersonDetail` (the directory entry).
"""

from __future__ import annotations

from ninja import Field, Schema

from roundtable.core.schemas import Id
from roundtable.directory.models import (
    LeadershipLevel,
    LeadershipMembership,
    LeadershipTeam,
    Membership,
    MembershipRole,
    OrganisationKind,
    Person,
    TeamKind,
)
from roundtable.directory.selectors import PeopleFilter, TeamFilter

# ---------------------------------------------------------------------------------------------
# Query parameters
# ---------------------------------------------------------------------------------------------

_ID_DESCRIPTION = "The id of {}, as returned by {}."


class _FilterQuery(Schema):
    """Filters of a list: leave a parameter out for any value. An empty one (`?locality=`) is
    not a value, and is refused (422) like any other that does not fit."""


class OrganisationQuery(_FilterQuery):
    kind: OrganisationKind | None = Field(None, description="Only organisations of this kind.")


class TeamQuery(_FilterQuery):
    q: str = Field("", max_length=200, description="Part of the team's name.")
    kind: TeamKind | None = Field(None, description="Only teams of this kind.")
    organisation_kind: OrganisationKind | None = Field(
        None, description="Only teams of organisations of this kind."
    )
    locality: Id | None = Field(
        None, description=_ID_DESCRIPTION.format("a locality", "/directory/localities")
    )
    organisation: Id | None = Field(
        None, description=_ID_DESCRIPTION.format("an organisation", "/directory/organisations")
    )

    def to_filter(self) -> TeamFilter:
        return TeamFilter(
            q=self.q.strip(),
            kind=self.kind.value if self.kind else "",
            organisation_kind=self.organisation_kind.value if self.organisation_kind else "",
            locality=self.locality,
            organisation=self.organisation,
        )


class PeopleQuery(_FilterQuery):
    q: str = Field("", max_length=200, description="Part of the person's name or job title.")
    discipline: str = Field(
        "",
        max_length=50,
        pattern=r"^[-a-z0-9_]*$",
        description="A discipline's slug, as returned by /directory/disciplines (e.g. `nursing`).",
    )
    organisation_kind: OrganisationKind | None = Field(
        None, description="Only people of organisations of this kind."
    )
    locality: Id | None = Field(
        None,
        description="Only members of a team in this locality. "
        + _ID_DESCRIPTION.format("a locality", "/directory/localities"),
    )
    organisation: Id | None = Field(
        None, description=_ID_DESCRIPTION.format("an organisation", "/directory/organisations")
    )

    def to_filter(self) -> PeopleFilter:
        return PeopleFilter(
            q=self.q.strip(),
            discipline=self.discipline,
            organisation_kind=self.organisation_kind.value if self.organisation_kind else "",
            locality=self.locality,
            organisation=self.organisation,
        )


class LeadershipTeamQuery(_FilterQuery):
    level: LeadershipLevel | None = Field(None, description="Only leadership teams at this level.")


# ---------------------------------------------------------------------------------------------
# References: the smallest useful description of a thing, used inside other things
# ---------------------------------------------------------------------------------------------


class DisciplineOut(Schema):
    id: int
    slug: str
    name: str


class LocalityOut(Schema):
    id: int
    name: str


class OrganisationRef(Schema):
    id: int
    name: str
    kind: OrganisationKind


class TeamRef(Schema):
    id: int
    name: str
    kind: TeamKind


class TeamBrief(TeamRef):
    organisation: OrganisationRef
    locality: LocalityOut | None


class PersonRef(Schema):
    id: int
    full_name: str
    job_title: str
    discipline: DisciplineOut | None


class PersonCard(PersonRef):
    organisation: OrganisationRef | None


class LeadershipTeamRef(Schema):
    id: int
    name: str
    level: LeadershipLevel


# ---------------------------------------------------------------------------------------------
# Leadership teams
# ---------------------------------------------------------------------------------------------


class LeadershipMemberOut(Schema):
    person: PersonRef
    role: str = Field(description="What they bring to the leadership team, if recorded.")


class LeadershipTeamWithMembers(LeadershipTeamRef):
    members: list[LeadershipMemberOut] = Field(
        description="The members you may see (people who have left are shown to administrators)."
    )

    @staticmethod
    def resolve_members(obj: LeadershipTeam) -> list[LeadershipMembership]:
        return list(obj.memberships.all())


class LeadershipTeamSummary(LeadershipTeamRef):
    organisation: OrganisationRef | None = Field(
        description="The organisation it leads, for an organisation-level leadership team."
    )
    team: TeamRef | None = Field(
        description="The team or project group it leads, for a team or project level."
    )
    member_count: int


class LeadershipTeamDetail(LeadershipTeamWithMembers):
    organisation: OrganisationRef | None
    team: TeamRef | None


# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------


class PersonTeamOut(Schema):
    team: TeamBrief
    role: MembershipRole


class PersonLeadershipOut(Schema):
    leadership_team: LeadershipTeamRef
    role: str


class PersonSummary(PersonCard):
    email: str
    teams: list[PersonTeamOut]

    @staticmethod
    def resolve_teams(obj: Person) -> list[Membership]:
        return list(obj.memberships.all())


class PersonDetail(PersonSummary):
    is_active: bool = Field(description="False once someone has left; seen by administrators only.")
    leadership_teams: list[PersonLeadershipOut]

    @staticmethod
    def resolve_leadership_teams(obj: Person) -> list[LeadershipMembership]:
        return sorted(
            obj.leadership_memberships.all(), key=lambda m: (m.leadership_team.name, m.pk)
        )


# ---------------------------------------------------------------------------------------------
# Teams
# ---------------------------------------------------------------------------------------------


class TeamSummary(TeamBrief):
    member_count: int


class TeamMemberOut(Schema):
    person: PersonCard
    role: MembershipRole


class TeamDetail(Schema):
    # Read from `selectors.TeamPage`: the team's own fields are under `team`.

    id: int = Field(alias="team.id")
    name: str = Field(alias="team.name")
    kind: TeamKind = Field(alias="team.kind")
    description: str = Field(alias="team.description")
    organisation: OrganisationRef = Field(alias="team.organisation")
    locality: LocalityOut | None = Field(alias="team.locality")
    members: list[TeamMemberOut] = Field(
        description="By name; each with their discipline and organisation, to group by either."
    )
    leadership_teams: list[LeadershipTeamWithMembers]


# ---------------------------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------------------------


class OrganisationSummary(OrganisationRef):
    ods_code: str | None = Field(description="The Organisation Data Service code, if it has one.")
    parent: OrganisationRef | None
    team_count: int


class OrganisationTeamOut(TeamRef):
    locality: LocalityOut | None
    member_count: int


class OrganisationDetail(Schema):
    # Read from `selectors.OrganisationPage`; its own fields are under `organisation`.

    id: int = Field(alias="organisation.id")
    name: str = Field(alias="organisation.name")
    kind: OrganisationKind = Field(alias="organisation.kind")
    ods_code: str | None = Field(alias="organisation.ods_code")
    parent: OrganisationRef | None = Field(alias="organisation.parent")
    children: list[OrganisationRef]
    teams: list[OrganisationTeamOut]
    leadership_teams: list[LeadershipTeamWithMembers]
    people_count: int = Field(description="People of this organisation you may see.")
