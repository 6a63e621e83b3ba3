from django.urls import path

from roundtable.care import views

app_name = "care"

urlpatterns = [
    path("care/", views.home, name="home"),
    path("care/refer/", views.refer, name="refer"),
    path("care/people/<int:person_id>/", views.person, name="person"),
    path("care/people/<int:person_id>/refer/", views.refer_again, name="refer-again"),
    path("care/people/<int:person_id>/consents/", views.consent_give, name="consent-give"),
    path(
        "care/people/<int:person_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path("care/episodes/<int:episode_id>/stage/", views.stage_change, name="stage"),
    path("care/episodes/<int:episode_id>/zone/", views.zone_set, name="zone-set"),
    path("care/episodes/<int:episode_id>/notes/", views.note_add, name="note-add"),
    path("care/episodes/<int:episode_id>/actions/", views.action_add, name="action-add"),
    path("care/episodes/<int:episode_id>/move-on/", views.move_on_raise, name="move-on"),
    path("care/actions/<int:action_id>/done/", views.action_done, name="action-done"),
    path("care/front-door/<int:forum_id>/", views.front_door, name="front-door"),
    path(
        "care/front-door/<int:forum_id>/referrals/<int:episode_id>/offer/",
        views.offer_propose,
        name="offer-propose",
    ),
    path("care/offers/", views.offers, name="offers"),
    path("care/offers/new/", views.offer_new, name="offer-new"),
    path("care/offers/<int:offer_id>/", views.offer_edit, name="offer-edit"),
    path("care/teams/<int:team_id>/huddle/", views.board, name="board"),
    path("care/teams/<int:team_id>/huddle/episodes/<int:episode_id>/", views.card, name="card"),
    path("care/teams/<int:team_id>/huddle/run/", views.board_run, name="board-run"),
    path("care/teams/<int:team_id>/huddle/print/", views.board_print, name="board-print"),
    path("care/teams/<int:team_id>/zones/", views.zones, name="zones"),
    path("care/teams/<int:team_id>/zones/<int:zone_id>/", views.zone_edit, name="zone-edit"),
    path(
        "care/teams/<int:team_id>/zones/<int:zone_id>/archive/",
        views.zone_archive,
        name="zone-archive",
    ),
    path("care/teams/<int:team_id>/ready/", views.ready, name="ready"),
    path("care/caseload/", views.caseload, name="caseload"),
    path("care/caseload/<int:person_id>/", views.caseload_of, name="caseload-of"),
]
