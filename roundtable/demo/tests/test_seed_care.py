"""`roundtable seed`: people in care, ten years of episodes and their pathway events."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from nhs_number.validate import is_valid

from roundtable.care import selectors
from roundtable.care.models import (
    CLOSED_STAGES,
    CareAction,
    Episode,
    HuddleNote,
    Offer,
    PathwayEvent,
    PersonInCare,
    ReferralSource,
    Stage,
    Zone,
    ZoneChange,
)
from roundtable.care.services import DEFAULT_ZONES
from roundtable.demo.scale_care import (
    CARE_TEAM_WEIGHTS,
    OPEN_PER_STAFF,
    PAST_PER_STAFF,
    NhsNumbers,
)
from roundtable.directory.models import MembershipRole, Person, Team, TeamKind

pytestmark = pytest.mark.django_db

BOARD_STAGES = (Stage.WAITING, Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON)


def run_seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


def test_seeded_episodes_agree_with_their_pathway_events():
    output = run_seed("--scale", "1")
    staff = Person.objects.count()
    care_teams = Team.objects.filter(kind__in=list(CARE_TEAM_WEIGHTS))
    open_episodes = Episode.objects.filter(closed_at__isnull=True)
    past = Episode.objects.filter(closed_at__isnull=False)
    assert open_episodes.count() == OPEN_PER_STAFF * staff
    # Past episodes are made per team until its share is reached (a return may add one).
    assert PAST_PER_STAFF * staff <= past.count() <= PAST_PER_STAFF * staff + care_teams.count()
    assert set(Episode.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(Episode.objects.values_list("team__kind", flat=True)) == set(CARE_TEAM_WEIGHTS)
    for line in ("people in care", "open episodes", "past episodes", "pathway events"):
        assert line in output

    events: dict[int, list[tuple[str, str, datetime]]] = {}
    for episode_id, from_stage, to_stage, at in PathwayEvent.objects.order_by(
        "at", "pk"
    ).values_list("episode_id", "from_stage", "to_stage", "at"):
        events.setdefault(episode_id, []).append((from_stage, to_stage, at))
    now = timezone.now()
    ten_years = now - timedelta(days=3660)
    for episode in Episode.objects.all():
        history = events[episode.pk]
        first, last = history[0], history[-1]
        assert first[0] == ""
        assert first[2] == episode.referred_at
        assert ten_years < episode.referred_at
        # Each event starts where the one before ended: a path through the state machine.
        for before, after in pairwise(history):
            assert after[0] == before[1]
        assert episode.stage == last[1]
        assert episode.stage_since == last[2] < now
        assert (episode.closed_at is not None) == (episode.stage in CLOSED_STAGES)
        if episode.closed_at is not None:
            assert episode.closed_at == last[2]
        offered = [at for _, to_stage, at in history if to_stage == Stage.OFFER_MADE]
        if offered:
            assert episode.days_to_offer == (offered[0] - episode.referred_at).days
            assert episode.offer_id is not None
        else:
            assert episode.days_to_offer is None
        if episode.stage == Stage.MOVED_ON:
            assert episode.destination
            assert history[-2][1] == Stage.READY_TO_MOVE_ON
            assert episode.days_ready_to_moved_on == (last[2] - history[-2][2]).days
        else:
            assert episode.days_ready_to_moved_on is None
        if episode.previous_id is not None:
            assert first[1] == Stage.IN_SUPPORT
            assert episode.referral_source == ReferralSource.RE_REFERRAL
    for model in (Episode, PersonInCare, PathwayEvent, ZoneChange, HuddleNote, CareAction):
        for obj in model.objects.order_by("pk")[:: max(1, model.objects.count() // 50)]:
            obj.full_clean()


def test_returns_people_zones_and_the_bench_caseload():
    run_seed("--scale", "1")
    window = timedelta(days=settings.REREFERRAL_WINDOW_DAYS)
    returns = Episode.objects.filter(previous__isnull=False).select_related("previous")
    assert returns.filter(closed_at__isnull=True).exists()
    assert returns.filter(closed_at__isnull=False).exists()
    for episode in returns:
        previous = episode.previous
        assert previous is not None
        assert previous.stage == Stage.MOVED_ON
        assert previous.closed_at is not None
        assert previous.person_id == episode.person_id
        assert previous.team_id == episode.team_id
        assert timedelta(0) < episode.referred_at - previous.closed_at <= window
    # One person per chain of episodes: only returns share a person.
    people = PersonInCare.objects.count()
    assert people == Episode.objects.count() - returns.count()
    assert not Episode.objects.values("person").annotate(n=Count("pk")).filter(n__gt=2).exists()

    numbers = list(PersonInCare.objects.values_list("nhs_number", flat=True))
    known = [n for n in numbers if n]
    assert len(set(known)) == len(known)
    assert people * 0.75 < len(known) < people
    assert all(n.startswith("999") and is_valid(n) for n in known)

    # The default five zones for every community, primary care and VCSE team.
    care_teams = Team.objects.filter(kind__in=list(CARE_TEAM_WEIGHTS))
    assert Zone.objects.count() == care_teams.count() * len(DEFAULT_ZONES)
    for team in care_teams:
        assert list(team.zones.order_by("position").values_list("name", flat=True)) == [
            name for name, *_ in DEFAULT_ZONES
        ]
    zoned = Episode.objects.filter(zone__isnull=False)
    assert not zoned.filter(closed_at__isnull=False).exists()
    assert not zoned.exclude(stage__in=BOARD_STAGES).exists()
    # Someone ready to move on is in the ready zone, and only they are.
    assert not zoned.filter(zone__marks_ready=True).exclude(stage=Stage.READY_TO_MOVE_ON).exists()
    assert (
        not Episode.objects.filter(stage=Stage.READY_TO_MOVE_ON)
        .exclude(zone__marks_ready=True)
        .exists()
    )
    for episode in zoned:
        last = episode.zone_changes.order_by("at", "pk").last()
        assert last is not None
        assert (last.to_zone_id, last.at) == (episode.zone_id, episode.zone_since)
        assert last.to_zone.team_id == episode.team_id
    # Each change keeps the local day it was made on (the zone mix by day counts by it).
    assert all(change.day == timezone.localdate(change.at) for change in ZoneChange.objects.all())
    assert CareAction.objects.filter(due_on__lt=timezone.localdate()).exists()
    assert CareAction.objects.filter(due_on__gte=timezone.localdate()).exists()
    assert HuddleNote.objects.exists()
    # Each episode keeps its newest note, as the service does when a note is written.
    newest: dict[int, int] = {}
    for note in HuddleNote.objects.order_by("at", "pk"):
        newest[note.episode_id] = note.pk
    assert (
        dict(Episode.objects.filter(latest_note__isnull=False).values_list("pk", "latest_note"))
        == newest
    )
    assert Offer.objects.values("organisation").distinct().count() > 3

    # The benchmark's team: the first community team, with the biggest board.
    bench = Team.objects.filter(kind=TeamKind.CMHT).order_by("pk").first()
    assert bench is not None
    leader = Person.objects.get(
        memberships__team=bench, memberships__role=MembershipRole.TEAM_LEADER
    )
    board = selectors.huddle_board(leader, bench, zones=list(bench.zones.all()))
    assert board.count == 200  # a quarter of the open episodes at --scale 1; 400 from --scale 40
    assert all(column.cards for column in board.columns)
    sizes = Counter(
        Episode.objects.filter(closed_at__isnull=True, stage__in=BOARD_STAGES).values_list(
            "team_id", flat=True
        )
    )
    assert max(sizes, key=lambda team_id: sizes[team_id]) == bench.pk

    flow = selectors.flow_measures()
    assert flow.moved_on == Episode.objects.filter(stage=Stage.MOVED_ON).count()
    assert flow.came_back == returns.count()
    assert (
        flow.referral_to_offer.count == Episode.objects.filter(days_to_offer__isnull=False).count()
    )
    assert (
        flow.zone_mix[-1][1]["Ready to move on"]
        == Episode.objects.filter(stage=Stage.READY_TO_MOVE_ON).count()
    )


def test_the_same_seed_gives_the_same_people_in_care():
    def fingerprint() -> tuple[object, ...]:
        return (
            sorted(PersonInCare.objects.values_list("local_id", "nhs_number", "name")),
            sorted(
                Episode.objects.values_list(
                    "person__local_id", "team__name", "stage", "days_to_offer", "zone__name"
                ),
                key=repr,
            ),
            PathwayEvent.objects.count(),
            ZoneChange.objects.count(),
        )

    run_seed("--people", "40", "--teams", "10")
    first = fingerprint()
    run_seed("--people", "40", "--teams", "10", "--reset")
    assert fingerprint() == first


def test_nhs_numbers_step_through_the_test_range_without_repeats():
    import random

    numbers = NhsNumbers(random.Random(3))
    drawn = [numbers.next() for _ in range(20_000)]
    assert len(set(drawn)) == len(drawn)
    assert all(n.startswith("999") and len(n) == 10 and is_valid(n) for n in drawn)
