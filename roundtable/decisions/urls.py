from django.urls import path

from roundtable.decisions.views import (
    advice,
    decision,
    funding,
    holds,
    log,
    notices,
    positions,
    proposal,
)

app_name = "decisions"

urlpatterns = [
    path("decisions/", log.decision_log, name="log"),
    path("decisions/export.csv", log.decision_export, name="export"),
    path("decisions/notifications/", notices.notifications, name="notifications"),
    path("decisions/notifications/read/", notices.notifications_read, name="notifications-read"),
    path("decisions/<int:decision_id>/", decision.decision_detail, name="decision"),
    path("decisions/<int:decision_id>/position/", positions.position_take, name="position"),
    path("decisions/<int:decision_id>/comments/", decision.comment_add, name="comment"),
    path("decisions/<int:decision_id>/advice/", advice.advice_request, name="advice-request"),
    path(
        "decisions/<int:decision_id>/advice/<int:advice_id>/",
        advice.advice_give,
        name="advice-give",
    ),
    path("decisions/<int:decision_id>/revise/", proposal.revise, name="revise"),
    path("decisions/<int:decision_id>/outcome/", proposal.outcome, name="outcome"),
    path("decisions/<int:decision_id>/withdraw/", proposal.withdraw, name="withdraw"),
    path("decisions/<int:decision_id>/review/", proposal.review, name="review"),
    path("decisions/<int:decision_id>/hold/", holds.hold, name="hold"),
    path("decisions/<int:decision_id>/round/", positions.consent_round, name="round"),
    path("decisions/budgets/<int:budget_id>/rounds/new/", funding.round_new, name="round-new"),
    path("decisions/rounds/<int:round_id>/", funding.allocation, name="allocation"),
    path("forums/<int:forum_id>/decisions/new/", proposal.propose, name="propose"),
    path("forums/<int:forum_id>/budgets/", funding.budgets, name="budgets"),
]
