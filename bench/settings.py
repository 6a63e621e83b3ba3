"""Settings for the benchmark: the app's own base settings, pointed at a throwaway database.

`bench/run.py` sets BENCH_SQLITE_PATH for the SQLite run (keeping the engine options of the
embedded default: WAL, IMMEDIATE transactions) and DATABASE_URL for the PostgreSQL run.
"""

from __future__ import annotations

import os

from roundtable.config.settings.base import *  # noqa: F403
from roundtable.config.settings.base import ALLOWED_HOSTS, DATABASES

_sqlite_path = os.environ.get("BENCH_SQLITE_PATH", "")
if _sqlite_path:
    DATABASES = {"default": {**DATABASES["default"], "NAME": _sqlite_path}}

# The benchmark signs in with Django's test client, which calls itself "testserver".
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
