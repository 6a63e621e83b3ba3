from django.urls import path

from roundtable.learning.views import actions, cycles, events, exchange, home, responses, support

app_name = "learning"

urlpatterns = [
    path("learning/", home.home, name="home"),
    path("learning/events/", events.event_list, name="events"),
    path("learning/events/new/", events.event_new, name="event-new"),
    path("learning/events/<int:event_id>/", events.event, name="event"),
    path("learning/events/<int:event_id>/support/", support.support_offer, name="support-offer"),
    path(
        "learning/support/<int:support_id>/answer/", support.support_answer, name="support-answer"
    ),
    path("learning/thematic/new/", events.thematic_new, name="thematic-new"),
    path("learning/responses/", responses.response_list, name="responses"),
    path("learning/responses/<int:response_id>/", responses.response, name="response"),
    path("learning/responses/<int:response_id>/factors/", responses.factor_add, name="factor-add"),
    path(
        "learning/responses/<int:response_id>/factors/<int:factor_id>/remove/",
        responses.factor_remove,
        name="factor-remove",
    ),
    path(
        "learning/responses/<int:response_id>/participants/",
        responses.participant_add,
        name="participant-add",
    ),
    path(
        "learning/responses/<int:response_id>/participants/<int:participant_id>/remove/",
        responses.participant_remove,
        name="participant-remove",
    ),
    path(
        "learning/responses/<int:response_id>/statements/",
        responses.statement_add,
        name="statement-add",
    ),
    path("learning/responses/<int:response_id>/actions/", responses.action_add, name="action-add"),
    path("learning/responses/<int:response_id>/finish/", responses.finish, name="finish"),
    path("learning/actions/<int:action_id>/", actions.action, name="action"),
    path(
        "learning/actions/<int:action_id>/progress/",
        actions.action_progress,
        name="action-progress",
    ),
    # Tests of change (views/cycles.py)
    path("learning/tests-of-change/", cycles.ramp_list, name="ramps"),
    path("learning/tests-of-change/new/", cycles.ramp_new, name="ramp-new"),
    path("learning/tests-of-change/<int:ramp_id>/", cycles.ramp, name="ramp"),
    path("learning/tests-of-change/<int:ramp_id>/cycles/", cycles.cycle_next, name="cycle-next"),
    path("learning/tests-of-change/cycles/<int:cycle_id>/", cycles.cycle_edit, name="cycle-edit"),
    path(
        "learning/tests-of-change/cycles/<int:cycle_id>/start/",
        cycles.cycle_start,
        name="cycle-start",
    ),
    path(
        "learning/tests-of-change/cycles/<int:cycle_id>/close/",
        cycles.cycle_close,
        name="cycle-close",
    ),
    # Practice exchange (views/exchange.py)
    path("learning/practice/", exchange.note_list, name="practice-notes"),
    path("learning/practice/new/", exchange.note_new, name="practice-note-new"),
    path("learning/practice/<int:note_id>/", exchange.note, name="practice-note"),
    path("learning/practice/<int:note_id>/edit/", exchange.note_edit, name="practice-note-edit"),
    path(
        "learning/practice/<int:note_id>/comments/",
        exchange.comment_add,
        name="practice-comment-add",
    ),
    path(
        "learning/practice/<int:note_id>/tried-too/",
        exchange.tried_too_link,
        name="practice-tried-too",
    ),
]
