from django.urls import path

from roundtable.voice import views

app_name = "voice"

urlpatterns = [
    path("voice/", views.voice_home, name="home"),
    path("voice/raise/", views.concern_raise, name="raise"),
    path("voice/notices/read/", views.notices_read, name="notices-read"),
    path("voice/leadership/", views.leadership_concerns, name="leadership"),
    path("voice/you-said-we-did/", views.board, name="board"),
    # The link shown once (swapped for a cookie), then the pages that read the cookie.
    path("voice/receipt/", views.receipt_page, name="receipt-page"),
    path("voice/receipt/open/", views.receipt_open, name="receipt-open"),
    path("voice/receipt/close/", views.receipt_close, name="receipt-close"),
    path("voice/receipt/<str:token>/", views.receipt, name="receipt"),
    path("voice/concerns/<int:concern_id>/", views.concern_detail, name="concern"),
    path("voice/concerns/<int:concern_id>/reply/", views.concern_reply, name="reply"),
    path("voice/concerns/<int:concern_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("voice/concerns/<int:concern_id>/action/", views.agree_action, name="action"),
    path("voice/concerns/<int:concern_id>/address/", views.address, name="address"),
    path(
        "voice/concerns/<int:concern_id>/not-taken-forward/",
        views.not_taken_forward,
        name="not-taken-forward",
    ),
]
