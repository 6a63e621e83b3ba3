"""Who sees what the team learned: the team and its leadership, and never more of a person in
care than they may already see.

- An event is seen by the members of its team and by those who lead the team (its own or its
  organisation's leadership team); one that names a person in care, only by those of them who
  may see that person (`roundtable.care.access`).
- A response is seen by those who see its team and every event it covers: a thematic review
  that links an event about someone the reader may not see stays hidden from that reader, so
  nothing of the person leaks through the review. What is recorded in a response (factors,
  who took part, learning, actions) follows the response.
- Support offered after an event is seen by the person offered it and by the leadership of
  their team — not by the rest of the team, whatever the event.
- Tests of change (ramps and their cycles) are seen like events without a person: by the team
  and those who lead it.
- Practice notes, their tags, comments and "we tried this too" links are shared with everyone
  signed in, across sites and organisations: that is what they are for, and they never name a
  person in care.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from roundtable.care.access import visible_people
from roundtable.core import access
from roundtable.directory.models import Membership, Person, Team
from roundtable.directory.queries import teams_led_by
from roundtable.learning.models import (
    ActionEvent,
    ChangeCycle,
    ContributoryFactor,
    CycleEvent,
    LearningEvent,
    LearningResponse,
    LearningStatement,
    Participant,
    PracticeComment,
    PracticeNote,
    PracticeTag,
    Ramp,
    ResponseEvent,
    SafetyAction,
    SupportAfterEvent,
    TriedToo,
)


def learning_teams(user: Person) -> QuerySet[Team]:
    """The teams whose learning `user` sees: those they are in and those they lead."""
    mine = Membership.objects.filter(person_id=user.pk).values("team_id")
    return Team.objects.filter(Q(pk__in=mine) | Q(pk__in=teams_led_by(user).values("pk")))


def visible_events(user: Person) -> QuerySet[LearningEvent]:
    return LearningEvent.objects.filter(team__in=learning_teams(user)).filter(
        Q(person__isnull=True) | Q(person__in=visible_people(user).values("pk"))
    )


def visible_responses(user: Person) -> QuerySet[LearningResponse]:
    hidden = ResponseEvent.objects.exclude(event__in=visible_events(user).values("pk"))
    return LearningResponse.objects.filter(team__in=learning_teams(user)).exclude(
        pk__in=hidden.values("response_id")
    )


def _events(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(pk__in=visible_events(user).values("pk"))


def _responses(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(pk__in=visible_responses(user).values("pk"))


def _in_response(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(response__in=visible_responses(user).values("pk"))


def _action_events(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(action__response__in=visible_responses(user).values("pk"))


def _support(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(
        Q(offer__person_id=user.pk) | Q(offer__team__in=teams_led_by(user).values("pk"))
    )


def _ramps(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(team__in=learning_teams(user).values("pk"))


def _cycles(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(ramp__team__in=learning_teams(user).values("pk"))


def _cycle_events(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(cycle__ramp__team__in=learning_teams(user).values("pk"))


access.register(LearningEvent, _events)
access.register(LearningResponse, _responses)
for model in (ResponseEvent, ContributoryFactor, Participant, LearningStatement, SafetyAction):
    access.register(model, _in_response)
access.register(ActionEvent, _action_events)
access.register(SupportAfterEvent, _support)
access.register(Ramp, _ramps)
access.register(ChangeCycle, _cycles)
access.register(CycleEvent, _cycle_events)
for shared in (PracticeNote, PracticeTag, PracticeComment, TriedToo):
    access.register(shared, access.everyone_signed_in)
