"""`Idempotency-Key` on the API's writes: a client that retries after a timeout on a flaky
network gets the first answer again instead of a duplicate SBARD note.

The write used throughout is `POST /api/v1/care/episodes/{id}/notes`, which makes a note every
time it runs. Expectations are written from the brief (the IETF draft's semantics), not read
from the module under test: the messages are spelled out here.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.db import connection, connections
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roundtable.audit.models import AuditAction, AuditEvent
from roundtable.care import services as care_services
from roundtable.care.models import Episode, HuddleNote, Stage
from roundtable.core import ticks
from roundtable.core.idempotency import IdempotencyMiddleware
from roundtable.core.models import IdempotentRequest
from roundtable.directory.models import Person
from roundtable.directory.services import api_token_create
from roundtable.testing import System

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

MIDDLEWARE = "roundtable.core.idempotency.IdempotencyMiddleware"
MISMATCH = "This Idempotency-Key was used for a different request. Use a new key for a new request."
STILL_RUNNING = (
    "A request with this Idempotency-Key is still being processed. Try again in a moment."
)
NOTE = {"situation": "Missed two appointments.", "decision": "Chloe to visit with the peer worker."}


def in_support(system: System, local_id: str = "H1") -> Episode:
    person = care_services.person_in_care_create(
        actor=system.clinician_a, local_id=local_id, name=f"Person {local_id}"
    )
    episode = care_services.episode_refer(
        actor=system.clinician_a,
        person=person,
        team=system.team_a,
        referral_source="gp",
        key_worker=system.clinician_a,
    )
    for stage in (Stage.OFFER_MADE, Stage.IN_SUPPORT):
        episode = care_services.episode_move(
            actor=system.clinician_a, episode=episode, to_stage=stage
        )
    return episode


@pytest.fixture
def episode(system: System) -> Episode:
    return in_support(system)


def worker(episode: Episode) -> Person:
    """The episode's key worker, a member of its team, who may write notes."""
    assert episode.key_worker is not None
    return episode.key_worker


def notes_path(episode: Episode) -> str:
    return f"/api/v1/care/episodes/{episode.pk}/notes"


def signed_in(person: Person, **options: Any) -> Client:
    client = Client(**options)
    client.force_login(person)
    return client


def send(
    client: Client,
    path: str,
    body: dict[str, Any] | str = NOTE,
    *,
    key: str | None = None,
    method: str = "post",
    **headers: str,
) -> Response:
    if key is not None:
        headers["Idempotency-Key"] = key
    data = body if isinstance(body, str) else json.dumps(body)
    response: Response = getattr(client, method)(
        path, data=data, content_type="application/json", headers=headers
    )
    return response


def replayed(response: HttpResponseBase) -> bool:
    return response.get("Idempotent-Replayed") == "true"


def writes_audited() -> int:
    return AuditEvent.objects.exclude(action=AuditAction.SIGN_IN).count()


# --- Replay ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_retry_gets_the_first_answer_and_makes_no_second_note(episode: Episode) -> None:
    client = signed_in(worker(episode))
    key = str(uuid.uuid4())
    first = send(client, notes_path(episode), key=key)
    assert first.status_code == 201, first.content
    assert not first.has_header("Idempotent-Replayed")
    audited = writes_audited()

    again = send(client, notes_path(episode), key=key)

    assert again.status_code == 201
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json; charset=utf-8"
    assert replayed(again)
    assert HuddleNote.objects.filter(episode=episode).count() == 1
    assert json.loads(again.content)["id"] == HuddleNote.objects.get().pk
    # Nothing was done again: not even the read of the episode was audited a second time.
    assert writes_audited() == audited
    # The kept answer says nothing to the API's caches.
    assert "no-store" in again["Cache-Control"]


@pytest.mark.django_db
def test_a_key_in_double_quotes_as_the_draft_writes_it_is_the_same_key(episode: Episode) -> None:
    client = signed_in(worker(episode))
    first = send(client, notes_path(episode), key="note-0001")
    again = send(client, notes_path(episode), key='"note-0001"')
    assert (first.status_code, again.status_code) == (201, 201)
    assert replayed(again)
    assert again.content == first.content
    assert HuddleNote.objects.count() == 1


@pytest.mark.django_db
def test_a_refusal_is_kept_and_replayed_too(episode: Episode) -> None:
    client = signed_in(worker(episode))
    first = send(client, notes_path(episode), {"situation": "  "}, key="empty-note")
    assert first.status_code == 422
    again = send(client, notes_path(episode), {"situation": "  "}, key="empty-note")
    assert again.status_code == 422
    assert replayed(again)
    assert again.content == first.content
    assert HuddleNote.objects.count() == 0


def test_the_location_header_is_kept_with_the_answer(system: System, rf: RequestFactory) -> None:
    """No endpoint answers with a Location yet; the middleware keeps one all the same."""
    runs: list[HttpRequest] = []

    def made(request: HttpRequest) -> HttpResponse:
        runs.append(request)
        response = HttpResponse(b'{"id": 7}', status=201, content_type="application/json")
        response["Location"] = "/api/v1/things/7"
        return response

    middleware = IdempotencyMiddleware(made)

    def request() -> HttpRequest:
        made_request = rf.post("/api/v1/things", data=b"{}", content_type="application/json")
        made_request.META["HTTP_IDEMPOTENCY_KEY"] = "thing-7"
        made_request.user = system.clinician_a
        made_request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return made_request

    first = middleware(request())
    again = middleware(request())
    assert len(runs) == 1
    assert isinstance(again, HttpResponse)
    assert (again.status_code, again["Location"], again.content) == (
        201,
        "/api/v1/things/7",
        b'{"id": 7}',
    )
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")


# --- Mismatch and bad keys -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_key_for_another_request_is_refused_and_nothing_is_made(
    system: System, episode: Episode
) -> None:
    client = signed_in(worker(episode))
    assert send(client, notes_path(episode), key="k1").status_code == 201
    other_episode = in_support(system, "H2")
    audited = writes_audited()

    for answer in (
        send(client, notes_path(episode), {"situation": "Something else."}, key="k1"),
        send(client, notes_path(other_episode), key="k1"),
        send(client, notes_path(episode), key="k1", method="put"),
    ):
        assert answer.status_code == 422
        assert answer.json() == {"detail": MISMATCH}
        assert not replayed(answer)

    assert HuddleNote.objects.count() == 1
    assert writes_audited() == audited


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("k" * 256, id="256-characters"),
        pytest.param("clé", id="not-ascii"),
        pytest.param("tab\there", id="control-character"),
        pytest.param('"unfinished', id="unclosed-quote"),
        pytest.param('"two" "values"', id="two-strings"),
    ],
)
@pytest.mark.django_db
def test_a_key_that_cannot_be_used_is_refused_with_400(episode: Episode, key: str) -> None:
    client = signed_in(worker(episode))
    answer = send(client, notes_path(episode), key=key)
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/json"
    assert "Idempotency-Key" in answer.json()["detail"]
    assert HuddleNote.objects.count() == 0
    assert IdempotentRequest.objects.count() == 0


@pytest.mark.django_db
def test_a_body_too_large_to_read_is_refused_in_json_with_a_key_too(episode: Episode) -> None:
    client = signed_in(worker(episode))
    big = json.dumps({"situation": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    answer = send(client, notes_path(episode), big, key="big")
    assert answer.status_code == 400
    assert "detail" in answer.json()
    assert IdempotentRequest.objects.count() == 0
    assert HuddleNote.objects.count() == 0


@pytest.mark.django_db
def test_a_key_of_255_printable_characters_is_accepted(episode: Episode) -> None:
    key = ("Az09 -_.:~!" * 30)[:255]
    client = signed_in(worker(episode))
    assert send(client, notes_path(episode), key=key).status_code == 201
    assert replayed(send(client, notes_path(episode), key=key))
    assert HuddleNote.objects.count() == 1


# --- Server errors, stale claims and takeovers --------------------------------------------------


@pytest.mark.django_db
def test_a_server_error_is_not_kept_so_the_retry_runs_again(
    episode: Episode, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> HuddleNote:
        raise RuntimeError("the database went away")

    client = signed_in(worker(episode), raise_request_exception=False)
    with monkeypatch.context() as patch:
        patch.setattr(care_services, "huddle_note_add", broken)
        failed = send(client, notes_path(episode), key="retry-me")
    assert failed.status_code == 500
    assert IdempotentRequest.objects.count() == 0

    retried = send(client, notes_path(episode), key="retry-me")
    assert retried.status_code == 201
    assert not replayed(retried)
    assert HuddleNote.objects.count() == 1


@pytest.mark.django_db
def test_a_write_followed_by_a_server_error_is_undone(
    episode: Episode, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer was an error, so nothing the request did is kept."""
    add = care_services.huddle_note_add

    def adds_then_fails(**kwargs: Any) -> HuddleNote:
        add(**kwargs)
        raise RuntimeError("reading the note back failed")

    monkeypatch.setattr(care_services, "huddle_note_add", adds_then_fails)
    client = signed_in(worker(episode), raise_request_exception=False)
    assert send(client, notes_path(episode), key="k").status_code == 500
    assert HuddleNote.objects.count() == 0
    assert IdempotentRequest.objects.count() == 0


@pytest.mark.django_db
def test_a_retry_while_the_first_runs_gets_409_and_a_dead_claim_is_taken_over(
    episode: Episode,
) -> None:
    client = signed_in(worker(episode))
    assert send(client, notes_path(episode), key="k").status_code == 201
    # As if that request were still running (its worker gone quiet) ...
    IdempotentRequest.objects.update(completed_at=None, claimed_at=timezone.now())

    busy = send(client, notes_path(episode), key="k")
    assert busy.status_code == 409
    assert busy.json() == {"detail": STILL_RUNNING}
    assert busy["Retry-After"]
    assert HuddleNote.objects.count() == 1

    # ... and, six minutes on, as if its worker had died before committing anything.
    HuddleNote.objects.all().delete()
    IdempotentRequest.objects.update(claimed_at=timezone.now() - timedelta(minutes=6))
    taken_over = send(client, notes_path(episode), key="k")
    assert taken_over.status_code == 201
    assert not replayed(taken_over)
    assert HuddleNote.objects.count() == 1
    assert replayed(send(client, notes_path(episode), key="k"))


@pytest.mark.django_db
def test_a_request_whose_claim_was_taken_over_undoes_its_write(
    episode: Episode, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request slower than the claim's timeout finds, at the end, that a retry has taken the
    key over: the retry does the write, so this one's is undone."""
    add = care_services.huddle_note_add

    def add_while_a_retry_takes_over(**kwargs: Any) -> HuddleNote:
        note = add(**kwargs)
        IdempotentRequest.objects.update(claim=uuid.uuid4(), claimed_at=timezone.now())
        return note

    monkeypatch.setattr(care_services, "huddle_note_add", add_while_a_retry_takes_over)
    client = signed_in(worker(episode))
    answer = send(client, notes_path(episode), key="slow")
    assert answer.status_code == 409
    assert answer.json() == {"detail": STILL_RUNNING}
    assert HuddleNote.objects.count() == 0


# --- Who a key belongs to ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_key_belongs_to_its_person_by_session_or_token(system: System, episode: Episode) -> None:
    amira = system.clinician_a
    first = send(signed_in(amira), notes_path(episode), key="shared")
    assert first.status_code == 201

    # Amira again, through her personal API token: the same person, so the same answer.
    _, token = api_token_create(actor=amira, name="EPR link")
    by_token = send(Client(), notes_path(episode), key="shared", Authorization=f"Bearer {token}")
    assert by_token.status_code == 201
    assert replayed(by_token)
    assert by_token.content == first.content

    # Her team leader with the same key and body: a request of his own, made and not replayed.
    by_leader = send(signed_in(system.team_leader_a), notes_path(episode), key="shared")
    assert by_leader.status_code == 201
    assert not replayed(by_leader)
    assert by_leader.content != first.content
    assert HuddleNote.objects.count() == 2
    assert set(HuddleNote.objects.values_list("author", flat=True)) == {
        amira.pk,
        system.team_leader_a.pk,
    }


@pytest.mark.django_db
def test_no_valid_credentials_never_reach_a_kept_answer(system: System, episode: Episode) -> None:
    first = send(signed_in(system.clinician_a), notes_path(episode), key="mine")
    assert first.status_code == 201

    wrong_token = send(Client(), notes_path(episode), key="mine", Authorization="Bearer rt_wrong")
    anonymous = send(Client(), notes_path(episode), key="mine")
    for answer in (wrong_token, anonymous):
        assert answer.status_code == 401
        assert not replayed(answer)
        assert NOTE["situation"] not in answer.content.decode()
        assert answer.content != first.content
    assert IdempotentRequest.objects.count() == 1
    assert HuddleNote.objects.count() == 1


@pytest.mark.django_db
def test_a_session_failing_the_csrf_check_keeps_no_key(system: System, episode: Episode) -> None:
    client = signed_in(system.clinician_a, enforce_csrf_checks=True)
    answer = send(client, notes_path(episode), key="k")
    assert answer.status_code == 403
    assert IdempotentRequest.objects.count() == 0


# --- Without a key, and reads ----------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_key_every_request_runs_as_before(episode: Episode) -> None:
    client = signed_in(worker(episode))
    answers = [send(client, notes_path(episode)) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201]
    assert not any(replayed(a) for a in answers)
    assert HuddleNote.objects.count() == 2
    assert IdempotentRequest.objects.count() == 0


def queries_for(episode: Episode, request: Callable[[Client], Response]) -> int:
    client = signed_in(worker(episode))
    with CaptureQueriesContext(connection) as queries:
        request(client)
    return len(queries)


@pytest.mark.django_db
def test_a_write_without_a_key_and_a_read_with_one_add_no_query(episode: Episode) -> None:
    def write(client: Client) -> Response:
        answer = send(client, notes_path(episode))
        assert answer.status_code == 201
        return answer

    def read(key: str | None) -> Callable[[Client], Response]:
        def get(client: Client) -> Response:
            headers = {"Idempotency-Key": key} if key else {}
            answer = client.get(f"/api/v1/care/episodes/{episode.pk}", headers=headers)
            assert answer.status_code == 200, answer.content
            assert not replayed(answer)
            return answer

        return get

    queries_for(episode, write)  # once first, so that caches filled on first use are filled
    with_middleware = queries_for(episode, write)
    keyed_read = queries_for(episode, read("read-1"))
    plain_read = queries_for(episode, read(None))
    assert keyed_read == plain_read
    without = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    assert len(without) == len(settings.MIDDLEWARE) - 1
    with override_settings(MIDDLEWARE=without):
        assert queries_for(episode, write) == with_middleware
    assert IdempotentRequest.objects.count() == 0


# --- Kept for 24 hours -----------------------------------------------------------------------


def idempotency_tick() -> ticks.Job:
    return ticks.jobs.get("idempotency")


@pytest.mark.django_db
def test_the_tick_removes_answers_after_24_hours(system: System, episode: Episode) -> None:
    client = signed_in(worker(episode))
    for key in ("old", "recent", "never-finished"):
        assert send(client, notes_path(episode), {"situation": key}, key=key).status_code == 201
    now = timezone.now()
    IdempotentRequest.objects.filter(key="old").update(completed_at=now - timedelta(hours=25))
    IdempotentRequest.objects.filter(key="recent").update(completed_at=now - timedelta(hours=23))
    IdempotentRequest.objects.filter(key="never-finished").update(
        completed_at=None, claimed_at=now - timedelta(hours=25)
    )

    summary = idempotency_tick()(timezone.localdate())

    assert summary.startswith("2 ")
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["recent"]
    # And nothing else: the notes themselves stay.
    assert HuddleNote.objects.count() == 3
    assert idempotency_tick()(timezone.localdate()).startswith("0 ")


@pytest.mark.django_db
def test_an_answer_older_than_24_hours_is_not_replayed_even_before_the_tick(
    episode: Episode,
) -> None:
    client = signed_in(worker(episode))
    assert send(client, notes_path(episode), key="k").status_code == 201
    IdempotentRequest.objects.update(completed_at=timezone.now() - timedelta(hours=24, minutes=1))
    fresh = send(client, notes_path(episode), {"situation": "A new note."}, key="k")
    assert fresh.status_code == 201
    assert not replayed(fresh)
    assert HuddleNote.objects.count() == 2


# --- At the same moment, on PostgreSQL ---------------------------------------------------------

AT_ONCE = 6
PATIENCE_SECONDS = 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Simultaneous requests race only on PostgreSQL: SQLite serialises writers, so these "
    "requests would take turns and prove nothing.",
)
def test_the_same_request_sent_six_times_at_once_is_done_once(system: System) -> None:
    episode = in_support(system)
    start = threading.Barrier(AT_ONCE)
    answers: list[Response | None] = [None] * AT_ONCE
    failures: list[BaseException] = []

    def send_at_once(index: int) -> None:
        try:
            client = signed_in(system.clinician_a, raise_request_exception=False)
            start.wait(timeout=PATIENCE_SECONDS)
            answers[index] = send(client, notes_path(episode), key="one-moment")
        except BaseException as failure:
            failures.append(failure)
            start.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send_at_once, args=(i,)) for i in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=PATIENCE_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "A request never answered"
    assert failures == []

    done = [a for a in answers if a is not None]
    assert len(done) == AT_ONCE
    assert sorted({a.status_code for a in done}) in ([201], [201, 409]), [
        (a.status_code, a.content) for a in done
    ]
    made = [a for a in done if a.status_code == 201 and not replayed(a)]
    assert len(made) == 1
    for answer in done:
        if answer.status_code == 409:
            assert answer.json() == {"detail": STILL_RUNNING}
        elif replayed(answer):
            assert answer.content == made[0].content
    assert HuddleNote.objects.filter(episode=episode).count() == 1
    assert IdempotentRequest.objects.count() == 1
