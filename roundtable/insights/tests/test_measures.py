"""Each measure's weekly rows, from a small world built with the apps' own services at known
times, against rows written out by hand; and each measure reading the same number of queries
however many teams and weeks there are."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roundtable.care import services as care_services
from roundtable.care.models import Stage
from roundtable.decisions import services as decision_services
from roundtable.demo.history import clock
from roundtable.directory.models import Membership, MembershipRole, Person, Team
from roundtable.forums import services as forum_services
from roundtable.forums.models import AttendanceStatus, ForumKind
from roundtable.insights import measures
from roundtable.insights import services as insights_services
from roundtable.insights.measures import BY_SLUG, MEASURES, PULSE_HELD, WeekRow
from roundtable.insights.selectors import Period, series
from roundtable.learning import services as learning_services
from roundtable.learning.models import ActionStatus, EventKind, ResponseKind
from roundtable.safety.tests.helpers import positive_risk_plan
from roundtable.testing import make_person
from roundtable.voice import services as voice_services
from roundtable.voice.models import ConcernLevel
from roundtable.wellbeing import services as wellbeing_services
from roundtable.wellbeing.models import SupportKind

TODAY = timezone.localdate()
# A Monday twelve weeks ago: the first of the two weeks the tests look at, well in the past.
W1 = TODAY - timedelta(days=TODAY.weekday(), weeks=12)
W2 = W1 + timedelta(weeks=1)
W3 = W2 + timedelta(weeks=1)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def rows(slug: str, start: date = W1, end: date = W3) -> list[WeekRow]:
    return sorted(BY_SLUG[slug].weekly(at(start, 0), at(end, 0)))


# -- Builders: the apps' services, at the times given ---------------------------------------------


def huddle_of(system, team: Team, **rules):
    """A forum of `team`'s own, with its members and the VCSE practitioner in it."""
    creator = {
        system.team_a.pk: system.clinician_a,
        system.team_b.pk: system.clinician_b,
        system.board.pk: system.board_member,
    }[team.pk]
    return forum_services.forum_create(
        actor=creator,
        name=f"{team.name} huddle {len(rules)}-{sorted(rules)}",
        kind=ForumKind.DAILY_HUDDLE,
        home_team=team,
        members=[system.vcse, system.team_leader_a],
        **rules,
    ), creator


def referral(system, name: str, team: Team, when: datetime, actor=None):
    actor = actor or system.clinician_a
    person = care_services.person_in_care_create(actor=actor, local_id=name, name=name)
    return care_services.episode_refer(
        actor=actor, person=person, team=team, referral_source="gp", at=when
    )


def referred_again(system, person, team: Team, when: datetime, actor=None):
    """`person` referred to `team` again at `when`."""
    return care_services.episode_refer(
        actor=actor or system.clinician_a,
        person=person,
        team=team,
        referral_source="gp",
        at=when,
    )


def moved_on(system, episode, forum, when: datetime, actor=None):
    """Walk an episode to moved on, at `when`, with the team's agreed move-on decision."""
    actor = actor or system.clinician_a
    walk = [Stage.REFERRED, Stage.OFFER_MADE, Stage.IN_SUPPORT, Stage.READY_TO_MOVE_ON]
    for stage in walk[walk.index(episode.stage) + 1 :]:
        episode = care_services.episode_move(
            actor=actor, episode=episode, to_stage=stage, at=when - timedelta(days=1)
        )
    decision = care_services.move_on_propose(
        actor=actor,
        episode=episode,
        destination="gp",
        forum=forum,
        proposal="Back to the GP with a plan; comes back if need be.",
    )
    decision_services.position_take(actor=system.vcse, decision=decision, stance="consent")
    decision = decision_services.decision_decide(
        actor=actor,
        decision=decision,
        agreed=True,
        outcome="Moves on to the GP",
        rationale="The work we agreed is done.",
    )
    return care_services.episode_move(
        actor=actor,
        episode=episode,
        to_stage=Stage.MOVED_ON,
        destination="gp",
        decision=decision,
        at=when,
    )


def decided(system, forum, proposer, when: datetime, *, voices, agreed: bool = True):
    with clock(when):
        decision = decision_services.decision_propose(
            actor=proposer,
            forum=forum,
            kind="service_change",
            title=f"Change {when:%Y-%m-%d %H} {len(voices)} {agreed}",
            proposal="Try a new way of working.",
        )
        for person in voices:
            decision_services.position_take(actor=person, decision=decision, stance="consent")
        return decision_services.decision_decide(
            actor=proposer,
            decision=decision,
            agreed=agreed,
            outcome="Agreed" if agreed else "Not agreed",
            rationale="As discussed.",
        )


def held(leader, decision, when: datetime):
    with clock(when):
        return decision_services.hold_add(actor=leader, decision=decision, message="")


def positive_risk(system, episode, forum, when: datetime, *, agreed: bool = True, actor=None):
    """A positive risk-taking plan for `episode`, proposed and decided at `when`."""
    with clock(when):
        return positive_risk_plan(system, episode, forum, actor=actor, agreed=agreed)


def raised(system, raiser, team: Team | None, day: date, *, level=ConcernLevel.TEAM):
    concern, _ = voice_services.concern_raise(
        actor=raiser,
        level=level,
        title=f"Concern {day} {raiser.pk}",
        body="Something to put right.",
        anonymous=False,
        team=team,
        organisation=system.trust if level == ConcernLevel.ORGANISATION else None,
        today=day,
    )
    return concern


def acknowledged(leader, concern, day: date):
    return voice_services.concern_acknowledge(
        actor=leader, concern=concern, expected_version=concern.version, today=day
    )


def with_action(leader, concern, day: date):
    return voice_services.concern_agree_action(
        actor=leader,
        concern=concern,
        expected_version=concern.version,
        action="We will put it right.",
        action_due_on=day + timedelta(days=14),
        today=day,
    )


def team_of_seven(system, team: Team, prefix: str) -> list[Person]:
    people = []
    for index in range(7):
        person = make_person(
            f"{prefix}{index}@test.nhs.uk",
            f"{prefix.title()} Person {index}",
            discipline_slug="nursing",
            organisation=system.trust,
        )
        Membership.objects.create(person=person, team=team, role=MembershipRole.MEMBER)
        people.append(person)
    return people


def pulse(team: Team, month: date, people, held_values, isolated_values):
    """A team's round for `month`, answered by `people` with the given values to the first two
    statements (3 to the others), all within the month."""
    pulse_round = wellbeing_services.pulse_round_open(team=team, day=month)
    statements = list(pulse_round.statements.order_by("position"))
    for person, first, second in zip(people, held_values, isolated_values, strict=True):
        values = {s.pk: 3 for s in statements}
        values[statements[0].pk] = first
        values[statements[1].pk] = second
        wellbeing_services.pulse_answer(
            actor=person, pulse_round=pulse_round, values=values, today=month + timedelta(days=3)
        )
    return pulse_round


def learning_response(system, team: Team, leader, held_on: date):
    event = learning_services.event_record(
        actor=leader,
        team=team,
        kind=EventKind.NEAR_MISS,
        title="A missed follow-up call",
        what_happened="The follow-up call after discharge was not made.",
        happened_on=held_on - timedelta(days=1),
    )
    return learning_services.response_start(
        actor=leader, kind=ResponseKind.SWARM, events=[event], held_on=held_on
    )


def action(system, response, owner, due_on: date, done_on: date | None = None, actor=None):
    actor = actor or system.team_leader_a
    made = learning_services.action_add(
        actor=actor,
        response=response,
        description=f"Put follow-up calls on the huddle board by {due_on}",
        owner=owner,
        due_on=due_on,
    )
    if done_on is not None:
        made = learning_services.action_progress(
            actor=actor,
            action=made,
            expected_version=made.version,
            to_status=ActionStatus.DONE,
            evidence="It is on the board.",
            completed_on=done_on,
        )
    return made


# -- Each measure ---------------------------------------------------------------------------------


def test_every_measure_says_what_it_is(db):
    assert [m.slug for m in MEASURES][:2] == ["referral-to-offer", "ready-to-moved-on"]
    assert len(MEASURES) == 14
    assert len(BY_SLUG) == 14 + 6  # and the zone mix, a measure for each zone colour
    for measure in MEASURES:
        assert measure.definition.endswith(".")
        assert measure.source.endswith(".")
    for measure in MEASURES[2:]:  # the new ones say which team they count for
        assert "team" in measure.definition
    better = {m.slug: m.higher_is_better for m in MEASURES}
    assert better["returns-within-6-months"] is False
    assert better["days-to-hold"] is False
    assert better["pulse-isolated"] is False
    assert better["pulse-held"] is True
    assert better["leadership-presence"] is True


def test_returns_count_only_people_coming_back_within_six_months(system, settings):
    forum, _ = huddle_of(system, system.team_a)
    back_soon = referral(system, "Back Soon", system.team_a, at(W1 - timedelta(days=40)))
    moved_on(system, back_soon, forum, at(W1 - timedelta(days=10)))
    back_late = referral(system, "Back Late", system.team_a, at(W1 - timedelta(days=260)))
    moved_on(system, back_late, forum, at(W1 - timedelta(days=200)))
    # Care links a return within its window; a year-long window links the late one too, but
    # seven months is not "within six months".
    settings.REREFERRAL_WINDOW_DAYS = 365
    again = referred_again(system, back_soon.person, system.team_a, at(W1, 9))
    late = referred_again(system, back_late.person, system.team_a, at(W1 + timedelta(days=1)))
    assert again.previous_id == back_soon.pk
    assert late.previous_id == back_late.pk
    referral(system, "New North", system.team_a, at(W1 + timedelta(days=6), 22))
    referral(system, "Next Week", system.team_a, at(W2))
    referral(system, "New South", system.team_b, at(W1 + timedelta(days=2)))
    referral(system, "Too Late", system.team_b, at(W3))

    assert rows("returns-within-6-months") == [
        WeekRow(system.team_a.pk, W1, 1.0, 3),
        WeekRow(system.team_a.pk, W2, 0.0, 1),
        WeekRow(system.team_b.pk, W1, 0.0, 1),
    ]


def test_leadership_presence_is_a_covering_leader_at_the_team_each_week(system):
    north, north_creator = huddle_of(system, system.team_a)
    south, south_creator = huddle_of(system, system.team_b)
    in_north = forum_services.meeting_create(
        actor=north_creator,
        forum=north,
        starts_at=at(W1 + timedelta(days=1)),
        ends_at=at(W1 + timedelta(days=1), 11),
        confirm_past=True,
    )
    forum_services.attendance_record(
        actor=north_creator, meeting=in_north, person=system.team_leader_a
    )
    # In week two: a leader sends apologies and a member who leads nothing is there.
    later = forum_services.meeting_create(
        actor=north_creator,
        forum=north,
        starts_at=at(W2 + timedelta(days=1)),
        ends_at=at(W2 + timedelta(days=1), 11),
        confirm_past=True,
    )
    forum_services.attendance_record(
        actor=north_creator,
        meeting=later,
        person=system.team_leader_a,
        status=AttendanceStatus.APOLOGIES,
    )
    forum_services.attendance_record(actor=north_creator, meeting=later, person=system.vcse)
    # South: the system's leader in its building in week one; North's leader, who does not
    # cover South, at South's meeting in week two.
    site = forum_services.site_create(
        actor=system.administrator, name="South base", teams=[system.team_b]
    )
    forum_services.presence_visit_record(
        actor=system.board_member, site=site, on_date=W1 + timedelta(days=4)
    )
    in_south = forum_services.meeting_create(
        actor=south_creator,
        forum=south,
        starts_at=at(W2 + timedelta(days=2)),
        ends_at=at(W2 + timedelta(days=2), 11),
        confirm_past=True,
    )
    forum_services.attendance_record(
        actor=south_creator, meeting=in_south, person=system.team_leader_a
    )

    a, b, board = system.team_a.pk, system.team_b.pk, system.board.pk
    assert rows("leadership-presence") == sorted(
        [
            WeekRow(a, W1, 1.0, 1),
            WeekRow(a, W2, 0.0, 1),
            WeekRow(b, W1, 1.0, 1),
            WeekRow(b, W2, 0.0, 1),
            WeekRow(board, W1, 0.0, 1),
            WeekRow(board, W2, 0.0, 1),
        ]
    )
    # Weeks that have not begun are not counted.
    this_monday = TODAY - timedelta(days=TODAY.weekday())
    ahead = rows("leadership-presence", this_monday, this_monday + timedelta(weeks=3))
    assert {row.week for row in ahead} == {this_monday}


def in_support(system, name: str, team: Team, when: datetime):
    episode = referral(system, name, team, when)
    for stage in (Stage.OFFER_MADE, Stage.IN_SUPPORT):
        episode = care_services.episode_move(
            actor=system.clinician_a, episode=episode, to_stage=stage, at=when
        )
    return episode


def zoned(system, episode, name: str, when: datetime):
    zone = next(z for z in care_services.zones_ensure(team=episode.team) if z.name == name)
    return care_services.episode_zone_set(
        actor=system.clinician_a, episode=episode, zone=zone, at=when
    )


def test_the_zone_mix_is_the_board_at_the_end_of_each_week(system):
    a = system.team_a.pk
    start = at(W1 - timedelta(days=30))
    first = zoned(system, in_support(system, "Ada", system.team_a, start), "Red", at(W1, 9))
    first = zoned(system, first, "Amber", at(W2 + timedelta(days=2)))
    second = zoned(system, in_support(system, "Bo", system.team_a, start), "Green", at(W1, 11))
    care_services.episode_move(
        actor=system.clinician_a, episode=second, to_stage=Stage.NOT_ENGAGED, at=at(W3, 9)
    )
    # Someone referred, not yet on the board: in no zone.
    in_support(system, "Cy", system.team_a, at(W2))
    # Three weeks: end of W1, Red and Green; end of W2, Amber and Green; end of W3 (Bo left
    # care), Amber only.
    weeks = (W1, W3 + timedelta(weeks=1))
    assert rows("zone-mix-red", *weeks) == [
        WeekRow(a, W1, 1.0, 2),
        WeekRow(a, W2, 0.0, 2),
        WeekRow(a, W3, 0.0, 1),
    ]
    assert rows("zone-mix-amber", *weeks) == [
        WeekRow(a, W1, 0.0, 2),
        WeekRow(a, W2, 1.0, 2),
        WeekRow(a, W3, 1.0, 1),
    ]
    assert rows("zone-mix-green", *weeks) == [
        WeekRow(a, W1, 1.0, 2),
        WeekRow(a, W2, 1.0, 2),
        WeekRow(a, W3, 0.0, 1),
    ]
    # Before anyone was on the board, and a week on its own, the same from any start.
    assert rows("zone-mix-red", W1 - timedelta(weeks=2), W1) == []
    assert rows("zone-mix-amber", W2, W3) == [WeekRow(a, W2, 1.0, 2)]
    # The same queries for one week as for ten.
    assert queries("zone-mix-red", W2, W3) == queries(
        "zone-mix-red", W1 - timedelta(weeks=8), TODAY
    )


def test_the_zone_mix_takes_out_a_return_straight_into_a_zone(system, settings):
    a = system.team_a.pk
    forum, _ = huddle_of(system, system.team_a)
    start = at(W1 - timedelta(days=40))
    before = zoned(system, in_support(system, "Di", system.team_a, start), "Blue", start)
    moved_on(system, before, forum, at(W1 - timedelta(days=3)))
    # Back within six months, in W2: straight into support, in the zone they left.
    back = referred_again(system, before.person, system.team_a, at(W2 + timedelta(days=1)))
    assert back.previous_id == before.pk
    assert back.zone is not None
    weeks = (W1, W3 + timedelta(weeks=1))
    blue = rows("zone-mix-blue", *weeks)
    assert blue == [WeekRow(a, W2, 1.0, 1), WeekRow(a, W3, 1.0, 1)]


def test_decisions_with_every_voice_follow_the_forums_rule(system):
    ruled, creator = huddle_of(
        system, system.team_a, min_disciplines=2, required_organisation_kinds=["vcse"]
    )
    unruled, _ = huddle_of(system, system.team_a)
    board_forum = forum_services.forum_create(
        actor=system.board_member,
        name="Homeless board",
        kind=ForumKind.BOARD,
        min_disciplines=2,
        members=[system.vcse],
    )
    # Nursing and the VCSE practitioner: every voice. Nursing and OT: no VCSE voice.
    decided(system, ruled, creator, at(W1 + timedelta(days=1)), voices=[creator, system.vcse])
    decided(
        system, ruled, creator, at(W1 + timedelta(days=2)), voices=[creator, system.team_leader_a]
    )
    decided(
        system,
        ruled,
        creator,
        at(W2 + timedelta(days=3)),
        voices=[creator, system.vcse],
        agreed=False,
    )
    decided(system, unruled, creator, at(W1 + timedelta(days=1)), voices=[creator])
    decided(system, board_forum, system.board_member, at(W1), voices=[system.board_member])
    decided(system, ruled, creator, at(W3), voices=[creator, system.vcse])

    assert rows("decisions-full-representation") == [
        WeekRow(system.team_a.pk, W1, 1.0, 2),
        WeekRow(system.team_a.pk, W2, 1.0, 1),
    ]


def test_decisions_held_and_days_to_hold(system):
    forum, creator = huddle_of(system, system.team_a)
    first = decided(system, forum, creator, at(W1 + timedelta(days=1), 16), voices=[creator])
    decided(system, forum, creator, at(W1 + timedelta(days=2)), voices=[creator])
    decided(system, forum, creator, at(W1 + timedelta(days=3)), voices=[creator], agreed=False)
    second = decided(system, forum, creator, at(W2, 16), voices=[creator])
    # Two days later (calendar days, whatever the hour); the second hold of one is not counted.
    held(system.team_leader_a, first, at(W1 + timedelta(days=3), 9))
    held(system.board_member, second, at(W2 + timedelta(days=3), 9))
    held(system.team_leader_a, second, at(W2 + timedelta(days=4), 9))
    late = decided(system, forum, creator, at(W2 + timedelta(days=5)), voices=[creator])
    held(system.team_leader_a, late, at(W3 + timedelta(days=1)))

    a = system.team_a.pk
    assert rows("decisions-held") == [WeekRow(a, W1, 1.0, 2), WeekRow(a, W2, 2.0, 2)]
    assert rows("days-to-hold") == [WeekRow(a, W1, 2.0, 1), WeekRow(a, W2, 3.0, 1)]
    assert rows("days-to-hold", W3, W3 + timedelta(weeks=1)) == [WeekRow(a, W3, 3.0, 1)]
    assert rows("positive-risk-held") == []  # none of these is a positive risk-taking plan


def test_positive_risk_taking_held_counts_only_agreed_plans(system):
    forum, _ = huddle_of(system, system.team_a)
    plans = [
        referral(system, f"Walker {index}", system.team_a, at(W1 - timedelta(days=20)))
        for index in range(4)
    ]
    first = positive_risk(system, plans[0], forum, at(W1 + timedelta(days=1)))
    positive_risk(system, plans[1], forum, at(W1 + timedelta(days=2)))
    positive_risk(system, plans[2], forum, at(W1 + timedelta(days=2), 11), agreed=False)
    later = positive_risk(system, plans[3], forum, at(W2 + timedelta(days=1)))
    held(system.team_leader_a, first, at(W1 + timedelta(days=2)))
    held(system.board_member, first, at(W1 + timedelta(days=3)))  # one plan, held twice
    held(system.team_leader_a, later, at(W2 + timedelta(days=6)))
    # An ordinary decision held that week is not a positive risk-taking plan.
    other = decided(system, forum, system.clinician_a, at(W1, 9), voices=[system.clinician_a])
    held(system.team_leader_a, other, at(W1, 11))

    a = system.team_a.pk
    assert rows("positive-risk-held") == [WeekRow(a, W1, 1.0, 2), WeekRow(a, W2, 1.0, 1)]


def test_concerns_acknowledged_on_time_and_addressed(system):
    leader, a, b = system.team_leader_a, system.team_a, system.team_b
    # Raised on Monday: five working days later is the next Monday.
    on_time = acknowledged(leader, raised(system, system.clinician_a, a, W1), W2)
    late = acknowledged(leader, raised(system, system.vcse, a, W1 + timedelta(days=1)), W3)
    raised(system, system.lone_coach, a, W1 + timedelta(days=2))  # never acknowledged
    # South has no leadership team of its own: its concern goes to the system's leaders.
    south = raised(system, system.clinician_b, b, W1 + timedelta(days=3))
    acknowledged(system.board_member, south, W1 + timedelta(days=4))
    raised(system, system.clinician_a, None, W1, level=ConcernLevel.ORGANISATION)
    # Raised on a day still to come round in the range: waiting, and not yet due.
    raised(system, system.team_leader_a, a, TODAY)

    assert rows("concerns-acknowledged-on-time") == [
        WeekRow(a.pk, W1, 1.0, 3),
        WeekRow(b.pk, W1, 1.0, 1),
    ]
    this_monday = TODAY - timedelta(days=TODAY.weekday())
    assert (
        rows("concerns-acknowledged-on-time", this_monday, this_monday + timedelta(weeks=1)) == []
    )

    on_time = with_action(leader, on_time, W2 + timedelta(days=1))
    voice_services.concern_address(
        actor=leader,
        concern=on_time,
        expected_version=on_time.version,
        what_we_did="We put it right.",
        today=W2 + timedelta(days=2),
    )
    voice_services.concern_not_take_forward(
        actor=leader,
        concern=late,
        expected_version=late.version,
        reason="It is for the trust's estates team.",
        today=W2 + timedelta(days=3),
    )
    assert rows("concerns-addressed") == [WeekRow(a.pk, W2, 1.0, 2)]


def test_support_attendance_is_people_per_session_held(system):
    leader, a = system.team_leader_a, system.team_a

    def session(day: date, people, team=a):
        return wellbeing_services.support_session_record(
            actor=leader if team == a else system.clinician_b,
            kind=SupportKind.REFLECTIVE_PRACTICE,
            starts_at=at(day, 14),
            team=team,
            attendees=people,
        )

    session(W1 + timedelta(days=1), [system.clinician_a, system.vcse])
    session(W1 + timedelta(days=3), [system.lone_coach])
    session(W1 + timedelta(days=4), [])
    session(W2 + timedelta(days=2), [system.clinician_a, system.vcse, system.lone_coach])
    session(W2, [system.clinician_b], team=system.team_b)
    off = session(W2 + timedelta(days=3), [])
    wellbeing_services.support_session_cancel(
        actor=leader, session=off, expected_version=off.version, reason="Snow."
    )

    assert rows("support-attendance") == [
        WeekRow(a.pk, W1, 3.0, 3),
        WeekRow(a.pk, W2, 3.0, 1),
        WeekRow(system.team_b.pk, W2, 1.0, 1),
    ]


def months_ago(count: int) -> date:
    month = TODAY.replace(day=1)
    for _ in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def first_monday(month: date) -> date:
    """The first Monday of the month (its first day, if that is a Monday)."""
    return next(day for day in (month + timedelta(days=n) for n in range(7)) if day.weekday() == 0)


def test_pulse_counts_only_rounds_the_results_page_shows(system, settings):
    north = team_of_seven(system, system.team_a, "north")
    south = team_of_seven(system, system.team_b, "south")
    month = months_ago(3)
    pulse(system.team_a, month, north, [5, 4, 4, 3, 2, 1, 4], [4, 5, 1, 1, 2, 2, 3])
    # Six answers: fewer than the minimum group of seven, so not counted.
    pulse(system.team_b, month, south[:6], [5, 5, 5, 5, 5, 5], [1, 1, 1, 1, 1, 1])
    # This month's round is still open, however many have answered.
    current = wellbeing_services.pulse_round_open(team=system.team_a, day=TODAY)
    statements = list(current.statements.order_by("position"))
    for person in north:
        wellbeing_services.pulse_answer(
            actor=person, pulse_round=current, values={s.pk: 5 for s in statements}, today=TODAY
        )

    # The first Monday of the month (the month's first day if it is a Monday).
    week = next(
        month + timedelta(days=n) for n in range(7) if (month + timedelta(days=n)).weekday() == 0
    )
    this_monday = TODAY - timedelta(days=TODAY.weekday())
    span = (month - timedelta(days=month.weekday()), this_monday + timedelta(weeks=1))
    assert rows("pulse-held", *span) == [WeekRow(system.team_a.pk, week, 4.0, 7)]
    assert rows("pulse-isolated", *span) == [WeekRow(system.team_a.pk, week, 2.0, 7)]

    settings.PULSE_MINIMUM_GROUP = 6
    assert rows("pulse-held", *span) == [
        WeekRow(system.team_a.pk, week, 4.0, 7),
        WeekRow(system.team_b.pk, week, 6.0, 6),
    ]


def test_a_pulse_round_is_counted_in_its_own_month(system):
    """Whatever day each month begins on, a round's figure is in its month, by week or by
    month, and a refresh of the weeks around it finds it once."""
    north = team_of_seven(system, system.team_a, "north")
    months = [months_ago(count) for count in (5, 4, 3, 2)]
    for month, agreeing in zip(months, (7, 6, 5, 4), strict=True):
        pulse(system.team_a, month, north, [5] * agreeing + [2] * (7 - agreeing), [2] * 7)
    insights_services.refresh(start=months[0] - timedelta(days=7), end=TODAY)
    insights_services.refresh_measure(PULSE_HELD, start=months[2], end=months[2])
    by_month = series(
        PULSE_HELD,
        team_ids=[system.team_a.pk],
        start=months[0] - timedelta(days=7),
        end=TODAY,
        period=Period.MONTH,
    )
    assert by_month.starts == tuple(months)
    assert by_month.counts == (7, 7, 7, 7)
    assert [round(v) for v in by_month.values] == [100, 86, 71, 57]


def test_learning_actions_done_on_time(system):
    response = learning_response(system, system.team_a, system.team_leader_a, W1 - timedelta(1))
    owner = system.clinician_a
    action(system, response, owner, W1 + timedelta(days=2), done_on=W1 + timedelta(days=1))
    action(system, response, owner, W1 + timedelta(days=3), done_on=W1 + timedelta(days=5))
    action(system, response, owner, W1 + timedelta(days=4))  # not done, and overdue
    action(system, response, owner, W2 + timedelta(days=1), done_on=W2 + timedelta(days=1))
    action(system, response, owner, W3, done_on=W3)
    # Due later this week and not done yet: not counted until its day has passed.
    this_monday = TODAY - timedelta(days=TODAY.weekday())
    action(system, response, owner, TODAY + timedelta(days=1))

    a = system.team_a.pk
    assert rows("learning-actions-on-time") == [WeekRow(a, W1, 1.0, 3), WeekRow(a, W2, 1.0, 1)]
    assert rows("learning-actions-on-time", this_monday, this_monday + timedelta(weeks=1)) == []


# -- Queries: the same number for one team and week as for three teams over three weeks ----------


def world(system, team: Team, week: date, people) -> None:
    """Something for every measure to count for `team` in `week` (and its pulse in the month
    `week` is in)."""
    forum, creator = huddle_of(
        system, team, min_disciplines=1, required_organisation_kinds=["vcse"]
    )
    plain, _ = huddle_of(system, team)
    first = referral(system, f"First {team.pk}", team, at(week - timedelta(days=30)), creator)
    moved_on(system, first, plain, at(week - timedelta(days=5)), creator)
    referred_again(system, first.person, team, at(week, 9), creator)
    meeting = forum_services.meeting_create(
        actor=creator, forum=forum, starts_at=at(week), ends_at=at(week, 11), confirm_past=True
    )
    forum_services.attendance_record(actor=creator, meeting=meeting, person=system.board_member)
    site = forum_services.site_create(
        actor=system.administrator, name=f"Base {team.pk}", teams=[team]
    )
    forum_services.presence_visit_record(actor=system.board_member, site=site, on_date=week)
    for hour in (10, 11):
        decision = decided(system, forum, creator, at(week, hour), voices=[creator, system.vcse])
        held(system.board_member, decision, at(week + timedelta(days=1)))
    walker = referral(system, f"Walker {team.pk}", team, at(week - timedelta(days=20)), creator)
    plan = positive_risk(system, walker, plain, at(week, 14), actor=creator)
    held(system.board_member, plan, at(week + timedelta(days=1)))
    owner = system.team_leader_a if team == system.team_a else system.board_member
    concern = raised(system, creator, team, week)
    concern = acknowledged(owner, concern, week + timedelta(days=1))
    concern = with_action(owner, concern, week + timedelta(days=1))
    voice_services.concern_address(
        actor=owner,
        concern=concern,
        expected_version=concern.version,
        what_we_did="Done.",
        today=week + timedelta(days=2),
    )
    wellbeing_services.support_session_record(
        actor=creator,
        kind=SupportKind.SCHWARTZ_ROUND,
        starts_at=at(week, 15),
        team=team,
        attendees=[creator],
    )
    month = week.replace(day=1)
    pulse(team, month, people, [4] * 7, [2] * 7)
    response = learning_response(system, team, creator, week - timedelta(days=1))
    action(system, response, creator, week, done_on=week, actor=creator)


def queries(slug: str, start: date, end: date) -> int:
    with CaptureQueriesContext(connection) as captured:
        list(BY_SLUG[slug].weekly(at(start, 0), at(end, 0)))
    return len(captured.captured_queries)


def test_each_measure_reads_a_fixed_number_of_queries(system):
    first_of = months_ago(4)
    week = first_of + timedelta(days=(7 - first_of.weekday()) % 7)  # a Monday in that month
    start, end = week - timedelta(weeks=5), week + timedelta(weeks=6)
    world(system, system.team_a, week, team_of_seven(system, system.team_a, "north"))
    few = {m.slug: queries(m.slug, start, end) for m in MEASURES}
    written = {m.slug: len(list(m.weekly(at(start, 0), at(end, 0)))) for m in MEASURES}
    assert all(written.values()), written  # something to count for each

    month_later = months_ago(2)
    for team, prefix, on in (
        (system.team_b, "south", week + timedelta(weeks=1)),
        (system.board, "board", month_later + timedelta(days=(7 - month_later.weekday()) % 7)),
    ):
        world(system, team, on, team_of_seven(system, team, prefix))
    end = TODAY
    many = {m.slug: queries(m.slug, start, end) for m in MEASURES}
    grown = {m.slug: len(list(m.weekly(at(start, 0), at(end, 0)))) for m in MEASURES}
    assert all(
        grown[slug] > written[slug]
        for slug in grown
        if slug not in {"referral-to-offer", "ready-to-moved-on"}
    ), (written, grown)
    assert many == few


def test_representation_is_read_in_batches(system, monkeypatch):
    monkeypatch.setattr(measures, "REPRESENTATION_BATCH", 2)
    forum, creator = huddle_of(
        system, system.team_a, min_disciplines=2, required_organisation_kinds=["vcse"]
    )
    for hour in (9, 10, 11):
        decided(system, forum, creator, at(W1, hour), voices=[creator, system.vcse])
    decided(system, forum, creator, at(W1, 12), voices=[creator])
    with CaptureQueriesContext(connection) as captured:
        found = rows("decisions-full-representation")
    # The decisions, then the positions of each batch of two (none was made in a meeting).
    assert len(captured.captured_queries) == 1 + 2
    assert found == [WeekRow(system.team_a.pk, W1, 3.0, 4)]
