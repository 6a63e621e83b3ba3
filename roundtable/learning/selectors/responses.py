"""Reads for learning, scoped to the person asking (`roundtable.learning.access`).

Every list reads a fixed number of queries however many events, responses and actions there are
(the tests count them): related rows come with `select_related`/`prefetch_related`, and counts
are aggregated in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from roundtable.care.models import PersonInCare
from roundtable.core import access
from roundtable.core.access import Reader
from roundtable.directory.models import LeadershipLevel, LeadershipTeam, Person, Team
from roundtable.directory.queries import members_and_leaders, teams_led_by
from roundtable.learning.access import learning_teams
from roundtable.learning.models import (
    ActionStatus,
    ContributoryFactor,
    LearningEvent,
    LearningResponse,
    LearningStatement,
    Participant,
    PracticeNote,
    Ramp,
    SafetyAction,
)
from roundtable.learning.selectors.cycles import ramp_list
from roundtable.learning.selectors.exchange import newest_notes
from roundtable.learning.selectors.history import HistoryEntry, decision_histories


def today() -> date:
    """The local day: what is overdue is counted from it."""
    return timezone.localdate()


# -- Events -------------------------------------------------------------------------------------


def event_list(user: Reader, team: Team | None = None) -> QuerySet[LearningEvent]:
    """The events `user` may see, newest first, each with its team and how many responses."""
    events = access.scoped(user, LearningEvent)
    if team is not None:
        events = events.filter(team=team)
    return (
        events.select_related("team")
        .annotate(response_count=Count("responses"))
        .order_by("-happened_on", "-pk")  # an aggregate drops the model's own ordering
    )


def event_get(user: Reader, event_id: int) -> LearningEvent:
    """One event `user` may see, or 404 (audited: it may name a person in care)."""
    return access.get_visible(
        user,
        LearningEvent,
        LearningEvent.objects.select_related("team", "person", "episode", "recorded_by"),
        pk=event_id,
    )


@dataclass(frozen=True)
class EventPage:
    event: LearningEvent
    responses: list[LearningResponse]


def event_page(user: Reader, event_id: int) -> EventPage:
    event = event_get(user, event_id)
    responses = access.scoped(user, LearningResponse).filter(events=event).select_related("team")
    return EventPage(event=event, responses=list(responses))


def events_for_thematic(user: Person) -> QuerySet[LearningEvent]:
    """The events `user` may link in a thematic review: those they see, of teams they lead."""
    return (
        access.scoped(user, LearningEvent)
        .filter(team__in=teams_led_by(user).values("pk"))
        .select_related("team")
    )


def teams_recording(user: Person) -> QuerySet[Team]:
    """The teams whose events and responses `user` records: theirs and those they lead."""
    return learning_teams(user).order_by("name")


# -- Responses ----------------------------------------------------------------------------------


def response_list(user: Reader, team: Team | None = None) -> QuerySet[LearningResponse]:
    """The responses `user` may see, newest first, with their team and open-action count."""
    responses = access.scoped(user, LearningResponse)
    if team is not None:
        responses = responses.filter(team=team)
    return (
        responses.select_related("team")
        .annotate(
            event_count=Count("events", distinct=True),
            open_actions=Count(
                "actions", filter=~Q(actions__status=ActionStatus.DONE), distinct=True
            ),
        )
        .order_by("-held_on", "-pk")  # an aggregate drops the model's own ordering
    )


def response_get(user: Reader, response_id: int, *, audit: bool = True) -> LearningResponse:
    """One response `user` may see, or 404 (audited)."""
    return access.get_visible(
        user,
        LearningResponse,
        LearningResponse.objects.select_related("team", "started_by"),
        audit=audit,
        pk=response_id,
    )


@dataclass(frozen=True)
class ResponsePage:
    response: LearningResponse
    events: list[LearningEvent]
    factors: list[ContributoryFactor]
    participants: list[Participant]
    statements: list[LearningStatement]
    actions: list[SafetyAction]
    today: date
    # The shared decisions about each person the events name, oldest first.
    histories: list[tuple[PersonInCare, list[HistoryEntry]]] = field(default_factory=list)

    @property
    def engaged(self) -> list[Participant]:
        return [p for p in self.participants if p.compassionate_engagement]

    @property
    def person(self) -> object | None:
        """The person in care the response is about, if its events name one."""
        return next((event.person for event in self.events if event.person_id), None)


def response_page(user: Reader, response_id: int) -> ResponsePage:
    """A response with everything it records, and the decision history of the people its events
    name, in a fixed number of queries however much it holds."""
    response = response_get(user, response_id)
    events = list(response.events.select_related("team", "person").order_by("happened_on"))
    people = {event.person.pk: event.person for event in events if event.person is not None}
    histories = decision_histories(user, people)
    return ResponsePage(
        response=response,
        events=events,
        factors=list(response.factors.all()),
        participants=list(response.participants.select_related("person", "organisation")),
        statements=list(response.statements.all()),
        actions=list(response.actions.select_related("owner", "statement")),
        today=timezone.localdate(),
        histories=[(person, histories[pk]) for pk, person in sorted(people.items())],
    )


def factor_get(user: Reader, response: LearningResponse, factor_id: int) -> ContributoryFactor:
    return access.get_visible(
        user, ContributoryFactor, response.factors.all(), audit=False, pk=factor_id
    )


def participant_get(user: Reader, response: LearningResponse, participant_id: int) -> Participant:
    return access.get_visible(
        user, Participant, response.participants.all(), audit=False, pk=participant_id
    )


def statement_get(user: Reader, response: LearningResponse, statement_id: int) -> LearningStatement:
    return access.get_visible(
        user, LearningStatement, response.statements.all(), audit=False, pk=statement_id
    )


# -- Safety actions -----------------------------------------------------------------------------


def action_get(user: Reader, action_id: int, *, audit: bool = True) -> SafetyAction:
    """One action `user` may see, or 404; audited unless the caller is about to change it (the
    change is audited instead)."""
    return access.get_visible(
        user,
        SafetyAction,
        SafetyAction.objects.select_related("response__team", "team", "owner"),
        audit=audit,
        pk=action_id,
    )


def action_list(user: Reader, response: LearningResponse) -> QuerySet[SafetyAction]:
    return access.scoped(user, SafetyAction).filter(response=response).select_related("owner")


def overdue_actions(
    user: Reader, teams: QuerySet[Team] | list[Team], today: date | None = None
) -> QuerySet[SafetyAction]:
    """Actions of these teams that are not done by their due date, the longest overdue first."""
    today = today or timezone.localdate()
    return (
        access.scoped(user, SafetyAction)
        .filter(team__in=teams, due_on__lt=today)
        .exclude(status=ActionStatus.DONE)
        .select_related("team", "owner", "response")
        .order_by("due_on", "pk")
    )


def action_owners(team: Team) -> list[Person]:
    """Who may own a team's safety action: its members and those who lead it (an owner sees the
    action through its response, as they do)."""
    return list(members_and_leaders(team))


def teams_of_leadership(leadership: LeadershipTeam) -> QuerySet[Team]:
    """The teams a leadership team leads: its own team, every team of its organisation, or —
    for the board — every team."""
    if leadership.level == LeadershipLevel.SYSTEM:
        return Team.objects.all()
    if leadership.level == LeadershipLevel.ORGANISATION:
        return Team.objects.filter(organisation__leadership_teams=leadership)
    return Team.objects.filter(leadership_teams=leadership)


# -- Home ---------------------------------------------------------------------------------------


HOME_RAMPS = 3  # the newest tests of change on the start page


@dataclass(frozen=True)
class LearningHome:
    events: list[LearningEvent]
    responses: list[LearningResponse]
    overdue: list[SafetyAction]
    teams: list[Team]
    # The newest tests of change (`selectors.cycles.ramp_list`).
    ramps: list[Ramp] = field(default_factory=list)
    # The newest practice notes (`selectors.exchange.newest_notes`): one query.
    notes: list[PracticeNote] = field(default_factory=list)


def learning_home(user: Person, shown: int = 10) -> LearningHome:
    """The newest events and responses the user sees, and their teams' overdue actions."""
    teams = list(teams_recording(user))
    return LearningHome(
        events=list(event_list(user)[:shown]),
        responses=list(response_list(user)[:shown]),
        overdue=list(overdue_actions(user, teams)),
        teams=teams,
        ramps=list(ramp_list(user)[:HOME_RAMPS]),
        notes=newest_notes(user),
    )
