from django.contrib import admin
from django.urls import include, path

from roundtable.config.api import api

admin.site.site_header = "Roundtable set-up"
admin.site.site_title = "Roundtable set-up"

urlpatterns = [
    path("", include("roundtable.core.urls")),
    path("", include("roundtable.directory.urls")),
    path("", include("roundtable.forums.urls")),
    path("", include("roundtable.decisions.urls")),
    path("", include("roundtable.care.urls")),
    path("", include("roundtable.safety.urls")),
    path("", include("roundtable.voice.urls")),
    path("", include("roundtable.wellbeing.urls")),
    path("", include("roundtable.learning.urls")),
    path("", include("roundtable.insights.urls")),
    path("", include("roundtable.governance.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "roundtable.core.views.not_found"
handler403 = "roundtable.core.views.forbidden"
handler500 = "roundtable.core.views.server_error"
