"""Shared pieces of the safety tests: someone in support with North CMHT, and its MDT."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from roundtable.care import services as care_services
from roundtable.care.models import Episode, Stage
from roundtable.forums import services as forum_services
from roundtable.forums.models import Forum, ForumKind

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
