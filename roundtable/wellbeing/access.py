"""Who may read the people-identifying parts of wellbeing.

- Pulse answers and comments identify nobody and are read only as results (`selectors`); the
  marker that someone answered is theirs alone.
- Support sessions and who came: the team's members and leaders, or the circle's members.
- Support offered: the person it was offered to, who offered it, and the leadership of the team.
- Peer circle members are open to everyone signed in, like the directory: the point is to find
  each other.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from roundtable.core import access
from roundtable.directory.models import Person
from roundtable.directory.queries import teams_led_by
from roundtable.wellbeing.models import (
    PeerCircleMembership,
    PulseResponseMarker,
    SupportAttendance,
    SupportOffered,
    SupportSession,
)


def _own(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(person_id=user.pk)


def _session_ids(user: Person) -> QuerySet[Any]:
    return SupportSession.objects.filter(
        Q(team__memberships__person_id=user.pk)
        | Q(team__in=teams_led_by(user).values("pk"))
        | Q(peer_circle__memberships__person_id=user.pk)
    ).values("pk")


def _sessions(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(pk__in=_session_ids(user))


def _attendance(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(session_id__in=_session_ids(user))


def _offered(user: Person, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.filter(
        Q(person_id=user.pk)
        | Q(offered_by_id=user.pk)
        | Q(team__in=teams_led_by(user).values("pk"))
    )


access.register(PulseResponseMarker, _own)
access.register(SupportSession, _sessions)
access.register(SupportAttendance, _attendance)
access.register(SupportOffered, _offered)
access.register(PeerCircleMembership, access.everyone_signed_in)
