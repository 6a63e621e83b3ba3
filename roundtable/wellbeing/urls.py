from django.urls import path

from roundtable.wellbeing import views

app_name = "wellbeing"

urlpatterns = [
    path("wellbeing/", views.wellbeing_home, name="home"),
    path("wellbeing/pulse/system/", views.pulse_system, name="pulse-system"),
    path("wellbeing/pulse/<int:team_id>/", views.pulse_answer, name="pulse"),
    path("wellbeing/pulse/<int:team_id>/results/", views.pulse_results, name="pulse-results"),
    path("wellbeing/support/", views.support_list, name="support-list"),
    path("wellbeing/support/new/", views.support_new, name="support-new"),
    path("wellbeing/support/<int:session_id>/", views.support_detail, name="support"),
    path("wellbeing/support/<int:session_id>/change/", views.support_change, name="support-change"),
    path("wellbeing/support/<int:session_id>/cancel/", views.support_cancel, name="support-cancel"),
    path("wellbeing/support-offered/", views.support_offered, name="support-offered"),
    path("wellbeing/peer-circles/", views.peer_circles, name="peer-circles"),
    path("wellbeing/peer-circles/<int:circle_id>/", views.peer_circle, name="peer-circle"),
    path(
        "wellbeing/peer-circles/<int:circle_id>/join/",
        views.peer_circle_join,
        name="peer-circle-join",
    ),
    path(
        "wellbeing/peer-circles/<int:circle_id>/leave/",
        views.peer_circle_leave,
        name="peer-circle-leave",
    ),
    path("wellbeing/isolation/", views.isolation, name="isolation"),
]
