"""Server time and query count of the directory and presence pages, on a seeded database.

Run by `bench/run.py` in a subprocess whose environment selects the database; prints one line
of JSON. Requests go through Django's test client, so the figures are the server's own time
(middleware, queries, template rendering), without network or browser time. The leadership
presence selector (`forums.selectors.system_presence`) is also timed on its own, called
directly, so that its share of the page's time is visible; so are the huddle board of the team
with the biggest board (`care.selectors.huddle_board`, also as a page, signed in as its team
leader) and the flow measures of the whole system (`care.selectors.flow_measures`). The insights
pages of the whole system (its measures and its leadership cycle, signed in as a member of the
system's leadership team) and of the largest team (signed in as its team leader) read the weekly
roll-up that `insights_rebuild` wrote just before.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from time import perf_counter
from typing import Any


@dataclass(frozen=True)
class PageResult:
    page: str
    url: str
    median_ms: float
    min_ms: float
    max_ms: float
    queries: int
    kilobytes: float


def measure(runs: int) -> dict[str, object]:
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from roundtable.directory.models import MembershipRole, Person, Team
    from roundtable.forums.selectors import system_presence

    # A seeded team leader: an ordinary signed-in user, not an administrator.
    person = (
        Person.objects.filter(
            is_active=True, is_staff=False, memberships__role=MembershipRole.TEAM_LEADER
        )
        .order_by("pk")
        .first()
    )
    largest = Team.objects.annotate(size=Count("memberships")).order_by("-size", "pk").first()
    if person is None or largest is None:
        raise SystemExit("The database has no seeded system: run `roundtable seed` first.")
    size = largest.memberships.count()

    client = Client()
    client.force_login(person)
    pages = [
        ("People list", reverse("directory:people")),
        (f"Team page (largest team, {size} members)", reverse("directory:team", args=[largest.pk])),
        ("Teams list", reverse("directory:teams")),
        ("Organisations list", reverse("directory:organisations")),
    ]
    notes: list[str] = []
    teams = Team.objects.count()
    try:
        pages.append((f"Leadership presence page ({teams} teams)", reverse("forums:presence")))
    except NoReverseMatch:
        notes.append("No leadership presence page (forums:presence) yet: selector timed alone.")
    try:
        decision_id = long_decision()
        pages.append(
            (
                "Decision page (300 positions, 200 comments)",
                reverse("decisions:decision", args=[decision_id]),
            )
        )
    except NoReverseMatch:
        notes.append("No decision page (decisions:decision) yet.")
    clients = dict.fromkeys(url for _, url in pages)
    care_calls, care_notes = care_pages(pages, clients)
    notes += care_notes
    notes += insights_pages(pages, clients, largest)
    results: list[PageResult] = []
    for label, url in pages:
        signed_in = clients[url] or client
        response = signed_in.get(url)  # warm-up: templates compiled, caches filled
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}, not 200.")
        with CaptureQueriesContext(connection) as captured:
            signed_in.get(url)
        # Count now: `captured_queries` reads the connection's log, which the next request resets.
        queries = len(captured.captured_queries)
        timings: list[float] = []
        for _ in range(runs):
            started = perf_counter()
            response = signed_in.get(url)
            timings.append((perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}, not 200.")
        results.append(
            PageResult(
                page=label,
                url=url,
                median_ms=round(statistics.median(timings), 1),
                min_ms=round(min(timings), 1),
                max_ms=round(max(timings), 1),
                queries=queries,
                kilobytes=round(len(response.content) / 1024, 1),
            )
        )
    results.append(
        time_call(
            f"Leadership presence selector ({teams} teams)",
            "forums.selectors.system_presence()",
            lambda: system_presence(),
            runs,
        )
    )
    results += [time_call(label, name, call, runs) for label, name, call in care_calls]
    return {
        "signed_in_as": person.full_name,
        "runs": runs,
        "vendor": connection.vendor,
        "pages": [asdict(result) for result in results],
        "notes": notes,
    }


def care_pages(
    pages: list[tuple[str, str]], clients: dict[str, Any]
) -> tuple[list[tuple[str, str, Callable[[], object]]], list[str]]:
    """The huddle board of the team with the biggest board, seen by its team leader, and the
    flow measures of the whole system: pages appended to `pages` (with their own signed-in
    client in `clients`), and selectors to time directly."""
    from django.db.models import Count
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from roundtable.care.models import Episode, Stage
    from roundtable.care.selectors import flow_measures, huddle_board
    from roundtable.care.services import zones_ensure
    from roundtable.directory.models import MembershipRole, Person, Team

    board_stages = [Stage.WAITING, Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON]
    biggest = (
        Episode.objects.filter(closed_at__isnull=True, stage__in=board_stages)
        .values("team")
        .annotate(n=Count("pk"))
        .order_by("-n", "team")
        .first()
    )
    if biggest is None:
        return [], ["No people in care: the seed made no care data, so care was not timed."]
    team = Team.objects.get(pk=biggest["team"])
    leader = Person.objects.get(
        memberships__team=team, memberships__role=MembershipRole.TEAM_LEADER
    )
    people, episodes = biggest["n"], Episode.objects.count()
    notes: list[str] = []
    try:
        url = reverse("care:board", args=[team.pk])
    except NoReverseMatch:
        notes.append("No huddle board page (care:board) yet: its selector timed alone.")
    else:
        client = Client()
        client.force_login(leader)
        pages.append((f"Huddle board page ({people} people)", url))
        clients[url] = client
    zones = zones_ensure(team=team)
    calls: list[tuple[str, str, Callable[[], object]]] = [
        (
            f"Huddle board selector ({people} people)",
            "care.selectors.huddle_board(leader, team, zones=...)",
            lambda: huddle_board(leader, team, zones=zones),
        ),
        (
            f"Flow measures, all teams ({episodes:,} episodes)",
            "care.selectors.flow_measures()",
            lambda: flow_measures(),
        ),
    ]
    return calls, notes


def insights_pages(pages: list[tuple[str, str]], clients: dict[str, Any], team: Any) -> list[str]:
    """The whole system's insights (its measures and its leadership cycle), seen by an active
    member of the system's leadership team, and `team`'s measures, seen by its team leader:
    appended to `pages`, each with its own signed-in client in `clients`. Notes on what is not
    timed."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from roundtable.directory.models import (
        LeadershipLevel,
        LeadershipMembership,
        MembershipRole,
        Person,
    )
    from roundtable.insights.measures import MEASURES
    from roundtable.insights.models import WeeklyFigure

    try:
        system_urls = [reverse("insights:system-measures"), reverse("insights:system-cycle")]
        team_url = reverse("insights:team-measures", args=[team.pk])
    except NoReverseMatch:
        return ["No insights pages (insights:system-measures) yet."]
    notes: list[str] = []
    if not WeeklyFigure.objects.exists():
        notes.append("The insights roll-up is empty: run `insights_rebuild` before the pages.")
    membership = (
        LeadershipMembership.objects.filter(
            leadership_team__level=LeadershipLevel.SYSTEM, person__is_active=True
        )
        .select_related("person")
        .order_by("person_id")
        .first()
    )
    if membership is None:
        notes.append("No active member of a system leadership team: system insights not timed.")
    else:
        client = Client()
        client.force_login(membership.person)
        measures = len(MEASURES)
        pages.append((f"System insights page ({measures} measures)", system_urls[0]))
        pages.append(("Leadership cycle, whole system", system_urls[1]))
        clients.update(dict.fromkeys(system_urls, client))
    leader = (
        Person.objects.filter(
            is_active=True,
            memberships__team=team,
            memberships__role=MembershipRole.TEAM_LEADER,
        )
        .order_by("pk")
        .first()
    )
    if leader is None:
        notes.append(f"No team leader of {team.name}: its insights page not timed.")
    else:
        client = Client()
        client.force_login(leader)
        pages.append(("Team insights page (largest team)", team_url))
        clients[team_url] = client
    return notes


def long_decision() -> int:
    """A decision with 300 positions and 200 comments in a forum of 300 members, made for the
    benchmark in the throwaway database (the seed makes no decisions)."""
    from roundtable.decisions import services
    from roundtable.decisions.models import Comment, Position
    from roundtable.directory.models import Person
    from roundtable.forums.models import Forum, ForumKind, ForumMembership

    made = Forum.objects.filter(name="Benchmark large forum").first()
    if made is not None:  # made by an earlier run on this database (`run.py --compare-with`)
        return int(made.decisions.values_list("pk", flat=True).get())
    people = list(Person.objects.filter(is_active=True).order_by("pk")[:300])
    forum = Forum.objects.create(name="Benchmark large forum", kind=ForumKind.BOARD)
    ForumMembership.objects.bulk_create(ForumMembership(forum=forum, person=p) for p in people)
    decision = services.decision_propose(
        actor=people[0],
        forum=forum,
        kind="service_change",
        title="Open the front door at weekends",
        proposal="Staff the front door on Saturdays and Sundays, with VCSE partners.",
    )
    stances = ["consent", "consent", "consent", "concern", "stand_aside", "abstain"]
    Position.objects.bulk_create(
        Position(
            decision=decision,
            revision=1,
            person=p,
            stance=stances[i % len(stances)],
            reason="Cover for the crisis line" if stances[i % len(stances)] == "concern" else "",
        )
        for i, p in enumerate(people)
    )
    Comment.objects.bulk_create(
        Comment(decision=decision, author=people[i % len(people)], body=f"Comment {i}", revision=1)
        for i in range(200)
    )
    return decision.pk


def time_call(label: str, name: str, call: Callable[[], object], runs: int) -> PageResult:
    """Median time and query count of a function called directly (no request, no template)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm-up
    with CaptureQueriesContext(connection) as captured:
        call()
    queries = len(captured.captured_queries)
    timings: list[float] = []
    for _ in range(runs):
        started = perf_counter()
        call()
        timings.append((perf_counter() - started) * 1000)
    return PageResult(
        page=label,
        url=name,
        median_ms=round(statistics.median(timings), 1),
        min_ms=round(min(timings), 1),
        max_ms=round(max(timings), 1),
        queries=queries,
        kilobytes=0.0,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="Timed requests per page.")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
