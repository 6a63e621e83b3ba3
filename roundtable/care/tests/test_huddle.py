"""The huddle board: zones, zone changes with who was in the room, SBARD notes, actions, the
board in a fixed number of queries, and the zone mix by day."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from types import MappingProxyType

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from roundtable.care import selectors, services
from roundtable.care.access import team_caseload
from roundtable.care.models import CareAction, Episode, HuddleNote, Stage, Zone, ZoneChange
from roundtable.care.selectors import board as board_selectors
from roundtable.care.tests.conftest import agree_move_on
from roundtable.core import access
from roundtable.core.concurrency import ConcurrentEditError
from roundtable.forums import services as forum_services

pytestmark = pytest.mark.django_db


def in_support(system, index: int, team=None) -> Episode:
    person = services.person_in_care_create(
        actor=system.clinician_a, local_id=f"H{index}", name=f"Person {index:03d}"
    )
    episode = services.episode_refer(
        actor=system.clinician_a,
        person=person,
        team=team or system.team_a,
        referral_source="gp",
        key_worker=system.clinician_a,
    )
    for stage in (Stage.OFFER_MADE, Stage.IN_SUPPORT):
        episode = services.episode_move(actor=system.clinician_a, episode=episode, to_stage=stage)
    return episode


@pytest.fixture
def zones(system) -> dict[str, Zone]:
    return {z.name: z for z in services.zones_ensure(team=system.team_a)}


def test_a_team_starts_with_five_zones_that_describe_the_teams_input(system, zones):
    assert list(zones) == ["Red", "Amber", "Green", "Blue", "Ready to move on"]
    assert [z.marks_ready for z in zones.values()] == [False, False, False, False, True]
    for zone in zones.values():
        meaning = zone.meaning.lower()
        assert "risk" not in meaning
        assert not {"low", "medium", "high"} & set(meaning.replace(",", " ").split())
    # Asking again makes no more.
    services.zones_ensure(team=system.team_a)
    assert Zone.objects.filter(team=system.team_a).count() == 5


def test_the_team_configures_its_zones(system, zones):
    red = zones["Red"]
    first_version = red.version
    renamed = services.zone_update(
        actor=system.clinician_a,
        zone=red,
        expected_version=first_version,
        name="Daily contact",
        colour="red",
        meaning="We are in touch every day and review at each huddle.",
        position=0,
    )
    assert renamed.name == "Daily contact"
    with pytest.raises(ConcurrentEditError):
        services.zone_update(
            actor=system.clinician_a,
            zone=Zone.objects.get(pk=red.pk),
            expected_version=first_version,
            name="Something else",
            colour="red",
            meaning="x",
            position=0,
        )
    with pytest.raises(ValidationError) as refused:
        services.zone_create(
            actor=system.clinician_a, team=system.team_a, name="Amber", colour="pink", meaning=""
        )
    assert set(refused.value.message_dict) == {"name", "colour", "meaning"}
    with pytest.raises(ValidationError, match="Only members of North CMHT"):
        services.zone_create(
            actor=system.clinician_b,
            team=system.team_a,
            name="Purple",
            colour="purple",
            meaning="Joint work with the crisis team.",
        )
    joint = services.zone_create(
        actor=system.clinician_a,
        team=system.team_a,
        name="Joint work",
        colour="grey",
        meaning="Joint work with the crisis team.",
    )
    episode = in_support(system, 1)
    services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=joint)
    with pytest.raises(ValidationError, match="1 person is in Joint work"):
        services.zone_archive(actor=system.clinician_a, zone=joint)
    with pytest.raises(ValidationError, match="ready-to-move-on zone is needed"):
        services.zone_archive(actor=system.clinician_a, zone=zones["Ready to move on"])
    services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zones["Green"])
    assert services.zone_archive(actor=system.clinician_a, zone=joint).is_archived


def test_a_zone_change_records_who_was_in_the_room_and_keeps_history(system, zones, huddle):
    now = timezone.now()
    meeting = forum_services.meeting_create(
        actor=system.team_leader_a,
        forum=huddle,
        starts_at=now,
        ends_at=now + timedelta(minutes=30),
    )
    for person in (system.clinician_a, system.vcse):
        forum_services.attendance_record(actor=system.team_leader_a, meeting=meeting, person=person)
    forum_services.attendance_record(
        actor=system.team_leader_a, meeting=meeting, guest_name="Sam Student"
    )
    forum_services.attendance_record(
        actor=system.team_leader_a,
        meeting=meeting,
        person=system.lived_experience,
        status="apologies",
    )
    episode = in_support(system, 1)
    episode = services.episode_zone_set(
        actor=system.clinician_a, episode=episode, zone=zones["Amber"], meeting=meeting
    )
    episode = services.episode_zone_set(
        actor=system.clinician_a,
        episode=episode,
        zone=zones["Green"],
        meeting=meeting,
        reason="Settled into the plan.",
    )
    changes = list(ZoneChange.objects.filter(episode=episode).order_by("at", "pk"))
    assert [(c.from_zone and c.from_zone.name, c.to_zone.name) for c in changes] == [
        (None, "Amber"),
        ("Amber", "Green"),
    ]
    assert set(changes[1].present.all()) == {system.clinician_a, system.vcse}
    assert changes[1].guests == ["Sam Student"]
    assert changes[1].reason == "Settled into the plan."
    record = selectors.person_record(system.clinician_a, episode.person_id)
    assert [c.to_zone.name for c in record.zone_changes] == ["Green", "Amber"]


def test_zone_changes_are_refused_with_clear_messages(system, zones):
    episode = in_support(system, 1)
    south_zones = services.zones_ensure(team=system.team_b)
    with pytest.raises(ValidationError, match="Choose one of North CMHT's zones"):
        services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=south_zones[0])
    with pytest.raises(ValidationError, match="Only members of North CMHT"):
        services.episode_zone_set(actor=system.clinician_b, episode=episode, zone=zones["Red"])
    services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zones["Red"])
    with pytest.raises(ValidationError, match="already in Red"):
        services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zones["Red"])
    stale = Episode.objects.get(pk=episode.pk).version - 1
    with pytest.raises(ConcurrentEditError):
        services.episode_zone_set(
            actor=system.clinician_a, episode=episode, zone=zones["Amber"], expected_version=stale
        )
    new = services.episode_refer(
        actor=system.clinician_a,
        person=services.person_in_care_create(actor=system.clinician_a, local_id="N", name="N"),
        team=system.team_a,
        referral_source="self",
    )
    with pytest.raises(ValidationError, match="make the offer first"):
        services.episode_zone_set(actor=system.clinician_a, episode=new, zone=zones["Red"])
    assert ZoneChange.objects.filter(episode=new).count() == 0
    assert Episode.objects.get(pk=episode.pk).zone == zones["Red"]


def test_the_ready_zone_and_the_pathway_agree(system, zones, huddle):
    episode = in_support(system, 1)
    episode = services.episode_zone_set(
        actor=system.clinician_a, episode=episode, zone=zones["Ready to move on"]
    )
    assert episode.stage == Stage.READY_TO_MOVE_ON
    episode = services.episode_zone_set(
        actor=system.clinician_a, episode=episode, zone=zones["Green"], reason="Not yet."
    )
    assert episode.stage == Stage.IN_SUPPORT
    episode = services.episode_zone_set(
        actor=system.clinician_a, episode=episode, zone=zones["Ready to move on"]
    )
    rows = selectors.ready_to_move_on(system.clinician_a, system.team_a)
    assert [(r.episode.pk, r.shared, r.held) for r in rows] == [(episode.pk, False, False)]
    decision = agree_move_on(system, huddle, episode)
    row = selectors.ready_to_move_on(system.clinician_a, system.team_a)[0]
    assert row.move_on is not None
    assert row.move_on.decision == decision
    assert (row.shared, row.held, row.days_ready) == (True, False, 0)


def test_sbard_notes_and_actions(system, zones):
    episode = in_support(system, 1)
    with pytest.raises(ValidationError, match="Write at least one part"):
        services.huddle_note_add(actor=system.clinician_a, episode=episode, situation="  ")
    with pytest.raises(ValidationError, match="Only members of North CMHT"):
        services.huddle_note_add(actor=system.clinician_b, episode=episode, situation="Hello")
    assert HuddleNote.objects.count() == 0
    note = services.huddle_note_add(
        actor=system.clinician_a,
        episode=episode,
        situation="Missed two appointments.",
        recommendation="Peer worker to call.",
    )
    assert note.assessment == ""
    # The episode keeps its newest note for the board, without a new version: a zone change
    # prepared before the note was written still goes through.
    version = episode.version
    later = services.huddle_note_add(actor=system.clinician_a, episode=episode, situation="Later")
    episode.refresh_from_db()
    assert (episode.latest_note, episode.version) == (later, version)
    shown = selectors.board_card(system.clinician_a, episode.pk)[1].latest_note
    assert shown is not None
    assert shown.id == later.pk
    services.episode_zone_set(
        actor=system.clinician_a, episode=episode, zone=zones["Green"], expected_version=version
    )
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.care_action_add(
            actor=system.clinician_a, episode=episode, description="", owner=None, due_on=yesterday
        )
    assert set(refused.value.message_dict) == {"description", "owner", "due_on"}
    assert CareAction.objects.count() == 0
    action = services.care_action_add(
        actor=system.clinician_a,
        episode=episode,
        description="Call about the missed appointments",
        owner=system.vcse,
        due_on=timezone.localdate(),
    )
    done = services.care_action_complete(
        actor=system.clinician_a, action=action, expected_version=action.version
    )
    assert done.done_at is not None
    with pytest.raises(ValidationError, match="already done"):
        services.care_action_complete(actor=system.clinician_a, action=done)


def test_the_board_is_a_fixed_number_of_queries_however_many_people(
    system, zones, huddle, django_assert_num_queries
):
    def build(count: int, start: int) -> None:
        for i in range(start, start + count):
            episode = in_support(system, i)
            zone = list(zones.values())[i % 4]
            services.episode_zone_set(actor=system.clinician_a, episode=episode, zone=zone)
            services.huddle_note_add(actor=system.clinician_a, episode=episode, situation="S")
            services.care_action_add(
                actor=system.clinician_a,
                episode=episode,
                description="Call",
                owner=system.clinician_a,
                due_on=timezone.localdate(),
            )

    def board_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            board = selectors.huddle_board(
                system.clinician_a, system.team_a, zones=list(zones.values())
            )
            for column in board.columns:
                for card in column.cards:
                    _ = (card.episode.person.name, card.latest_note, card.open_actions)
        return len(captured.captured_queries)

    build(3, 0)
    # The episodes (each with its latest note and the id of its move-on decision) and their open
    # actions; nobody has a move-on decision yet, so there is none to read. Then the audit event
    # naming the people shown.
    assert board_queries() == 2 + 1
    ready = services.episode_zone_set(
        actor=system.clinician_a,
        episode=Episode.objects.get(person__local_id="H0"),
        zone=zones["Ready to move on"],
    )
    decision = agree_move_on(system, huddle, ready)
    # Then the move-on decisions too, with their holds and positions counted.
    assert board_queries() == 3 + 1
    build(12, 3)
    assert board_queries() == 3 + 1
    board = selectors.huddle_board(system.clinician_a, system.team_a, zones=list(zones.values()))
    (card,) = [c for c in board.cards if c.episode.pk == ready.pk]
    assert card.move_on is not None
    assert card.move_on.decision == decision
    assert (card.move_on.hold_count, card.move_on.position_count) == (0, 1)  # type: ignore[attr-defined]
    board = selectors.huddle_board(system.clinician_a, system.team_a, zones=list(zones.values()))
    assert board.count == 15
    assert [len(c.cards) for c in board.columns] == [3, 4, 4, 3, 1]
    # Another team's clinician sees nobody on North's board.
    other = selectors.huddle_board(system.clinician_b, system.team_a, zones=list(zones.values()))
    assert other.count == 0


def test_the_board_reads_the_teams_caseload_for_its_members_only(system):
    open_a = [in_support(system, 1), in_support(system, 2)]
    # Not on the board: moved on from the team, and with another team.
    services.episode_move(
        actor=system.clinician_a, episode=in_support(system, 3), to_stage=Stage.NOT_ENGAGED
    )
    services.episode_refer(
        actor=system.clinician_b,
        person=services.person_in_care_create(actor=system.clinician_b, local_id="S1", name="S"),
        team=system.team_b,
        referral_source="gp",
    )
    services.consent_give(
        actor=system.clinician_a, person=open_a[0].person, organisation=system.trust
    )

    caseload = set(team_caseload(system.clinician_a, system.team_a))
    assert caseload == set(open_a)
    # The same as the whole rule gives a member for the team's open episodes ...
    assert caseload == set(
        access.scoped(system.clinician_a, Episode).filter(
            team=system.team_a, closed_at__isnull=True
        )
    )
    # ... and nothing for anyone outside the team, even a partner who may see one of them.
    assert access.scoped(system.clinician_b, Episode).filter(pk=open_a[0].pk).exists()
    assert not team_caseload(system.clinician_b, system.team_a).exists()
    assert not team_caseload(AnonymousUser(), system.team_a).exists()
    system.clinician_a.is_active = False
    assert not team_caseload(system.clinician_a, system.team_a.pk).exists()


def test_the_boards_card_query_is_built_once_for_a_set_of_extras(system, zones, monkeypatch):
    """Kept and narrowed for each board and card, never read itself; built again only for other
    extras. Each board still shows its own team's people to its own members."""
    built: list[object] = []
    build = board_selectors._latest_move_on_id

    def counted() -> object:
        built.append(build())
        return built[-1]

    monkeypatch.setattr(board_selectors, "_latest_move_on_id", counted)
    monkeypatch.setattr(board_selectors, "_card_queries", board_selectors._CardQueries())
    on_board = in_support(system, 1)
    extras = MappingProxyType({"colour": F("zone__colour")})
    services.episode_zone_set(actor=system.clinician_a, episode=on_board, zone=zones["Amber"])
    columns = list(zones.values())
    for _ in range(2):
        board = selectors.huddle_board(
            system.clinician_a, system.team_a, zones=columns, extras=extras
        )
        assert [(c.episode.id, c.extras) for c in board.cards] == [
            (on_board.pk, {"colour": "amber"})
        ]
        assert selectors.huddle_board(system.clinician_b, system.team_a, zones=columns).count == 0
        _, card = selectors.board_card(system.clinician_a, on_board.pk, extras=extras)
        assert card.extras == {"colour": "amber"}
    assert len(built) == 2  # one with the extras, one without
    assert board_selectors._card_queries(extras)._result_cache is None
    selectors.huddle_board(system.clinician_a, system.team_a, zones=columns, extras=dict(extras))
    assert len(built) == 3


def test_zone_mix_by_day_is_replayed_from_the_zone_changes(system, zones):
    today = timezone.localdate()
    now = timezone.now()
    first, second = in_support(system, 1), in_support(system, 2)
    services.episode_zone_set(
        actor=system.clinician_a, episode=first, zone=zones["Red"], at=now - timedelta(days=3)
    )
    services.episode_zone_set(
        actor=system.clinician_a, episode=second, zone=zones["Red"], at=now - timedelta(days=2)
    )
    services.episode_zone_set(
        actor=system.clinician_a, episode=first, zone=zones["Green"], at=now - timedelta(days=1)
    )
    mix = dict(
        selectors.zone_mix_by_day(
            team_ids=[system.team_a.pk], start=today - timedelta(days=4), end=today
        )
    )
    assert mix[today - timedelta(days=4)] == {}
    assert mix[today - timedelta(days=3)] == {"Red": 1}
    assert mix[today - timedelta(days=2)] == {"Red": 2}
    assert mix[today - timedelta(days=1)] == {"Green": 1, "Red": 1}
    assert mix[today] == {"Green": 1, "Red": 1}
    # A window that opens after the first move: the zone each was in then comes from the
    # changes; the second person stops being seen on the day they stop engaging.
    services.episode_move(actor=system.clinician_a, episode=second, to_stage="not_engaged")
    later_window = dict(
        selectors.zone_mix_by_day(
            team_ids=[system.team_a.pk], start=today - timedelta(days=2), end=today
        )
    )
    assert later_window[today - timedelta(days=2)] == {"Red": 2}
    assert later_window[today - timedelta(days=1)] == {"Green": 1, "Red": 1}
    assert later_window[today] == {"Green": 1}
    assert selectors.zone_mix_by_day(team_ids=[system.team_b.pk], start=today, end=today) == [
        (today, {})
    ]
    assert isinstance(next(iter(mix)), date)


def test_zone_mix_by_day_puts_each_change_on_its_own_day_over_a_long_window(system, zones):
    """Over 40 days, changes and closures at the first and last moment of a day count on that
    day (the days of closures are found by halving the window, so every day is checked),
    whether or not the clocks changed in between."""
    today = timezone.localdate()
    start = today - timedelta(days=39)
    people = [in_support(system, i) for i in range(1, 6)]
    expected: dict[date, dict[str, int]] = {}
    where: dict[int, str] = {}
    plan = [(39, 0, "Red"), (38, 1, "Amber"), (31, 0, "Green"), (17, 2, "Red"), (16, 1, "Red")]
    plan += [(12, 0, ""), (9, 3, "Blue"), (5, 1, ""), (2, 2, "Green"), (1, 4, "Amber")]
    plan += [(0, 3, "Red")]
    for days_ago, who, zone in plan:
        day = today - timedelta(days=days_ago)
        # The first moment of even days back and the last moment of odd ones.
        at = selectors.datetime_at_start_of(day)
        if days_ago % 2:
            at = selectors.datetime_at_start_of(day + timedelta(days=1)) - timedelta(seconds=1)
        if zone:
            services.episode_zone_set(
                actor=system.clinician_a, episode=people[who], zone=zones[zone], at=at
            )
            where[who] = zone
        else:  # they stop engaging: off the board from that day
            services.episode_move(
                actor=system.clinician_a, episode=people[who], to_stage="not_engaged", at=at
            )
            del where[who]
        people[who].refresh_from_db()
        expected[day] = dict(sorted(Counter(where.values()).items()))
    mix = selectors.zone_mix_by_day(team_ids=[system.team_a.pk], start=start, end=today)
    assert [day for day, _ in mix] == [start + timedelta(days=i) for i in range(40)]
    so_far: dict[str, int] = {}
    for day, counts in mix:
        so_far = expected.get(day, so_far)
        assert counts == so_far, day
    assert selectors.zone_mix_by_day(team_ids=None, start=start, end=today) == mix


def test_zone_mix_by_day_takes_out_a_return_straight_into_a_zone(system, zones, huddle):
    today = timezone.localdate()
    now = timezone.now()
    before = in_support(system, 7)
    services.episode_zone_set(
        actor=system.clinician_a, episode=before, zone=zones["Blue"], at=now - timedelta(days=9)
    )
    before = services.episode_move(
        actor=system.clinician_a,
        episode=before,
        to_stage=Stage.READY_TO_MOVE_ON,
        at=now - timedelta(days=8),
    )
    services.episode_move(
        actor=system.clinician_a,
        episode=before,
        to_stage=Stage.MOVED_ON,
        destination="gp",
        decision=agree_move_on(system, huddle, before),
        at=now - timedelta(days=6),
    )
    # Back three days ago, within the window: straight into support, in the zone they left.
    back = services.episode_refer(
        actor=system.clinician_a,
        person=before.person,
        team=system.team_a,
        referral_source="gp",
        at=now - timedelta(days=3),
    )
    assert back.previous_id == before.pk
    assert back.zone == zones["Blue"]
    mix = dict(
        selectors.zone_mix_by_day(
            team_ids=[system.team_a.pk], start=today - timedelta(days=10), end=today
        )
    )
    assert mix[today - timedelta(days=10)] == {}
    assert mix[today - timedelta(days=9)] == {"Blue": 1}
    assert mix[today - timedelta(days=6)] == {}  # moved on
    assert mix[today - timedelta(days=4)] == {}
    assert mix[today - timedelta(days=3)] == {"Blue": 1}  # back
    assert mix[today] == {"Blue": 1}
