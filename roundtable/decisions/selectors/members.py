"""Reads of who belongs to a decision's forum and who took part in it: the people the services
check and tell."""

from __future__ import annotations

from roundtable.decisions.models import Decision, Position
from roundtable.directory.models import Person
from roundtable.forums.models import ForumMembership


def is_member_of(forum_id: int, person: Person) -> bool:
    """Whether the person is a member of the forum."""
    return ForumMembership.objects.filter(forum_id=forum_id, person=person).exists()


def member_ids(forum_id: int) -> list[int]:
    """The active members of the forum, by id."""
    return list(
        ForumMembership.objects.filter(forum_id=forum_id, person__is_active=True).values_list(
            "person_id", flat=True
        )
    )


def participant_ids(decision: Decision) -> list[int]:
    """Everyone who took a position on the decision, on any revision, by id."""
    return list(
        Position.objects.filter(decision=decision).values_list("person_id", flat=True).distinct()
    )
