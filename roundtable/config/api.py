"""The JSON API at /api/v1/: one NinjaAPI, a router per app.

Every error is JSON with a `detail` message:

- 401 without valid credentials; 403 when the person may not do this (whoever checks it: the
  endpoint, or the service it calls, which raises `core.errors.NotAllowed`);
- 404 for an unknown id or an unknown path under /api/v1/;
- 409 when a record changed since the `version` the client sent (nothing is overwritten):
  `version` is the record's version now (safety plans and formulations send the stored text);
- 422 for a request that does not fit the schema (`errors` is a list, one per bad parameter) or
  that a service refused (`errors` maps each field to its messages; `__all__` for the request).
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as RefusedError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import Http404
from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.security import HttpBearer, django_auth

from roundtable.care.api import router as care_router
from roundtable.core.api import one_transaction, schema_problems
from roundtable.core.concurrency import ConcurrentEditError
from roundtable.core.errors import NotAllowed
from roundtable.core.forms import plain_validation_error
from roundtable.core.inputs import PROBLEM as POLICY_PROBLEM
from roundtable.core.inputs import body_problems
from roundtable.core.schemas import ErrorOut
from roundtable.decisions.api import router as decisions_router
from roundtable.directory import selectors as directory_selectors
from roundtable.directory.api import router as directory_router
from roundtable.directory.models import Person
from roundtable.directory.schemas import PersonDetail
from roundtable.directory.services import api_token_authenticate
from roundtable.forums.api import router as forums_router
from roundtable.safety.api import router as safety_router
from roundtable.voice.api import router as voice_router
from roundtable.wellbeing.api import router as wellbeing_router


class PersonalTokenAuth(HttpBearer):
    """`Authorization: Bearer rt_…` with a personal API token made on the API tokens page."""

    openapi_description = "A personal API token from the API tokens page in Roundtable."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        person = api_token_authenticate(token)
        if person is not None:
            request.user = person
        return person


class PolicyParser(Parser):
    """JSON bodies, with the text in them checked by the API's input policy (core.inputs).

    Ninja turns anything the parser raises into a 400 "cannot parse"; a ValidationError raised
    here is answered as the 422 it is by `http_error` below.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        found = body_problems(data)
        if found:
            raise ValidationError(
                [
                    {
                        "loc": ["body", *where],
                        "where": "body field " + ".".join(str(part) for part in where),
                        "type": POLICY_PROBLEM,
                    }
                    for where in found
                ]
            )
        return cast(dict[str, Any], data)


class RoundtableAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        """`directory_team_list` rather than `roundtable_directory_api_team_list`."""
        app = operation.view_func.__module__.removeprefix("roundtable.").removesuffix(".api")
        name = operation.view_func.__name__
        return name if app == "config" else f"{app}_{name}"

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        """Ninja's URLs, then a catch-all so that a mistyped path answers JSON, not an HTML page.

        Added here rather than as a route so that it stays last whatever routers are added.
        """
        patterns, app_name, namespace = super().urls
        # Ninja's own root view raises Http404 outside the API, which Django renders as HTML.
        patterns = [p for p in patterns if getattr(p, "name", None) != "api-root"]
        return (
            [
                *patterns,
                path("", unknown_path, name="api-root"),
                path("<path:unknown>", unknown_path, name="unknown-path"),
            ],
            app_name,
            namespace,
        )


def unknown_path(request: HttpRequest, unknown: str = "") -> JsonResponse:
    return JsonResponse(
        {"detail": f"There is no API endpoint at {request.path}. See /api/v1/docs."}, status=404
    )


api = RoundtableAPI(
    title="Roundtable API",
    version="1",
    description=(
        "Read and act on a care system's directory, forums, decisions, care flow (people in "
        "care, episodes, the huddle board, offers and flow measures), safety plans and positive "
        "risk-taking, concerns (voice) and wellbeing. Authenticate with a "
        "personal API token (`Authorization: Bearer rt_…`) or a signed-in browser session.\n\n"
        "Lists are paginated: `?page=2&page_size=100` (50 a page unless asked, 100 at most); "
        'each answers `{"items": [...], "count": n}`. Errors answer `{"detail": "..."}`.'
    ),
    urls_namespace="api",
    auth=[PersonalTokenAuth(), django_auth],
    # The docs need no override of the site's Content-Security-Policy: with "ninja" installed,
    # its Swagger page loads swagger-ui from our own static files and keeps its settings in a
    # JSON data block, and Swagger UI sets styles through the CSSOM, which `style-src 'self'`
    # allows. Checked in Chromium with no violations; test_api_auth.py guards the page's shape.
    docs_url="/docs",
    parser=PolicyParser(),
)
api.add_decorator(one_transaction)


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    if "authorization" in request.headers:
        detail = (
            "This API token is not valid: it may be mistyped, revoked, or belong to someone "
            "whose account is closed. Make a new one on the API tokens page."
        )
        challenge = 'Bearer realm="Roundtable", error="invalid_token"'
    else:
        detail = (
            "Sign in, or send a personal API token as `Authorization: Bearer rt_…` "
            "(make one on the API tokens page)."
        )
        challenge = 'Bearer realm="Roundtable"'
    response = api.create_response(request, {"detail": detail}, status=401)
    response["WWW-Authenticate"] = challenge
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Selectors raise Http404 with a message safe to show, such as "No team found."
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 naming each parameter and what is wrong with it in plain English."""
    return api.create_response(request, schema_problems(exc.errors), status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """An endpoint's own refusal (403 with its words), or a body the parser could not read."""
    if isinstance(exc.__cause__, ValidationError):  # the parser's input policy: see PolicyParser
        return invalid_request(request, exc.__cause__)
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        detail = (
            "The request body is not valid JSON. Send a JSON object, with the header "
            "Content-Type: application/json."
        )
        return api.create_response(request, {"detail": detail}, status=400)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(ConcurrentEditError)
def changed_meanwhile(request: HttpRequest, exc: ConcurrentEditError) -> HttpResponse:
    """A write to a copy that is out of date: 409 with the version now, and nothing saved."""
    version = exc.obj.version  # type: ignore[attr-defined]
    return api.create_response(request, {"detail": str(exc), "version": version}, status=409)


@api.exception_handler(NotAllowed)
def not_allowed(request: HttpRequest, exc: NotAllowed) -> HttpResponse:
    """A service said the person may not do this: 403, and nothing changed."""
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=403)


@api.exception_handler(RefusedError)
def refused(request: HttpRequest, exc: RefusedError) -> HttpResponse:
    """A service refused a write (Django's ValidationError): 422.

    Each write endpoint makes one call to a transactional service, so nothing was stored.

    `errors` maps each field to its messages; `__all__` holds those about the whole request.
    """
    # Django's own messages (a model's validation) in plain English, like the pages' (core.forms).
    exc = plain_validation_error(exc)
    by_field = hasattr(exc, "error_dict")
    errors = exc.message_dict if by_field else {NON_FIELD_ERRORS: exc.messages}
    detail = " ".join(message for messages in errors.values() for message in messages)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.get("/me", response={200: PersonDetail, 401: ErrorOut}, tags=["directory"])
def me(request: HttpRequest) -> Person:
    """The person the token or session belongs to, with their teams and leadership teams."""
    return directory_selectors.my_profile(request.user)


api.add_router("/directory/", directory_router)
api.add_router("/forums/", forums_router)
api.add_router("/decisions/", decisions_router)
api.add_router("/care/", care_router)
api.add_router("/safety/", safety_router)
api.add_router("/voice/", voice_router)
api.add_router("/wellbeing/", wellbeing_router)
