from django.urls import path

from roundtable.care.views import (
    board,
    card,
    caseloads,
    front_door,
    home,
    offers,
    person,
    referral,
    zones,
)

app_name = "care"

urlpatterns = [
    path("care/", home.home, name="home"),
    path("care/refer/", referral.refer, name="refer"),
    path("care/people/<int:person_id>/", person.person, name="person"),
    path("care/people/<int:person_id>/refer/", referral.refer_again, name="refer-again"),
    path("care/people/<int:person_id>/consents/", person.consent_give, name="consent-give"),
    path(
        "care/people/<int:person_id>/consents/<int:consent_id>/withdraw/",
        person.consent_withdraw,
        name="consent-withdraw",
    ),
    path("care/episodes/<int:episode_id>/stage/", person.stage_change, name="stage"),
    path("care/episodes/<int:episode_id>/zone/", card.zone_set, name="zone-set"),
    path("care/episodes/<int:episode_id>/notes/", card.note_add, name="note-add"),
    path("care/episodes/<int:episode_id>/actions/", card.action_add, name="action-add"),
    path("care/episodes/<int:episode_id>/move-on/", card.move_on_raise, name="move-on"),
    path("care/actions/<int:action_id>/done/", card.action_done, name="action-done"),
    path("care/front-door/<int:forum_id>/", front_door.front_door, name="front-door"),
    path(
        "care/front-door/<int:forum_id>/referrals/<int:episode_id>/offer/",
        front_door.offer_propose,
        name="offer-propose",
    ),
    path("care/offers/", offers.offers, name="offers"),
    path("care/offers/new/", offers.offer_new, name="offer-new"),
    path("care/offers/<int:offer_id>/", offers.offer_edit, name="offer-edit"),
    path("care/teams/<int:team_id>/huddle/", board.board, name="board"),
    path("care/teams/<int:team_id>/huddle/episodes/<int:episode_id>/", card.card, name="card"),
    path("care/teams/<int:team_id>/huddle/run/", board.board_run, name="board-run"),
    path("care/teams/<int:team_id>/huddle/print/", board.board_print, name="board-print"),
    path("care/teams/<int:team_id>/zones/", zones.zones, name="zones"),
    path("care/teams/<int:team_id>/zones/<int:zone_id>/", zones.zone_edit, name="zone-edit"),
    path(
        "care/teams/<int:team_id>/zones/<int:zone_id>/archive/",
        zones.zone_archive,
        name="zone-archive",
    ),
    path("care/teams/<int:team_id>/ready/", caseloads.ready, name="ready"),
    path("care/caseload/", caseloads.caseload, name="caseload"),
    path("care/caseload/<int:person_id>/", caseloads.caseload_of, name="caseload-of"),
]
