"""Settings come from environment variables and a bad one stops the app, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from roundtable.config.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[3]


def test_env_bool_accepts_the_usual_spellings():
    assert env_bool("X", False, environ={"X": "yes"}) is True
    assert env_bool("X", True, environ={"X": "Off"}) is False
    assert env_bool("X", True, environ={}) is True


def test_env_bool_names_the_variable_it_cannot_read():
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false"):
        env_bool("DEBUG", False, environ={"DEBUG": "maybe"})


def test_env_int_rejects_words_and_values_below_the_minimum():
    with pytest.raises(ImproperlyConfigured, match="PAGE_SIZE must be a whole number"):
        env_int("PAGE_SIZE", 50, environ={"PAGE_SIZE": "fifty"})
    with pytest.raises(ImproperlyConfigured, match="PAGE_SIZE must be at least 5"):
        env_int("PAGE_SIZE", 50, minimum=5, environ={"PAGE_SIZE": "2"})
    assert env_int("PAGE_SIZE", 50, environ={"PAGE_SIZE": " 20 "}) == 20


def test_env_str_requires_a_value_when_there_is_no_default():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        env_str("SECRET_KEY", environ={"SECRET_KEY": "  "})
    assert env_list("HOSTS", ["a"], environ={"HOSTS": "x, y,,"}) == ["x", "y"]


def run_check(*options: str, **env: str) -> subprocess.CompletedProcess[str]:
    # Not the test run's own: its database, nor the async switch the browser tests turn on
    # (Playwright's sync API), which no deployment sets.
    left_out = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ = {k: v for k, v in os.environ.items() if k not in left_out}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *options],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be true or false"),
        ("PAGE_SIZE", "lots", "PAGE_SIZE must be a whole number"),
        ("AXES_FAILURE_LIMIT", "0", "AXES_FAILURE_LIMIT must be at least 1"),
        ("DATABASE_URL", "mysql://localhost/x", "DATABASE_URL must point at PostgreSQL or SQLite"),
    ],
)
def test_the_app_refuses_to_start_with_a_bad_setting(variable, value, message):
    result = run_check(**{variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_the_development_secret_key():
    result = run_check(
        DJANGO_SETTINGS_MODULE="roundtable.config.settings.production",
        SECRET_KEY="insecure-development-key-change-me",
        DATABASE_URL="postgres://localhost/roundtable",
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be a random value" in result.stderr


@pytest.mark.parametrize("preload", ["false", "true"])
def test_the_production_settings_pass_the_deployment_checks(preload):
    result = run_check(
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="roundtable.config.settings.production",
        SECRET_KEY="a-random-production-key-" + "x" * 40,
        DATABASE_URL="postgres://localhost/roundtable",
        ALLOWED_HOSTS="roundtable.example.nhs.uk",
        SECURE_HSTS_PRELOAD=preload,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_app_starts_with_good_settings():
    result = run_check(DEBUG="false", PAGE_SIZE="25")
    assert result.returncode == 0, result.stderr


def test_a_sqlite_database_url_keeps_the_wal_and_immediate_options(monkeypatch, tmp_path):
    from roundtable.config.settings.base import _database_from_env

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    config = _database_from_env()
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_a_postgres_database_url_is_parsed(monkeypatch):
    from roundtable.config.settings.base import _database_from_env

    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.internal:5433/roundtable")
    config = _database_from_env()
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "roundtable")
    # Prepared statements: the server binds parameters and plans a repeated query once.
    assert config["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}


def test_prepared_statements_can_be_turned_off_for_a_pooler(monkeypatch):
    from roundtable.config.settings.base import _database_from_env

    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.internal:5433/roundtable")
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "false")
    assert "server_side_binding" not in _database_from_env().get("OPTIONS", {})
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "sometimes")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_PREPARED_STATEMENTS must be true"):
        _database_from_env()


@pytest.mark.django_db
def test_postgresql_plans_a_query_it_runs_again_and_again_once():
    from django.db import connection

    from roundtable.directory.models import Person

    if connection.vendor == "sqlite":
        # SQLite has no server to prepare statements on; its options say nothing of them.
        assert "server_side_binding" not in connection.settings_dict["OPTIONS"]
        return
    for _ in range(6):  # the fifth run prepares it
        list(Person.objects.filter(email="nobody@example.org"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%directory_person%"],
        )
        (prepared,) = cursor.fetchone()
    assert prepared >= 1
