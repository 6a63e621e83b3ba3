"""Raising concerns, acting on them, replies, notices and what is (not) stored about a raiser."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from roundtable.audit.models import AuditEvent
from roundtable.core.concurrency import ConcurrentEditError
from roundtable.voice import queries, selectors, services
from roundtable.voice.models import (
    Concern,
    ConcernEvent,
    ConcernNotice,
    ConcernReply,
    ConcernStatus,
)
from roundtable.voice.tests.helpers import MONDAY, raise_to_team, trust_leadership

pytestmark = pytest.mark.django_db


def test_an_anonymous_concern_stores_no_user_no_ip_and_nothing_finer_than_the_day(system):
    concern, token = raise_to_team(system)
    concern.refresh_from_db()
    assert concern.raised_by_id is None
    assert concern.is_anonymous
    assert concern.owner == system.team_a_leadership
    assert concern.raised_on == MONDAY
    assert concern.due_on == date(2026, 3, 9)  # 5 working days
    # Only the hash of the receipt token is kept.
    assert token not in concern.receipt_hash
    assert concern.receipt_hash == queries.hash_receipt(token)
    # No column of the concern or its event holds a person, an address or a time of day.
    for model in (Concern, ConcernEvent):
        for field in model._meta.concrete_fields:
            assert field.get_internal_type() not in {
                "DateTimeField",
                "GenericIPAddressField",
                "IPAddressField",
                "TimeField",
            }, (model.__name__, field.name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM voice_concern WHERE id = %s", [concern.pk])
        row = dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))
    person_ids = {system.lone_coach.pk}
    assert row["raised_by_id"] is None
    assert not any("ip" in name.split("_") for name in row)
    assert system.lone_coach.email not in str(row)
    event = ConcernEvent.objects.get(concern=concern)
    assert event.actor_id is None
    assert event.on == MONDAY
    # No audit row either: its time would be to the second.
    assert not AuditEvent.objects.filter(object_type="voice.concern", object_id=str(concern.pk))
    assert not AuditEvent.objects.filter(actor_id__in=person_ids).exists()


def test_a_named_concern_names_its_raiser(system):
    concern, _ = raise_to_team(system, anonymous=False)
    assert concern.raised_by == system.lone_coach
    assert ConcernEvent.objects.get(concern=concern).actor == system.lone_coach
    assert AuditEvent.objects.get(object_type="voice.concern").actor == system.lone_coach


@pytest.mark.parametrize(
    ("title", "body", "field", "message"),
    [
        ("", "Something", "title", "Enter a short title"),
        ("   ", "Something", "title", "Enter a short title"),
        ("A title", "  ", "body", "Say what the concern is"),
        ("x" * 201, "Something", "title", "200 characters or fewer"),
    ],
)
def test_an_empty_concern_is_refused_and_nothing_stored(system, title, body, field, message):
    with pytest.raises(ValidationError) as caught:
        services.concern_raise(
            actor=system.lone_coach,
            level="team",
            team=system.team_a,
            title=title,
            body=body,
            anonymous=True,
        )
    assert message in " ".join(caught.value.message_dict[field])
    assert not Concern.objects.exists()
    assert not ConcernEvent.objects.exists()
    assert not AuditEvent.objects.filter(object_type="voice.concern").exists()


def test_raising_only_to_your_own_team_or_organisation(system):
    with pytest.raises(ValidationError, match="one of your own teams"):
        services.concern_raise(
            actor=system.lone_coach,
            level="team",
            team=system.team_b,
            title="T",
            body="B",
            anonymous=False,
        )
    with pytest.raises(ValidationError, match="organisation you work in"):
        services.concern_raise(
            actor=system.lone_coach,
            level="organisation",
            organisation=system.icb,
            title="T",
            body="B",
            anonymous=False,
        )
    assert not Concern.objects.exists()


def test_owner_falls_back_up_the_levels(system):
    # The South CMHT has no leadership team, and the trust none yet: the system's takes it.
    concern, _ = services.concern_raise(
        actor=system.clinician_b,
        level="team",
        team=system.team_b,
        title="Rota",
        body="The rota leaves no time for supervision.",
        anonymous=False,
    )
    assert concern.owner == system.system_leadership
    trust = trust_leadership(system)
    again, _ = services.concern_raise(
        actor=system.clinician_b,
        level="team",
        team=system.team_b,
        title="Rota again",
        body="Still no time.",
        anonymous=False,
    )
    assert again.owner == trust
    to_org, _ = services.concern_raise(
        actor=system.lone_coach,
        level="organisation",
        organisation=system.vcse_org,
        title="T",
        body="B",
        anonymous=True,
    )
    assert to_org.owner == system.system_leadership


def test_the_loop_raised_to_addressed_tells_the_named_raiser_of_every_change(system):
    concern, _ = raise_to_team(system, anonymous=False)
    leader = system.team_leader_a
    services.concern_acknowledge(
        actor=leader, concern=concern, expected_version=1, note="Thank you", today=MONDAY
    )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ACKNOWLEDGED
    assert concern.due_on == date(2026, 3, 30)  # 20 working days
    services.concern_agree_action(
        actor=leader,
        concern=concern,
        expected_version=2,
        action="Set up a peer circle for coaches",
        action_due_on=MONDAY + timedelta(days=30),
        today=MONDAY,
    )
    concern.refresh_from_db()
    assert concern.due_on == MONDAY + timedelta(days=30)
    services.concern_reply(actor=leader, concern=concern, body="The first circle is on Friday.")
    services.concern_address(
        actor=leader,
        concern=concern,
        expected_version=3,
        what_we_did="A monthly peer circle of every coach across the localities.",
        today=MONDAY + timedelta(days=10),
    )
    closed = Concern.objects.get(pk=concern.pk)
    assert closed.status == ConcernStatus.ADDRESSED
    assert closed.due_on is None
    assert closed.closed_on == MONDAY + timedelta(days=10)
    kinds = list(ConcernEvent.objects.filter(concern=concern).values_list("kind", flat=True))
    assert kinds == ["raised", "acknowledged", "action_agreed", "addressed"]
    notices = list(
        ConcernNotice.objects.filter(person=system.lone_coach)
        .order_by("pk")
        .values_list("message", flat=True)
    )
    assert len(notices) == 4
    assert "acknowledged" in notices[0]
    assert "action is agreed" in notices[1]
    assert "replied" in notices[2]
    assert "addressed" in notices[3]
    board = list(selectors.board(team=system.team_a))
    assert [row["title"] for row in board] == ["Lone working"]
    assert "raised_by" not in board[0]
    assert services.concern_notices_read(actor=system.lone_coach) == 4


def test_not_taken_forward_needs_a_reason_and_only_after_acknowledging(system):
    concern, _ = raise_to_team(system)
    leader = system.team_leader_a
    with pytest.raises(ValidationError, match="cannot become not taken forward"):
        services.concern_not_take_forward(
            actor=leader, concern=concern, expected_version=1, reason="Out of our hands"
        )
    services.concern_acknowledge(actor=leader, concern=concern, expected_version=1)
    with pytest.raises(ValidationError) as caught:
        services.concern_not_take_forward(
            actor=leader, concern=concern, expected_version=2, reason=" "
        )
    assert "Give the reason" in caught.value.message_dict["reason"][0]
    services.concern_not_take_forward(
        actor=leader,
        concern=concern,
        expected_version=2,
        reason="The contract sets this; we have asked the commissioners.",
        on_board=False,
    )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.NOT_TAKEN_FORWARD
    assert list(selectors.board(team=system.team_a)) == []
    # Nobody is told: the raiser is anonymous.
    assert not ConcernNotice.objects.exists()


def test_only_the_owning_leadership_team_acts_and_stale_versions_are_refused(system):
    concern, _ = raise_to_team(system)
    with pytest.raises(ValidationError, match="Only members of North CMHT leadership"):
        services.concern_acknowledge(actor=system.clinician_a, concern=concern, expected_version=1)
    services.concern_acknowledge(actor=system.team_leader_a, concern=concern, expected_version=1)
    with pytest.raises(ConcurrentEditError):
        services.concern_agree_action(
            actor=system.team_leader_a,
            concern=concern,
            expected_version=1,
            action="Something",
            action_due_on=date.today() + timedelta(days=5),
        )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ACKNOWLEDGED
    assert concern.action == ""


def test_agreeing_an_action_needs_the_action_and_a_future_date(system):
    concern, _ = raise_to_team(system)
    services.concern_acknowledge(actor=system.team_leader_a, concern=concern, expected_version=1)
    with pytest.raises(ValidationError) as caught:
        services.concern_agree_action(
            actor=system.team_leader_a,
            concern=concern,
            expected_version=2,
            action="",
            action_due_on=MONDAY,
            today=MONDAY,
        )
    assert set(caught.value.message_dict) == {"action", "action_due_on"}


def test_the_anonymous_raiser_follows_and_replies_through_the_receipt_only(system):
    concern, token = raise_to_team(system)
    page = selectors.concern_by_receipt(token)
    assert page.concern == concern
    reply = services.concern_reply_by_receipt(concern=concern, body="It is getting harder.")
    assert reply.author_id is None
    assert reply.from_raiser
    # Not audited: an audit row would time the raiser's reply to the second.
    assert not AuditEvent.objects.filter(object_type="voice.concernreply").exists()
    with pytest.raises(ValidationError, match="Write your reply"):
        services.concern_reply_by_receipt(concern=concern, body=" ")
    assert ConcernReply.objects.count() == 1
    # The raiser cannot reply as themselves on the page: they are not named on it.
    with pytest.raises(ValidationError, match="Only the person who raised"):
        services.concern_reply(actor=system.lone_coach, concern=concern, body="Hello")
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.concern_by_receipt(token + "x")


def test_who_sees_a_concern(system):
    concern, _ = raise_to_team(system, anonymous=False)
    assert selectors.concern_detail(system.team_leader_a, concern.pk).concern == concern
    assert selectors.concern_detail(system.lone_coach, concern.pk).concern == concern
    from django.http import Http404

    for outsider in (system.clinician_a, system.board_member, system.clinician_b):
        with pytest.raises(Http404):
            selectors.concern_detail(outsider, concern.pk)
    anonymous, _ = raise_to_team(system, title="Another")
    with pytest.raises(Http404):
        selectors.concern_detail(system.lone_coach, anonymous.pk)
    # Soonest due first; the same day, the newest first.
    assert list(selectors.concerns_for_my_leadership(system.team_leader_a)) == [anonymous, concern]
    assert list(selectors.concerns_raised_by(system.lone_coach)) == [concern]
