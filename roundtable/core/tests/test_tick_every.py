"""`roundtable tick --every SECONDS`, which `make run` starts beside the server: it runs the
periodic jobs again and again, carries on after a failed run, and stops cleanly on Ctrl+C
(SIGINT) or SIGTERM. The jobs here stand in for the real ones and send the stop signal
themselves, so no test waits for the clock.

The loop closes database connections that are broken or past their age between runs, as a
long-running process must; that needs the database outside a test's transaction."""

from __future__ import annotations

import os
import signal
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from roundtable.core import ticks


class Jobs:
    """A stand-in periodic job that stops the loop, with `stop_with`, on its `stop_on`th run."""

    def __init__(self, stop_on: int, stop_with: signal.Signals = signal.SIGTERM) -> None:
        self.runs: list[date] = []
        self.stop_on = stop_on
        self.stop_with = stop_with
        self.fail_on: set[int] = set()

    def job(self, today: date) -> str:
        self.runs.append(today)
        if len(self.runs) == self.stop_on:
            os.kill(os.getpid(), self.stop_with)
        if len(self.runs) in self.fail_on:
            raise RuntimeError("the database went away")
        return f"run {len(self.runs)}"


@pytest.fixture
def only():
    def register(jobs: Jobs) -> Jobs:
        ticks.jobs.add("stand-in", jobs.job)
        return jobs

    with ticks.jobs.kept(empty=True):
        yield register


def tick_every(*args: str) -> str:
    out = StringIO()
    call_command("tick", "--every", "0.01", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_runs_the_jobs_again_and_again_until_sigterm(only):
    jobs = only(Jobs(stop_on=3))
    out = tick_every()
    assert len(jobs.runs) == 3
    assert set(jobs.runs) == {timezone.localdate()}
    assert out.splitlines() == [
        "stand-in: run 1",
        "stand-in: run 2",
        "stand-in: run 3",
        "tick: stopped",
    ]


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_stops_it_cleanly_and_the_signal_handlers_are_put_back(only):
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    jobs = only(Jobs(stop_on=1, stop_with=signal.SIGINT))
    out = tick_every()  # no KeyboardInterrupt: the run finishes and the loop ends
    assert len(jobs.runs) == 1
    assert out.endswith("tick: stopped\n")
    assert {sig: signal.getsignal(sig) for sig in before} == before


@pytest.mark.django_db(transaction=True)
def test_a_failed_run_is_logged_and_the_next_one_runs(only, caplog):
    jobs = only(Jobs(stop_on=2))
    jobs.fail_on = {1}
    out = tick_every()
    assert len(jobs.runs) == 2
    assert "stand-in: run 2" in out
    assert "roundtable tick failed" in caplog.text
    assert "the database went away" in caplog.text


@pytest.mark.django_db
def test_once_without_every_and_a_failure_is_not_swallowed(only):
    jobs = only(Jobs(stop_on=0))
    jobs.fail_on = {1}
    err = StringIO()
    with pytest.raises(CommandError, match=r"1 of 1 jobs failed \(stand-in\)") as failed:
        call_command("tick", "--today", "2026-03-10", stdout=StringIO(), stderr=err)
    assert failed.value.returncode == 1
    assert "stand-in: failed" in err.getvalue()
    assert "the database went away" in err.getvalue()
    assert jobs.runs == [date(2026, 3, 10)]


@pytest.mark.django_db(transaction=True)
def test_a_failed_job_is_logged_by_name_and_the_loop_carries_on(only, caplog):
    jobs = only(Jobs(stop_on=2))
    jobs.fail_on = {1}
    out = tick_every()
    assert len(jobs.runs) == 2
    assert "stand-in: run 2" in out
    assert "roundtable tick failed: stand-in; trying again in 0.01 seconds" in caplog.text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--every", "0"], "argument --every: must be more than 0 seconds"),
        (["--every", "often"], "argument --every: must be a number of seconds"),
        (["--every", "60", "--today", "2026-03-10"], "Give --today or --every, not both"),
    ],
)
def test_bad_options_are_explained(only, args, message):
    jobs = only(Jobs(stop_on=0))
    with pytest.raises(CommandError, match=message):
        call_command("tick", *args, stdout=StringIO())
    assert jobs.runs == []
