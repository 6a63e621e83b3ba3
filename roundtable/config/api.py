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
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.security import HttpBearer, django_auth

from roundtable.care.api import router as care_router
from roundtable.core.api import WRITES, one_transaction, schema_problems
from roundtable.core.concurrency import ConcurrentEditError
from roundtable.core.errors import NotAllowed
from roundtable.core.forms import plain_validation_error
from roundtable.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from roundtable.core.idempotency import MAX_KEY_LENGTH as MAX_IDEMPOTENCY_KEY_LENGTH
from roundtable.core.inputs import PROBLEM as POLICY_PROBLEM
from roundtable.core.inputs import body_problems
from roundtable.core.schemas import ErrorOut, ProblemOut, RefusedOut
from roundtable.core.templating import date_format
from roundtable.decisions.api import router as decisions_router
from roundtable.directory import selectors as directory_selectors
from roundtable.directory.api import router as directory_router
from roundtable.directory.models import API_AREAS, Person, TokenAccess
from roundtable.directory.schemas import PersonDetail
from roundtable.directory.services import api_token_find, api_token_used
from roundtable.forums.api import router as forums_router
from roundtable.insights.api import router as insights_router
from roundtable.learning.api import router as learning_router
from roundtable.safety.api import router as safety_router
from roundtable.voice.api import router as voice_router
from roundtable.wellbeing.api import router as wellbeing_router

API_ROOT = "/api/v1/"
AREAS = {area for area, _ in API_AREAS}


class ExpiredToken(AuthenticationError):
    """A token past the day it was made to last until: a 401 that says so."""


class PersonalTokenAuth(HttpBearer):
    """`Authorization: Bearer rt_…` with a personal API token made on the API tokens page."""

    openapi_description = "A personal API token from the API tokens page in Roundtable."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = api_token_find(token)
        if api_token is None:
            return None
        if api_token.expires_at <= timezone.now():
            raise ExpiredToken(
                401,
                f"This API token expired on {date_format(api_token.expires_at)}: make a new one "
                "on the API tokens page.",
            )
        area = request.path.removeprefix(API_ROOT).split("/", 1)[0]
        if api_token.areas and area in AREAS and area not in api_token.areas:
            raise HttpError(
                403,
                f"This API token may not be used for {area}: only for "
                f"{', '.join(api_token.areas)}.",
            )
        if request.method in WRITES and api_token.access != TokenAccess.WRITE:
            raise HttpError(
                403,
                "This API token may only read: make one that may change "
                "records on the API tokens page.",
            )
        api_token_used(api_token)
        request.user = api_token.person
        return api_token.person


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
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """Ninja's document, with the errors that every operation of a kind can answer and the
        `Idempotency-Key` header of every write (`document_common_errors`), and the characters
        text may hold (`document_text_policy`)."""
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_common_errors(document)
        document_text_policy(document)
        return document

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


# The errors an operation can answer whatever it does, by the kind of operation, documented here
# once rather than on every endpoint. An endpoint documents those that depend on what it does:
# 403 from its own rule, 409 for a `version` that is out of date, and its 422 (a refusal).
_ANY_OPERATION = {
    401: "Without valid credentials: sign in, or send a personal API token (one that has not "
    "expired).",
    403: "A personal API token that may not be used here: one for other parts of the API, or, "
    "for a write, one that may only read.",
    422: "A parameter or body that does not fit this operation (`errors` names each one), an "
    "address with a control character in it, or a request a service refused. Nothing was saved.",
}
_WITH_PATH_PARAMETERS = {
    404: "Not found: no such record, or one you may not see.",
}
_WRITES = {
    400: "The body could not be read: not JSON, or larger than the API accepts; or an "
    "`Idempotency-Key` that cannot be used.",
    403: "You may not do this (the message says why); from a signed-in browser session, the "
    "request lacks its CSRF token; or a personal API token that may only read, or not here.",
    409: "A request with the same `Idempotency-Key` is still being processed.",
}
_IDEMPOTENCY_KEY = {
    "in": "header",
    "name": IDEMPOTENCY_HEADER,
    "required": False,
    "description": "A new unique value, such as a UUID, for each new request. For 24 hours a "
    "retry with the same key and the same request gets the first answer again (with "
    "`Idempotent-Replayed: true`) and is not done twice; the same key with another request "
    "answers 422.",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_IDEMPOTENCY_KEY_LENGTH,
        # Printable ASCII, neither starting nor ending blank; in double quotes, it would be read
        # as a Structured Field string (see core.idempotency).
        "pattern": "^[!#-~]([ -~]*[!-~])?$",
    },
}


def document_common_errors(document: dict[str, Any]) -> None:
    """Add to each operation of the document the errors it can answer because of its kind.

    Every operation needs credentials (401) and can be sent something that does not fit (422,
    `RefusedOut`); one with an id in its path can name a record that does not exist (404); a
    write can be sent a body that cannot be read or a bad `Idempotency-Key` (400), be refused
    to a browser session without its CSRF token (403), and meet its `Idempotency-Key` still in
    use (409; the body then has no `version`, whatever the operation's own 409 has).
    """
    schemas = document["components"]["schemas"]
    for model in (ErrorOut, RefusedOut, ProblemOut):
        schema = model.model_json_schema(ref_template=REF_TEMPLATE, mode="serialization")
        schema.pop("$defs", None)
        schemas.setdefault(model.__name__, schema)

    def ref(model: type[Schema]) -> dict[str, str]:
        return {"$ref": REF_TEMPLATE.format(model=model.__name__)}

    for operations in document["paths"].values():
        for method, operation in operations.items():
            responses = operation["responses"]
            common = dict(_ANY_OPERATION)
            if any(p["in"] == "path" for p in operation.get("parameters", [])):
                common |= _WITH_PATH_PARAMETERS
            if method.upper() in WRITES:
                common |= _WRITES
                operation.setdefault("parameters", []).append(dict(_IDEMPOTENCY_KEY))
            for status, description in common.items():
                model = RefusedOut if status == 422 else ErrorOut
                if status not in responses:
                    content = {"application/json": {"schema": ref(model)}}
                    responses[status] = {"description": description, "content": content}
                elif status == 409:  # the operation's own 409 (a version), or the key's
                    answer = responses[status]
                    json_body = answer["content"]["application/json"]
                    json_body["schema"] = {"anyOf": [json_body["schema"], ref(ErrorOut)]}
                    answer["description"] += f". Or: {description}"


# The text the API takes (roundtable.core.inputs), as JSON Schema patterns: no control characters
# in an address; none but tab, newline and carriage return in the text of a body.
TEXT_IN_ADDRESS = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
TEXT_IN_BODY = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
# What a body may hold in a field the operation does not read: it is ignored, but it is read as
# JSON, and its text (keys too) is checked all the same.
EXTRA_VALUE = "ExtraValue"
_EXTRA_VALUE_SCHEMA = {
    "description": "A field the operation does not read: it is ignored, but its text (keys too) "
    "must hold no control characters.",
    "anyOf": [
        {"type": "string", "pattern": TEXT_IN_BODY},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "null"},
        {"type": "array", "items": {"$ref": REF_TEMPLATE.format(model=EXTRA_VALUE)}},
        {
            "type": "object",
            "propertyNames": {"pattern": TEXT_IN_ADDRESS},
            "additionalProperties": {"$ref": REF_TEMPLATE.format(model=EXTRA_VALUE)},
        },
    ],
}


def document_text_policy(document: dict[str, Any]) -> None:
    """Say in the document which characters text may hold, where the API reads text: each
    parameter's, and each body's (its keys too), as `pattern`s. Schemas a request body names
    are not named by any answer, so what the API answers is not constrained by this."""
    schemas = document["components"]["schemas"]
    done: set[str] = set()

    def constrain(node: Any, pattern: str) -> None:
        if not isinstance(node, dict):
            return
        if "$ref" in node:
            name = node["$ref"].removeprefix("#/components/schemas/")
            if name not in done:
                done.add(name)
                constrain(schemas[name], pattern)
            return
        if node.get("type") == "string" and not {"pattern", "format", "enum"} & node.keys():
            node["pattern"] = pattern
        if node.get("type") == "object":
            node.setdefault("propertyNames", {"pattern": TEXT_IN_ADDRESS})
            if node.get("additionalProperties", True) is True:
                node["additionalProperties"] = {"$ref": REF_TEMPLATE.format(model=EXTRA_VALUE)}
                schemas[EXTRA_VALUE] = _EXTRA_VALUE_SCHEMA
        for key in ("anyOf", "oneOf", "allOf"):
            for branch in node.get(key, []):
                constrain(branch, pattern)
        for child in (node.get("items"), node.get("additionalProperties")):
            constrain(child, pattern)
        for child in node.get("properties", {}).values():
            constrain(child, pattern)

    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("query", "path"):
                    constrain(parameter["schema"], TEXT_IN_ADDRESS)
            for content in operation.get("requestBody", {}).get("content", {}).values():
                constrain(content["schema"], TEXT_IN_BODY)


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
        "risk-taking, concerns (voice), wellbeing and learning (events, learning responses and "
        "safety actions). Authenticate with a personal API token "
        "(`Authorization: Bearer rt_…`) or a signed-in browser session.\n\n"
        "Lists are paginated: `?page=2&page_size=100` (50 a page unless asked, 100 at most); "
        'each answers `{"items": [...], "count": n}`. Errors answer `{"detail": "..."}`.\n\n'
        "Writes (POST, PUT, PATCH, DELETE) take an `Idempotency-Key` header, a new unique value "
        "such as a UUID for each new request: for 24 hours a retry with the same key and the "
        "same request gets the first answer again (marked `Idempotent-Replayed: true`) and is "
        "not done twice; the same key with another request answers 422, and while the first "
        "is still running, 409."
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
    if isinstance(exc, ExpiredToken):
        detail = str(exc.message)
        challenge = 'Bearer realm="Roundtable", error="invalid_token"'
    elif "authorization" in request.headers:
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
api.add_router("/learning/", learning_router)
api.add_router("/insights/", insights_router)
