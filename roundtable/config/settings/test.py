"""Settings for the test suite. DATABASE_URL selects PostgreSQL; SQLite otherwise."""

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
