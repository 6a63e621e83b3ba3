"""Static file serving (including the NHS.UK frontend's `/assets/` folder), no caching of anything
else, sign-in required, the input policy for addresses, and API errors always in JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.cache import add_never_cache_headers
from whitenoise.middleware import WhiteNoiseMiddleware

from roundtable.core.api import schema_problems
from roundtable.core.inputs import PROBLEM as POLICY_PROBLEM
from roundtable.core.inputs import query_problems

FAVICON_URL = "/favicon.ico"


class AssetsWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, plus the NHS.UK frontend's images and icons at `/assets/`, and its icon at
    `/favicon.ico`.

    nhsuk-frontend's compiled CSS refers to `/assets/...` with an absolute path, so those files
    must be served there as well as under STATIC_URL. Pages link their icons under `/assets/`,
    but browsers still ask for `/favicon.ico` (for a JSON answer, say, or a bookmark), so it is
    served as a static file too rather than answered with a 404.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.favicon = settings.NHSUK_ASSETS_DIR / "images" / "favicon.ico"
        if settings.NHSUK_ASSETS_DIR.is_dir():
            self.add_files(str(settings.NHSUK_ASSETS_DIR), prefix="assets/")
        if not self.autorefresh and self.favicon.is_file():
            self.add_file_to_dictionary(FAVICON_URL, str(self.favicon))

    def find_file(self, url: str) -> Any:
        """Where files are looked up on each request (`WHITENOISE_AUTOREFRESH`, on with DEBUG)."""
        if url == FAVICON_URL and self.favicon.is_file():
            return self.get_static_file(str(self.favicon), url)
        return super().find_file(url)


class NoStoreMiddleware:
    """Every answer Django makes is sent with `Cache-Control: no-store` and `Pragma: no-cache`.

    Roundtable's pages and API answers are about people: people in care (health data), staff,
    concerns raised. They are read on shared NHS computers, where a copy kept by the browser could
    be read by the next person to sit down (from the cache on disk, or with the back button after
    signing out) and through proxies. Deciding page by page which ones identify someone would
    miss some, so there is one rule: no dynamic answer is kept. (`no-store` also keeps pages out
    of the browser's back-forward cache, so the back button after signing out asks the server,
    which asks for sign-in.)

    Static files and the NHS.UK `/assets/` are answered by WhiteNoise, which comes before this
    middleware in MIDDLEWARE, so they keep their long-lived caching. Should the order change, a
    static file that set its own `Cache-Control` is still left as it is.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.has_header("Cache-Control") and _is_static(request.path_info):
            return response
        add_never_cache_headers(response)
        response["Pragma"] = "no-cache"
        return response


def _is_static(path: str) -> bool:
    return path.startswith((settings.STATIC_URL or "/static/", "/assets/"))


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


API_PREFIX = "/api/"

# What an API error the API itself did not answer (Django or the server did) says, by status.
_API_ERRORS = {
    400: "The request could not be read. Send JSON with the header "
    "Content-Type: application/json, of at most {limit}.",
    403: "You cannot do this.",
    404: "There is no API endpoint at {path}. See /api/v1/docs.",
    405: "{method} is not allowed at {path}. Allowed: {allowed}.",
    500: "Sorry, there is a problem with the service. If you were changing something, check "
    "whether it was saved before you try again (an Idempotency-Key makes a retry safe).",
}


class InputPolicyMiddleware:
    """Refuse a request whose address holds control characters (core.inputs), before any view
    reads it: a 422 in JSON from the API, naming the parameter; a 400 page otherwise."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        bad = query_problems(
            (name, value) for name, values in request.GET.lists() for value in values
        )
        if not bad:
            return self.get_response(request)
        if request.path_info.startswith(API_PREFIX):
            errors = [{"loc": ["query", name], "type": POLICY_PROBLEM} for name in bad]
            return JsonResponse(schema_problems(errors), status=422)
        return render(
            request, "core/400.jinja", {"page_title": "This address cannot be used"}, status=400
        )


class ApiErrorsMiddleware:
    """Every error the API answers is JSON with `detail`, even when Django or the server wrote
    it rather than the API (a body too large to read, a method the path does not take, a
    server error): such an answer is replaced by the same error in JSON, its headers kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path_info.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        template = _API_ERRORS.get(status, _API_ERRORS[500] if status >= 500 else "")
        detail = template.format(
            limit=filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
            path=request.path,
            method=request.method,
            allowed=response.get("Allow", ""),
        ) or (response.reason_phrase or "The request was refused.")
        answer = JsonResponse({"detail": detail}, status=status)
        for header in ("Allow", "WWW-Authenticate", "Retry-After"):
            if response.has_header(header):
                answer[header] = response[header]
        return answer
