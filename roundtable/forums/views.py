"""Forum, meeting, attendance, presence and calendar pages: parse, call, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roundtable.core import access
from roundtable.core.pages import (
    add_service_errors,
    asked_first,
    breadcrumbs,
    choice,
    fields,
    form_status,
    me,
    one_click,
    submit,
)
from roundtable.directory.models import OrganisationKind, Person
from roundtable.forums import calendar, presenters, selectors, services
from roundtable.forums.forms import (
    AddMemberForm,
    AttendanceForm,
    CancelForm,
    ForumForm,
    GuestForm,
    MeetingForm,
    MeetingNotesForm,
    SeriesForm,
    VisitForm,
)
from roundtable.forums.models import AttendanceStatus, Forum, ForumKind, Meeting


def _forums_crumb() -> tuple[str, str]:
    return ("Forums", reverse("forums:list"))


def _forum_crumb(forum: Forum) -> tuple[str, str]:
    return (forum.name, reverse("forums:forum", args=[forum.pk]))


def _meeting_crumbs(meeting: Meeting, last: str) -> list[dict[str, str]]:
    """Home, forums, the meeting's forum, the meeting, then `last` (this page)."""
    return breadcrumbs(
        _forums_crumb(),
        _forum_crumb(meeting.forum),
        ("Meeting", reverse("forums:meeting", args=[meeting.pk])),
        (last, ""),
    )


def _require_change(request: HttpRequest, forum: Forum) -> None:
    if not request.user.has_perm("forums.change_forum", forum):
        raise PermissionDenied


# -- Forums -------------------------------------------------------------------------------------


def forum_list(request: HttpRequest) -> HttpResponse:
    kind = choice(request, "kind", ForumKind.values)
    forums = selectors.forum_list(me(request), kind=kind)
    page = Paginator(forums, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_title": "Forums",
        "active_nav": "forums",
        "mine": selectors.my_forums(me(request)),
        "page": page,
        "kinds": ForumKind.choices,
        "kind": kind,
        "breadcrumbs": breadcrumbs(("Forums", "")),
    }
    return render(request, "forums/forum_list.jinja", context)


@require_http_methods(["GET", "POST"])
def forum_edit(request: HttpRequest, forum_id: int | None = None) -> HttpResponse:
    """Set up a forum (anyone may), or change one (its members and administrators)."""
    forum = selectors.forum_get(forum_id) if forum_id is not None else None
    if forum is not None:
        _require_change(request, forum)
    initial: dict[str, Any] = {}
    if forum is not None:
        initial = {
            "id": forum.pk,
            "name": forum.name,
            "purpose": forum.purpose,
            "kind": forum.kind,
            "home_team": forum.home_team_id,
            "min_disciplines": forum.min_disciplines,
            "required_organisation_kinds": forum.required_organisation_kinds,
            "lived_experience_required": forum.lived_experience_required,
            "version": forum.version,
        }
    form = ForumForm(request.POST or None, initial=initial)
    form.limit_home_teams(
        services.teams_one_may_home(me(request)),
        forum.home_team if forum is not None else None,
    )

    def save(cleaned: dict[str, Any]) -> Forum:
        data = {k: v for k, v in cleaned.items() if k != "version"}
        if forum is None:
            return services.forum_create(actor=me(request), **data)
        return services.forum_update(
            actor=me(request),
            forum=forum,
            expected_version=cleaned["version"] or 0,
            **data,
        )

    outcome = submit(request, form, save)
    if outcome.saved:
        saved = outcome.value
        assert saved is not None
        messages.success(request, f"{saved.name} saved.")
        return redirect("forums:forum", forum_id=saved.pk)
    title = f"Change {forum.name}" if forum else "Set up a forum"
    context = {
        "page_title": title,
        "page_has_errors": bool(form.errors),
        "form": form,
        "forum": forum,
        "breadcrumbs": breadcrumbs(_forums_crumb(), (title, "")),
    }
    return render(request, "forums/forum_edit.jinja", context, status=outcome.status(form))


def _forum_page(
    request: HttpRequest,
    page: selectors.ForumPage,
    add_member_form: AddMemberForm,
    *,
    can_change: bool,
) -> HttpResponse:
    """The forum's page, with the form to add a member (shown again with what to fix)."""
    forum = page.forum
    kinds = dict(OrganisationKind.choices)
    context = {
        "page_title": forum.name,
        "page_has_errors": add_member_form.is_bound,
        "active_nav": "forums",
        "page": page,
        "can_change": can_change,
        "required_kinds": [kinds[k] for k in forum.required_organisation_kinds if k in kinds],
        "add_member_form": add_member_form,
        "breadcrumbs": breadcrumbs(_forums_crumb(), (forum.name, "")),
    }
    status = 400 if add_member_form.is_bound else 200
    return render(request, "forums/forum_detail.jinja", context, status=status)


def forum_detail(request: HttpRequest, forum_id: int) -> HttpResponse:
    page = selectors.forum_detail(request.user, forum_id)
    can_change = request.user.has_perm("forums.change_forum", page.forum)
    return _forum_page(request, page, AddMemberForm(people=None), can_change=can_change)


@require_POST
def forum_member_add(request: HttpRequest, forum_id: int) -> HttpResponse:
    forum = selectors.forum_get(forum_id)
    _require_change(request, forum)
    form = AddMemberForm(request.POST, people=access.scoped(request.user, Person))
    outcome = submit(
        request,
        form,
        lambda data: services.forum_member_add(
            actor=me(request), forum=forum, person=data["email"]
        ),
        refusals_on="email",
    )
    if outcome.saved:
        messages.success(
            request, f"{outcome.value.person.full_name} is now a member of {forum.name}."
        )
        return redirect("forums:forum", forum_id=forum.pk)
    page = selectors.forum_detail(request.user, forum_id)
    return _forum_page(request, page, form, can_change=True)  # as `_require_change` found


@require_http_methods(["GET", "POST"])
def forum_member_remove(request: HttpRequest, forum_id: int, membership_id: int) -> HttpResponse:
    forum = selectors.forum_get(forum_id)
    _require_change(request, forum)
    membership = selectors.forum_membership_get(forum, membership_id)
    if asked_first(
        request,
        lambda: services.forum_member_remove(actor=me(request), membership=membership),
        done=f"{membership.person.full_name} is no longer a member.",
    ).made:
        return redirect("forums:forum", forum_id=forum.pk)
    context = {
        "page_title": f"Remove {membership.person.full_name}",
        "membership": membership,
        "forum": forum,
        "breadcrumbs": breadcrumbs(_forums_crumb(), _forum_crumb(forum), ("Remove a member", "")),
    }
    return render(request, "forums/member_remove.jinja", context)


# -- Meetings -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, forum_id: int) -> HttpResponse:
    forum = selectors.forum_get(forum_id)
    _require_change(request, forum)
    form = MeetingForm(request.POST or None, initial={"on_date": timezone.localdate()})
    past_start = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                actor=me(request),
                forum=forum,
                **fields(
                    data, "starts_at", "ends_at", "site", "online_url", "agenda", "confirm_past"
                ),
            )
        except ValidationError as error:
            if _is_past_start(error):
                # A warning the first time, with a box to tick; an error if it goes unticked.
                past_start = data["starts_at"]
                if data["past_warned"]:
                    form.add_error("confirm_past", MeetingForm.PAST_NOT_CONFIRMED)
            else:
                add_service_errors(form, error)
        else:
            messages.success(request, "Meeting scheduled.")
            return redirect("forums:meeting", meeting_id=meeting.pk)
    context = {
        "page_title": f"Schedule a meeting of {forum.name}",
        "page_has_errors": bool(form.errors),
        "form": form,
        "forum": forum,
        "past_start": past_start,
        "breadcrumbs": breadcrumbs(
            _forums_crumb(), _forum_crumb(forum), ("Schedule a meeting", "")
        ),
    }
    return render(request, "forums/meeting_new.jinja", context, status=form_status(form))


def _is_past_start(error: ValidationError) -> bool:
    """Whether the service asks to confirm a start that has passed (and nothing else)."""
    found = getattr(error, "error_dict", {})
    return list(found) == ["confirm_past"] and found["confirm_past"][0].code == services.PAST_START


@require_http_methods(["GET", "POST"])
def series_new(request: HttpRequest, forum_id: int) -> HttpResponse:
    forum = selectors.forum_get(forum_id)
    _require_change(request, forum)
    initial = {"starts_on": timezone.localdate(), "interval_weeks": 1}
    if forum.kind == ForumKind.DAILY_HUDDLE:
        initial.update({"weekdays": [0, 1, 2, 3, 4], "duration_minutes": 15})
    form = SeriesForm(request.POST or None, initial=initial)
    outcome = submit(
        request,
        form,
        # The form asks when and where the meetings recur: what the service takes.
        lambda data: services.meeting_series_create(actor=me(request), forum=forum, **data),
    )
    if outcome.saved:
        count = outcome.value.meetings.count()
        messages.success(
            request,
            f"Recurring meetings set up: {count} scheduled so far. "
            "More are added as the weeks go by.",
        )
        return redirect("forums:forum", forum_id=forum.pk)
    context = {
        "page_title": f"Set up recurring meetings of {forum.name}",
        "page_has_errors": bool(form.errors),
        "form": form,
        "forum": forum,
        "breadcrumbs": breadcrumbs(
            _forums_crumb(), _forum_crumb(forum), ("Recurring meetings", "")
        ),
    }
    return render(request, "forums/series_new.jinja", context, status=outcome.status(form))


def _meeting_context(request: HttpRequest, page: selectors.MeetingPage) -> dict[str, Any]:
    meeting = page.meeting
    return {
        "page_title": f"{meeting.forum.name}, {meeting.starts_at:%d %B %Y}",
        "active_nav": "forums",
        "page": page,
        "meeting": meeting,
        "can_change": request.user.has_perm("forums.change_forum", meeting.forum),
        "is_past": meeting.starts_at <= timezone.now(),
        "breadcrumbs": breadcrumbs(_forums_crumb(), _forum_crumb(meeting.forum), ("Meeting", "")),
    }


def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    page = selectors.meeting_detail(request.user, meeting_id)
    return render(request, "forums/meeting_detail.jinja", _meeting_context(request, page))


@require_POST
def meeting_facilitate(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(meeting_id)
    one_click(
        request,
        lambda: services.meeting_facilitate(actor=me(request), meeting=meeting),
        "Thank you: you are facilitating this meeting.",
    )
    return redirect("forums:meeting", meeting_id=meeting.pk)


@require_http_methods(["GET", "POST"])
def meeting_notes(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(meeting_id)
    _require_change(request, meeting.forum)
    form = MeetingNotesForm(
        request.POST or None,
        initial={"agenda": meeting.agenda, "minutes": meeting.minutes, "version": meeting.version},
    )
    outcome = submit(
        request,
        form,
        lambda data: services.meeting_update(
            actor=me(request),
            meeting=meeting,
            expected_version=data["version"],
            **fields(data, "agenda", "minutes"),
        ),
    )
    if outcome.saved:
        messages.success(request, "Agenda and minutes saved.")
        return redirect("forums:meeting", meeting_id=meeting.pk)
    latest = selectors.meeting_get(meeting_id) if outcome.conflict else None
    context = {
        "page_title": "Agenda and minutes",
        "page_has_errors": bool(form.errors),
        "form": form,
        "meeting": meeting,
        "latest": latest,
        "breadcrumbs": _meeting_crumbs(meeting, "Agenda and minutes"),
    }
    return render(request, "forums/meeting_notes.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(meeting_id)
    _require_change(request, meeting.forum)
    form = CancelForm(request.POST or None)
    outcome = submit(
        request,
        form,
        lambda data: services.meeting_cancel(
            actor=me(request), meeting=meeting, reason=data["reason"]
        ),
    )
    if outcome.saved:
        messages.success(request, "Meeting cancelled. Calendars will show it as cancelled.")
        return redirect("forums:meeting", meeting_id=meeting.pk)
    context = {
        "page_title": "Cancel this meeting?",
        "page_has_errors": bool(form.errors),
        "form": form,
        "meeting": meeting,
        "breadcrumbs": _meeting_crumbs(meeting, "Cancel"),
    }
    return render(request, "forums/meeting_cancel.jinja", context, status=outcome.status(form))


@require_http_methods(["GET", "POST"])
def meeting_attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Record who was there: one radio group per member, guests below. Quick on a phone."""
    page = selectors.meeting_detail(request.user, meeting_id)
    meeting = page.meeting
    _require_change(request, meeting.forum)
    if meeting.is_cancelled:
        messages.error(request, "This meeting was cancelled, so no attendance can be recorded.")
        return redirect("forums:meeting", meeting_id=meeting.pk)
    form = _attendance_form(page, request.POST or None)
    guest_form = GuestForm(people=None)
    outcome = submit(
        request,
        form,
        lambda data: services.attendance_set(
            actor=me(request),
            meeting=meeting,
            present=form.people(AttendanceStatus.PRESENT),
            apologies=form.people(AttendanceStatus.APOLOGIES),
        ),
    )
    if outcome.saved:
        messages.success(request, "Attendance saved.")
        return redirect("forums:meeting", meeting_id=meeting.pk)
    return _attendance_page(request, page, form, guest_form)


def _attendance_form(page: selectors.MeetingPage, data: Any = None) -> AttendanceForm:
    """One radio group a member, each showing what is recorded for them."""
    initial = {f"member_{pid}": AttendanceStatus.PRESENT for pid in page.present_ids}
    initial |= {f"member_{pid}": AttendanceStatus.APOLOGIES for pid in page.apology_ids}
    return AttendanceForm(data, members=page.members, initial=initial)


def _attendance_page(
    request: HttpRequest, page: selectors.MeetingPage, form: AttendanceForm, guest_form: GuestForm
) -> HttpResponse:
    context = _meeting_context(request, page)
    context.update(
        {
            "page_title": "Who was there",
            "page_has_errors": bool(form.errors or guest_form.errors),
            "form": form,
            "guest_form": guest_form,
            "breadcrumbs": _meeting_crumbs(page.meeting, "Attendance"),
        }
    )
    status = 400 if (form.is_bound and form.errors) or guest_form.errors else 200
    return render(request, "forums/meeting_attendance.jinja", context, status=status)


@require_POST
def meeting_guest_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    page = selectors.meeting_detail(request.user, meeting_id)
    meeting = page.meeting
    _require_change(request, meeting.forum)
    guest_form = GuestForm(request.POST, people=access.scoped(request.user, Person))
    outcome = submit(
        request,
        guest_form,
        lambda data: services.attendance_record(
            actor=me(request),
            meeting=meeting,
            person=data.get("person"),
            guest_name=data["guest_name"] if not data.get("person") else "",
            guest_organisation=data["guest_organisation"],
            guest_organisation_kind=data["guest_organisation_kind"],
            guest_discipline=data["guest_discipline"],
            guest_role=data["guest_role"],
        ),
    )
    if outcome.saved:
        messages.success(request, f"{outcome.value.display_name} added as a guest.")
        return redirect("forums:meeting-attendance", meeting_id=meeting.pk)
    form = _attendance_form(page)
    return _attendance_page(request, page, form, guest_form)


@require_http_methods(["GET", "POST"])
def attendance_remove(request: HttpRequest, meeting_id: int, attendance_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(meeting_id)
    _require_change(request, meeting.forum)
    row = selectors.attendance_get(meeting, attendance_id)
    if asked_first(
        request,
        lambda: services.attendance_remove(actor=me(request), attendance=row),
        done=f"{row.display_name} removed from this meeting.",
    ).made:
        return redirect("forums:meeting-attendance", meeting_id=meeting.pk)
    context = {
        "page_title": f"Remove {row.display_name}?",
        "row": row,
        "meeting": meeting,
        "breadcrumbs": _meeting_crumbs(meeting, "Remove"),
    }
    return render(request, "forums/attendance_remove.jinja", context)


# -- Presence -----------------------------------------------------------------------------------


def presence(request: HttpRequest) -> HttpResponse:
    """The system view: which teams leaders have reached lately, and who those leaders are."""
    view = selectors.system_presence()
    status = choice(request, "status", presenters.STATUS_WORDS)
    teams = [t for t in view.teams if t.status == status] if status else view.teams
    # The least visited teams come first, so the first page is the one that needs attention.
    page = Paginator(teams, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_title": "Leadership presence",
        "active_nav": "presence",
        "view": view,
        "page": page,
        "status": status,
        "visit_form": _visit_form(request) if selectors.is_leader(me(request)) else None,
        # One reverse() for the page instead of one per team row.
        "team_url_prefix": reverse("forums:team-presence", args=[0]).removesuffix("0/"),
        "breadcrumbs": breadcrumbs(("Leadership presence", "")),
    }
    context.update(presenters.template_helpers())
    return render(request, "forums/presence.jinja", context)


def team_presence(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.team_get(team_id)
    context = {
        "page_title": f"Leadership presence: {team.name}",
        "active_nav": "presence",
        "presence": selectors.team_presence(team),
        "team": team,
        **presenters.template_helpers(),
        "breadcrumbs": breadcrumbs(
            ("Leadership presence", reverse("forums:presence")), (team.name, "")
        ),
    }
    return render(request, "forums/team_presence.jinja", context)


def _visit_form(request: HttpRequest, data: Any = None) -> VisitForm:
    return VisitForm(data, sites=selectors.sites_for(me(request)))


@require_POST
def presence_visit(request: HttpRequest) -> HttpResponse:
    """One tap: "I'm in the building today"."""
    form = _visit_form(request, request.POST)
    if form.is_valid():
        site = form.cleaned_data["site"]
        _, created = services.presence_visit_record(actor=me(request), site=site)
        if created:
            messages.success(request, f"Thank you: you are recorded as in {site.name} today.")
        else:
            messages.success(request, f"You were already recorded as in {site.name} today.")
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("site", [])))
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("forums:presence")


# -- Calendar -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    if asked_first(
        request,
        lambda: services.calendar_feed_reset(actor=me(request)),
        done="Your calendar has a new address. The old one no longer works.",
    ).made:
        return redirect("forums:calendar")
    feed = services.calendar_feed_get_or_create(actor=me(request))
    url = request.build_absolute_uri(reverse("forums:calendar-feed", args=[feed.token]))
    context = {
        "page_title": "Your meetings in your calendar",
        "active_nav": "forums",
        "feed_url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1],
        "breadcrumbs": breadcrumbs(_forums_crumb(), ("Calendar", "")),
    }
    return render(request, "forums/calendar.jinja", context)


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private iCalendar feed. The unguessable token is the key; no sign-in."""
    feed = selectors.calendar_feed_by_token(token)
    if feed is None:
        raise Http404("No calendar here.")
    body = calendar.feed_ics(feed.person, selectors.calendar_meetings(feed.person))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="roundtable.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# -- Home page section --------------------------------------------------------------------------


def home_section(request: HttpRequest) -> SafeString:
    """ "My forums" on the home page, with each forum's next meeting."""
    forums = selectors.my_forums(me(request))
    upcoming = selectors.next_meetings(me(request))
    context = {
        "forums": forums,
        "upcoming": upcoming,
        "visit_form": _visit_form(request) if selectors.is_leader(me(request)) else None,
    }
    return SafeString(render_to_string("forums/_home_section.jinja", context, request=request))
