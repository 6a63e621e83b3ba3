"""`roundtable tick` (issue 17): each job in its own transaction, a failing job named and the
others run, exit status 1 when any failed; one run at a time (an advisory lock on PostgreSQL, a
file lock on SQLite); and figures that count what this run did.

The lock is held here the way another process would hold it, without Roundtable's code: a
second PostgreSQL connection taking the advisory lock whose key the words "roundtable tick" name,
or an `flock` on `<database>.tick.lock`."""

from __future__ import annotations

import fcntl
import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from roundtable.core import ticks
from roundtable.core.management.commands.tick import Command
from roundtable.decisions import services as decision_services
from roundtable.decisions.models import Notification, NotificationKind
from roundtable.directory.models import Locality
from roundtable.forums import services as forum_services
from roundtable.forums.models import ForumKind, Meeting
from roundtable.voice.models import ConcernEvent
from roundtable.voice.tests.helpers import raise_to_team, trust_leadership
from roundtable.wellbeing.models import PulseRound

BUSY = "Another roundtable tick is running: nothing done."
TODAY = date(2026, 3, 16)  # a Monday, two weeks after the voice helpers' concerns are raised


# -- Holding the lock as another run would ---------------------------------------------------------


@contextmanager
def another_run_holds_the_lock() -> Iterator[None]:
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(b"roundtable tick").digest()[:8], "big", signed=True)
        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            other.set_autocommit(False)
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
                assert cursor.fetchone() == (True,)
            yield
        finally:
            other.rollback()
            other.close()
    else:
        with open(f"{connection.settings_dict['NAME']}.tick.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            yield


# -- Stand-in jobs -------------------------------------------------------------------------------


@pytest.fixture
def only() -> Iterator[Callable[..., None]]:
    """`only(name=job, …)`: these jobs, and no others, are registered for the test."""

    def register(**jobs: ticks.Job) -> None:
        ticks.jobs.clear()
        for name, job in jobs.items():
            ticks.jobs.add(name, job)

    with ticks.jobs.kept(empty=True):
        yield register


@pytest.fixture
def jobs_restored() -> Iterator[None]:
    """The registered jobs as they were, after the test changes them."""
    with ticks.jobs.kept():
        yield


def tick(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("tick", "--today", TODAY.isoformat(), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def making(name: str, fail: bool = False) -> ticks.Job:
    """A job that stores a locality called `name`, then fails if told to."""

    def job(today: date) -> str:
        Locality.objects.create(name=name)
        if fail:
            raise RuntimeError("the spreadsheet it reads has gone")
        return f"made {name}"

    return job


@pytest.mark.django_db
def test_a_failing_job_is_undone_named_and_logged_and_the_others_still_run(only, caplog):
    only(first=making("First"), second=making("Second", fail=True), third=making("Third"))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("tick", "--today", "2026-03-16", stdout=out, stderr=err)
    assert failed.value.returncode == 1  # what the shell sees: `roundtable tick` exits with 1
    assert (
        str(failed.value) == "1 of 3 jobs failed (second); the others ran. The log has the details."
    )
    assert out.getvalue().splitlines() == ["first: made First", "third: made Third"]
    assert err.getvalue().splitlines() == [
        "second: failed, and nothing it did was kept "
        "(RuntimeError: the spreadsheet it reads has gone)"
    ]
    names = set(Locality.objects.values_list("name", flat=True))
    assert {"First", "Third"} <= names
    assert "Second" not in names  # its own transaction, rolled back
    assert "roundtable tick: the job 'second' failed" in caplog.text
    assert "Traceback" in caplog.text
    assert "the spreadsheet it reads has gone" in caplog.text


@pytest.mark.django_db
def test_several_failing_jobs_are_all_named(only):
    only(a=making("A", fail=True), b=making("B"), c=making("C", fail=True))
    with pytest.raises(CommandError, match=r"^2 of 3 jobs failed \(a, c\); the others ran"):
        tick()
    assert set(Locality.objects.values_list("name", flat=True)) & {"A", "B", "C"} == {"B"}


@pytest.mark.django_db(transaction=True)
def test_the_command_line_exits_with_1_when_a_job_failed_and_0_otherwise(only):
    only(good=making("Good"), bad=making("Bad", fail=True))
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exited:
        Command(stdout=out, stderr=err).run_from_argv(["roundtable", "tick"])
    assert exited.value.code == 1
    assert "bad: failed" in err.getvalue()
    assert "CommandError: 1 of 2 jobs failed (bad)" in err.getvalue()
    assert out.getvalue() == "good: made Good\n"

    only(good=making("Good again"))
    out = StringIO()
    Command(stdout=out, stderr=StringIO()).run_from_argv(["roundtable", "tick"])  # no exit: 0
    assert out.getvalue() == "good: made Good again\n"


# -- One run at a time ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_run_that_finds_another_running_does_nothing_and_exits_0(only):
    runs: list[date] = []

    def job(today: date) -> str:
        runs.append(today)
        return "ran"

    only(job=job)
    with another_run_holds_the_lock():
        out, err = tick()  # no CommandError: nothing is wrong, the other run does the work
        assert (out, err) == (f"{BUSY}\n", "")
        assert runs == []
    # Once the other run has finished, the next run works.
    assert tick() == ("job: ran\n", "")
    assert runs == [TODAY]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_one_works_and_the_other_does_nothing(only):
    """A run still working (its first job waits until the second run has come and gone) holds
    the lock, and a run started meanwhile does nothing; a run after it works as usual."""
    started, second_done = threading.Event(), threading.Event()
    made: list[int] = []
    first: dict[str, object] = {}

    def slow(today: date) -> str:
        started.set()
        assert second_done.wait(timeout=30)
        return "waited"

    def count(today: date) -> str:
        made.append(1)
        return f"{len(made)} things done"

    only(a_slow=slow, b_count=count)

    def first_run() -> None:
        try:
            first["output"] = tick()
        except BaseException as error:  # pragma: no cover - shown by the assertion below
            first["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_run)
    thread.start()
    assert started.wait(timeout=30)
    try:
        assert tick() == (f"{BUSY}\n", "")
    finally:
        second_done.set()
        thread.join(timeout=60)
    assert first == {"output": ("a_slow: waited\nb_count: 1 things done\n", "")}
    assert made == [1]
    assert tick()[0].endswith("b_count: 2 things done\n")


def test_the_advisory_lock_key_never_changes():
    """Runs of two releases overlapping during an upgrade must contend for the same lock."""
    assert ticks.LOCK_KEY == -5012751881372976861


# -- Figures that count what this run did --------------------------------------------------------


def work_for_every_job(system) -> None:
    """Something for each real job to do on TODAY: a weekly meeting generated two weeks short, a
    decision closing within the day that members have not answered, a concern overdue since 9
    March, and teams with no pulse check-in this month."""
    trust_leadership(system)
    forum = forum_services.forum_create(
        actor=system.team_leader_a,
        name="North MDT",
        kind=ForumKind.MDT,
        members=[system.clinician_a, system.vcse],
    )
    forum_services.meeting_series_create(
        actor=system.team_leader_a,
        forum=forum,
        weekdays=[0],
        start_time=time(9, 0),
        duration_minutes=30,
        starts_on=date(2026, 3, 2),
        today=date(2026, 3, 2),
    )
    decision_services.decision_propose(
        actor=system.clinician_a,
        forum=forum,
        kind="service_change",
        title="Move the MDT to Tuesdays",
        proposal="Mondays clash with the front-door meeting.",
        closes_at=timezone.now() + timedelta(hours=12),
    )
    raise_to_team(system)


def things_done() -> dict[str, int]:
    """What the jobs make, counted in the database."""
    return {
        "meetings": Meeting.objects.count(),
        "notices": Notification.objects.filter(kind=NotificationKind.CLOSING_SOON).count(),
        "escalations": ConcernEvent.objects.filter(kind="escalated").count(),
        "pulse rounds": PulseRound.objects.count(),
    }


def figures(output: str) -> dict[str, int]:
    """The numbers each real job reported (the first number on its line)."""
    lines = dict(line.split(": ", 1) for line in output.splitlines())

    def first_number(line: str, words: str) -> int:
        assert words in line, line
        return int(line.split(" ", 1)[0])

    return {
        "meetings": first_number(lines["meetings"], "recurring meetings added"),
        "notices": first_number(lines["decisions"], "closing-soon notices"),
        "escalations": first_number(lines["voice"], "concerns escalated"),
        "pulse rounds": first_number(lines["wellbeing"], "pulse check-ins opened"),
    }


@pytest.mark.django_db
def test_a_run_after_the_work_is_done_reports_nothing_added(system):
    work_for_every_job(system)
    before = things_done()
    first, _ = tick()
    after = things_done()
    made = {what: after[what] - before[what] for what in after}
    assert all(made.values()), made  # every job had something to do
    assert figures(first) == made
    second, _ = tick()
    assert things_done() == after
    assert figures(second) == dict.fromkeys(made, 0)


@pytest.mark.django_db(transaction=True)
def test_runs_at_once_without_the_lock_still_count_only_what_each_did(system, jobs_restored):
    """Even with the lock out of the way, runs at the same moment report, between them, what was
    made: the run that loses a race says 0, not what it meant to do. Here several threads run
    `ticks.run_jobs` and, on PostgreSQL, start each job together (a barrier inside each job's
    transaction), a real race. SQLite takes writers in turn (its transactions begin with the
    write lock, so a barrier there would wait for ever): the runs follow each other."""
    work_for_every_job(system)
    before = things_done()
    at_once = 4
    start = threading.Barrier(at_once)
    if connection.vendor == "postgresql":
        for entry in ticks.jobs.in_order():

            def together(today: date, job: ticks.Job = entry.item) -> str:
                start.wait(timeout=30)
                return job(today)

            ticks.jobs.add(entry.name, together, order=entry.order)
    outputs: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            outcomes = ticks.run_jobs(TODAY)
            failed = [o for o in outcomes if o.failed]
            assert not failed, [(o.name, o.error) for o in failed]
            outputs.append("\n".join(f"{o.name}: {o.summary}" for o in outcomes))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(at_once)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    after = things_done()
    made = {what: after[what] - before[what] for what in after}
    assert all(made.values()), made
    reported = [figures(output) for output in outputs]
    assert {what: sum(r[what] for r in reported) for what in made} == made
