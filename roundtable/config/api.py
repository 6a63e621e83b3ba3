"""The JSON API at /api/v1/: one NinjaAPI, a router per app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from roundtable.directory.api import router as directory_router
from roundtable.directory.services import api_token_authenticate


class PersonalTokenAuth(HttpBearer):
    """`Authorization: Bearer rt_…` with a personal API token made on the API tokens page."""

    openapi_description = "A personal API token from the API tokens page in Roundtable."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        person = api_token_authenticate(token)
        if person is not None:
            request.user = person
        return person


api = NinjaAPI(
    title="Roundtable API",
    version="1",
    description=(
        "Read and act on a care system's directory, forums and decisions. Authenticate with a "
        "personal API token (`Authorization: Bearer rt_…`) or a signed-in browser session."
    ),
    urls_namespace="api",
    auth=[PersonalTokenAuth(), django_auth],
    docs_url="/docs",
)
api.add_router("/directory/", directory_router)
