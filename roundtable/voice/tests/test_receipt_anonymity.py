"""Anonymous means anonymous, end to end: after an anonymous concern is raised, followed through
its receipt link signed out, replied to, and its raiser has failed a sign-in with a `next` that
points at the receipt, nothing stored and nothing logged puts the receipt token (or its hash)
next to who the raiser is.

The tables are read raw, every one of them, so that a new table or column that records the token
beside a person fails this test without anyone having to remember to add it here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client

from roundtable.testing import PASSWORD, System
from roundtable.voice.models import Concern, ConcernReply
from roundtable.voice.queries import hash_receipt

pytestmark = pytest.mark.django_db

USER_AGENT = "RaiserBrowser/7.1 (only-this-raiser)"
ADDRESS = "127.0.0.1"  # the test client's REMOTE_ADDR


@pytest.fixture
def every_log_record(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture every logger at DEBUG, including those that do not pass records up to the root."""
    names = ["", *logging.root.manager.loggerDict]
    detached = []
    for name in names:
        caplog.set_level(logging.DEBUG, logger=name or None)
        logger = logging.getLogger(name or None)
        if not logger.propagate and caplog.handler not in logger.handlers:
            logger.addHandler(caplog.handler)
            detached.append(logger)
    yield caplog
    for logger in detached:
        logger.removeHandler(caplog.handler)


def every_row() -> Iterator[tuple[str, str]]:
    """(table, the row as text) for every row of every table; sessions decoded."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                yield table, " | ".join(_as_text(value) for value in row)
    for session in Session.objects.all():
        yield "django_session (decoded)", repr(session.get_decoded())


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def log_text(record: logging.LogRecord) -> str:
    """Everything a log record could print: its message and each of its extra values."""
    parts = [record.getMessage()]
    parts += [repr(value) for key, value in vars(record).items() if key not in ("args", "msg")]
    return "\n".join(parts)


def test_nothing_stored_or_logged_puts_the_receipt_next_to_the_raiser(
    system: System, every_log_record: pytest.LogCaptureFixture
) -> None:
    raiser = system.lone_coach
    client = Client(HTTP_USER_AGENT=USER_AGENT)

    # Signed in through the sign-in page, the coach raises a concern anonymously.
    signed_in = client.post("/sign-in/", {"username": raiser.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    raised = client.post(
        "/voice/raise/",
        {
            "send_to": f"team:{system.team_a.pk}",
            "anonymous": "yes",
            "title": "Nobody to talk to",
            "body": "After difficult visits there is nobody to talk it through with.",
        },
    )
    assert raised.status_code == 200
    found = re.search(r"http://testserver/voice/receipt/([\w-]+)/", raised.content.decode())
    assert found, "the receipt link is shown once"
    token = found.group(1)
    receipt_hash = hash_receipt(token)
    link = f"/voice/receipt/{token}/"

    # Signed out, the coach follows the link: it is swapped for a cookie and a plain address.
    assert client.post("/sign-out/").status_code == 302
    assert "_auth_user_id" not in client.session
    swapped = client.get(link)
    assert swapped.status_code == 303
    assert swapped["Location"] == "/voice/receipt/"
    assert client.cookies["receipt_token"].value == token
    page = client.get("/voice/receipt/")
    assert page.status_code == 200
    assert "Nobody to talk to" in page.content.decode()

    # They reply through it.
    replied = client.post("/voice/receipt/", {"body": "It is still hard after visits."})
    assert replied.status_code == 303
    assert ConcernReply.objects.get().author_id is None

    # A wrong password for the same person, with a `next` that points at the receipt link.
    client.get(f"/sign-in/?next={link}")
    failed = client.post(
        f"/sign-in/?next={link}",
        {"username": raiser.email, "password": "not-the-password", "next": link},
    )
    assert failed.status_code == 200
    assert AccessAttempt.objects.filter(username=raiser.email).exists()

    concern = Concern.objects.get()
    # ADR 0012: the anonymous concern names nobody.
    assert concern.raised_by_id is None
    assert concern.is_anonymous
    identity = [raiser.email, raiser.full_name, ADDRESS, USER_AGENT]

    # No table but the concern's own row holds the token or its hash, and that row holds neither
    # the token itself nor anything that says who raised it.
    concern_table = Concern._meta.db_table
    holding = []
    for table, row in every_row():
        if token in row or receipt_hash in row:
            holding.append((table, row))
    assert len(holding) == 1, holding
    table, row = holding[0]
    assert table == concern_table
    assert token not in row
    for value in identity:
        assert value not in row, f"the concern's row holds {value!r}"

    # Axes keeps no request parameters at all: not the `next`, not anything else.
    for attempt in AccessAttempt.objects.all():
        assert attempt.get_data == ""
        assert attempt.post_data == ""
    for failure in AccessFailureLog.objects.all():
        assert token not in str(vars(failure))

    # Nothing logged carries the token or the hash.
    assert every_log_record.records, "the capture worked"
    for record in every_log_record.records:
        text = log_text(record)
        assert token not in text, text
        assert receipt_hash not in text, text
