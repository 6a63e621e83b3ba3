"""Settings for a real deployment: every secret comes from the environment, HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from roundtable.config.env import env_bool, env_int, env_str
from roundtable.config.settings.base import *  # noqa: F403
from roundtable.config.settings.base import STORAGES

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY.startswith("insecure-") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "The environment variable SECRET_KEY must be a random value of at least 50 characters."
    )
env_str("DATABASE_URL")  # production never runs on the embedded SQLite default

DEBUG = False
STATIC_ROOT = BASE_DIR / "staticfiles"  # noqa: F405  (filled by collectstatic)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Asking browsers to preload HTTPS-only for the whole domain is the trust's decision for all of
# its sites, not Roundtable's: off unless SECURE_HSTS_PRELOAD is set, and Django's reminder about
# it (security.W021) is then silenced on purpose (docs/operator.md).
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]  # noqa: F405
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
