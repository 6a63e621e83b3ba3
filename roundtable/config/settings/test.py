"""Settings for the test suite. DATABASE_URL selects PostgreSQL; SQLite otherwise."""

import os
import tempfile
from pathlib import Path

from roundtable.config.settings.base import *  # noqa: F403
from roundtable.config.settings.base import STORAGES

DEBUG = False
# Fast hashing in tests only; production and demo use Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5

# On SQLite the test database is a file, not memory, so that tests of concurrent writers run
# against the same WAL and locking behaviour as the embedded default (an in-memory database
# shared between threads fails with "table is locked" instead of waiting its turn).
# Each test process gets its own file, so two runs at once on one machine do not collide.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"roundtable-test-{os.getpid()}.sqlite3")
    }
