"""What learning adds to the directory's pages (`roundtable.directory.extensions`): the safety
actions that are overdue, on the team's page and on the page of each leadership team that leads
it. Each panel reads through the access rules for the reader, in one query: someone outside the
team, or who may not see the person an action's response is about, sees no panel."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from roundtable.directory.models import LeadershipTeam, Team
from roundtable.learning import selectors
from roundtable.learning.models import Act, ActionStatus, CycleStatus, ResponseStatus, TakenUp

# The colour of each status's tag, on the learning pages and the panels alike.
STATUS_TAGS = {
    ResponseStatus.OPEN: "blue",
    ResponseStatus.FINISHED: "green",
    ActionStatus.AGREED: "blue",
    ActionStatus.IN_PROGRESS: "purple",
    ActionStatus.DONE: "green",
    TakenUp.WAITING: "grey",
    TakenUp.ACCEPTED: "green",
    TakenUp.DECLINED: "white",
    CycleStatus.PLANNED: "blue",
    CycleStatus.DOING: "purple",
    CycleStatus.CLOSED: "green",
    Act.ADOPT: "green",
    Act.ADAPT: "yellow",
    Act.ABANDON: "grey",
}


def _panel(request: HttpRequest, teams: QuerySet[Team] | list[Team], *, by_team: bool) -> str:
    actions = list(selectors.overdue_actions(request.user, teams))
    if not actions:
        return ""
    context = {
        "actions": actions,
        "by_team": by_team,
        "today": selectors.today(),
        "caption": "Overdue safety actions",
        "status_tags": STATUS_TAGS,
    }
    # Rendered with autoescaping, so marked safe for the page to show as it is.
    return SafeString(render_to_string("learning/_overdue_panel.jinja", context, request=request))


def team_overdue(request: HttpRequest, team: Team) -> str:
    return _panel(request, [team], by_team=False)


def leadership_overdue(request: HttpRequest, leadership: LeadershipTeam) -> str:
    return _panel(request, selectors.teams_of_leadership(leadership), by_team=True)
