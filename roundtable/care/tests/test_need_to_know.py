"""Need-to-know at its edges: referring someone already recorded, and notices of decisions about
a person, which are told and shown only to those who may see the person — at the time they are
read, not only when they were written."""

from __future__ import annotations

import pytest
from django.test import Client

from roundtable.audit.models import AuditEvent
from roundtable.audit.selectors import events_about
from roundtable.care import selectors, services
from roundtable.care.models import Episode, PersonInCare, Stage
from roundtable.core import access
from roundtable.decisions import selectors as decision_selectors
from roundtable.decisions import services as decision_services
from roundtable.decisions.models import Comment, Decision, Notification, Position
from roundtable.directory.models import Membership
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind
from roundtable.testing import System
from roundtable.tests.api import call, ok

pytestmark = pytest.mark.django_db

API = "/api/v1/care"
KNOWN_NHS_NUMBER = "9991234578"
UNKNOWN_NHS_NUMBER = "9990000018"


@pytest.fixture
def known(system: System) -> Episode:
    """Someone North CMHT cares for."""
    return services.person_refer(
        actor=system.clinician_a,
        team=system.team_a,
        local_id="N-1",
        name="Ada Known",
        nhs_number=KNOWN_NHS_NUMBER,
        referral_source="gp",
    )


def register(client: Client, system: System, nhs_number: str, local_id: str):
    body = {
        "local_id": local_id,
        "name": "Bea Given",
        "nhs_number": nhs_number,
        "referral": {"team": system.team_b.pk, "referral_source": "self"},
    }
    return call(client, system.clinician_b, "post", f"{API}/people", body)


def test_registering_someone_already_recorded_answers_as_for_someone_new(
    client: Client, system: System, known: Episode
) -> None:
    new = register(client, system, UNKNOWN_NHS_NUMBER, "S-1")
    again = register(client, system, KNOWN_NHS_NUMBER, "S-2")
    assert (new.status_code, again.status_code) == (201, 201)
    assert set(new.body) == set(again.body) == {"person", "episode"}
    assert set(new.body["episode"]) == set(again.body["episode"])
    # The referral is attached to the person already recorded, not a second record of them.
    assert PersonInCare.objects.filter(nhs_number=KNOWN_NHS_NUMBER).count() == 1
    assert again.body["person"]["id"] == known.person_id
    assert AuditEvent.objects.filter(
        object_type="care.personincare",
        object_id=str(known.person_id),
        summary="Referred as already recorded",
        actor=system.clinician_b,
    ).exists()
    # South CMHT sees the person and its own episode with them, never North CMHT's work.
    record = ok(call(client, system.clinician_b, "get", f"{API}/people/{known.person_id}"))
    assert [e["team"]["id"] for e in record["episodes"]] == [system.team_b.pk]
    visible = selectors.person_record(system.clinician_b, known.person_id)
    assert [e.team_id for e in visible.episodes] == [system.team_b.pk]
    not_found = call(client, system.clinician_b, "get", f"{API}/episodes/{known.pk}")
    assert not_found.status_code == 404


def test_the_refer_page_answers_the_same_for_a_known_and_an_unknown_nhs_number(
    client: Client, system: System, known: Episode
) -> None:
    client.force_login(system.clinician_b)
    answers = []
    for number, local_id in ((UNKNOWN_NHS_NUMBER, "S-1"), (KNOWN_NHS_NUMBER, "S-2")):
        response = client.post(
            "/care/refer/",
            {
                "local_id": local_id,
                "name": "Bea Given",
                "nhs_number": number,
                "team": system.team_b.pk,
                "referral_source": "self",
            },
            follow=True,
        )
        assert response.status_code == 200
        answers.append(response)
    for response in answers:
        text = response.content.decode()
        assert "Bea Given is referred to South CMHT." in text
        assert "already" not in text


@pytest.fixture
def move_on(system: System, known: Episode) -> Decision:
    """A move-on decision about Ada, in a forum whose members include people who may not see
    her (South CMHT's clinician, the lived-experience representative)."""
    forum = forum_services.forum_create(
        actor=system.team_leader_a,
        name="North MDT",
        kind=ForumKind.MDT,
        home_team=system.team_a,
        members=[system.clinician_a, system.clinician_b, system.lived_experience],
    )
    known.stage = Stage.READY_TO_MOVE_ON
    known.save(update_fields=["stage"])
    return services.move_on_propose(
        actor=system.team_leader_a,
        episode=known,
        destination="gp",
        forum=forum,
        proposal="Back to the GP; comes back if need be.",
    )


def test_notices_of_a_decision_about_a_person_go_only_to_those_who_may_see_them(
    system: System, move_on: Decision
) -> None:
    """A forum may include people who may not see the person: they are not asked, and a
    notice's reader who loses access no longer sees it."""
    decision = move_on
    told = set(Notification.objects.filter(decision=decision).values_list("person", flat=True))
    assert told == {system.clinician_a.pk}
    assert [n.decision for n in decision_selectors.notifications_for(system.clinician_a)] == [
        decision
    ]
    assert decision_selectors.unread_count(system.clinician_a) == 1
    # Access ends (she leaves the team): the notice stays stored but is no longer shown.
    Membership.objects.filter(person=system.clinician_a, team=system.team_a).delete()
    assert decision_selectors.notifications_for(system.clinician_a) == []
    assert decision_selectors.unread_count(system.clinician_a) == 0
    assert Notification.objects.filter(person=system.clinician_a, decision=decision).exists()


def shown_events() -> list[tuple[str, set[int]]]:
    """The list-read audit events so far, oldest first: summary and the people they name."""
    return [
        (event.summary, set(event.shown))
        for event in AuditEvent.objects.filter(action="read", object_type="care.personincare")
        .exclude(shown=[])
        .order_by("at", "pk")
    ]


def test_a_list_read_writes_one_audit_event_naming_the_people_shown(
    client: Client, system: System, known: Episode
) -> None:
    other = services.person_refer(
        actor=system.clinician_a,
        team=system.team_a,
        local_id="N-2",
        name="Cy Second",
        referral_source="gp",
        key_worker=system.clinician_a,
    )
    page = ok(call(client, system.clinician_a, "get", f"{API}/people", {"page_size": 1}))
    assert page["count"] == 2
    [(summary, people)] = shown_events()
    assert summary == "People in care (1 shown)"
    assert people == {page["items"][0]["id"]}
    ok(call(client, system.clinician_a, "get", f"{API}/caseload"))
    Episode.objects.filter(team=system.team_a).update(stage=Stage.IN_SUPPORT)
    client.force_login(system.clinician_a)
    assert client.get(f"/care/teams/{system.team_a.pk}/huddle/").status_code == 200
    # Someone with no one to see writes nothing: nobody was shown.
    ok(call(client, system.clinician_b, "get", f"{API}/people"))
    assert shown_events()[1:] == [
        (f"Caseload of {system.clinician_a.full_name} (1 shown)", {other.person_id}),
        ("Huddle board of North CMHT (2 shown)", {known.person_id, other.person_id}),
    ]
    assert all(
        event.actor == system.clinician_a
        for event in AuditEvent.objects.filter(action="read", object_type="care.personincare")
    )
    # Who has seen the person: every list read that showed them, as well as single reads.
    ok(call(client, system.clinician_a, "get", f"{API}/people/{known.person_id}"))
    assert page["items"][0]["id"] == known.person_id  # by name: Ada before Cy
    seen = events_about(PersonInCare, known.person_id).filter(action="read")
    assert [(e.actor, e.summary) for e in seen.order_by("at", "pk")] == [
        (system.clinician_a, "People in care (1 shown)"),
        (system.clinician_a, "Huddle board of North CMHT (2 shown)"),
        (system.clinician_a, ""),  # the person's record, opened
    ]


def test_positions_and_comments_on_a_decision_about_a_person_follow_the_decision(
    system: System, move_on: Decision
) -> None:
    decision = move_on
    position = decision_services.position_take(
        actor=system.clinician_a, decision=decision, stance="consent"
    )
    comment = decision_services.comment_add(
        actor=system.clinician_a, decision=decision, body="Ada agreed this with us."
    )
    for model, record in ((Position, position), (Comment, comment)):
        assert list(access.scoped(system.clinician_a, model)) == [record]
        assert list(access.scoped(system.clinician_b, model)) == []
