"""Helpers for the wellbeing tests."""

from __future__ import annotations

from datetime import date

from roundtable.directory.models import Membership, Person, Team
from roundtable.testing import make_person
from roundtable.wellbeing import services
from roundtable.wellbeing.models import PulseRound

# A day in a month whose round has closed by `LATER`.
IN_MARCH = date(2026, 3, 10)
LATER = date(2026, 4, 2)


def add_people(team: Team, count: int, *, prefix: str = "member") -> list[Person]:
    people = []
    for index in range(count):
        person = make_person(
            f"{prefix}.{team.pk}.{index}@test.nhs.uk",
            f"{prefix.title()} {team.pk}-{index}",
            discipline_slug="nursing",
            organisation=team.organisation,
        )
        Membership.objects.create(person=person, team=team)
        people.append(person)
    return people


def answer_all(
    people: list[Person], pulse_round: PulseRound, value: int = 4, *, day: date = IN_MARCH
) -> None:
    statements = list(pulse_round.statements.all())
    for person in people:
        services.pulse_answer(
            actor=person,
            pulse_round=pulse_round,
            values={s.pk: value for s in statements},
            today=day,
        )
