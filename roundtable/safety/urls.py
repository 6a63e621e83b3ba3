from django.urls import path

from roundtable.safety import views

app_name = "safety"

urlpatterns = [
    path("safety/people/<int:person_id>/", views.person, name="person"),
    path("safety/people/<int:person_id>/plan/", views.plan_edit, name="plan-edit"),
    path("safety/people/<int:person_id>/plan/print/", views.plan_print, name="plan-print"),
    path(
        "safety/people/<int:person_id>/plan/versions/<int:number>/",
        views.plan_version,
        name="plan-version",
    ),
    path(
        "safety/people/<int:person_id>/formulation/",
        views.formulation_edit,
        name="formulation-edit",
    ),
    path("safety/people/<int:person_id>/reviews/new/", views.review_new, name="review-new"),
    path(
        "safety/people/<int:person_id>/positive-risk/new/",
        views.positive_risk_new,
        name="positive-risk-new",
    ),
    path("safety/teams/<int:team_id>/reviews/", views.team_reviews, name="team-reviews"),
    path(
        "safety/teams/<int:team_id>/review-frequency/",
        views.review_frequency,
        name="review-frequency",
    ),
]
