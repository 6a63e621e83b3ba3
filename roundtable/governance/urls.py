from django.urls import path

from roundtable.governance import views

app_name = "governance"

urlpatterns = [
    path("governance/", views.home, name="home"),
    path("governance/people/<int:person_id>/access/", views.access_report, name="access-report"),
    path(
        "governance/people/<int:person_id>/access.csv",
        views.access_report_csv,
        name="access-report-csv",
    ),
]
