"""Helpers for care tests: the care API's address, what a refused write might have left behind,
the API's error answers, referring someone and moving them along the path, and reading a page."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.care import services
from roundtable.care.models import (
    CareAction,
    CareDecision,
    ConsentToShare,
    Episode,
    HuddleNote,
    Offer,
    PathwayEvent,
    PersonInCare,
    Stage,
    Zone,
    ZoneChange,
)
from roundtable.decisions.models import Decision
from roundtable.testing import System
from roundtable.tests.api import Answer

API = "/api/v1/care"


def counts() -> tuple[int, ...]:
    """Everything a refused write might have left behind."""
    return (
        PersonInCare.objects.count(),
        Episode.objects.count(),
        PathwayEvent.objects.count(),
        ConsentToShare.objects.count(),
        ConsentToShare.objects.filter(withdrawn_at__isnull=True).count(),
        Zone.objects.count(),
        Zone.objects.filter(is_archived=True).count(),
        ZoneChange.objects.count(),
        HuddleNote.objects.count(),
        CareAction.objects.count(),
        CareAction.objects.filter(done_at__isnull=True).count(),
        Offer.objects.count(),
        Decision.objects.count(),
        CareDecision.objects.count(),
        # Signing in is audited, and each request here signs in.
        AuditEvent.objects.exclude(action=AuditAction.SIGN_IN).count(),
    )


def conflict(response: Answer, version: int) -> None:
    assert response.status_code == 409, response.body
    assert "Someone else changed this" in response.body["detail"]
    assert response.body["version"] == version


def not_found(response: Answer, detail: str) -> None:
    assert response.status_code == 404, response.body
    assert response.body["detail"] == detail


def bad_field(response: Answer, field: str) -> list[dict[str, Any]]:
    """A 422 from the schema that names `field`; the errors."""
    assert response.status_code == 422, response.body
    errors: list[dict[str, Any]] = response.body["errors"]
    assert any(e["loc"][-1] == field for e in errors), errors
    return errors


def refer(
    system: System, local_id: str, name: str, team: Any = None, key_worker: Any = None
) -> Episode:
    person = services.person_in_care_create(actor=system.clinician_a, local_id=local_id, name=name)
    return services.episode_refer(
        actor=system.clinician_a,
        person=person,
        team=team or system.team_a,
        referral_source="gp",
        key_worker=key_worker or system.clinician_a,
    )


def in_support(system: System, index: int) -> Episode:
    episode = refer(system, f"H{index}", f"Person {index:03d}")
    for stage in (Stage.OFFER_MADE, Stage.IN_SUPPORT):
        episode = services.episode_move(actor=system.clinician_a, episode=episode, to_stage=stage)
    return episode


def ready(system: System, episode: Episode) -> Episode:
    return services.episode_move(
        actor=system.clinician_a, episode=episode, to_stage=Stage.READY_TO_MOVE_ON
    )


def consent_for_test_mind(system: System, episode: Episode) -> ConsentToShare:
    return services.consent_give(
        actor=system.clinician_a, person=episode.person, organisation=system.vcse_org
    )


def raw(response) -> str:
    return str(unescape(response.content.decode()))


def text(response) -> str:
    """What the page says: tags removed, spaces collapsed."""
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    return re.sub(r" ([,.;:])", r"\1", words)


def person_in(system, index: int, *, name: str | None = None, stage: str = Stage.IN_SUPPORT):
    """Someone referred to North CMHT, with clinician A as key worker, moved on to `stage`."""
    person = services.person_in_care_create(
        actor=system.clinician_a, local_id=f"P{index}", name=name or f"Person {index:03d}"
    )
    episode = services.episode_refer(
        actor=system.clinician_a,
        person=person,
        team=system.team_a,
        referral_source="gp",
        key_worker=system.clinician_a,
    )
    path = [Stage.OFFER_MADE, Stage.IN_SUPPORT] if stage != Stage.REFERRED else []
    for step in path:
        episode = services.episode_move(actor=system.clinician_a, episode=episode, to_stage=step)
    return episode
