"""Support after events: offered by the team's leadership, answered by the person, seen only by
them and the leadership."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from roundtable.core.errors import NotAllowed
from roundtable.directory.models import Membership
from roundtable.directory.services import api_token_create
from roundtable.learning.models import SupportAfterEvent, TakenUp
from roundtable.learning.services import support as services
from roundtable.learning.tests.helpers import event, text
from roundtable.testing import make_person
from roundtable.wellbeing import services as wellbeing_services
from roundtable.wellbeing.models import SupportKind, SupportOffered

API = "/api/v1/learning"


def _bearer(person):
    _, token = api_token_create(actor=person, name="Learning tests")
    return {"Authorization": f"Bearer {token}"}


def _offer(
    system, about, person=None, what="Time with me this week, and Thursday's reflective practice"
):
    return services.support_offer(
        actor=system.team_leader_a, event=about, person=person or system.lone_coach, what=what
    )


def test_the_leader_offers_support_and_the_person_takes_it_up(system, client_for):
    about = event(system)
    page = reverse("learning:event", args=[about.pk])
    leader = client_for(system.team_leader_a)
    answer = leader.post(
        reverse("learning:support-offer", args=[about.pk]),
        {"person": str(system.lone_coach.pk), "what": "Time with me this week"},
    )
    assert answer.status_code == 302
    [support] = SupportAfterEvent.objects.all()
    # The offer is wellbeing's own record of support offered, in the coach's team.
    assert support.offer.person == system.lone_coach
    assert support.offer.team == system.team_a
    assert support.offer.offered_by == system.team_leader_a
    assert "Offered to Hana Coach" in text(leader.get(page))

    coach = client_for(system.lone_coach)
    body = text(coach.get(page))
    assert "Support offered to you" in body
    assert "Not answered yet" in body
    answer = coach.post(
        reverse("learning:support-answer", args=[support.pk]),
        {f"support-{support.pk}-taken_up": "accepted", f"support-{support.pk}-version": "1"},
    )
    assert answer.status_code == 302
    support.refresh_from_db()
    assert support.taken_up == TakenUp.ACCEPTED
    assert support.answered_at is not None
    assert "Accepted" in text(client_for(system.team_leader_a).get(page))


def test_colleagues_in_the_team_see_nothing_of_it(system, client, client_for):
    about = event(system)
    support = _offer(system, about)
    # Amira is in the same team and sees the event, but not the support offered to Hana.
    body = text(client_for(system.clinician_a).get(reverse("learning:event", args=[about.pk])))
    assert "Support after this event" not in body
    assert "Time with me" not in body
    headers = _bearer(system.clinician_a)
    assert client.get(f"{API}/events/{about.pk}/support", headers=headers).json() == []
    answer = client.post(
        f"{API}/support/{support.pk}/answer",
        {"taken_up": "declined", "version": 1},
        content_type="application/json",
        headers=headers,
    )
    assert answer.status_code == 404
    # Hana herself sees her offer through the API, and the leader sees it too.
    [mine] = client.get(
        f"{API}/events/{about.pk}/support", headers=_bearer(system.lone_coach)
    ).json()
    assert mine["person"]["full_name"] == "Hana Coach"
    assert mine["taken_up"] == "waiting"
    assert (
        len(
            client.get(
                f"{API}/events/{about.pk}/support", headers=_bearer(system.team_leader_a)
            ).json()
        )
        == 1
    )


def test_only_the_leadership_offers_support(system, client, client_for):
    about = event(system)
    with pytest.raises(NotAllowed):
        services.support_offer(
            actor=system.clinician_a, event=about, person=system.lone_coach, what="A chat"
        )
    answer = client.post(
        f"{API}/events/{about.pk}/support",
        {"person": system.lone_coach.pk, "what": "A chat"},
        content_type="application/json",
        headers=_bearer(system.clinician_a),
    )
    assert answer.status_code == 403
    page = client_for(system.clinician_a).post(
        reverse("learning:support-offer", args=[about.pk]),
        {"person": str(system.lone_coach.pk), "what": "A chat"},
    )
    assert page.status_code == 403
    assert not SupportAfterEvent.objects.exists()
    assert not SupportOffered.objects.exists()


def test_bad_offers_are_refused_and_nothing_is_stored(system, client, client_for):
    about = event(system)
    leader = client_for(system.team_leader_a)
    url = reverse("learning:support-offer", args=[about.pk])
    answer = leader.post(url, {"person": "", "what": " "})
    assert answer.status_code == 400
    body = text(answer)
    assert "Choose who is offered support" in body
    assert "Say what support is offered" in body
    # Someone outside the team.
    with pytest.raises(ValidationError) as refused:
        services.support_offer(
            actor=system.team_leader_a, event=about, person=system.south_coach, what="A chat"
        )
    assert refused.value.message_dict == {"person": ["Choose someone in North CMHT"]}
    # A session of another team, or one called off.
    other = wellbeing_services.support_session_record(
        actor=system.team_leader_a,
        kind=SupportKind.REFLECTIVE_PRACTICE,
        starts_at=timezone.now() + timedelta(days=2),
        team=system.team_a,
    )
    wellbeing_services.support_session_cancel(
        actor=system.team_leader_a, session=other, expected_version=other.version, reason="Room"
    )
    with pytest.raises(ValidationError) as refused:
        services.support_offer(
            actor=system.team_leader_a,
            event=about,
            person=system.lone_coach,
            what="A chat",
            session=other,
        )
    assert refused.value.message_dict == {
        "session": ["Choose a support session of North CMHT that is going ahead"]
    }
    answer = client.post(
        f"{API}/events/{about.pk}/support",
        {"person": system.lone_coach.pk, "what": "x" * 281},
        content_type="application/json",
        headers=_bearer(system.team_leader_a),
    )
    assert answer.status_code == 422
    assert "280" in answer.json()["detail"]
    assert not SupportAfterEvent.objects.exists()
    assert not SupportOffered.objects.exists()


def test_one_unanswered_offer_per_person_and_event(system):
    about = event(system)
    first = _offer(system, about)
    with pytest.raises(ValidationError) as refused:
        _offer(system, about)
    assert "already been offered support after this event" in str(refused.value)
    # Once answered, support may be offered again (a different kind, later on).
    services.support_answer(
        actor=system.lone_coach, support=first, expected_version=1, taken_up=TakenUp.DECLINED
    )
    _offer(system, about, what="A Schwartz round next month, if it would help")
    assert SupportAfterEvent.objects.filter(event=about).count() == 2


def test_only_the_person_answers_and_a_stale_answer_is_refused(system, client):
    about = event(system)
    support = _offer(system, about)
    with pytest.raises(NotAllowed):
        services.support_answer(
            actor=system.team_leader_a, support=support, expected_version=1, taken_up="accepted"
        )
    headers = _bearer(system.lone_coach)
    url = f"{API}/support/{support.pk}/answer"
    first = client.post(
        url,
        {"taken_up": "declined", "version": 1},
        content_type="application/json",
        headers=headers,
    )
    assert first.status_code == 200
    assert first.json()["taken_up"] == "declined"
    stale = client.post(
        url,
        {"taken_up": "accepted", "version": 1},
        content_type="application/json",
        headers=headers,
    )
    assert stale.status_code == 409
    wrong = client.post(
        url, {"taken_up": "waiting", "version": 2}, content_type="application/json", headers=headers
    )
    assert wrong.status_code == 422
    support.refresh_from_db()
    assert support.taken_up == TakenUp.DECLINED


def test_the_event_page_reads_a_fixed_number_of_queries_however_many_offers(system, client_for):
    about = event(system)
    leader = client_for(system.team_leader_a)
    url = reverse("learning:event", args=[about.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert leader.get(url).status_code == 200
        return len(captured)

    _offer(system, about)
    one = queries()
    for n in range(3):
        colleague = make_person(
            f"colleague{n}@test.nhs.uk",
            f"Colleague {n}",
            discipline_slug="nursing",
            organisation=system.trust,
        )
        Membership.objects.create(person=colleague, team=system.team_a)
        _offer(system, about, person=colleague)
    assert queries() == one
