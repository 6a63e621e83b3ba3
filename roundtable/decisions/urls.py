from django.urls import path

from roundtable.decisions import views

app_name = "decisions"

urlpatterns = [
    path("decisions/", views.decision_log, name="log"),
    path("decisions/export.csv", views.decision_export, name="export"),
    path("decisions/notifications/", views.notifications, name="notifications"),
    path("decisions/notifications/read/", views.notifications_read, name="notifications-read"),
    path("decisions/<int:decision_id>/", views.decision_detail, name="decision"),
    path("decisions/<int:decision_id>/position/", views.position_take, name="position"),
    path("decisions/<int:decision_id>/comments/", views.comment_add, name="comment"),
    path("decisions/<int:decision_id>/advice/", views.advice_request, name="advice-request"),
    path(
        "decisions/<int:decision_id>/advice/<int:advice_id>/",
        views.advice_give,
        name="advice-give",
    ),
    path("decisions/<int:decision_id>/revise/", views.revise, name="revise"),
    path("decisions/<int:decision_id>/outcome/", views.outcome, name="outcome"),
    path("decisions/<int:decision_id>/withdraw/", views.withdraw, name="withdraw"),
    path("decisions/<int:decision_id>/review/", views.review, name="review"),
    path("decisions/<int:decision_id>/hold/", views.hold, name="hold"),
    path("decisions/<int:decision_id>/round/", views.consent_round, name="round"),
    path("decisions/budgets/<int:budget_id>/rounds/new/", views.round_new, name="round-new"),
    path("decisions/rounds/<int:round_id>/", views.allocation, name="allocation"),
    path("forums/<int:forum_id>/decisions/new/", views.propose, name="propose"),
    path("forums/<int:forum_id>/budgets/", views.budgets, name="budgets"),
]
