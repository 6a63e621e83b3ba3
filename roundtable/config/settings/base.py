"""Settings shared by every environment. Environment-specific modules import from here."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import dj_database_url
import django_stubs_ext
import nhsuk_frontend_jinja
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from roundtable.config.env import env_bool, env_choice, env_int, env_list, env_str

# Lets generic classes such as ModelAdmin[Person] be written at run time, as the type stubs need.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parents[3]
PACKAGE_DIR = BASE_DIR / "roundtable"
VAR_DIR = BASE_DIR / "var"
NODE_MODULES = BASE_DIR / "node_modules"
NHSUK_FRONTEND_DIST = NODE_MODULES / "nhsuk-frontend" / "dist" / "nhsuk"
NHSUK_ASSETS_DIR = NHSUK_FRONTEND_DIST / "assets"

SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "ninja",
    "roundtable.core",
    "roundtable.audit",
    "roundtable.directory",
    "roundtable.forums",
    "roundtable.decisions",
    "roundtable.care",
    "roundtable.safety",
    "roundtable.voice",
    "roundtable.wellbeing",
    "roundtable.learning",
    "roundtable.insights",
    "roundtable.governance",
    "roundtable.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "roundtable.core.middleware.AssetsWhiteNoiseMiddleware",
    # After WhiteNoise, so that static files keep their long-lived caching; every other answer
    # is marked for no cache to keep (it may be about a person).
    "roundtable.core.middleware.NoStoreMiddleware",
    # Inside the others below, so that any error under /api/ they or the views answer is JSON.
    "roundtable.core.middleware.ApiErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before anything reads who is signed in for a session that has ended.
    "roundtable.core.sessions.SessionTimeoutMiddleware",
    "roundtable.core.idempotency.IdempotencyMiddleware",
    "roundtable.core.middleware.InputPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "roundtable.core.middleware.SignInRequiredMiddleware",
    # Axes must be last so that it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "roundtable.config.urls"
WSGI_APPLICATION = "roundtable.config.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [Path(nhsuk_frontend_jinja.__file__).parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "roundtable.config.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "roundtable.core.context_processors.csp_nonce",
            ],
        },
    },
    {
        # The Django admin and the API docs page ship Django templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]


# WAL lets readers carry on while a write commits; IMMEDIATE takes the write lock at the start of
# a transaction so that concurrent writers queue instead of failing with "database is locked".
SQLITE_OPTIONS: dict[str, Any] = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def _database_from_env() -> dict[str, Any]:
    url = env_str("DATABASE_URL", "")
    if not url:
        VAR_DIR.mkdir(exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "roundtable.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    try:
        parsed = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
        config = cast(dict[str, Any], dict(parsed))
    except ValueError as error:
        raise ImproperlyConfigured(
            f"The environment variable DATABASE_URL is not a database URL we understand: {error}"
        ) from None
    engine = config.get("ENGINE")
    if engine == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        config["CONN_MAX_AGE"] = 0
    elif engine != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "The environment variable DATABASE_URL must point at PostgreSQL or SQLite."
        )
    elif env_bool("DATABASE_PREPARED_STATEMENTS", True):
        # Parameters bound by the server, and a query run five times on a connection prepared
        # there, so PostgreSQL plans it once rather than on every request (docs/adr/0014). Off
        # behind a pooler that cannot follow prepared statements (PgBouncer's transaction mode
        # before 1.21).
        config["OPTIONS"] = {
            **config.get("OPTIONS", {}),
            "server_side_binding": True,
            "prepare_threshold": 5,
        }
    return config


DATABASES = {"default": _database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "directory.Person"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:sign-in"
LOGIN_REDIRECT_URL = "directory:home"
LOGOUT_REDIRECT_URL = "core:sign-in"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A session ends after SESSION_COOKIE_AGE seconds from signing in however active it is, and
# after SESSION_IDLE_MINUTES without a request; a warning, with a way to stay signed in, comes
# SESSION_WARNING_SECONDS before (core.sessions).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=300)
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=2)
SESSION_WARNING_SECONDS = 120
CSRF_COOKIE_HTTPONLY = True

# Lockout after repeated wrong passwords (django-axes). Counted per e-mail address so that a
# shared NHS network address cannot lock out a whole building.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
# A lockout lasts the cool-off from the wrong password that caused it: attempts while locked are
# refused without being counted, so trying again cannot push the time to wait for forward (the
# locked-out page names that time; `core.axes_handler.lockout_ends`).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "roundtable.core.views.locked_out"
AXES_VERBOSE = False
# A failed sign-in is recorded without the request's parameters: a `next` may be a private link
# such as an anonymous concern's receipt, which must never sit beside who tried (ADR 0012).
AXES_HANDLER = "roundtable.core.axes_handler.AxesHandlerKeepingNoParameters"
# Counting by account on purpose (see above): axes warns that IP rotation is not limited, but
# every attempt on the account counts whatever address it comes from.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [("nhsuk", NHSUK_FRONTEND_DIST)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        # The NHS.UK frontend loads the Frutiger typeface from the NHS assets server.
        "font-src": [SELF, "data:", "https://assets.nhs.uk"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Someone who comes back within this many days of moving on returns straight to their team.
REREFERRAL_WINDOW_DAYS = env_int("REREFERRAL_WINDOW_DAYS", 183, minimum=1)

# Voice: a concern is acknowledged within this many working days of being
# raised, and an action agreed within `VOICE_ACTION_WORKING_DAYS` of being acknowledged; past due,
# `roundtable tick` escalates it to the next leadership level, which gets
# `VOICE_ESCALATION_WORKING_DAYS` from that day.
# Working days are Monday to Friday except this nation's bank holidays (core.working_days).
BANK_HOLIDAYS = env_choice(
    "BANK_HOLIDAYS", "england", choices=["england", "wales", "scotland", "northern-ireland"]
)
VOICE_ACKNOWLEDGE_WORKING_DAYS = env_int("VOICE_ACKNOWLEDGE_WORKING_DAYS", 5, minimum=1)
VOICE_ACTION_WORKING_DAYS = env_int("VOICE_ACTION_WORKING_DAYS", 20, minimum=1)
VOICE_ESCALATION_WORKING_DAYS = env_int("VOICE_ESCALATION_WORKING_DAYS", 5, minimum=1)
# Wellbeing: pulse results are shown only for at least this many answers (never fewer than 5);
# someone with no team meeting or support session for this many weeks is noticed.
PULSE_MINIMUM_GROUP = env_int("PULSE_MINIMUM_GROUP", 7, minimum=5)
WELLBEING_CONTACT_WEEKS = env_int("WELLBEING_CONTACT_WEEKS", 4, minimum=1)

# Directory pages list this many rows at a time.
PAGE_SIZE = env_int("PAGE_SIZE", 50, minimum=5)

# Django's request loggers print the request's path; private links (receipt links) in it are
# written `…` (ADR 0012). `django.server` is set up again as Django's default has it, with the
# filter, because configuring a logger replaces its handlers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"private_links": {"()": "roundtable.core.privacy.RedactPrivateLinks"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["private_links"],
        },
        "django.request": {"filters": ["private_links"]},
        "django.security.csrf": {"filters": ["private_links"]},
    },
}
