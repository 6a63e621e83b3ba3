"""What every part of the demo's story builds on: the directory `build_demo` made, and a
builder with its own seeded random stream.

Everything here is synthetic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from roundtable.demo.history import Window
from roundtable.directory.models import Locality, MembershipRole, Organisation, Person, Team
from roundtable.forums.models import Forum


@dataclass
class DemoDirectory:
    """What `build_demo` made, for each part of the story to build on."""

    admin: Person
    organisations: dict[str, Organisation]
    localities: dict[str, Locality]
    teams: dict[str, Team]
    named: dict[str, Person]
    roster_people: dict[str, list[tuple[str, str, Person]]]  # team -> (role, discipline, person)

    def team_key(self, team_id: int) -> str:
        return next(key for key, team in self.teams.items() if team.pk == team_id)

    def forum(self, team: str, kind: str) -> Forum:
        """The team's own forum of `kind`: its huddle, its MDT, the board's meeting."""
        return Forum.objects.get(home_team=self.teams[team], kind=kind)

    def team_leader(self, team: str) -> Person:
        return next(
            p for role, _, p in self.roster_people[team] if role == MembershipRole.TEAM_LEADER
        )

    def clinical_lead(self, team: str) -> Person:
        return next(
            p for role, _, p in self.roster_people[team] if role == MembershipRole.CLINICAL_LEAD
        )

    def member(self, team: str, discipline: str) -> Person:
        """The team's first member of `discipline` who holds no role in it."""
        return next(
            p
            for role, slug, p in self.roster_people[team]
            if slug == discipline and role == MembershipRole.MEMBER
        )

    def named_ids(self) -> set[int]:
        """The people named by persona key or slot ref, but the administrator."""
        return {person.pk for key, person in self.named.items() if key != "administrator"}


class StoryBuilder:
    """What each part of the demo's story is built from: the directory, a seeded random stream
    of its own (so that one part's draws never shift another's) and the reference day."""

    def __init__(self, directory: DemoDirectory, *, stream: str, seed: int, today: date) -> None:
        self.d = directory
        self.rng = random.Random(f"forest-vale-{stream}-{seed}")  # noqa: S311 - synthetic data
        self.today = today
        self.window = Window(today)
