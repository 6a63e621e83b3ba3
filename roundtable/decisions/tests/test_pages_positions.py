"""Decision pages: the decision page, positions and comments, a consent round in a meeting, the
advice process, and the page's queries however long the decision."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roundtable.decisions import services
from roundtable.decisions.models import AdviceRequest, Comment, Position, PositionEvent
from roundtable.decisions.tests.helpers import agree_for_a_year as agree
from roundtable.decisions.tests.helpers import propose_other, text
from roundtable.directory.tests.helpers import add_members
from roundtable.forums.models import ForumMembership

pytestmark = pytest.mark.django_db


# -- The decision page --------------------------------------------------------------------------


def test_decision_page_shows_the_proposal_positions_silence_and_missing_voices(
    client_for, system, funding
):
    system.clinician_a.job_title = "Community mental health nurse"
    system.clinician_a.save(update_fields=["job_title"])
    services.position_take(
        actor=system.clinician_a,
        decision=funding,
        stance="concern",
        reason="Check the waiting list",
    )
    html = text(client_for(system.vcse).get(reverse("decisions:decision", args=[funding.pk])))
    assert "Peer-support service at Test Mind" in html
    assert "Open for positions" in html
    assert "Funding" in html
    assert "Consent (no one objects)" in html
    assert "Erin Board" in html
    assert "The proposal (revision 1)" in html
    assert "Take your position" in html
    assert "Consent with a concern (1)" in html
    assert "Amira Clinician, Nursing, Test Mental Health Trust" in html
    assert "“Check the waiting list”" in html
    assert "Not heard from yet (3)" in html
    assert "Silence is not consent" in html
    assert "Can be agreed: nobody objects, and at least one person consents." in html
    assert "Missing voices" in html
    assert "a lived-experience voice" in html
    assert "someone from a VCSE organisation" in html
    assert "at least 2 disciplines (only 1 took part)" in html
    assert "By role (1) Community mental health nurse Amira Clinician" in html
    assert "£200,000" in html
    assert "£45,000" in html
    assert "Not agreed yet" in html


def test_take_a_position_and_change_it(client_for, system, funding):
    client = client_for(system.lived_experience)
    url = reverse("decisions:position", args=[funding.pk])
    response = client.post(url, {"stance": "objection", "reason": "No peer workers in the plan"})
    assert response.status_code == 302
    # To the confirmation, which takes the focus (test_position_focus.py checks in a browser).
    assert response["Location"].endswith("#message")
    html = text(client.get(response["Location"]))
    assert "Your position is recorded: objection, on revision 1." in html
    assert "Cannot be agreed yet: there is an objection on the current proposal." in html
    assert "Your position on revision 1: Objection" in html
    client.post(url, {"stance": "consent", "reason": ""})
    position = Position.objects.get(person=system.lived_experience)
    assert position.stance == "consent"
    assert PositionEvent.objects.filter(person=system.lived_experience).count() == 2


def test_an_objection_needs_a_reason(client_for, system, funding):
    response = client_for(system.lived_experience).post(
        reverse("decisions:position", args=[funding.pk]), {"stance": "objection", "reason": " "}
    )
    assert response.status_code == 400
    assert "Say what your objection is, so it can be worked on" in text(response)
    assert Position.objects.count() == 0


def test_no_position_on_a_closed_decision(client_for, system, funding):
    agree(system, funding)
    before = Position.objects.count()
    client = client_for(system.lived_experience)
    response = client.post(
        reverse("decisions:position", args=[funding.pk]), {"stance": "objection", "reason": "Late"}
    )
    assert response.status_code == 400
    assert "This decision is agreed: positions can no longer be taken." in text(response)
    assert Position.objects.count() == before
    html = text(client.get(reverse("decisions:decision", args=[funding.pk])))
    assert "Take your position" not in html


def test_a_non_member_sees_the_decision_but_cannot_take_a_position(client_for, system, funding):
    client = client_for(system.clinician_b)
    html = text(client.get(reverse("decisions:decision", args=[funding.pk])))
    assert "Take your position" not in html
    assert "Add a comment" not in html
    response = client.post(
        reverse("decisions:position", args=[funding.pk]), {"stance": "consent", "reason": ""}
    )
    assert response.status_code == 400
    assert "Only members of System board can take a position on its decisions." in text(response)
    assert Position.objects.count() == 0


def test_comments(client_for, system, funding):
    client = client_for(system.vcse)
    url = reverse("decisions:comment", args=[funding.pk])
    response = client.post(url, {"body": ""})
    assert response.status_code == 400
    assert "Write a comment" in text(response)
    response = client.post(url, {"body": "Could it start in the north?"})
    assert response.status_code == 302
    html = text(client.get(reverse("decisions:decision", args=[funding.pk])))
    assert "Discussion (1)" in html
    assert "Could it start in the north?" in html
    response = client_for(system.clinician_b).post(url, {"body": "Me too"})
    assert response.status_code == 400
    assert Comment.objects.count() == 1


# -- A consent round in a meeting ---------------------------------------------------------------


def test_consent_round_offers_only_people_present(client_for, system, board, meeting):
    decision = propose_other(system, board, meeting=meeting)
    client = client_for(system.board_member)
    url = reverse("decisions:round", args=[decision.pk])
    html = text(client.get(url))
    assert "Dev Voice" in html
    assert "Chloe Practitioner" in html
    assert "Amira Clinician" not in html
    response = client.post(
        url,
        {
            f"stance_{system.lived_experience.pk}": "concern",
            f"reason_{system.lived_experience.pk}": "",
            f"stance_{system.vcse.pk}": "consent",
        },
    )
    assert response.status_code == 400
    assert "Say what Dev Voice's concern is" in text(response)
    assert Position.objects.count() == 0
    response = client.post(
        url,
        {
            f"stance_{system.lived_experience.pk}": "concern",
            f"reason_{system.lived_experience.pk}": "Evenings too",
            f"stance_{system.vcse.pk}": "consent",
            # Someone not present is never recorded, whatever is sent.
            f"stance_{system.clinician_a.pk}": "consent",
        },
    )
    assert response.status_code == 302
    assert set(Position.objects.values_list("person_id", flat=True)) == {
        system.lived_experience.pk,
        system.vcse.pk,
    }
    assert all(p.meeting_id == meeting.pk for p in Position.objects.all())
    html = text(client.get(reverse("decisions:decision", args=[decision.pk])))
    assert "recorded in the meeting" in html
    assert "everyone recorded as present at the meeting" in html


def test_consent_round_needs_a_position(client_for, system, board, meeting):
    decision = propose_other(system, board, meeting=meeting)
    response = client_for(system.vcse).post(reverse("decisions:round", args=[decision.pk]), {})
    assert response.status_code == 400
    assert "Record the position of at least one person present" in text(response)


def test_consent_round_without_a_meeting_or_membership(client_for, system, board):
    decision = propose_other(system, board)
    response = client_for(system.vcse).get(reverse("decisions:round", args=[decision.pk]))
    assert response.status_code == 302
    assert (
        client_for(system.clinician_b)
        .get(reverse("decisions:round", args=[decision.pk]))
        .status_code
        == 403
    )


# -- The advice process -------------------------------------------------------------------------


def test_advice_is_sought_given_and_then_the_proposer_decides(client_for, system, board):
    decision = propose_other(system, board, method="advice")
    proposer = client_for(system.clinician_a)
    page = reverse("decisions:decision", args=[decision.pk])
    html = text(proposer.get(page))
    assert "No advice has been sought yet." in html
    assert "Cannot be agreed yet: seek advice" in html
    url = reverse("decisions:advice-request", args=[decision.pk])
    response = proposer.post(url, {"email": "nobody@test.nhs.uk"})
    assert response.status_code == 400
    assert "Nobody in Roundtable has this e-mail address" in text(response)
    assert proposer.post(url, {"email": system.lived_experience.email}).status_code == 302
    response = proposer.post(url, {"email": system.lived_experience.email})
    assert "Advice was already sought from Dev Voice." in text(response)
    asked = AdviceRequest.objects.get()
    give = reverse("decisions:advice-give", args=[decision.pk, asked.pk])
    assert client_for(system.vcse).get(give).status_code == 403
    adviser = client_for(system.lived_experience)
    assert "Give your advice" in text(adviser.get(page))
    assert adviser.post(give, {"advice": ""}).status_code == 400
    assert adviser.post(give, {"advice": "Ask the peer network first"}).status_code == 302
    html = text(client_for(system.clinician_a).get(page))
    assert "Ask the peer network first" in html
    assert "Can be agreed: advice has been given, and the proposer decides." in html
    # Only the proposer decides in the advice process.
    assert (
        client_for(system.vcse).get(reverse("decisions:outcome", args=[decision.pk])).status_code
        == 403
    )


def test_advice_is_sought_only_by_the_proposer(client_for, system, board):
    decision = propose_other(system, board, method="advice")
    response = client_for(system.vcse).post(
        reverse("decisions:advice-request", args=[decision.pk]),
        {"email": system.lived_experience.email},
    )
    assert response.status_code == 403
    assert AdviceRequest.objects.count() == 0


# -- Query counts -------------------------------------------------------------------------------


def test_the_decision_page_uses_the_same_queries_however_long(
    client_for, system, board, funding, django_assert_num_queries
):
    services.position_take(actor=system.lived_experience, decision=funding, stance="consent")
    services.comment_add(actor=system.vcse, decision=funding, body="Small")
    client = client_for(system.vcse)
    url = reverse("decisions:decision", args=[funding.pk])
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200

    people = add_members(system.team_a, 300, prefix="crowd")
    ForumMembership.objects.bulk_create(ForumMembership(forum=board, person=p) for p in people)
    Position.objects.bulk_create(
        Position(
            decision=funding,
            revision=1,
            person=p,
            stance=["consent", "concern", "stand_aside"][i % 3],
            reason="A reason" if i % 3 == 1 else "",
        )
        for i, p in enumerate(people)
    )
    Comment.objects.bulk_create(
        Comment(decision=funding, author=people[i], body=f"Comment {i}", revision=1)
        for i in range(200)
    )
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert "Discussion (201)" in text(response)
