"""A person's notices, and the decisions section of the home page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST

from roundtable.core.pages import breadcrumbs, me
from roundtable.decisions import selectors, services
from roundtable.decisions.views.common import log_crumb, render


@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    notices = selectors.notifications_for(request.user)
    context = {
        "page_title": "Your notices",
        "notices": notices,
        "holds": selectors.holds_by_decision(sorted({n.decision_id for n in notices})),
        "breadcrumbs": breadcrumbs(log_crumb(), ("Your notices", "")),
    }
    return render(request, "decisions/notifications.jinja", context)


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    count = services.notification_read_all(actor=me(request))
    if count:
        messages.success(request, "All your notices are marked as read.")
    return redirect("decisions:notifications")


# -- Home page section --------------------------------------------------------------------------


def home_section(request: HttpRequest) -> SafeString:
    """Decisions awaiting the person's position, and their unread notices."""
    awaiting = selectors.awaiting_my_position(me(request))
    notices = selectors.notifications_for(request.user)
    ids = sorted({d.pk for d in awaiting} | {n.decision_id for n in notices})
    context = {
        "awaiting": awaiting,
        "notices": notices[:5],
        "unread": selectors.unread_count(request.user) if notices else 0,
        "holds": selectors.holds_by_decision(ids),
    }
    return SafeString(render_to_string("decisions/_home_section.jinja", context, request=request))
