"""The teams the user cares in, and their members, forums, today's meetings and zones."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404

from roundtable.care.models import Zone
from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.directory.models import Membership, Person, Team
from roundtable.forums.models import Forum, Meeting
from roundtable.forums.selectors import meetings_today


def my_care_teams(user: Person) -> list[Team]:
    """The teams the user is a member of, by name: the teams whose boards they can open."""
    return list(
        Team.objects.filter(memberships__person=user)
        .select_related("organisation")
        .order_by("name", "pk")
        .distinct()
    )


def care_team_get(user: Reader, team_id: int) -> Team:
    """A team the user belongs to, or 404: a huddle board is for its own team."""
    if not user.is_authenticated:
        raise Http404("No team found.")
    team = (
        Team.objects.filter(pk=team_id, memberships__person=user)
        .select_related("organisation")
        .first()
    )
    if team is None:
        raise Http404("No team found.")
    return team


def huddle_meetings(team: Team, *, now: datetime | None = None) -> list[Meeting]:
    """Today's meetings of the team's forums, to record the huddle in."""
    return list(meetings_today(now=now).filter(forum__home_team=team).select_related("forum"))


def team_meeting_get(team: Team, meeting_id: int) -> Meeting:
    """One of today's meetings of the team's forums, to record a change in, or 404: who was in
    the room is taken from it, so a past meeting's attendance cannot be attached to today's
    changes."""
    meeting = (
        meetings_today()
        .filter(pk=meeting_id, forum__home_team=team)
        .select_related("forum")
        .first()
    )
    if meeting is None:
        raise Http404("No meeting of this team today.")
    return meeting


def team_forums(team: Team) -> list[Forum]:
    """The team's own forums (huddle, MDT …), where its move-on decisions are shared."""
    return list(Forum.objects.filter(home_team=team, is_archived=False).order_by("name", "pk"))


def team_zone_get(team: Team, zone_id: int) -> Zone:
    zone = Zone.objects.filter(pk=zone_id, team=team, is_archived=False).first()
    if zone is None:
        raise Http404("No zone found.")
    return zone


def team_members(team: Team) -> list[Person]:
    return list(
        Person.objects.filter(memberships__team=team, is_active=True)
        .order_by("full_name", "pk")
        .distinct()
    )


def care_zone_get(user: Person, zone_id: int) -> Zone:
    """A zone in use by a team the user is a member of, or 404, as for the team's board."""
    zone = (
        Zone.objects.filter(pk=zone_id, is_archived=False, team__memberships__person=user)
        .select_related("team")
        .first()
    )
    if zone is None:
        raise Http404("No zone found.")
    return zone


def colleague_get(user: Person, person_id: int) -> Person:
    """A member of staff who shares a team with the user (or the user), or 404: whose caseload
    the user may open."""
    my_teams = Membership.objects.filter(person=user).values("team_id")
    found = (
        access.scoped(user, Person)
        .filter(pk=person_id, memberships__team_id__in=my_teams)
        .distinct()
        .first()
    )
    if found is None:
        raise Http404("No colleague found.")
    return found
