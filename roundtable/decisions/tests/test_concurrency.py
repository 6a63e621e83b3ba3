"""Fifty people take positions at the same moment: exactly fifty positions, none lost or doubled."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from roundtable.decisions import services
from roundtable.decisions.models import Decision, Position, PositionEvent
from roundtable.directory.models import Person
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind, ForumMembership

PEOPLE = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_positions_at_the_same_moment(system):
    forum = forum_services.forum_create(
        actor=system.board_member, name="Large forum", kind=ForumKind.BOARD
    )
    people = Person.objects.bulk_create(
        Person(email=f"member{i}@example.nhs.uk", full_name=f"Member {i:02d}")
        for i in range(PEOPLE)
    )
    people = list(Person.objects.filter(email__startswith="member"))
    ForumMembership.objects.bulk_create(ForumMembership(forum=forum, person=p) for p in people)
    decision = services.decision_propose(
        actor=system.board_member, forum=forum, kind="other", title="T", proposal="P"
    )
    start = threading.Barrier(PEOPLE)
    errors: list[BaseException] = []

    def take(person: Person) -> None:
        try:
            start.wait(timeout=30)
            # Each person asks twice at once, as a double-clicked button would.
            services.position_take(
                actor=person, decision=Decision.objects.get(pk=decision.pk), stance="consent"
            )
            services.position_take(
                actor=person, decision=Decision.objects.get(pk=decision.pk), stance="consent"
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Position.objects.filter(decision=decision).count() == PEOPLE
    assert PositionEvent.objects.filter(decision=decision).count() == PEOPLE
    assert connection.vendor in {"postgresql", "sqlite"}
