"""Guests without a Roundtable account take part in a decision made in their meeting.

A lived-experience network member, a GP or a housing officer at a meeting is often there as a
named guest. They count towards the forum's representation rule like anyone present, and the
decision page names them under "Who took part".
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse

from roundtable.decisions import selectors, services
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind
from roundtable.testing import begun_today, discipline

pytestmark = pytest.mark.django_db

# decision, revisions, positions, members, holds, comments, advice, events, meeting attendance
DECISION_IN_A_MEETING_QUERIES = 9


def text(response) -> str:
    """What the page says: tags removed, spaces collapsed."""
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    return re.sub(r" ([,.;:])", r"\1", words)


@pytest.fixture
def panel(system):
    """A risk panel whose decisions need a lived-experience voice, a VCSE partner and a GP
    practice, and two disciplines. Its members are all NHS trust clinicians."""
    return forum_services.forum_create(
        actor=system.clinician_a,
        name="North risk panel",
        kind=ForumKind.RISK_PANEL,
        min_disciplines=2,
        required_organisation_kinds=["vcse", "gp_practice"],
        lived_experience_required=True,
        members=[system.clinician_b],
    )


@pytest.fixture
def meeting(system, panel):
    starts = begun_today()
    meeting = forum_services.meeting_create(
        actor=system.clinician_a, forum=panel, starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    forum_services.attendance_set(
        actor=system.clinician_a, meeting=meeting, present=[system.clinician_a]
    )
    return meeting


def propose(system, panel, meeting):
    return services.decision_propose(
        actor=system.clinician_a,
        forum=panel,
        kind="service_change",
        title="Offer peer support at the front door",
        proposal="A peer support worker joins the front door on Tuesdays.",
        meeting=meeting,
    )


def test_a_guest_from_a_lived_experience_network_is_a_lived_experience_voice(
    system, panel, meeting
):
    """The reported case: a network member recorded only by name and organisation."""
    decision = propose(system, panel, meeting)
    before = selectors.decision_detail(system.clinician_a, decision.pk).representation
    assert before is not None
    assert "a lived-experience voice" in before.missing
    forum_services.attendance_record(
        actor=system.clinician_a,
        meeting=meeting,
        guest_name="Sam Rivers",
        guest_organisation=system.lived_experience_network,
    )
    after = selectors.decision_detail(system.clinician_a, decision.pk).representation
    assert after is not None
    assert after.lived_experience
    assert "a lived-experience voice" not in after.missing
    assert "lived_experience" in after.organisation_kinds


def test_guests_without_an_organisation_count_by_kind_and_discipline(system, panel, meeting):
    decision = propose(system, panel, meeting)
    # A peer support worker from a VCSE that is not in Roundtable, and a GP, both by name.
    forum_services.attendance_record(
        actor=system.clinician_a,
        meeting=meeting,
        guest_name="Priya Shah",
        guest_organisation_kind="vcse",
        guest_discipline=discipline("peer-support"),
        guest_role="Peer support worker",
    )
    forum_services.attendance_record(
        actor=system.clinician_a,
        meeting=meeting,
        guest_name="Dr Tom Okafor",
        guest_organisation=system.gp_practice,
        guest_role="GP partner",
    )
    # Someone who sent apologies did not take part.
    forum_services.attendance_record(
        actor=system.clinician_a,
        meeting=meeting,
        guest_name="Lee from the network",
        guest_organisation_kind="lived_experience",
        status="apologies",
    )
    found = selectors.decision_detail(system.clinician_a, decision.pk).representation
    assert found is not None
    assert found.disciplines == {"nursing", "peer-support"}
    assert found.organisation_kinds == {"nhs_trust", "vcse", "gp_practice"}
    assert found.missing == ("a lived-experience voice",)
    forum_services.attendance_record(
        actor=system.clinician_a,
        meeting=meeting,
        guest_name="Jo Bright",
        guest_organisation_kind="lived_experience",
        guest_role="Lived-experience representative",
    )
    found = selectors.decision_detail(system.clinician_a, decision.pk).representation
    assert found is not None
    assert found.met


def test_the_decision_page_names_guests_under_who_took_part(client_for, system, panel, meeting):
    decision = propose(system, panel, meeting)
    forum_services.attendance_record(
        actor=system.clinician_a,
        meeting=meeting,
        guest_name="Priya Shah",
        guest_organisation_kind="vcse",
        guest_discipline=discipline("peer-support"),
        guest_role="Peer support worker",
    )
    forum_services.attendance_record(
        actor=system.clinician_a,
        meeting=meeting,
        guest_name="Jo Bright",
        guest_organisation=system.lived_experience_network,
    )
    html = text(
        client_for(system.clinician_b).get(reverse("decisions:decision", args=[decision.pk]))
    )
    who = html.split("Who took part", 1)[1].split("Missing voices", 1)[0]
    assert "By discipline (3)" in who
    assert "Nursing Amira Clinician" in who
    assert "Peer support Priya Shah (guest)" in who
    assert "Not recorded Jo Bright (guest)" in who
    assert "By kind of organisation (3)" in who
    assert "Lived-experience network Jo Bright (guest)" in who
    assert "Voluntary, community or social enterprise (VCSE) Priya Shah (guest)" in who
    assert "NHS trust Amira Clinician" in who
    assert "Peer support worker Priya Shah (guest)" in who
    # The lived-experience voice and the VCSE partner are heard; a GP practice is not.
    assert "a lived-experience voice" not in html
    assert "someone from a VCSE organisation" not in html
    assert "someone from a GP practice" in html


def test_guests_add_no_queries_to_the_decision_page(
    system, panel, meeting, django_assert_num_queries
):
    decision = propose(system, panel, meeting)
    with django_assert_num_queries(DECISION_IN_A_MEETING_QUERIES):
        selectors.decision_detail(system.clinician_a, decision.pk)
    for i in range(20):
        forum_services.attendance_record(
            actor=system.clinician_a,
            meeting=meeting,
            guest_name=f"Guest {i:02d}",
            guest_organisation=system.vcse_org if i % 2 else None,
            guest_organisation_kind="" if i % 2 else "lived_experience",
            guest_discipline=discipline("peer-support") if i % 3 else None,
        )
    with django_assert_num_queries(DECISION_IN_A_MEETING_QUERIES):
        page = selectors.decision_detail(system.clinician_a, decision.pk)
    assert page.representation is not None
    assert page.representation.lived_experience
