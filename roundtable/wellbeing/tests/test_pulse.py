"""Pulse check-ins: anonymous answers, one a round, small groups suppressed, trends."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.test import override_settings

from roundtable.audit.models import AuditEvent
from roundtable.wellbeing import queries, selectors, services
from roundtable.wellbeing.models import (
    DEFAULT_STATEMENTS,
    PulseAnswer,
    PulseComment,
    PulseResponseMarker,
    PulseRound,
)
from roundtable.wellbeing.tests.helpers import IN_MARCH, LATER, add_people, answer_all

pytestmark = pytest.mark.django_db


def test_a_round_opens_once_a_month_with_the_default_statements(system):
    first = services.pulse_round_open(team=system.team_a, day=IN_MARCH)
    again = services.pulse_round_open(team=system.team_a, day=date(2026, 3, 31))
    assert first == again
    assert first.month == date(2026, 3, 1)
    assert first.closes_on == date(2026, 3, 31)
    assert [s.text for s in first.statements.all()] == list(DEFAULT_STATEMENTS)
    # A team's next round keeps its statements, stored afresh so history keeps its wording.
    first.statements.filter(position=1).update(text="I feel held in hard decisions")
    april = services.pulse_round_open(team=system.team_a, day=LATER)
    assert april.statements.get(position=1).text == "I feel held in hard decisions"


def test_pulse_rows_hold_no_user_id_and_no_ip_and_no_time(system):
    pulse_round = services.pulse_round_open(team=system.team_a, day=IN_MARCH)
    statements = list(pulse_round.statements.all())
    services.pulse_answer(
        actor=system.lone_coach,
        pulse_round=pulse_round,
        values={s.pk: 2 for s in statements},
        comment="Lonely some weeks.",
        today=IN_MARCH,
    )
    expected = {
        PulseAnswer: {"id", "round_id", "statement_id", "value"},
        PulseComment: {"id", "round_id", "text"},
    }
    for model, columns in expected.items():
        # The table as stored, read raw: only these columns, so no person, address or time.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")
            assert cursor.fetchall()
            assert {c[0] for c in cursor.description} == columns
    # The answers' keys are random UUIDs: nothing orders them by when they were written.
    assert all(len(str(a.pk)) == 36 for a in PulseAnswer.objects.all())
    marker = PulseResponseMarker.objects.get()
    assert marker.person == system.lone_coach
    assert {f.column for f in PulseResponseMarker._meta.concrete_fields} == {
        "id",
        "round_id",
        "person_id",
    }
    audit = AuditEvent.objects.filter(
        object_type="wellbeing.pulseround", summary__contains="answered"
    )
    assert audit.count() == 1
    assert audit.get().actor_id is None
    assert not AuditEvent.objects.filter(actor=system.lone_coach).exists()


def test_answers_do_not_hold_the_person_in_any_column(system):
    """Reading the answer table raw: no column equals the answerer's id as a person."""
    pulse_round = services.pulse_round_open(team=system.team_a, day=IN_MARCH)
    answer_all([system.lone_coach], pulse_round)
    from roundtable.directory.models import Person

    assert not any(
        f.is_relation and f.related_model is Person for f in PulseAnswer._meta.concrete_fields
    )


def test_a_second_answer_in_a_round_is_refused_and_nothing_stored(system):
    pulse_round = services.pulse_round_open(team=system.team_a, day=IN_MARCH)
    answer_all([system.lone_coach], pulse_round, value=3)
    before = (PulseAnswer.objects.count(), PulseResponseMarker.objects.count())
    with pytest.raises(ValidationError, match="already answered"):
        answer_all([system.lone_coach], pulse_round, value=1)
    assert (PulseAnswer.objects.count(), PulseResponseMarker.objects.count()) == before
    assert set(PulseAnswer.objects.values_list("value", flat=True)) == {3}


@pytest.mark.parametrize("bad", [0, 6, -1, 100, None, True])
def test_an_out_of_range_answer_is_refused_and_nothing_stored(system, bad):
    pulse_round = services.pulse_round_open(team=system.team_a, day=IN_MARCH)
    statements = list(pulse_round.statements.all())
    values = {s.pk: 4 for s in statements}
    values[statements[1].pk] = bad
    with pytest.raises(ValidationError) as caught:
        services.pulse_answer(
            actor=system.lone_coach, pulse_round=pulse_round, values=values, today=IN_MARCH
        )
    key = f"statement_{statements[1].pk}"
    assert "I feel isolated in my role" in caught.value.message_dict[key][0]
    assert not PulseAnswer.objects.exists()
    assert not PulseResponseMarker.objects.exists()


def test_the_database_refuses_an_out_of_range_value(system):
    from django.db import IntegrityError, transaction

    pulse_round = services.pulse_round_open(team=system.team_a, day=IN_MARCH)
    statement = pulse_round.statements.get(position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PulseAnswer.objects.create(round=pulse_round, statement=statement, value=6)


def test_only_members_answer_and_only_while_the_round_is_open(system):
    pulse_round = services.pulse_round_open(team=system.team_a, day=IN_MARCH)
    values = {s.pk: 4 for s in pulse_round.statements.all()}
    with pytest.raises(ValidationError, match="Only members of North CMHT"):
        services.pulse_answer(
            actor=system.clinician_b, pulse_round=pulse_round, values=values, today=IN_MARCH
        )
    with pytest.raises(ValidationError, match="answer this month's instead"):
        services.pulse_answer(
            actor=system.lone_coach, pulse_round=pulse_round, values=values, today=LATER
        )
    assert not PulseResponseMarker.objects.exists()


def test_a_group_of_six_answers_shows_not_enough_answers_to_show(system):
    pulse_round = services.pulse_round_open(team=system.team_b, day=IN_MARCH)
    answer_all(add_people(system.team_b, 6), pulse_round)
    result = selectors.team_pulse(system.clinician_b, system.team_b, today=LATER)[0]
    assert result.responses == 6
    assert not result.shown
    assert result.statements == []
    assert result.message.startswith("Not enough answers to show")


def test_seven_answers_are_shown_once_the_round_closes(system):
    pulse_round = services.pulse_round_open(team=system.team_b, day=IN_MARCH)
    people = add_people(system.team_b, 7)
    answer_all(people[:4], pulse_round, value=5)
    answer_all(people[4:], pulse_round, value=2)
    services.pulse_answer(
        actor=system.clinician_b,
        pulse_round=pulse_round,
        values={s.pk: 1 for s in pulse_round.statements.all()},
        comment="We need more time together.",
        today=IN_MARCH,
    )
    open_result = selectors.team_pulse(system.clinician_b, system.team_b, today=IN_MARCH)[0]
    assert not open_result.shown
    assert "when the check-in closes on 31 March 2026" in open_result.message
    result = selectors.team_pulse(system.clinician_b, system.team_b, today=LATER)[0]
    assert result.shown
    assert result.responses == 8
    first = result.statements[0]
    assert first.text == DEFAULT_STATEMENTS[0]
    assert first.distribution == [1, 3, 0, 0, 4]
    assert first.mean_text == "3.4"
    assert first.agree_percent == 50
    assert result.comments == ["We need more time together."]


@override_settings(PULSE_MINIMUM_GROUP=3)
def test_the_minimum_is_never_below_five(system):
    assert queries.minimum_group() == 5
    pulse_round = services.pulse_round_open(team=system.team_b, day=IN_MARCH)
    answer_all(add_people(system.team_b, 4), pulse_round)
    assert not selectors.team_pulse(system.clinician_b, system.team_b, today=LATER)[0].shown


@override_settings(PULSE_MINIMUM_GROUP=10)
def test_the_minimum_can_be_raised(system):
    assert queries.minimum_group() == 10
    pulse_round = services.pulse_round_open(team=system.team_b, day=IN_MARCH)
    answer_all(add_people(system.team_b, 9), pulse_round)
    assert not selectors.team_pulse(system.clinician_b, system.team_b, today=LATER)[0].shown


def test_team_results_are_for_the_team_and_its_leaders(system):
    services.pulse_round_open(team=system.team_a, day=IN_MARCH)
    assert selectors.team_pulse(system.team_leader_a, system.team_a, today=LATER)
    assert selectors.team_pulse(system.clinician_a, system.team_a, today=LATER)
    with pytest.raises(Http404):
        selectors.team_pulse(system.clinician_b, system.team_a, today=LATER)


def test_trends_for_a_team_and_for_the_system_leave_out_small_groups(system):
    a_people = add_people(system.team_a, 7, prefix="a")
    b_people = add_people(system.team_b, 6, prefix="b")
    for month, value in ((date(2026, 1, 15), 2), (date(2026, 2, 15), 4)):
        a_round = services.pulse_round_open(team=system.team_a, day=month)
        answer_all(a_people, a_round, value=value, day=month)
        b_round = services.pulse_round_open(team=system.team_b, day=month)
        answer_all(b_people, b_round, value=1, day=month)
    texts, rows = selectors.team_trend(system.team_leader_a, system.team_a, today=LATER)
    assert texts == list(DEFAULT_STATEMENTS)
    assert [(r.month, r.responses, r.means[texts[0]]) for r in rows] == [
        (date(2026, 1, 1), 7, 2.0),
        (date(2026, 2, 1), 7, 4.0),
    ]
    _, b_rows = selectors.team_trend(system.clinician_b, system.team_b, today=LATER)
    assert b_rows == []
    # The system's trend has team A's months only: team B's six would be given away by
    # subtracting team A's results from a total that included them.
    _, system_rows = selectors.system_trend(today=LATER)
    assert [(r.month, r.responses, r.teams, r.means[texts[0]]) for r in system_rows] == [
        (date(2026, 1, 1), 7, 1, 2.0),
        (date(2026, 2, 1), 7, 1, 4.0),
    ]


def test_tick_opens_a_round_for_every_team_and_is_safe_to_repeat(system):
    from io import StringIO

    call_command("tick", "--today", "2026-03-02", stdout=StringIO())
    count = PulseRound.objects.filter(month=date(2026, 3, 1)).count()
    assert count == 3  # North CMHT, South CMHT and the board have members
    call_command("tick", "--today", "2026-03-20", stdout=StringIO())
    assert PulseRound.objects.filter(month=date(2026, 3, 1)).count() == count
