"""`roundtable demo`: the offer catalogue and each community team's people in care.

The tests share one build of the demo (the `built` fixture); the last one resets and rebuilds
it twice, inside its own savepoint, which is rolled back after it.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from nhs_number.validate import is_valid

from roundtable.care import selectors
from roundtable.care.models import (
    CLOSED_STAGES,
    CareAction,
    CareDecision,
    ConsentToShare,
    Episode,
    HuddleNote,
    Offer,
    OfferKind,
    PathwayEvent,
    PersonInCare,
    ReferralSource,
    Stage,
    Zone,
    ZoneChange,
)
from roundtable.care.services import DEFAULT_ZONES, zones_ensure
from roundtable.core import access
from roundtable.decisions.models import (
    AllocationRound,
    Approval,
    Budget,
    Decision,
    DecisionKind,
    DecisionStatus,
    Hold,
)
from roundtable.demo.care import (
    CMHT_KEYS,
    FLOW_AFTER_WEEKS,
    FLOW_BEFORE_WEEKS,
    HOLDING_SINCE_WEEKS,
    STORIES,
    nhs_number_for,
)
from roundtable.demo.generator import PERSONAS
from roundtable.demo.tests.conftest import run_demo
from roundtable.directory.models import (
    Membership,
    MembershipRole,
    OrganisationKind,
    Person,
    Team,
    TeamKind,
)
from roundtable.forums.models import AttendanceStatus, ForumKind
from roundtable.safety.models import (
    PositiveRiskPlan,
    SafetyFormulation,
    SafetyPlan,
    SafetyPlanVersion,
    SafetyReview,
)

HARLOW_VALE = "Harlow Vale Community Mental Health Team"

pytestmark = pytest.mark.django_db

BOARD_STAGES = (Stage.WAITING, Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON)


def calendar_days(start: datetime, end: datetime) -> int:
    """Days between two moments as the calendar counts them where the service is (the flow
    measures count calendar days: referred on Monday afternoon, offered on Tuesday morning is
    one day)."""
    return (timezone.localdate(end) - timezone.localdate(start)).days


def persona(key: str) -> Person:
    return Person.objects.get(email=next(p.email for p in PERSONAS if p.key == key))


def cmhts() -> list[Team]:
    return list(Team.objects.filter(kind=TeamKind.CMHT).order_by("name"))


def team_leader(team: Team) -> Person:
    return Person.objects.get(memberships__team=team, memberships__role=MembershipRole.TEAM_LEADER)


def test_people_in_care_at_every_stage_of_the_pathway(built: str) -> None:
    # Each team's stories, and Harlow Vale's year of people moving on, one a week.
    flow = len(FLOW_BEFORE_WEEKS) + len(FLOW_AFTER_WEEKS)
    assert PersonInCare.objects.count() == len(CMHT_KEYS) * len(STORIES) + flow
    stages = Counter(Episode.objects.values_list("stage", flat=True))
    assert set(stages) == set(Stage.values)
    assert stages[Stage.IN_SUPPORT] >= 30
    for team in cmhts():
        team_stages = set(team.episodes.values_list("stage", flat=True))
        assert team_stages == set(Stage.values), team.name
    # Everyone's care is with a community team, led by a key worker from that team (but brand
    # new referrals, which the front door has not yet discussed).
    assert set(Episode.objects.values_list("team__kind", flat=True)) == {TeamKind.CMHT}
    for episode in Episode.objects.exclude(stage=Stage.REFERRED).select_related("key_worker"):
        assert episode.key_worker is not None
        assert Membership.objects.filter(
            person=episode.key_worker, team_id=episode.team_id
        ).exists()
    for model in (PersonInCare, Episode, Offer, Zone):
        for obj in model.objects.all():
            obj.full_clean()


def test_the_history_agrees_with_each_episode(built: str) -> None:
    """Built through the services: each episode's stage, dates and flow figures follow from its
    pathway events."""
    events: dict[int, list[PathwayEvent]] = {}
    for event in PathwayEvent.objects.order_by("at", "pk"):
        events.setdefault(event.episode_id, []).append(event)
    now = timezone.now()
    for episode in Episode.objects.all():
        history = events[episode.pk]
        last = history[-1]
        assert episode.stage == last.to_stage
        assert episode.stage_since == last.at
        assert history[0].at == episode.referred_at
        assert all(a.at <= b.at for a, b in pairwise(history))
        assert last.at < now
        assert (episode.closed_at is not None) == (episode.stage in CLOSED_STAGES)
        if episode.closed_at is not None:
            assert episode.closed_at == last.at
        offered = [e for e in history if e.to_stage == Stage.OFFER_MADE]
        if offered:
            assert episode.days_to_offer == calendar_days(episode.referred_at, offered[0].at)
            assert episode.offer is not None
        else:
            assert episode.days_to_offer is None
        if episode.stage == Stage.MOVED_ON:
            assert history[-2].to_stage == Stage.READY_TO_MOVE_ON
            assert episode.days_ready_to_moved_on == calendar_days(history[-2].at, last.at)
            assert episode.destination


def test_offers_are_decided_together_at_the_front_door(built: str) -> None:
    offers = Offer.objects.all()
    assert len({o.organisation_id for o in offers}) >= 4
    assert {
        OfferKind.PEER_SUPPORT,
        OfferKind.MENTAL_HEALTH_COACH,
        OfferKind.PSYCHOLOGY,
        OfferKind.COMMUNITY_TEAM,
        OfferKind.SIGNPOSTING,
    } <= set(offers.values_list("kind", flat=True))
    assert offers.filter(organisation__kind=OrganisationKind.VCSE).count() >= 3
    assert offers.filter(is_active=False).count() == 1
    offered = PathwayEvent.objects.filter(to_stage=Stage.OFFER_MADE).select_related(
        "decision__meeting__forum"
    )
    assert offered.count() >= 60
    for event in offered:
        decision = event.decision
        assert decision is not None
        assert decision.kind == DecisionKind.FRONT_DOOR_OFFER
        assert decision.status == DecisionStatus.AGREED
        assert decision.meeting is not None
        assert decision.meeting.forum.kind == ForumKind.FRONT_DOOR
        # Everyone who took a position was at the meeting, and the offer is dated at it.
        present = set(
            decision.meeting.attendances.filter(status=AttendanceStatus.PRESENT).values_list(
                "person_id", flat=True
            )
        )
        positions = set(decision.positions.values_list("person_id", flat=True))
        assert len(positions) >= 2
        assert positions <= present
        assert timezone.localdate(event.at) == timezone.localdate(decision.meeting.starts_at)
        assert CareDecision.objects.get(decision=decision).offer_id == event.episode.offer_id
    # The front door has an offer open for positions for someone referred this week.
    open_offers = CareDecision.objects.filter(
        offer__isnull=False, decision__status=DecisionStatus.OPEN
    )
    assert open_offers.count() == len(CMHT_KEYS)
    assert {c.episode.stage for c in open_offers} == {Stage.REFERRED}


def test_every_move_on_was_shared_agreed_and_held(built: str) -> None:
    today = timezone.localdate()
    since = datetime.combine(
        today - timedelta(days=today.weekday(), weeks=HOLDING_SINCE_WEEKS),
        datetime.min.time(),
        tzinfo=timezone.get_current_timezone(),
    )
    moved_on = Episode.objects.filter(stage=Stage.MOVED_ON).select_related("team")
    assert moved_on.count() >= 4 * len(CMHT_KEYS)
    for episode in moved_on:
        event = episode.events.get(to_stage=Stage.MOVED_ON)
        assert event.decision is not None
        link = CareDecision.objects.get(decision=event.decision)
        assert link.episode_id == episode.pk
        assert link.destination == episode.destination
        assert event.decision.kind == DecisionKind.MOVE_ON
        assert event.decision.status == DecisionStatus.AGREED
        assert event.decision.forum.home_team_id == episode.team_id
        assert event.decision.decided_at is not None
        assert event.decision.decided_at <= event.at
        holds = Hold.objects.filter(decision=event.decision)
        # Harlow Vale's leaders have held its move-on decisions only since the change.
        held = episode.team.name != HARLOW_VALE or event.decision.decided_at >= since
        assert holds.exists() == held
        for hold in holds:
            assert hold.leadership_team.members.filter(pk=hold.leader_id).exists()
    # Someone ready to move on has an agreed and held decision, someone an open one, and someone
    # none yet.
    ready = Episode.objects.filter(stage=Stage.READY_TO_MOVE_ON)
    statuses = Counter(
        CareDecision.objects.filter(
            episode__in=ready, decision__kind=DecisionKind.MOVE_ON
        ).values_list("decision__status", flat=True)
    )
    assert statuses == {
        DecisionStatus.AGREED: len(CMHT_KEYS),
        DecisionStatus.OPEN: len(CMHT_KEYS),
    }
    assert ready.exclude(decisions__decision__kind=DecisionKind.MOVE_ON).count() == len(CMHT_KEYS)
    assert Decision.objects.filter(kind=DecisionKind.MOVE_ON, holds__isnull=False).exists()


def test_people_came_back_within_the_window(built: str) -> None:
    window = timedelta(days=settings.REREFERRAL_WINDOW_DAYS)
    returns = Episode.objects.filter(previous__isnull=False).select_related("previous")
    assert returns.count() == len(CMHT_KEYS)
    for episode in returns:
        previous = episode.previous
        assert previous is not None
        assert previous.closed_at is not None
        assert previous.stage == Stage.MOVED_ON
        assert previous.person_id == episode.person_id
        assert previous.team_id == episode.team_id
        assert timedelta(0) < episode.referred_at - previous.closed_at <= window
        assert episode.referral_source == ReferralSource.RE_REFERRAL
        assert episode.key_worker_id == previous.key_worker_id
        assert episode.events.order_by("at", "pk")[0].to_stage == Stage.IN_SUPPORT
        assert episode.days_to_offer is None
        assert episode.zone is not None
    # Someone moved on more than six months ago: the team no longer sees them.
    long_ago = Episode.objects.filter(
        stage=Stage.MOVED_ON, closed_at__lt=timezone.now() - window
    ).select_related("team")
    # One from each team's stories; Harlow Vale's year of people moving on adds its own.
    assert long_ago.exclude(team__name=HARLOW_VALE).count() == len(CMHT_KEYS) - 1
    assert long_ago.filter(team__name=HARLOW_VALE).count() > 1
    for episode in long_ago:
        leader = team_leader(episode.team)
        assert not access.scoped(leader, PersonInCare).filter(pk=episode.person_id).exists()


def test_each_huddle_board_has_people_in_every_zone(built: str) -> None:
    names = [name for name, *_ in DEFAULT_ZONES]
    for team in cmhts():
        zones = zones_ensure(team=team)
        assert [z.name for z in zones] == names
        board = selectors.huddle_board(team_leader(team), team, zones=zones)
        assert board.count >= 12, team.name
        by_zone = {
            column.zone.name if column.zone else None: column.cards for column in board.columns
        }
        for name in names:
            assert by_zone[name], f"{team.name}: nobody in {name}"
        # People who have only just started support, or are waiting, are not zoned yet.
        assert by_zone[None]
        # The ready-to-move-on zone and the pathway agree.
        for card in by_zone["Ready to move on"]:
            assert card.episode.stage == Stage.READY_TO_MOVE_ON
        cards = [card for column in board.columns for card in column.cards]
        assert any(card.overdue_actions for card in cards)
        assert any(card.open_actions and not card.overdue_actions for card in cards)
        assert sum(1 for card in cards if card.latest_note) >= len(cards) // 2
        assert any(card.move_on and getattr(card.move_on, "hold_count", 0) for card in cards)
    assert CareAction.objects.filter(done_at__isnull=False).exists()


def test_zone_changes_happen_at_the_huddle_with_the_people_in_the_room(built: str) -> None:
    changes = ZoneChange.objects.select_related("meeting__forum", "episode")
    assert changes.count() >= 3 * 30
    for change in changes:
        assert change.meeting is not None
        assert change.meeting.forum.kind == ForumKind.DAILY_HUDDLE
        assert change.meeting.forum.home_team_id == change.episode.team_id
        assert timezone.localdate(change.at) == timezone.localdate(change.meeting.starts_at)
        present = set(
            change.meeting.attendances.filter(
                status=AttendanceStatus.PRESENT, person__isnull=False
            ).values_list("person_id", flat=True)
        )
        assert set(change.present.values_list("pk", flat=True)) == present
        assert present
    notes = HuddleNote.objects.all()
    assert notes.count() >= 3 * 20
    assert not notes.filter(meeting__isnull=True).exists()
    for note in notes:
        note.full_clean()


def test_nhs_numbers_come_from_the_test_range_and_are_valid(built: str) -> None:
    numbers = list(PersonInCare.objects.values_list("nhs_number", flat=True))
    known = [n for n in numbers if n is not None]
    assert len(known) == len(set(known))
    assert len(numbers) * 0.6 < len(known) < len(numbers)  # some are known by local id only
    for number in known:
        assert number.startswith("999")
        assert is_valid(number)
    assert nhs_number_for(999_000_001) is not None
    assert nhs_number_for(999_123_457) == "9991234578"
    # A check digit of 10 means the number can never exist.
    assert nhs_number_for(999_000_014) is None


def test_demo_logins_see_their_own_teams_boards(built: str) -> None:
    for key, team_name in (
        ("clinician_a", "Harlow Vale Community Mental Health Team"),
        ("team_leader", "Harlow Vale Community Mental Health Team"),
        ("vcse", "Harlow Vale Community Mental Health Team"),
        ("clinician_b", "Epping North Community Mental Health Team"),
        ("lone_coach", "Epping North Community Mental Health Team"),
    ):
        user = persona(key)
        team = Team.objects.get(name=team_name)
        assert team in selectors.my_care_teams(user), key
        assert selectors.care_team_get(user, team.pk) == team
        board = selectors.huddle_board(user, team, zones=zones_ensure(team=team))
        assert board.count >= 12, key
    for key in ("clinician_a", "clinician_b", "lone_coach", "vcse"):
        assert selectors.caseload(persona(key), persona(key)), key
    # Nobody outside the caring teams sees people in care: need to know.
    for key in ("board_member", "lived_experience"):
        assert not access.scoped(persona(key), PersonInCare).exists(), key
    # The systems administrator works in the front door (single point of access): they see only
    # the new referrals waiting for the front-door meeting's offer, as the front door does.
    seen = access.scoped(persona("administrator"), PersonInCare)
    assert seen.exists()
    assert not seen.exclude(episodes__stage=Stage.REFERRED).exists()


def test_consent_to_share_with_vcse_partners(built: str) -> None:
    consents = ConsentToShare.objects.select_related("organisation")
    assert consents.count() >= 5
    assert {c.organisation.kind for c in consents} == {OrganisationKind.VCSE}
    # Staff of a partner see the people who agreed to share with it, and nobody else.
    coach = persona("lone_coach")
    shared = set(
        consents.filter(organisation=coach.organisation).values_list("person_id", flat=True)
    )
    visible = set(access.scoped(coach, PersonInCare).values_list("pk", flat=True))
    caring = set(
        Episode.objects.filter(team__memberships__person=coach).values_list("person_id", flat=True)
    )
    assert shared
    assert shared <= visible
    assert visible <= shared | caring


def test_prints_the_people_in_care(built: str) -> None:
    count = PersonInCare.objects.count()
    assert f"  people in care      {count:>5}" in built
    for line in ("offers of support", "on huddle boards", "zone changes", "held by a leader"):
        assert line in built


def care_fingerprint() -> tuple[Any, ...]:
    people = sorted(
        PersonInCare.objects.values_list("local_id", "name", "nhs_number", "date_of_birth")
    )
    episodes = sorted(
        Episode.objects.values_list(
            "person__local_id",
            "team__name",
            "stage",
            "zone__name",
            "key_worker__email",
            "offer__name",
            "days_to_offer",
            "days_ready_to_moved_on",
        ),
        key=repr,
    )
    counts = {
        model.__name__: model.objects.count()
        for model in (
            Offer,
            PersonInCare,
            Episode,
            PathwayEvent,
            ZoneChange,
            HuddleNote,
            CareAction,
            CareDecision,
            ConsentToShare,
            Decision,
            Hold,
            SafetyPlan,
            SafetyPlanVersion,
            SafetyFormulation,
            SafetyReview,
            PositiveRiskPlan,
            Budget,
            AllocationRound,
            Approval,
        )
    }
    positions = sorted(
        Decision.objects.annotate(n=Count("positions")).values_list("title", "status", "n"),
        key=repr,
    )
    # The words too: notes, plans and what was decided come out the same.
    words = (
        sorted(HuddleNote.objects.values_list("episode__person__local_id", "situation")),
        sorted(
            SafetyPlan.objects.values_list("person__local_id", "warning_signs", "review_on"),
            key=repr,
        ),
        sorted(Decision.objects.values_list("title", "outcome", "amount_agreed_pence"), key=repr),
    )
    return people, episodes, counts, positions, words


def test_a_reset_rebuilds_the_same_people_in_care_twice(built: str) -> None:
    first = care_fingerprint()
    assert first[2]["Episode"] > 0
    for _ in range(2):
        output = run_demo("--reset")
        assert "Removed the demo system" in output
        assert care_fingerprint() == first
    assert Zone.objects.count() == len(CMHT_KEYS) * len(DEFAULT_ZONES)
