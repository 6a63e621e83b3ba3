"""What the safety app shows on the care pages (through `roundtable.care.extensions`), and the
words the safety pages share."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Case, F, When
from django.db.models.functions import TruncDate
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from roundtable.care.extensions import BadgeRow
from roundtable.care.models import PersonInCare
from roundtable.decisions.models import Decision, DecisionStatus
from roundtable.directory.models import Team
from roundtable.safety import selectors

# A decision's status, completing "Positive risk-taking plan: …".
PLAN_STATUS = {
    DecisionStatus.DRAFT: "draft",
    DecisionStatus.OPEN: "open for positions",
    DecisionStatus.AGREED: "agreed",
    DecisionStatus.NOT_AGREED: "not agreed",
    DecisionStatus.WITHDRAWN: "withdrawn",
    DecisionStatus.REVIEWED: "agreed and reviewed",
}


def days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def due_text(due_on: date, today: date | None = None) -> str:
    """ "Overdue by 3 days", "Due today", "Due in 2 days"."""
    today = today or timezone.localdate()
    if due_on < today:
        return f"Overdue by {days((today - due_on).days)}"
    if due_on == today:
        return "Due today"
    return f"Due in {days((due_on - today).days)}"


def plan_status_text(decision: Decision, holders: list[str]) -> str:
    text = PLAN_STATUS.get(DecisionStatus(decision.status), decision.status)
    if holders:
        text += ", held by " + " and ".join(holders)
    elif decision.status in (DecisionStatus.AGREED, DecisionStatus.REVIEWED):
        text += ", not yet held by a leader"
    return text


# -- The huddle board ----------------------------------------------------------------------------


def review_read() -> dict[str, Any]:
    """What the review badge reads with each card's episode."""
    return {
        "last_reviewed_on": selectors.last_reviewed_on(),
        "chosen_days": F("zone__review_frequency__every_days"),
        "colour": F("zone__colour"),
        # Zoned with no time kept: due from the referral's (local) day, as `review_states` has it
        # (`TruncDate` takes the current time zone when the query is compiled).
        "referred_on": Case(When(zone_since__isnull=True, then=TruncDate("referred_at"))),
    }


def review_badges(user: Any, team: Team, rows: list[BadgeRow]) -> dict[int, list[str]]:
    """ "Safety review overdue by 3 days" (or "due today") on the cards of people whose review
    is due at this huddle. No query of its own (see `review_read`)."""
    today = timezone.localdate()
    here = timezone.get_current_timezone()
    found: dict[int, list[str]] = {}
    for row in rows:
        episode, values = row.episode, row.values
        if episode.zone_id is None:
            continue
        since = episode.zone_since
        state = selectors.review_state(
            episode.id,
            values["last_reviewed_on"],
            values["chosen_days"],
            values["colour"],
            since.astimezone(here).date() if since is not None else values["referred_on"],
        )
        if state is None or state.due_on > today:
            continue
        if state.due_on < today:
            found[episode.id] = [f"Safety review overdue by {days((today - state.due_on).days)}"]
        else:
            found[episode.id] = ["Safety review due today"]
    return found


def positive_risk_read() -> dict[str, Any]:
    """What the positive risk-taking badge reads with each card's episode."""
    return {"has_plan": selectors.positive_risk_plan_exists()}


def positive_risk_badges(user: Any, team: Team, rows: list[BadgeRow]) -> dict[int, list[str]]:
    """ "Positive risk-taking plan: agreed, held by Gita Leader", linking to the decision, on the
    cards of people with one. One query, only when any card has a plan."""
    with_plans = [row.episode.id for row in rows if row.values["has_plan"]]
    if not with_plans:
        return {}
    latest = selectors.latest_positive_risk(user, selectors.visible_episodes(user, with_plans))
    return {
        episode_id: [
            format_html(
                '<a href="{}">Positive risk-taking plan</a>: {}',
                reverse("decisions:decision", args=[status.decision.pk]),
                plan_status_text(status.decision, status.holders),
            )
        ]
        for episode_id, status in latest.items()
    }


# -- A key worker's caseload ---------------------------------------------------------------------


def not_alone(user: Any, episode_ids: list[int]) -> dict[int, str]:
    """ "Not alone": each person's latest decisions, who shared them and who holds them. Three
    queries."""
    found: dict[int, str] = {}
    for episode_id, shared in selectors.latest_decisions(user, episode_ids).items():
        if shared:
            found[episode_id] = render_to_string(
                "safety/_not_alone.jinja", {"shared": shared, "status_text": PLAN_STATUS}
            )
    return found


# -- A person's page -----------------------------------------------------------------------------


def person_panel(request: HttpRequest, person: PersonInCare) -> SafeString:
    """The safety plan at a glance on the person's care page, linking to their safety page."""
    user = request.user
    plan = selectors.plan_get(user, person)
    episode = selectors.caring_episode_of(user, person)
    state = selectors.review_state_of(user, episode)
    last = selectors.last_review_on(user, person)
    plans = selectors.positive_risk_of(user, episode)
    return SafeString(
        render_to_string(
            "safety/_person_panel.jinja",
            {
                "person": person,
                "plan": plan,
                "episode": episode,
                "state": state,
                "last_reviewed_on": last,
                "positive_risk": plans,
                "due_text": due_text,
                "plan_status_text": plan_status_text,
            },
            request=request,
        )
    )
