from django.urls import path

from roundtable.insights import views

app_name = "insights"

urlpatterns = [
    path("insights/", views.home, name="home"),
    path("insights/teams/<int:team_id>/", views.team_measures, name="team-measures"),
    path("insights/teams/<int:team_id>/cycle/", views.team_cycle, name="team-cycle"),
    path("insights/teams/<int:team_id>/<slug:slug>.csv", views.team_csv, name="team-csv"),
    path("insights/teams/<int:team_id>/<slug:slug>/", views.team_chart, name="team-chart"),
    path(
        "insights/organisations/<int:organisation_id>/",
        views.organisation_measures,
        name="organisation-measures",
    ),
    path(
        "insights/organisations/<int:organisation_id>/cycle/",
        views.organisation_cycle,
        name="organisation-cycle",
    ),
    path(
        "insights/organisations/<int:organisation_id>/<slug:slug>.csv",
        views.organisation_csv,
        name="organisation-csv",
    ),
    path(
        "insights/organisations/<int:organisation_id>/<slug:slug>/",
        views.organisation_chart,
        name="organisation-chart",
    ),
    path("insights/system/", views.system_measures, name="system-measures"),
    path("insights/system/cycle/", views.system_cycle, name="system-cycle"),
    path("insights/system/<slug:slug>.csv", views.system_csv, name="system-csv"),
    path("insights/system/<slug:slug>/", views.system_chart, name="system-chart"),
]
