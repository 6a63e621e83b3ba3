from django.contrib.auth.decorators import login_not_required
from django.urls import path

from roundtable.core import sessions, views

app_name = "core"

urlpatterns = [
    path("sign-in/", login_not_required(views.SignInView.as_view()), name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("session/", sessions.session_status, name="session"),
    path("health/", views.health, name="health"),
]
