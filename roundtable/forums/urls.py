from django.urls import path

from roundtable.forums import views

app_name = "forums"

urlpatterns = [
    path("forums/", views.forum_list, name="list"),
    path("forums/new/", views.forum_edit, name="new"),
    path("forums/<int:forum_id>/", views.forum_detail, name="forum"),
    path("forums/<int:forum_id>/edit/", views.forum_edit, name="edit"),
    path("forums/<int:forum_id>/members/", views.forum_member_add, name="member-add"),
    path(
        "forums/<int:forum_id>/members/<int:membership_id>/remove/",
        views.forum_member_remove,
        name="member-remove",
    ),
    path("forums/<int:forum_id>/meetings/new/", views.meeting_new, name="meeting-new"),
    path("forums/<int:forum_id>/recurring/new/", views.series_new, name="series-new"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:meeting_id>/facilitate/", views.meeting_facilitate, name="facilitate"),
    path("meetings/<int:meeting_id>/notes/", views.meeting_notes, name="meeting-notes"),
    path("meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path(
        "meetings/<int:meeting_id>/attendance/",
        views.meeting_attendance,
        name="meeting-attendance",
    ),
    path("meetings/<int:meeting_id>/guests/", views.meeting_guest_add, name="guest-add"),
    path(
        "meetings/<int:meeting_id>/attendance/<int:attendance_id>/remove/",
        views.attendance_remove,
        name="attendance-remove",
    ),
    path("presence/", views.presence, name="presence"),
    path("presence/teams/<int:team_id>/", views.team_presence, name="team-presence"),
    path("presence/in-the-building/", views.presence_visit, name="visit"),
    path("account/calendar/", views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
