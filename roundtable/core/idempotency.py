"""Idempotency keys for the API's writes, after the IETF draft "The Idempotency-Key HTTP Header
Field" (draft-ietf-httpapi-idempotency-key-header).

A client on a flaky network that sends a note, an action, a comment or a concern and hears
nothing back cannot tell whether it was stored. With an `Idempotency-Key` header (a new unique
value, such as a UUID, for each new request) it can send the same request again safely:

- the first request with a key runs as usual, and its answer (status, body, content type and any
  `Location`) is kept for `KEPT_FOR`;
- the same key with the same request (method, path with its query, and a SHA-256 of the body)
  from the same person gets that answer again, with `Idempotent-Replayed: true`, and nothing is
  done again;
- the same key with a different request: 422; while the first is still running: 409;
- a key that is empty, longer than 255 characters or not printable ASCII: 400. The draft writes
  the key as a Structured Field string (`"8e03978e-…"`, in double quotes); a bare value, as most
  clients send it, is the same key.

Only answers below 500 are kept (a client may retry after a server error, and the request runs
again), except 401, 408 and 429, which say "not now" or "not you" rather than answer the request.

Keys belong to a person: the person the API will act for, found as the API finds them (a
personal API token first, then the signed-in session with its CSRF check). A request from
nobody the API would accept keeps no key (it is answered 401 anyway), so a wrong or revoked token
never reaches anyone's stored answer. The stored answer can name people in care: it is read only
to replay it to the same person, never logged, listed or shown in the admin, and removed after
`KEPT_FOR` by `roundtable tick` (`purge`).

Why a middleware, not a wrapper around the API's operations: the answer to keep is the response
as the client gets it, serialised by ninja after the operation returns, and the claim must be
made before ninja reads the body or runs the view. The cost is that the middleware finds the
person itself, which it does only for a write that carries a key: a request without one, and
every read, passes straight through without a query.

Exactly once, on PostgreSQL with several workers as on SQLite:

1. The claim: a row unique on (person, key), inserted and committed before the request runs. Of
   several identical requests at one moment, one insert wins; the others fail on the unique
   constraint (in a savepoint) and answer 409 while the winner runs, or its answer once kept.
2. The winner runs the request inside one transaction that ends by storing its answer in the
   claimed row, so the write and its kept answer are committed together or not at all: a worker
   that dies half-way leaves no write behind, and its claim, once older than `CLAIM_TIMEOUT`, is
   taken over by the next retry, which runs the request for the first time. A request that is
   still running when its claim is taken over (slower than `CLAIM_TIMEOUT`) finds its claim gone
   when it comes to store its answer, undoes its own write and answers 409.
3. A server error (5xx) undoes the request's transaction and gives the claim back, so the retry
   runs the request again.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from ninja.utils import check_csrf

from roundtable.core.api import WRITES
from roundtable.core.models import IdempotentRequest
from roundtable.core.registry import Registry

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
API_PREFIX = "/api/v1/"
MAX_KEY_LENGTH = 255
# How long an answer is kept for retries, from when it was stored.
KEPT_FOR = timedelta(hours=24)
# A claim still "processing" after this long was left by a worker that died (no request runs for
# minutes: the server's own timeout ends it first), and may be taken over by a retry.
CLAIM_TIMEOUT = timedelta(minutes=5)
# Answers below 500 that are not kept: they say "not you" or "not now", not how the request went.
NOT_KEPT = frozenset({401, 408, 429})

MISMATCH = "This Idempotency-Key was used for a different request. Use a new key for a new request."
BUSY = "A request with this Idempotency-Key is still being processed. Try again in a moment."
_A_GOOD_KEY = "Send a new unique value for each new request, such as a UUID."


class KeyProblem(ValueError):
    """An `Idempotency-Key` header that cannot be used; the message says what to fix."""


def parse_key(value: str) -> str:
    """The key in an `Idempotency-Key` header: a Structured Field string (in double quotes, with
    `\\"` and `\\\\` escapes) or a bare value. Raises KeyProblem if it cannot be used."""
    value = value.strip(" \t")
    key = _sf_string(value) if value.startswith('"') else value
    if not key:
        raise KeyProblem(f"The Idempotency-Key header is empty. {_A_GOOD_KEY}")
    if len(key) > MAX_KEY_LENGTH:
        raise KeyProblem(
            f"The Idempotency-Key is {len(key):,} characters long: it must be "
            f"{MAX_KEY_LENGTH} characters or fewer. {_A_GOOD_KEY}"
        )
    if not all(" " <= character <= "~" for character in key):
        raise KeyProblem(
            "The Idempotency-Key must be made of printable ASCII characters only (letters, "
            f"digits, spaces and punctuation). {_A_GOOD_KEY}"
        )
    return key


def _sf_string(value: str) -> str:
    """The text of an RFC 8941 string (`"..."`); KeyProblem if it is not one."""
    text: list[str] = []
    escaped = False
    for index, character in enumerate(value[1:], start=1):
        if escaped:
            if character not in '"\\':
                break
            text.append(character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == '"':
            if index == len(value) - 1:
                return "".join(text)
            break
        else:
            text.append(character)
    raise KeyProblem(
        'The Idempotency-Key must be one value, either bare or in double quotes ("..."), with '
        f'any " or \\ inside written \\" or \\\\. {_A_GOOD_KEY}'
    )


# Who a personal API token belongs to (None for no one): tokens are the directory's, which
# adds its reader here when it loads (core imports no app: dependencies point one way).
token_readers: Registry[Callable[[str], AbstractBaseUser | None]] = Registry("API token reader")


def fingerprint(request: HttpRequest) -> str:
    """What makes a retry the same request: its method, path and query, and body."""
    body = hashlib.sha256(request.body).hexdigest()
    about = f"{request.method}\n{request.get_full_path()}\n{body}"
    return hashlib.sha256(about.encode()).hexdigest()


def client(request: HttpRequest) -> AbstractBaseUser | None:
    """The person the API will act for, found in the same order as the API finds them
    (`roundtable.config.api`: a personal API token, then the session); None for a request the
    API will answer 401 or 403 (no valid token, no session, or a session failing the CSRF
    check). Queries only the token and the session the API reads itself."""
    header = request.headers.get("Authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer":
            for read in token_readers:
                person = read(token)
                if person is not None:
                    return person
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or check_csrf(request) is not None:
        return None
    return user  # type: ignore[no-any-return]


@dataclass(frozen=True)
class _Claim:
    pk: int
    token: uuid.UUID


class IdempotencyMiddleware:
    """`Idempotency-Key` for every write under /api/v1/ (this module's docstring says how).

    In MIDDLEWARE after the session and authentication middleware, which it reads, and inside
    `ApiErrorsMiddleware`, so that a server error the request ends in is still seen as one here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if (
            request.method not in WRITES
            or not request.path_info.startswith(API_PREFIX)
            or HEADER not in request.headers
        ):
            return self.get_response(request)
        try:
            key = parse_key(request.headers[HEADER])
        except KeyProblem as problem:
            return JsonResponse({"detail": str(problem)}, status=400)
        person = client(request)
        if person is None:
            return self.get_response(request)
        claim = _claim(person, key, fingerprint(request))
        if isinstance(claim, HttpResponseBase):
            return claim
        return self._run(request, claim)

    def _run(self, request: HttpRequest, claim: _Claim) -> HttpResponseBase:
        kept = False
        try:
            with transaction.atomic():
                response = self.get_response(request)
                if _keeps(response):
                    kept = _store(claim, response)
                    if not kept:
                        # Taken over after CLAIM_TIMEOUT: the request running now has it, so
                        # this one's write is undone and it answers as a retry would.
                        transaction.set_rollback(True)
                        return _busy()
                elif response.status_code >= 500:
                    transaction.set_rollback(True)
        finally:
            if not kept:
                _release(claim)
        return response


def _claim(person: AbstractBaseUser, key: str, print_: str) -> _Claim | HttpResponseBase:
    """Claim the key for this request, or the answer to send instead: the kept answer replayed,
    422 for another request with this key, or 409 while it runs."""
    for _ in range(3):
        now = timezone.now()
        token = uuid.uuid4()
        try:
            with transaction.atomic():
                made = IdempotentRequest.objects.create(
                    person_id=person.pk, key=key, fingerprint=print_, claim=token, claimed_at=now
                )
            return _Claim(made.pk, token)
        except IntegrityError:
            pass  # claimed already: see by whom and how far it got
        row = IdempotentRequest.objects.filter(person_id=person.pk, key=key).first()
        if row is None:
            continue  # given back or purged a moment ago: claim it afresh
        if _expired(row, now):
            if _take_over(row, token, print_, now):
                return _Claim(row.pk, token)
            continue
        if row.fingerprint != print_:
            return JsonResponse({"detail": MISMATCH}, status=422)
        if row.completed_at is not None:
            return _replay(row)
        if row.claimed_at > now - CLAIM_TIMEOUT:
            return _busy()
        if _take_over(row, token, print_, now):
            logger.warning(
                "An Idempotency-Key request that did not finish was run again by a retry after %s.",
                CLAIM_TIMEOUT,
            )
            return _Claim(row.pk, token)
    return _busy()


def _expired(row: IdempotentRequest, now: datetime) -> bool:
    """Past `KEPT_FOR` and not yet purged: the key may be used afresh."""
    return (row.completed_at or row.claimed_at) <= now - KEPT_FOR


def _take_over(row: IdempotentRequest, token: uuid.UUID, print_: str, now: datetime) -> bool:
    """Claim a row for this request, if nobody changed it since it was read."""
    taken = IdempotentRequest.objects.filter(
        pk=row.pk, claim=row.claim, completed_at=row.completed_at
    ).update(
        fingerprint=print_,
        claim=token,
        claimed_at=now,
        completed_at=None,
        status_code=None,
        content_type="",
        location="",
        body=b"",
    )
    return taken == 1


def _keeps(response: HttpResponseBase) -> bool:
    return (
        isinstance(response, HttpResponse)
        and response.status_code < 500
        and response.status_code not in NOT_KEPT
    )


def _store(claim: _Claim, response: HttpResponseBase) -> bool:
    """Keep the answer in the claimed row; False if the claim is no longer this request's."""
    assert isinstance(response, HttpResponse)
    stored = IdempotentRequest.objects.filter(
        pk=claim.pk, claim=claim.token, completed_at__isnull=True
    ).update(
        completed_at=timezone.now(),
        status_code=response.status_code,
        content_type=response.get("Content-Type", ""),
        location=response.get("Location", ""),
        body=response.content,
    )
    return stored == 1


def _release(claim: _Claim) -> None:
    """Give the key back, so that a retry runs the request again."""
    try:
        IdempotentRequest.objects.filter(pk=claim.pk, claim=claim.token).delete()
    except DatabaseError:
        # The database is unreachable: the claim lapses after CLAIM_TIMEOUT instead.
        logger.warning("An Idempotency-Key claim could not be given back; it lapses by itself.")


def _replay(row: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        bytes(row.body), status=row.status_code or 200, content_type=row.content_type or None
    )
    if row.location:
        response["Location"] = row.location
    response[REPLAYED_HEADER] = "true"
    return response


def _busy() -> JsonResponse:
    response = JsonResponse({"detail": BUSY}, status=409)
    response["Retry-After"] = "1"
    return response


def purge(today: date) -> str:
    """`roundtable tick`: remove answers kept longer than KEPT_FOR, and claims that never
    finished, so that no personal data lingers. (`today` is not needed: the time is.)"""
    cutoff = timezone.now() - KEPT_FOR
    removed, _ = IdempotentRequest.objects.filter(
        Q(completed_at__lt=cutoff) | Q(completed_at__isnull=True, claimed_at__lt=cutoff)
    ).delete()
    return f"{removed} kept answer{'' if removed == 1 else 's'} to Idempotency-Key requests removed"
