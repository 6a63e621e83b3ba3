"""The API applies exactly the pages' rules: one rule per action, kept in the service.

Each page narrows what may be chosen (the team's key workers, today's meetings, the team's forums
in use, the members of a team …) and each page's choice is also the service's rule, so the API,
which passes ids straight to the service, is refused what the page refuses, in the same plain
words, and nothing is stored. Each test also shows the allowed choice still goes through, so a
refusal cannot come from something else.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.care import services
from roundtable.care.models import (
    CareAction,
    CareDecision,
    Episode,
    HuddleNote,
    Offer,
    PersonInCare,
    Stage,
    ZoneChange,
)
from roundtable.core.errors import NotAllowed
from roundtable.decisions import services as decision_services
from roundtable.decisions.models import Decision
from roundtable.forums import services as forum_services
from roundtable.forums.models import Forum, ForumKind, Meeting, local_datetime
from roundtable.safety.models import PositiveRiskPlan
from roundtable.testing import System
from roundtable.tests.api import call, forbidden, ok, refused
from roundtable.wellbeing.models import SupportAttendance, SupportSession

pytestmark = pytest.mark.django_db

API = "/api/v1"


def stored() -> tuple[int, ...]:
    """Everything a refused write might have left behind (reads may be audited: not counted)."""
    return (
        PersonInCare.objects.count(),
        Episode.objects.count(),
        ZoneChange.objects.count(),
        HuddleNote.objects.count(),
        CareAction.objects.count(),
        Offer.objects.count(),
        Decision.objects.count(),
        CareDecision.objects.count(),
        PositiveRiskPlan.objects.count(),
        SupportSession.objects.count(),
        SupportAttendance.objects.count(),
        AuditEvent.objects.exclude(action__in=[AuditAction.SIGN_IN, AuditAction.READ]).count(),
    )


def on(day: date, hour: int) -> datetime:
    return local_datetime(day, time(hour))


def meeting_of(system: System, forum: Forum, day: date, hour: int = 12) -> Meeting:
    """A meeting of `forum` on `day` (an hour long)."""
    return forum_services.meeting_create(
        actor=system.team_leader_a,
        forum=forum,
        starts_at=on(day, hour),
        ends_at=on(day, hour + 1),
    )


def yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def team_forum(system: System, name: str, kind: str, *, archived: bool = False) -> Forum:
    forum = forum_services.forum_create(
        actor=system.team_leader_a,
        name=name,
        kind=kind,
        home_team=system.team_a,
        members=[system.clinician_a, system.vcse],
    )
    if archived:
        Forum.objects.filter(pk=forum.pk).update(is_archived=True)
        forum.refresh_from_db()
    return forum


def referred(system: System, local_id: str, name: str) -> Episode:
    return services.person_refer(
        actor=system.clinician_a,
        team=system.team_a,
        local_id=local_id,
        name=name,
        referral_source="gp",
        key_worker=system.clinician_a,
    )


def moved(system: System, episode: Episode, *stages: str) -> Episode:
    for stage in stages:
        episode = services.episode_move(actor=system.clinician_a, episode=episode, to_stage=stage)
    return episode


# --- Referring: the key worker is one of the team's members; "came back" is not a source ------


def test_a_referral_names_a_key_worker_from_the_team_as_the_page_offers(
    client: Client, system: System
) -> None:
    def person(key_worker: int, source: str = "gp", local_id: str = "KW-1") -> dict[str, Any]:
        return {
            "local_id": local_id,
            "name": "K. W.",
            "referral": {
                "team": system.team_a.pk,
                "referral_source": source,
                "key_worker": key_worker,
            },
        }

    before = stored()
    # Ben is in South CMHT: the refer page never offers him as a key worker for North CMHT.
    body = refused(
        call(
            client, system.clinician_a, "post", f"{API}/care/people", person(system.clinician_b.pk)
        ),
        "Choose a key worker who is in North CMHT",
    )
    assert list(body["errors"]) == ["key_worker"]
    # "Came back" is what Roundtable records for someone back within the window: the page
    # never offers it as where a referral came from.
    body = refused(
        call(
            client,
            system.clinician_a,
            "post",
            f"{API}/care/people",
            person(system.vcse.pk, source="re_referral"),
        ),
        "Choose where the referral came from",
    )
    assert list(body["errors"]) == ["referral_source"]
    assert stored() == before

    # The page refuses the same key worker, and stores nothing either.
    page = client.post(
        reverse("care:refer"),
        {
            "team": system.team_a.pk,
            "referral_source": "gp",
            "key_worker": system.clinician_b.pk,
            "local_id": "KW-1",
            "name": "K. W.",
        },
    )
    assert page.status_code == 400
    assert stored() == before

    # A member of the team is a key worker, by the page and by the API.
    created = ok(
        call(client, system.clinician_a, "post", f"{API}/care/people", person(system.vcse.pk)),
        201,
    )
    assert created["episode"]["key_worker"]["full_name"] == "Chloe Practitioner"

    # Referring someone again is held to the same rule.
    episode = Episode.objects.get(pk=created["episode"]["id"])
    moved(system, episode, Stage.DECLINED)
    again = f"{API}/care/people/{episode.person_id}/referrals"
    body = refused(
        call(
            client,
            system.clinician_a,
            "post",
            again,
            {
                "team": system.team_a.pk,
                "referral_source": "self",
                "key_worker": system.south_coach.pk,
            },
        ),
        "Choose a key worker who is in North CMHT",
    )
    assert list(body["errors"]) == ["key_worker"]


def test_someone_coming_back_keeps_a_key_worker_only_while_they_are_in_the_team(
    system: System,
) -> None:
    episode = moved(
        system,
        services.episode_refer(
            actor=system.clinician_a,
            person=services.person_in_care_create(
                actor=system.clinician_a, local_id="BACK-1", name="B. K."
            ),
            team=system.team_a,
            referral_source="gp",
            key_worker=system.lone_coach,
        ),
        Stage.OFFER_MADE,
        Stage.IN_SUPPORT,
        Stage.READY_TO_MOVE_ON,
    )
    huddle = team_forum(system, "North huddle", ForumKind.DAILY_HUDDLE)
    decision = services.move_on_propose(
        actor=system.clinician_a,
        episode=episode,
        destination="gp",
        forum=huddle,
        proposal="Back to the GP with a plan.",
    )
    decision_services.position_take(actor=system.vcse, decision=decision, stance="consent")
    decision = decision_services.decision_decide(
        actor=system.clinician_a, decision=decision, agreed=True, outcome="Go", rationale="Done"
    )
    services.episode_move(
        actor=system.clinician_a,
        episode=episode,
        to_stage=Stage.MOVED_ON,
        destination="gp",
        decision=decision,
    )
    # Hana has moved to another team since: she is not given the person again.
    system.lone_coach.memberships.all().delete()
    back = services.episode_refer(
        actor=system.clinician_a, person=episode.person, team=system.team_a, referral_source="gp"
    )
    assert (back.previous_id, back.key_worker_id) == (episode.pk, None)


# --- At the huddle: only today's meetings of the team, not cancelled --------------------------


def test_the_huddle_records_who_was_in_the_room_only_from_today_s_meetings(system: System) -> None:
    huddle = team_forum(system, "North huddle", ForumKind.DAILY_HUDDLE)
    episode = moved(system, referred(system, "HD-1", "H. D."), Stage.OFFER_MADE, Stage.IN_SUPPORT)
    red = {z.name: z for z in services.zones_ensure(team=system.team_a)}["Red"]
    past = meeting_of(system, huddle, yesterday())
    cancelled = forum_services.meeting_cancel(
        actor=system.team_leader_a, meeting=meeting_of(system, huddle, timezone.localdate())
    )
    words = {"meeting": ["Choose one of today's meetings of North CMHT"]}
    before = stored()
    for meeting in (past, cancelled):
        with pytest.raises(ValidationError) as note:
            services.huddle_note_add(
                actor=system.clinician_a, episode=episode, situation="Calmer", meeting=meeting
            )
        with pytest.raises(ValidationError) as action:
            services.care_action_add(
                actor=system.clinician_a,
                episode=episode,
                description="Call",
                owner=system.clinician_a,
                due_on=timezone.localdate(),
                meeting=meeting,
            )
        with pytest.raises(ValidationError) as zone:
            services.episode_zone_set(
                actor=system.clinician_a, episode=episode, zone=red, meeting=meeting
            )
        assert note.value.message_dict == action.value.message_dict == words
        assert zone.value.message_dict == words
    assert stored() == before

    today = meeting_of(system, huddle, timezone.localdate())
    services.huddle_note_add(
        actor=system.clinician_a, episode=episode, situation="Calmer", meeting=today
    )
    # A change recorded as of a past moment (history set up by code) takes that day's meeting.
    services.episode_zone_set(
        actor=system.clinician_a,
        episode=episode,
        zone=red,
        meeting=past,
        at=on(yesterday(), 12) + timedelta(minutes=10),
    )
    assert HuddleNote.objects.get().meeting_id == today.pk
    assert ZoneChange.objects.get().meeting_id == past.pk


# --- Decisions about a person: today's meeting of the forum, one of the team's forums in use --


def test_a_front_door_offer_is_taken_only_in_today_s_meeting_of_the_forum(
    client: Client, system: System
) -> None:
    front_door = team_forum(system, "North front door", ForumKind.FRONT_DOOR)
    offer = services.offer_create(
        actor=system.team_leader_a,
        name="Peer support at Test Mind",
        kind="peer_support",
        organisation=system.vcse_org,
    )
    episode = referred(system, "FD-1", "F. D.")
    past = meeting_of(system, front_door, yesterday())
    path = f"{API}/care/episodes/{episode.pk}/offer-decision"
    body = {"offer": offer.pk, "forum": front_door.pk}
    before = stored()
    answer = refused(
        call(client, system.clinician_a, "post", path, {**body, "meeting": past.pk}),
        "Choose one of today's meetings of North front door",
    )
    assert list(answer["errors"]) == ["meeting"]
    assert stored() == before

    # The page offers only today's meetings and refuses yesterday's, storing nothing.
    page = client.post(
        reverse("care:offer-propose", args=[front_door.pk, episode.pk]),
        {f"referral-{episode.pk}-offer": offer.pk, f"referral-{episode.pk}-meeting": past.pk},
    )
    assert page.status_code == 400
    assert "Choose one of today&#39;s meetings" in page.content.decode()
    assert stored() == before

    today = meeting_of(system, front_door, timezone.localdate())
    made = ok(call(client, system.clinician_a, "post", path, {**body, "meeting": today.pk}), 201)
    assert Decision.objects.get(pk=made["id"]).meeting_id == today.pk


def test_a_move_on_decision_is_shared_in_the_team_s_forums_in_use_today(
    client: Client, system: System
) -> None:
    huddle = team_forum(system, "North huddle", ForumKind.DAILY_HUDDLE)
    old_mdt = team_forum(system, "North MDT (closed)", ForumKind.MDT, archived=True)
    episode = moved(
        system,
        referred(system, "MO-1", "M. O."),
        Stage.OFFER_MADE,
        Stage.IN_SUPPORT,
        Stage.READY_TO_MOVE_ON,
    )
    path = f"{API}/care/episodes/{episode.pk}/move-on-decision"
    body = {"destination": "gp", "forum": huddle.pk, "proposal": "Back to the GP with a plan."}
    past = meeting_of(system, huddle, yesterday())
    # The team's board is in use (its default zones set up, and audited, on first use), so that
    # what is counted below is only what the refused requests might have left.
    services.zones_ensure(team=system.team_a)
    before = stored()
    answer = refused(
        call(client, system.clinician_a, "post", path, {**body, "forum": old_mdt.pk}),
        "Choose a forum of North CMHT",
    )
    assert list(answer["errors"]) == ["forum"]
    answer = refused(
        call(client, system.clinician_a, "post", path, {**body, "meeting": past.pk}),
        "Choose one of today's meetings of North huddle",
    )
    assert list(answer["errors"]) == ["meeting"]
    assert stored() == before

    # The card's form offers the team's forums in use: the closed one is refused there too.
    page = client.post(
        reverse("care:move-on", args=[episode.pk]),
        {"destination": "gp", "forum": old_mdt.pk, "proposal": "Back to the GP with a plan."},
    )
    assert page.status_code == 400
    assert stored() == before

    today = meeting_of(system, huddle, timezone.localdate())
    made = ok(call(client, system.clinician_a, "post", path, {**body, "meeting": today.pk}), 201)
    assert Decision.objects.get(pk=made["id"]).meeting_id == today.pk


def test_a_positive_risk_taking_plan_is_shared_in_the_team_s_forums_in_use_today(
    client: Client, system: System
) -> None:
    mdt = team_forum(system, "North MDT", ForumKind.MDT)
    old_mdt = team_forum(system, "North MDT (closed)", ForumKind.MDT, archived=True)
    episode = moved(system, referred(system, "PR-1", "P. R."), Stage.OFFER_MADE, Stage.IN_SUPPORT)
    path = f"{API}/safety/people/{episode.person_id}/positive-risk"
    body = {
        "forum": mdt.pk,
        "wants_to": "Go to the coast on her own",
        "benefits": "Confidence",
        "possible_harms": "Gets lost",
        "safeguards": "Phone charged",
        "who_does_what": "Key worker checks in",
        "review_on": (timezone.localdate() + timedelta(days=14)).isoformat(),
    }
    past = meeting_of(system, mdt, yesterday())
    before = stored()
    answer = refused(
        call(client, system.clinician_a, "post", path, {**body, "forum": old_mdt.pk}),
        "Choose a forum of North CMHT",
    )
    assert list(answer["errors"]) == ["forum"]
    answer = refused(
        call(client, system.clinician_a, "post", path, {**body, "meeting": past.pk}),
        "Choose one of today's meetings of North MDT",
    )
    assert list(answer["errors"]) == ["meeting"]
    assert stored() == before

    today = meeting_of(system, mdt, timezone.localdate())
    made = ok(call(client, system.clinician_a, "post", path, {**body, "meeting": today.pk}), 201)
    assert Decision.objects.get(pk=made["decision"]).meeting_id == today.pk


# --- The offer catalogue: administrators and leaders, in the service too ----------------------


def test_only_administrators_and_leaders_change_the_offer_catalogue(
    client: Client, system: System
) -> None:
    words = "Only administrators and leaders can change the offer catalogue."
    before = stored()
    forbidden(
        call(
            client,
            system.clinician_a,
            "post",
            f"{API}/care/offers",
            {"name": "Walking group", "kind": "peer_support", "organisation": system.vcse_org.pk},
        ),
        words,
    )
    # The service says the same to any caller, not only to the page and the API.
    with pytest.raises(NotAllowed, match=words):
        services.offer_create(
            actor=system.clinician_a,
            name="Walking group",
            kind="peer_support",
            organisation=system.vcse_org,
        )
    assert stored() == before
    offer = services.offer_create(
        actor=system.team_leader_a,
        name="Walking group",
        kind="peer_support",
        organisation=system.vcse_org,
    )
    with pytest.raises(NotAllowed, match=words):
        services.offer_update(
            actor=system.clinician_a,
            offer=offer,
            expected_version=offer.version,
            name=offer.name,
            kind=offer.kind,
            organisation=offer.organisation,
            description="",
            is_active=False,
        )
    assert Offer.objects.get().is_active


# --- Shared decisions: a meeting of the forum from today on ------------------------------------


def test_a_decision_is_taken_in_a_meeting_of_the_forum_from_today_on(
    client: Client, system: System
) -> None:
    board = forum_services.forum_create(
        actor=system.board_member,
        name="System board",
        kind=ForumKind.BOARD,
        members=[system.lived_experience],
    )
    past = meeting_of(system, board, yesterday())
    body = {
        "forum": board.pk,
        "kind": "service_change",
        "title": "Open on Saturdays",
        "proposal": "Open the crisis café on Saturdays.",
    }
    before = stored()
    # Yesterday's attendees would count as taking part in a decision they never saw.
    answer = refused(
        call(
            client,
            system.board_member,
            "post",
            f"{API}/decisions/decisions",
            {**body, "meeting": past.pk},
        ),
        "Choose a meeting of this forum, today or later, that is not cancelled",
    )
    assert list(answer["errors"]) == ["meeting"]
    assert stored() == before

    page = client.post(
        reverse("decisions:propose", args=[board.pk]),
        {**body, "method": "consent", "meeting": past.pk},
    )
    assert page.status_code == 400
    assert "Choose one of this forum&#39;s meetings" in page.content.decode()
    assert stored() == before

    tomorrow = meeting_of(system, board, timezone.localdate() + timedelta(days=1))
    made = ok(
        call(
            client,
            system.board_member,
            "post",
            f"{API}/decisions/decisions",
            {**body, "meeting": tomorrow.pk},
        ),
        201,
    )
    assert Decision.objects.get(pk=made["id"]).meeting_id == tomorrow.pk


# --- Support sessions: who came is someone in the team or the peer circle ---------------------


def test_who_came_to_a_support_session_is_someone_in_its_team(
    client: Client, system: System
) -> None:
    started = (timezone.now() - timedelta(hours=2)).isoformat()
    body = {"kind": "reflective_practice", "team": system.team_a.pk, "starts_at": started}
    path = f"{API}/wellbeing/support-sessions"
    before = stored()
    # Ben is in South CMHT: North's session page never lists him.
    answer = refused(
        call(
            client,
            system.clinician_a,
            "post",
            path,
            {**body, "attendees": [system.vcse.pk, system.clinician_b.pk]},
        ),
        "Choose who came from North CMHT: Ben Clinician is not in it",
    )
    assert list(answer["errors"]) == ["people"]
    assert stored() == before

    made = ok(
        call(client, system.clinician_a, "post", path, {**body, "attendees": [system.vcse.pk]}),
        201,
    )
    session = SupportSession.objects.get(pk=made["id"])
    came = set(
        SupportAttendance.objects.filter(session=session).values_list("person_id", flat=True)
    )
    assert came == {system.vcse.pk}

    # The session's page refuses him too, and keeps who was recorded.
    page = client.post(
        reverse("wellbeing:support", args=[session.pk]), {"people": [system.clinician_b.pk]}
    )
    assert page.status_code == 400
    after = set(
        SupportAttendance.objects.filter(session=session).values_list("person_id", flat=True)
    )
    assert after == came
