"""Following an anonymous concern by its receipt: no sign-in, the link swapped for a cookie and a
plain address, the paste form, replies, the guessing limiter, the headers, and the sign-in page
and the logs keeping the link to themselves."""

from __future__ import annotations

import logging
import re
from html import unescape

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from roundtable.core.privacy import RedactPrivateLinks, carries_secret, redact
from roundtable.testing import PASSWORD
from roundtable.voice import views
from roundtable.voice.models import Concern, ConcernReply, ConcernStatus
from roundtable.voice.tests.helpers import raise_to_team

pytestmark = pytest.mark.django_db

PAGE = "/voice/receipt/"
OPEN = "/voice/receipt/open/"
CLOSE = "/voice/receipt/close/"
UNKNOWN = "x" * 43


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def token(system) -> str:
    _, token = raise_to_team(system, title="Nobody to talk to")
    return token


def opened(client: Client, token: str) -> Client:
    assert client.get(f"/voice/receipt/{token}/").status_code == 303
    return client


def assert_private(response) -> None:
    assert "no-store" in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"
    assert response["Referrer-Policy"] == "no-referrer"


# -- Opening -----------------------------------------------------------------------------------


def test_the_link_works_signed_out_and_is_swapped_for_a_cookie_and_a_plain_address(client, token):
    swapped = client.get(f"/voice/receipt/{token}/")
    assert swapped.status_code == 303
    assert swapped["Location"] == PAGE
    cookie = swapped.cookies[views.RECEIPT_COOKIE]
    assert cookie.value == token
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == PAGE
    assert cookie["max-age"] == 3600
    assert not cookie["secure"]  # plain HTTP in tests; see the next test
    assert_private(swapped)

    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Nobody to talk to" in text(page)
    assert "What has happened" in text(page)
    assert "Send reply" in text(page)
    assert "Raised by" not in text(page)
    assert token not in page.content.decode()
    assert_private(page)


def test_the_cookie_is_secure_over_https(client, token, settings):
    assert client.get(f"/voice/receipt/{token}/", secure=True).cookies[views.RECEIPT_COOKIE][
        "secure"
    ]
    settings.SESSION_COOKIE_SECURE = True
    assert client.get(f"/voice/receipt/{token}/").cookies[views.RECEIPT_COOKIE]["secure"]


def test_an_unknown_link_is_not_found(client):
    response = client.get(f"/voice/receipt/{UNKNOWN}/")
    assert response.status_code == 404
    assert "Page not found" in text(response)
    assert views.RECEIPT_COOKIE not in response.cookies
    assert_private(response)


def test_the_link_cannot_be_posted_to(client, token):
    response = client.post(f"/voice/receipt/{token}/", {"body": "Hello"})
    assert response.status_code == 405
    assert not ConcernReply.objects.exists()


def test_without_the_cookie_the_page_says_how_to_open_the_concern_again(client):
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Follow your concern" in text(page)
    assert "paste it here" in text(page)
    assert 'action="/voice/receipt/open/"' in page.content.decode()
    assert_private(page)


@pytest.mark.parametrize(
    "pasted",
    [
        "http://testserver/voice/receipt/{token}/",
        "  /voice/receipt/{token}/ ",
        "{token}",
        # Broken over two lines by an e-mail program.
        "http://testserver/voice/receipt/{half}\n{rest}/",
    ],
)
def test_the_link_or_its_code_can_be_pasted_in(client, token, pasted):
    half, rest = token[:20], token[20:]
    response = client.post(OPEN, {"receipt": pasted.format(token=token, half=half, rest=rest)})
    assert response.status_code == 303
    assert response["Location"] == PAGE
    assert response.cookies[views.RECEIPT_COOKIE].value == token
    assert_private(response)
    assert "Nobody to talk to" in text(client.get(PAGE))


@pytest.mark.parametrize(
    ("pasted", "error"),
    [
        ("", "Paste your private link"),
        ("my concern", "Paste the whole private link"),
        (f"http://testserver/voice/receipt/{UNKNOWN}/", "No concern was found for this link"),
    ],
)
def test_a_paste_that_opens_nothing_is_explained(client, token, pasted, error):
    response = client.post(OPEN, {"receipt": pasted})
    assert response.status_code == 400
    assert "There is a problem" in text(response)
    assert error in text(response)
    assert views.RECEIPT_COOKIE not in response.cookies
    assert_private(response)


# -- Replying and closing -----------------------------------------------------------------------


def test_replies_are_posted_to_the_plain_address_and_stay_anonymous(client, token):
    opened(client, token)
    empty = client.post(PAGE, {"body": "  "})
    assert empty.status_code == 400
    assert "Write your reply" in text(empty)
    assert_private(empty)
    sent = client.post(PAGE, {"body": "It is still hard after visits."})
    assert sent.status_code == 303
    assert sent["Location"] == PAGE + "#timeline"
    assert_private(sent)
    reply = ConcernReply.objects.get()
    assert reply.author_id is None
    assert reply.from_raiser
    assert "It is still hard after visits." in text(client.get(PAGE))


def test_a_reply_after_the_link_was_forgotten_is_shown_back_not_lost(client, token):
    response = client.post(PAGE, {"body": "Words I do not want to lose."})
    assert response.status_code == 200
    page = text(response)
    assert "Your reply was not sent" in page
    assert "Words I do not want to lose." in page
    assert not ConcernReply.objects.exists()


def test_a_closed_concern_takes_no_replies(client, token):
    Concern.objects.update(
        status=ConcernStatus.NOT_TAKEN_FORWARD, outcome="Not ours.", closed_on=timezone.localdate()
    )
    opened(client, token)
    page = client.get(PAGE)
    assert "This concern is closed, so it takes no more replies" in text(page)
    refused = client.post(PAGE, {"body": "One more thing."})
    assert refused.status_code == 400
    assert "closed" in text(refused)
    assert not ConcernReply.objects.exists()


def test_closing_forgets_the_link_on_this_computer(client, token):
    opened(client, token)
    closed = client.post(CLOSE)
    assert closed.status_code == 303
    assert closed["Location"] == PAGE + "?closed"
    assert closed.cookies[views.RECEIPT_COOKIE].value == ""
    assert_private(closed)
    page = client.get(closed["Location"])
    assert "Your concern is now closed on this computer" in text(page)
    assert "Nobody to talk to" not in text(page)


def test_forms_posted_from_another_site_are_refused(client, token):
    opened(client, token)
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://elsewhere.example"}):
        response = client.post(PAGE, {"body": "Forged."}, headers=headers)
        assert response.status_code == 403
        assert_private(response)
        assert client.post(OPEN, {"receipt": token}, headers=headers).status_code == 403
    assert not ConcernReply.objects.exists()
    # The browser's own forms: same-origin, with `Origin: null` because of `no-referrer`.
    sent = client.post(
        PAGE, {"body": "Mine."}, headers={"Sec-Fetch-Site": "same-origin", "Origin": "null"}
    )
    assert sent.status_code == 303
    assert ConcernReply.objects.count() == 1


# -- Who is signed in does not matter -----------------------------------------------------------


def test_the_pages_do_not_name_or_touch_whoever_is_signed_in(system, client_for, token):
    client = client_for(system.lone_coach)
    # A message waiting for the person ("0 updates marked as read.").
    assert client.post("/voice/notices/read/").status_code == 302
    sessions = list(Session.objects.values_list("session_key", "session_data", "expire_date"))
    opened(client, token)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert system.lone_coach.full_name not in text(page)
    assert "Sign out" not in text(page)
    assert "marked as read" not in text(page)
    client.post(PAGE, {"body": "A reply."})
    # The session is as it was, and the message is still waiting for the next ordinary page.
    assert list(Session.objects.values_list("session_key", "session_data", "expire_date")) == (
        sessions
    )
    assert "0 updates marked as read." in text(client.get("/voice/"))


# -- Guessing ------------------------------------------------------------------------------------


def test_too_many_links_that_open_nothing_are_refused_for_a_while(client, token, monkeypatch):
    monkeypatch.setattr(views, "RECEIPT_TRIES", 3)
    for _ in range(2):
        assert client.get(f"/voice/receipt/{UNKNOWN}/").status_code == 404
    assert client.post(OPEN, {"receipt": UNKNOWN}).status_code == 400
    refused = client.get(f"/voice/receipt/{UNKNOWN}/")
    assert refused.status_code == 429
    assert "Too many tries" in text(refused)
    assert "wait up to 15 minutes" in text(refused)
    assert_private(refused)
    # Then even a real link waits, and so does the paste form and a cookie.
    assert client.get(f"/voice/receipt/{token}/").status_code == 429
    assert client.post(OPEN, {"receipt": token}).status_code == 429
    client.cookies[views.RECEIPT_COOKIE] = token
    assert client.get(PAGE).status_code == 429
    # Another address is not held up.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(f"/voice/receipt/{token}/").status_code == 303


def test_the_limiter_keeps_neither_the_link_nor_the_address(client, token, monkeypatch):
    monkeypatch.setattr(views, "RECEIPT_TRIES", 1)
    client.get(f"/voice/receipt/{UNKNOWN}/")
    client.get(f"/voice/receipt/{token}/")
    kept = repr(cache._cache) + repr(list(cache._cache))  # type: ignore[attr-defined]
    assert UNKNOWN not in kept
    assert token not in kept
    assert "127.0.0.1" not in kept


def test_a_wrong_cookie_counts_as_a_try_and_is_forgotten(client, monkeypatch):
    monkeypatch.setattr(views, "RECEIPT_TRIES", 2)
    client.cookies[views.RECEIPT_COOKIE] = UNKNOWN
    first = client.get(PAGE)
    assert "does not open a concern any more" in text(first)
    assert first.cookies[views.RECEIPT_COOKIE].value == ""
    client.cookies[views.RECEIPT_COOKIE] = UNKNOWN
    client.get(PAGE)
    client.cookies[views.RECEIPT_COOKIE] = UNKNOWN
    assert client.get(PAGE).status_code == 429


# -- Sign-in and logs ----------------------------------------------------------------------------


def test_sign_in_drops_a_next_that_is_a_receipt_link(system, client, token):
    link = f"/voice/receipt/{token}/"
    form = client.get(f"/sign-in/?next={link}")
    assert token not in form.content.decode()
    signed_in = client.post(
        f"/sign-in/?next={link}",
        {"username": system.lone_coach.email, "password": PASSWORD, "next": link},
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/"
    # Any other page is still returned to.
    client.post("/sign-out/")
    again = client.post(
        "/sign-in/?next=/voice/",
        {"username": system.lone_coach.email, "password": PASSWORD, "next": "/voice/"},
    )
    assert again["Location"] == "/voice/"


def test_private_links_are_recognised_by_their_view():
    assert carries_secret(f"/voice/receipt/{UNKNOWN}/")
    assert carries_secret(f"/voice/receipt/{UNKNOWN}/?a=b#c")
    assert carries_secret(f"http://testserver/voice/receipt/{UNKNOWN}/")
    assert not carries_secret(PAGE)
    assert not carries_secret("/voice/")
    assert not carries_secret("/static/core/roundtable.css")
    assert redact(f"/voice/receipt/{UNKNOWN}/?a=b") == "/voice/receipt/…/?…"
    assert redact("/voice/raise/") == "/voice/raise/"


def test_request_logs_write_the_link_redacted(client, token, caplog, monkeypatch):
    monkeypatch.setattr(views, "RECEIPT_TRIES", 0)
    caplog.set_level(logging.DEBUG)
    assert client.get(f"/voice/receipt/{token}/").status_code == 429
    assert client.post(f"/voice/receipt/{token}/").status_code == 405
    messages = [record.getMessage() for record in caplog.records]
    assert "Too Many Requests: /voice/receipt/…/" in messages
    assert "Method Not Allowed (POST): /voice/receipt/…/" in messages
    assert not any(token in message for message in messages)


def test_the_development_servers_access_log_is_redacted(token):
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /voice/receipt/{token}/?utm=x HTTP/1.1", 303, 0),
        None,
    )
    assert RedactPrivateLinks().filter(record)
    assert record.getMessage() == '"GET /voice/receipt/…/?… HTTP/1.1" 303 0'
    full = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        f"See https://x.nhs.uk/voice/receipt/{token}/",
        None,
        None,
    )
    RedactPrivateLinks().filter(full)
    assert full.getMessage() == "See https://x.nhs.uk/voice/receipt/…/"
    plain = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /voice/ HTTP/1.1", 200, 9),
        None,
    )
    RedactPrivateLinks().filter(plain)
    assert plain.getMessage() == '"GET /voice/ HTTP/1.1" 200 9'
