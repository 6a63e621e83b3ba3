"""Wellbeing pages: the monthly pulse check-in and its results, support sessions and support
offered, peer circles, and the isolation list for leaders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roundtable.core.pages import breadcrumbs, me, one_click, posted, renderer, submit
from roundtable.wellbeing import queries, selectors, services
from roundtable.wellbeing.forms import (
    AttendanceForm,
    PulseForm,
    SessionCancelForm,
    SessionChangeForm,
    SupportOfferedForm,
    SupportSessionForm,
)
from roundtable.wellbeing.models import SupportSession

_render_page = renderer("wellbeing")


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """`_render_page`, with the smallest group shown read on each call (a setting)."""
    context.setdefault("minimum", queries.minimum_group())
    return _render_page(request, template, context, status=status)


def _crumb() -> tuple[str, str]:
    return ("Wellbeing", reverse("wellbeing:home"))


@require_GET
def wellbeing_home(request: HttpRequest) -> HttpResponse:
    services.pulse_rounds_open_for(person=me(request))
    context = {
        "page_title": "Wellbeing",
        "invites": selectors.my_pulse(me(request)),
        "result_teams": selectors.result_teams(me(request)),
        "sessions": list(selectors.support_sessions(request.user)[:5]),
        "offered": list(selectors.support_offered(request.user).filter(person=me(request))[:5]),
        "circles": [c for c in selectors.peer_circles(me(request)) if c.is_member],
        "is_leader": selectors.may_see_isolation(request.user),
        "breadcrumbs": breadcrumbs(("Wellbeing", "")),
    }
    return _render(request, "wellbeing/home.jinja", context)


# -- Pulse --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def pulse_answer(request: HttpRequest, team_id: int) -> HttpResponse:
    services.pulse_rounds_open_for(person=me(request))
    invite = selectors.pulse_round_for(me(request), team_id)
    pulse_round = invite.round
    statements = list(pulse_round.statements.order_by("position"))
    form = PulseForm(posted(request), statements=statements)
    outcome = submit(
        request,
        form,
        lambda data: services.pulse_answer(
            actor=me(request),
            pulse_round=pulse_round,
            values=form.values(),
            comment=data["comment"],
        ),
    )
    if outcome.saved:
        messages.success(
            request,
            "Thank you. Your answers are stored without your name, and shown only with "
            f"those of at least {queries.minimum_group()} people.",
        )
        return redirect("wellbeing:home")
    context = {
        "page_title": f"Check-in: {pulse_round.team.name}",
        "page_has_errors": bool(form.errors),
        "form": form,
        "invite": invite,
        "round": pulse_round,
        "breadcrumbs": breadcrumbs(_crumb(), ("Check-in", "")),
    }
    return _render(request, "wellbeing/pulse.jinja", context, status=outcome.status(form))


@require_GET
def pulse_results(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.team_get(team_id)
    today = timezone.localdate()
    results = selectors.team_pulse(request.user, team, today=today)
    texts, trend = selectors.team_trend(request.user, team, today=today)
    page = Paginator(results, 12).get_page(request.GET.get("page"))
    context = {
        "page_title": f"Pulse results: {team.name}",
        "team": team,
        "page": page,
        "texts": texts,
        "trend": trend,
        "breadcrumbs": breadcrumbs(_crumb(), (f"Pulse: {team.name}", "")),
    }
    return _render(request, "wellbeing/results.jinja", context)


@require_GET
def pulse_system(request: HttpRequest) -> HttpResponse:
    texts, trend = selectors.system_trend()
    context = {
        "page_title": "Pulse across the system",
        "texts": texts,
        "trend": trend,
        "breadcrumbs": breadcrumbs(_crumb(), ("Across the system", "")),
    }
    return _render(request, "wellbeing/system.jinja", context)


# -- Support ------------------------------------------------------------------------------------


@require_GET
def support_list(request: HttpRequest) -> HttpResponse:
    sessions = selectors.support_sessions(request.user)
    page = Paginator(sessions, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_title": "Support sessions",
        "page": page,
        "now": timezone.now(),
        "breadcrumbs": breadcrumbs(_crumb(), ("Support sessions", "")),
    }
    return _render(request, "wellbeing/support_list.jinja", context)


@require_http_methods(["GET", "POST"])
def support_new(request: HttpRequest) -> HttpResponse:
    teams, circles = selectors.session_groups(me(request))
    if not teams and not circles:
        raise PermissionDenied
    form = SupportSessionForm(posted(request), teams=teams, circles=circles)

    def record(data: dict[str, Any]) -> SupportSession:
        team, circle = form.chosen()
        return services.support_session_record(
            actor=me(request),
            kind=data["kind"],
            starts_at=form.starts_at(),
            duration_minutes=data["duration_minutes"],
            team=team,
            peer_circle=circle,
            facilitator=me(request) if data["i_facilitate"] else None,
        )

    outcome = submit(request, form, record)
    if outcome.saved:
        session = outcome.value
        assert session is not None
        messages.success(request, f"{session.get_kind_display()} recorded.")
        return redirect("wellbeing:support", session.pk)
    context = {
        "page_title": "Record a support session",
        "page_has_errors": bool(form.errors),
        "form": form,
        "breadcrumbs": breadcrumbs(
            _crumb(), ("Support sessions", reverse("wellbeing:support-list")), ("Record", "")
        ),
    }
    return _render(request, "wellbeing/support_new.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def support_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.support_session_detail(request.user, session_id)
    attendees = selectors.support_attendees(session)
    form = AttendanceForm(
        posted(request),
        choices=selectors.session_choices(session),
        initial={"people": [str(p.pk) for p in attendees]},
    )
    outcome = submit(
        request,
        form,
        lambda data: services.support_attendance_set(
            actor=me(request), session=session, people=form.chosen()
        ),
    )
    if outcome.saved:
        messages.success(request, "Attendance saved.")
        return redirect("wellbeing:support", session.pk)
    context = {
        "page_title": f"{session.get_kind_display()}: {session.group_name}",
        "page_has_errors": bool(form.errors),
        "session": session,
        "attendees": attendees,
        "form": form,
        "started": session.starts_at <= timezone.now(),
        "may_change": not session.is_cancelled
        and services.may_record_for(me(request), session.team, session.peer_circle),
        "breadcrumbs": breadcrumbs(
            _crumb(),
            ("Support sessions", reverse("wellbeing:support-list")),
            (session.get_kind_display(), ""),
        ),
    }
    return _render(request, "wellbeing/support_detail.jinja", context, status=outcome.status(form))


def _session_to_change(request: HttpRequest, session_id: int) -> SupportSession:
    """A session the person sees (else 404) and may change (else 403), not cancelled."""
    session = selectors.support_session_detail(request.user, session_id)
    if not services.may_record_for(me(request), session.team, session.peer_circle):
        raise PermissionDenied
    return session


def _session_crumbs(session: SupportSession, last: str) -> list[dict[str, str]]:
    return breadcrumbs(
        _crumb(),
        ("Support sessions", reverse("wellbeing:support-list")),
        (session.get_kind_display(), reverse("wellbeing:support", args=[session.pk])),
        (last, ""),
    )


def _session_edit(
    request: HttpRequest,
    session_id: int,
    *,
    form_class: type[SessionChangeForm] | type[SessionCancelForm],
    initial: Callable[[SupportSession], dict[str, Any]],
    save: Callable[[SupportSession, Any], object],
    done: str,
    title: str,
    crumb: str,
    template: str,
) -> HttpResponse:
    """The shape of changing and of cancelling a session: a form with the version read, the
    service, and a 409 that shows what is there now if someone saved in between."""
    session = _session_to_change(request, session_id)
    if session.is_cancelled:
        messages.error(request, "This session is cancelled, so there is nothing to change.")
        return redirect("wellbeing:support", session.pk)
    form = form_class(posted(request), initial={**initial(session), "version": session.version})
    outcome = submit(request, form, lambda data: save(session, form))
    if outcome.saved:
        messages.success(request, f"{session.get_kind_display()} {done}.")
        return redirect("wellbeing:support", session.pk)
    if outcome.conflict:
        session = _session_to_change(request, session_id)  # as it is now
    context = {
        "page_title": title.format(kind=session.get_kind_display().lower()),
        "page_has_errors": bool(form.errors),
        "form": form,
        "session": session,
        "conflict": outcome.conflict is not None,
        "breadcrumbs": _session_crumbs(session, crumb),
    }
    return _render(request, template, context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def support_change(request: HttpRequest, session_id: int) -> HttpResponse:
    """Put a session right: its kind, time, length and facilitator."""
    actor = me(request)

    def initial(session: SupportSession) -> dict[str, Any]:
        local = timezone.localtime(session.starts_at)
        return {
            "kind": session.kind,
            "day": local.date(),
            "start": local.time().replace(second=0, microsecond=0),
            "duration_minutes": session.duration_minutes,
            "i_facilitate": session.facilitator_id == actor.pk,
        }

    def save(session: SupportSession, form: SessionChangeForm) -> object:
        facilitator = session.facilitator
        if form.cleaned_data["i_facilitate"]:
            facilitator = actor
        elif facilitator is not None and facilitator.pk == actor.pk:
            facilitator = None
        return services.support_session_change(
            actor=actor,
            session=session,
            expected_version=form.cleaned_data["version"],
            kind=form.cleaned_data["kind"],
            starts_at=form.starts_at(),
            duration_minutes=form.cleaned_data["duration_minutes"],
            facilitator=facilitator,
        )

    return _session_edit(
        request,
        session_id,
        form_class=SessionChangeForm,
        initial=initial,
        save=save,
        done="changed",
        title="Change the {kind}",
        crumb="Change",
        template="wellbeing/support_change.jinja",
    )


@require_http_methods(["GET", "POST"])
def support_cancel(request: HttpRequest, session_id: int) -> HttpResponse:
    """Cancel a session, after saying why: it stays listed, marked cancelled."""

    def save(session: SupportSession, form: SessionCancelForm) -> object:
        return services.support_session_cancel(
            actor=me(request),
            session=session,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )

    return _session_edit(
        request,
        session_id,
        form_class=SessionCancelForm,
        initial=lambda session: {},
        save=save,
        done="cancelled",
        title="Cancel the {kind}?",
        crumb="Cancel",
        template="wellbeing/support_cancel.jinja",
    )


@require_http_methods(["GET", "POST"])
def support_offered(request: HttpRequest) -> HttpResponse:
    memberships = selectors.people_led_by(me(request))
    form = SupportOfferedForm(
        posted(request), memberships=memberships, initial={"on": timezone.localdate()}
    )
    if request.method == "POST" and not memberships:
        raise PermissionDenied

    def record(data: dict[str, Any]) -> object:
        membership = form.chosen()
        return services.support_offered_record(
            actor=me(request),
            person=membership.person,
            team=membership.team,
            what=data["what"],
            on=data["on"],
        )

    outcome = submit(request, form, record)
    if outcome.saved:
        messages.success(request, f"Support offered to {form.chosen().person} recorded.")
        return redirect("wellbeing:support-offered")
    offered = selectors.support_offered(request.user)
    page = Paginator(offered, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_title": "Support offered",
        "page_has_errors": bool(form.errors),
        "form": form,
        "may_record": bool(memberships),
        "page": page,
        "breadcrumbs": breadcrumbs(_crumb(), ("Support offered", "")),
    }
    return _render(request, "wellbeing/support_offered.jinja", context, status=outcome.status(form))


# -- Peer circles -------------------------------------------------------------------------------


@require_GET
def peer_circles(request: HttpRequest) -> HttpResponse:
    context = {
        "page_title": "Peer circles",
        "circles": selectors.peer_circles(me(request)),
        "breadcrumbs": breadcrumbs(_crumb(), ("Peer circles", "")),
    }
    return _render(request, "wellbeing/peer_circles.jinja", context)


@require_GET
def peer_circle(request: HttpRequest, circle_id: int) -> HttpResponse:
    circle = selectors.peer_circle_get(circle_id)
    members = selectors.peer_circle_members(request.user, circle)
    summary = next(c for c in selectors.peer_circles(me(request)) if c.circle.pk == circle.pk)
    context = {
        "page_title": circle.name,
        "circle": circle,
        "summary": summary,
        "members": members,
        "breadcrumbs": breadcrumbs(
            _crumb(), ("Peer circles", reverse("wellbeing:peer-circles")), (circle.name, "")
        ),
    }
    return _render(request, "wellbeing/peer_circle.jinja", context)


def _circle_change(
    request: HttpRequest, circle_id: int, change: Callable[..., object], done: str
) -> HttpResponse:
    """Join or leave a peer circle with one button: the message says it is done (`done`, with
    `{name}`, the circle's), or why not."""
    circle = selectors.peer_circle_get(circle_id)
    one_click(
        request, lambda: change(actor=me(request), circle=circle), done.format(name=circle.name)
    )
    return redirect("wellbeing:peer-circle", circle.pk)


@require_POST
def peer_circle_join(request: HttpRequest, circle_id: int) -> HttpResponse:
    done = "You have joined {name} and its forum."
    return _circle_change(request, circle_id, services.peer_circle_join, done)


@require_POST
def peer_circle_leave(request: HttpRequest, circle_id: int) -> HttpResponse:
    done = "You have left {name}. You can join again at any time."
    return _circle_change(request, circle_id, services.peer_circle_leave, done)


# -- Isolation ----------------------------------------------------------------------------------


@require_GET
def isolation(request: HttpRequest) -> HttpResponse:
    """For leaders only: who in the teams they lead may be on their own."""
    if not selectors.may_see_isolation(request.user):
        raise PermissionDenied
    people = selectors.isolation_list(me(request))
    page = Paginator(people, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_title": "No one isolated",
        "page": page,
        "weeks": settings.WELLBEING_CONTACT_WEEKS,
        "breadcrumbs": breadcrumbs(_crumb(), ("No one isolated", "")),
    }
    return _render(request, "wellbeing/isolation.jinja", context)


def home_section(request: HttpRequest) -> SafeString:
    """This month's check-ins the person has not answered yet."""
    waiting = [i for i in selectors.my_pulse(me(request)) if not i.answered]
    if not waiting:
        return SafeString("")
    return SafeString(
        render_to_string("wellbeing/_home_section.jinja", {"waiting": waiting}, request=request)
    )
