"""Shared pieces of the safety tests: someone in support with North CMHT, and its MDT."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

from django.utils import timezone

from roundtable.care import services as care_services
from roundtable.care.models import Episode, Stage
from roundtable.decisions import services as decision_services
from roundtable.decisions.models import Decision
from roundtable.forums import services as forum_services
from roundtable.forums.models import Forum, ForumKind
from roundtable.safety import services as safety_services

PLAN = {
    "warning_signs": "Not sleeping; stopping seeing friends.",
    "things_i_can_do": "Walk the dog; music.",
    "people_to_ask": "My sister Jo.",
    "professionals": "Key worker; NHS 111 option 2; Samaritans 116 123.",
}


def in_support(system: Any, local_id: str = "S1", name: str = "") -> Episode:
    """Someone referred to North CMHT, with Amira Clinician as key worker, now in support."""
    person = care_services.person_in_care_create(
        actor=system.clinician_a, local_id=local_id, name=name or f"Person {local_id}"
    )
    episode = care_services.episode_refer(
        actor=system.clinician_a,
        person=person,
        team=system.team_a,
        referral_source="gp",
        key_worker=system.clinician_a,
    )
    for stage in (Stage.OFFER_MADE, Stage.IN_SUPPORT):
        episode = care_services.episode_move(
            actor=system.clinician_a, episode=episode, to_stage=stage
        )
    return episode


def north_mdt(system: Any) -> Forum:
    return forum_services.forum_create(
        actor=system.team_leader_a,
        name="North MDT",
        kind=ForumKind.MDT,
        home_team=system.team_a,
        members=[system.clinician_a, system.team_leader_a, system.vcse],
    )


def text(response: Any) -> str:
    """What the page says: tags removed, spaces collapsed."""
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    return re.sub(r" ([,.;:])", r"\1", words)


def positive_risk_plan(
    system: Any,
    episode: Episode,
    forum: Forum,
    *,
    actor: Any = None,
    wants_to: str = "Go walking alone on the moors",
    agreed: bool = True,
    held_by: Any = None,
) -> Decision:
    """A positive risk-taking plan for the person in `episode`, proposed (by the clinician, or
    `actor`) in `forum`, consented to by the VCSE partner and the team leader, decided today
    (`agreed` or not) and, when `held_by` is given, held by that leader."""
    actor = actor or system.clinician_a
    decision = safety_services.positive_risk_propose(
        actor=actor,
        episode=episode,
        forum=forum,
        wants_to=wants_to,
        benefits="Confidence and her own time",
        possible_harms="A bad day far from help",
        safeguards="Phone charged; tells her sister the route",
        who_does_what="Key worker plans routes with her",
        review_on=timezone.localdate() + timedelta(days=28),
    )
    for partner in (system.vcse, system.team_leader_a):
        decision_services.position_take(actor=partner, decision=decision, stance="consent")
    decision = decision_services.decision_decide(
        actor=actor,
        decision=decision,
        agreed=agreed,
        outcome="Agreed, with the safeguards" if agreed else "Not agreed",
        rationale="What matters to her; the harms are planned for.",
    )
    if held_by is not None:
        decision_services.hold_add(actor=held_by, decision=decision, message="")
    return decision
