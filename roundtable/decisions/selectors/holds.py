"""Reads of holds: who holds which decisions, and who may hold one."""

from __future__ import annotations

from django.db.models import Q

from roundtable.decisions.models import Decision, Hold
from roundtable.directory.models import LeadershipLevel, LeadershipMembership, Person


def holds_by_decision(decision_ids: list[int]) -> dict[int, list[Hold]]:
    """The holds of several decisions, oldest first, in one query: holds are shown wherever a
    decision is shown (the log, notices, the home page)."""
    if not decision_ids:
        return {}
    found: dict[int, list[Hold]] = {}
    holds = (
        Hold.objects.filter(decision_id__in=decision_ids)
        .select_related("leader", "leadership_team")
        .order_by("created_at", "pk")
    )
    for hold in holds:
        found.setdefault(hold.decision_id, []).append(hold)
    return found


def covering_leadership(decision: Decision, person: Person) -> LeadershipMembership | None:
    """The person's membership of a leadership team that covers the decision's forum, if any.

    A forum with a home team is covered by that team's own (and project) leadership teams, its
    organisation's, and the system's; a forum with no home team by the system's.
    """
    memberships = LeadershipMembership.objects.filter(person=person).select_related(
        "leadership_team"
    )
    team = decision.forum.home_team
    scope = Q(leadership_team__level=LeadershipLevel.SYSTEM)
    if team is not None:
        scope |= Q(leadership_team__team=team) | Q(
            leadership_team__level=LeadershipLevel.ORGANISATION,
            leadership_team__organisation_id=team.organisation_id,
        )
    return memberships.filter(scope).order_by("leadership_team__level", "pk").first()
