"""Learning, not blame: the start page, and the overdue safety actions on the home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from roundtable.core.pages import breadcrumbs, me
from roundtable.learning import selectors
from roundtable.learning.views._common import _render

# A thematic review looks across two or more events.
THEMATIC_LEAST = 2
# Overdue actions listed on the home page; the rest are counted.
HOME_SHOWN = 5


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The newest events and responses the person sees, and their teams' overdue actions."""
    user = me(request)
    context = {
        "page_title": "Learning, not blame",
        "home": selectors.learning_home(user),
        "may_theme": selectors.events_for_thematic(user).count() >= THEMATIC_LEAST,
        "today": selectors.today(),
        "breadcrumbs": breadcrumbs(("Learning", "")),
    }
    return _render(request, "learning/home.jinja", context)


def home_section(request: HttpRequest) -> SafeString:
    """The safety actions of the person's teams that are overdue, or nothing."""
    user = me(request)
    overdue = list(selectors.overdue_actions(user, selectors.teams_recording(user)))
    if not overdue:
        return SafeString("")
    context = {
        "overdue": overdue[:HOME_SHOWN],
        "count": len(overdue),
        "mine": sum(1 for action in overdue if action.owner_id == user.pk),
        "today": selectors.today(),
    }
    return SafeString(render_to_string("learning/_home_section.jinja", context, request=request))
