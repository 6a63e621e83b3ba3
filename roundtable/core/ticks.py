"""Periodic jobs run by `roundtable tick`.

Each app registers its jobs in its AppConfig.ready(); `roundtable tick` runs them all. Every job
must be safe to run again at any time (idempotent): the command is meant to run every few
minutes from cron or a scheduler, and may overlap a slow previous run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

Job = Callable[[date], str]


@dataclass(frozen=True)
class Tick:
    name: str
    job: Job


_jobs: dict[str, Tick] = {}


def register(name: str, job: Job) -> None:
    """Add a periodic job. `job(today)` does its work and returns a one-line summary."""
    _jobs[name] = Tick(name, job)


def registered() -> list[Tick]:
    return sorted(_jobs.values(), key=lambda tick: tick.name)
