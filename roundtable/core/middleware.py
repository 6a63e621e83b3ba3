"""Static file serving, including the NHS.UK frontend's `/assets/` folder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from whitenoise.middleware import WhiteNoiseMiddleware


class AssetsWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, plus the NHS.UK frontend's images and icons at `/assets/`.

    nhsuk-frontend's compiled CSS refers to `/assets/...` with an absolute path, so those files
    must be served there as well as under STATIC_URL.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if settings.NHSUK_ASSETS_DIR.is_dir():
            self.add_files(str(settings.NHSUK_ASSETS_DIR), prefix="assets/")


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in person, except those marked `login_not_required`.

    The API authenticates each request itself (tokens or session) and answers 401 in JSON
    rather than redirecting to the sign-in page.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
