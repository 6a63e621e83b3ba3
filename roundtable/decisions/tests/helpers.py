"""Helpers for decisions tests: the decisions API's address, amounts in pence, what a refused
write might have left behind, proposing and agreeing, and reading a page."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from django.utils import timezone

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.decisions import services
from roundtable.decisions.models import (
    AdviceRequest,
    AllocationRound,
    Approval,
    Budget,
    Comment,
    Decision,
    DecisionEvent,
    Hold,
    Notification,
    Position,
    PositionEvent,
    Revision,
)
from roundtable.testing import System

API = "/api/v1/decisions"
POUNDS = 100  # pence


def counts() -> tuple[int, ...]:
    """Everything a refused write might have left behind."""
    return (
        Budget.objects.count(),
        Decision.objects.count(),
        Revision.objects.count(),
        Position.objects.count(),
        PositionEvent.objects.count(),
        DecisionEvent.objects.count(),
        Hold.objects.count(),
        Comment.objects.count(),
        AdviceRequest.objects.count(),
        AllocationRound.objects.count(),
        Approval.objects.count(),
        Notification.objects.count(),
        Notification.objects.filter(read_at__isnull=True).count(),
        # Signing in is audited, and each request here signs in.
        AuditEvent.objects.exclude(action=AuditAction.SIGN_IN).count(),
    )


def later(days: int = 7) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def agree(system: System, decision: Decision) -> Decision:
    """Everyone in the board consents and the proposer records it as agreed."""
    for person in (system.lived_experience, system.vcse, system.clinician_a):
        services.position_take(actor=person, decision=decision, stance="consent")
    return services.decision_decide(
        actor=system.board_member,
        decision=decision,
        agreed=True,
        outcome="Agreed",
        rationale="Everyone consents.",
    )


def agree_for_a_year(system, decision, **extra):
    """Everyone in the board consents and the proposer records "Fund it for a year." as agreed
    (the pages' tests import it as `agree`)."""
    for person in (system.lived_experience, system.vcse, system.clinician_a):
        services.position_take(actor=person, decision=decision, stance="consent")
    return services.decision_decide(
        actor=system.board_member,
        decision=decision,
        agreed=True,
        outcome="Fund it for a year.",
        rationale="Everyone consents.",
        **extra,
    )


def propose_other(system, board, title="Open the front door at weekends", **extra):
    return services.decision_propose(
        actor=system.clinician_a,
        forum=board,
        kind="service_change",
        title=title,
        proposal="Staff the single point of access on Saturdays.",
        **extra,
    )


def raw(response) -> str:
    return str(unescape(response.content.decode()))


def text(response) -> str:
    """What the page says: tags removed, spaces collapsed."""
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    return re.sub(r" ([,.;:])", r"\1", words)
