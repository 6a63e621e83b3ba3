"""The care pages' extension points (`roundtable.care.extensions`) and what safety adds there:
badges on the huddle board, "Not alone" on a caseload and a panel on the person's page, each in a
fixed number of queries however many people."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Value
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from roundtable.care import extensions
from roundtable.care import selectors as care_selectors
from roundtable.care import services as care_services
from roundtable.care.models import Episode, PersonInCare
from roundtable.care.selectors import BoardCard, CardEpisode, PersonRef
from roundtable.care.selectors import board as board_selectors
from roundtable.safety import presenters, services
from roundtable.safety.models import PositiveRiskPlan, SafetyReview
from roundtable.safety.tests.helpers import PLAN, in_support, north_mdt, positive_risk_plan

# -- The registry --------------------------------------------------------------------------------


@pytest.fixture
def empty_registry():
    with (
        extensions.panel_registry.kept(empty=True),
        extensions.badge_registry.kept(empty=True),
        extensions.caseload_registry.kept(empty=True),
    ):
        extensions.board_extras.cache_clear()
        yield
    extensions.board_extras.cache_clear()  # built again from the apps' own badges


def test_person_panels_come_in_order_escaped_unless_safe(empty_registry):
    person = PersonInCare(name="Dee <Example>")
    extensions.register_person_panel("b.plain", lambda request, p: f"<b>{p.name}</b>", order=20)
    extensions.register_person_panel(
        "a.html", lambda request, p: format_html("<p>{}</p>", p.name), order=20
    )
    extensions.register_person_panel("c.empty", lambda request, p: "", order=10)
    extensions.register_person_panel("d.first", lambda request, p: "First", order=5)
    request = RequestFactory().get("/")
    assert extensions.person_panels(request, person) == [
        "First",
        "<p>Dee &lt;Example&gt;</p>",
        "&lt;b&gt;Dee &lt;Example&gt;&lt;/b&gt;",
    ]


def card(pk: int, **extras: object) -> BoardCard:
    episode = CardEpisode(pk, 1, "in_support", None, None, PersonRef(pk, f"L{pk}", "Dee"), None)
    return BoardCard(episode, [], None, None, dict(extras))


def test_board_badges_read_with_the_board_and_are_asked_once_for_all_its_cards(empty_registry):
    asked: list[list[tuple[int, dict[str, object]]]] = []

    def overdue(user, team, rows):
        asked.append([(row.episode.id, row.values) for row in rows])
        return {
            row.episode.id: [f"Overdue <{row.values['days']}>"]
            for row in rows
            if row.values["days"]
        }

    extensions.register_board_badges(
        "b.overdue", overdue, read=lambda: {"days": Value(1)}, order=20
    )
    extensions.register_board_badges(
        "a.plan",
        lambda user, team, rows: {1: [format_html("<a href='#'>{}</a>", "Plan")]},
        read=lambda: {"days": Value(2)},  # the same name as another badge's: kept apart
        order=10,
    )
    extensions.register_board_badges("c.none", lambda user, team, rows: {2: [""]}, order=30)
    extras = extensions.board_extras()
    assert list(extras) == ["a_plan_days", "b_overdue_days"]
    cards = [card(1, a_plan_days=0, b_overdue_days=3), card(2, a_plan_days=0, b_overdue_days=0)]
    badges = extensions.board_badges(None, None, cards)  # type: ignore[arg-type]
    assert badges == {1: ["<a href='#'>Plan</a>", "Overdue &lt;3&gt;"]}
    assert asked == [[(1, {"days": 3}), (2, {"days": 0})]]  # once, with every card


def test_the_boards_extras_are_kept_until_a_badge_registers(empty_registry):
    extensions.register_board_badges("a.days", lambda user, team, rows: {}, read=lambda: {})
    kept = extensions.board_extras()
    assert dict(kept) == {}
    assert extensions.board_extras() is kept
    extensions.register_board_badges(
        "b.days", lambda user, team, rows: {}, read=lambda: {"days": Value(1)}
    )
    assert list(extensions.board_extras()) == ["b_days_days"]
    assert extensions.board_extras() is not kept
    with pytest.raises(TypeError):
        extensions.board_extras()["c_days"] = Value(2)  # type: ignore[index]


@pytest.mark.django_db
def test_what_the_board_keeps_depends_on_neither_the_time_nor_the_reader(monkeypatch):
    """The board's card query, with the safety badges' expressions, is built once and kept
    (ADR 0019): it may hold no moment and no day, and it takes no reader (a board narrows it
    to what its reader may see). Built afresh at another time, it compiles the same."""

    def compiled() -> tuple[str, tuple[object, ...]]:
        extras = extensions.board_extras.__wrapped__()  # built afresh, not the kept ones
        fresh = board_selectors._CardQueries()(extras)
        sql, params = fresh.query.sql_with_params()
        return sql, tuple(params)

    now = compiled()
    assert not [p for p in now[1] if isinstance(p, date | datetime)]
    later = timezone.now() + timedelta(days=400, hours=7)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert compiled() == now


def test_caseload_extras_merge_in_order(empty_registry):
    extensions.register_caseload_extra("b", lambda user, ids: {i: f"b{i}" for i in ids}, order=2)
    extensions.register_caseload_extra("a", lambda user, ids: {1: "a1", 2: ""}, order=1)
    assert extensions.caseload_extras(None, [1, 2]) == {1: ["a1", "b1"], 2: ["b2"]}
    assert extensions.caseload_extras(None, []) == {}


def test_safety_registers_its_contributions():
    assert extensions.panel_registry.get("safety.plan") is presenters.person_panel
    review = extensions.badge_registry.get("safety.review")
    assert (review.compute, review.read) == (presenters.review_badges, presenters.review_read)
    plan = extensions.badge_registry.get("safety.positive_risk")
    assert (plan.compute, plan.read) == (
        presenters.positive_risk_badges,
        presenters.positive_risk_read,
    )
    assert extensions.caseload_registry.get("safety.not_alone") is presenters.not_alone


# -- What safety adds ----------------------------------------------------------------------------


def zoned(system, count: int, zone_name: str, start: int = 0) -> list[Episode]:
    zones = {z.name: z for z in care_services.zones_ensure(team=system.team_a)}
    episodes = []
    for n in range(start, start + count):
        episode = in_support(system, f"Z{n}", name=f"Person {n:02d}")
        episodes.append(
            care_services.episode_zone_set(
                actor=system.clinician_a, episode=episode, zone=zones[zone_name]
            )
        )
    return episodes


def badges_of(user, episodes: list[Episode]) -> dict[int, list[SafeString]]:
    """The badges on these people's cards, as the board reads and shows them to `user`."""
    team = episodes[0].team
    board = care_selectors.huddle_board(
        user,
        team,
        zones=care_services.zones_ensure(team=team),
        extras=extensions.board_extras(),
    )
    wanted = {e.pk for e in episodes}
    return extensions.board_badges(user, team, [c for c in board.cards if c.episode.pk in wanted])


def queries(compute) -> int:
    with CaptureQueriesContext(connection) as captured:
        compute()
    return len(captured)


@pytest.mark.django_db
def test_review_badges_say_who_is_due_at_the_huddle(system):
    red = zoned(system, 1, "Red")[0]
    green_reviewed, green_new = zoned(system, 2, "Green", start=1)
    for episode in (red, green_reviewed):
        services.safety_plan_save(
            actor=system.clinician_a, person=episode.person, values=PLAN, written_with="Them"
        )
    SafetyReview.objects.filter(person=red.person).update(
        reviewed_on=timezone.localdate() - timedelta(days=10)
    )
    episodes = [red, green_reviewed, green_new]
    assert badges_of(system.clinician_a, episodes) == {
        red.pk: ["Safety review overdue by 3 days"],
        green_new.pk: ["Safety review due today"],  # never reviewed: due from being zoned
    }
    assert badges_of(system.clinician_b, episodes) == {}  # not on their board


@pytest.mark.django_db
def test_a_person_zoned_with_no_time_kept_is_due_from_their_referral(system):
    (episode,) = zoned(system, 1, "Red")
    referred = timezone.now() - timedelta(days=20)
    Episode.objects.filter(pk=episode.pk).update(zone_since=None, referred_at=referred)
    # Never reviewed: due from the (local) day of the referral, like the reviews-due list.
    overdue = (timezone.localdate() - timezone.localdate(referred)).days
    assert badges_of(system.clinician_a, [episode]) == {
        episode.pk: [f"Safety review overdue by {overdue} days"]
    }


@pytest.mark.django_db
def test_the_board_badges_need_no_query_of_their_own_but_one_for_plans(system):
    mdt = north_mdt(system)
    few = zoned(system, 1, "Red")

    def badge_queries(episodes: list[Episode]) -> int:
        board = care_selectors.huddle_board(
            system.clinician_a,
            system.team_a,
            zones=care_services.zones_ensure(team=system.team_a),
            extras=extensions.board_extras(),
        )
        assert {c.episode.pk for c in board.cards} == {e.pk for e in episodes}
        return queries(
            lambda: extensions.board_badges(system.clinician_a, system.team_a, board.cards)
        )

    # The reviews are read with the board's episodes; nobody has a positive risk-taking plan.
    assert badge_queries(few) == 0
    positive_risk_plan(system, few[0], mdt, held_by=system.team_leader_a)
    assert badge_queries(few) == 1  # the plans, for the cards that have one
    many = few + zoned(system, 4, "Amber", start=10)
    for episode in many[1:3]:
        positive_risk_plan(system, episode, mdt, held_by=system.team_leader_a)
    assert badge_queries(many) == 1
    badges = badges_of(system.clinician_a, many)
    assert badges[many[1].pk] == [
        "Safety review due today",
        f'<a href="/decisions/{badges_decision(many[1])}/">Positive risk-taking plan</a>: agreed, '
        "held by Gita Leader",
    ]


def badges_decision(episode: Episode) -> int:
    return PositiveRiskPlan.objects.get(episode=episode).decision_id


@pytest.mark.django_db
def test_a_plan_not_yet_held_says_so(system):
    mdt = north_mdt(system)
    episode = zoned(system, 1, "Green")[0]
    decision = services.positive_risk_propose(
        actor=system.clinician_a,
        episode=episode,
        forum=mdt,
        wants_to="Cook for friends",
        benefits="Connection",
        possible_harms="A bad evening",
        safeguards="Sister on the phone",
        who_does_what="Peer worker helps plan",
        review_on=timezone.localdate() + timedelta(days=14),
    )
    assert badges_of(system.clinician_a, [episode]) == {
        episode.pk: [
            "Safety review due today",
            f'<a href="/decisions/{decision.pk}/">Positive risk-taking plan</a>: '
            "open for positions",
        ]
    }


@pytest.mark.django_db
def test_not_alone_shows_who_shared_and_who_holds_each_decision(system):
    mdt = north_mdt(system)
    episodes = zoned(system, 1, "Green")
    positive_risk_plan(system, episodes[0], mdt, held_by=system.team_leader_a)
    one = [e.pk for e in episodes]
    extra = presenters.not_alone(system.clinician_a, one)
    html = extra[episodes[0].pk]
    assert "Positive risk-taking: Person 00 — Go walking alone" in html
    assert "(agreed, North MDT)" in html
    assert "Shared by Chloe Practitioner, Gita Leader." in html
    assert "Held by Gita Leader." in html
    assert presenters.not_alone(system.clinician_b, one) == {}
    few_queries = queries(lambda: presenters.not_alone(system.clinician_a, one))
    assert few_queries == 3
    more = episodes + zoned(system, 3, "Amber", start=10)
    for episode in more[1:]:
        positive_risk_plan(system, episode, mdt, held_by=system.team_leader_a)
    ids = [e.pk for e in more]
    assert queries(lambda: presenters.not_alone(system.clinician_a, ids)) == few_queries
    assert len(presenters.not_alone(system.clinician_a, ids)) == 4


@pytest.mark.django_db
def test_the_person_panel(system):
    episode = zoned(system, 1, "Green")[0]
    request = RequestFactory().get("/")
    request.user = system.clinician_a
    empty = presenters.person_panel(request, episode.person)
    assert "Person 00 has no safety plan yet. Write it with them." in empty
    assert "Next safety review: due today (every 91 days in their zone)." in empty
    services.safety_plan_save(
        actor=system.clinician_a,
        person=episode.person,
        values=PLAN,
        written_with="Dee and her key worker",
    )
    panel = presenters.person_panel(request, episode.person)
    assert "Version 1, written with Dee and her key worker by Amira Clinician." in " ".join(
        panel.split()
    )
    assert f'href="/safety/people/{episode.person_id}/"' in panel
