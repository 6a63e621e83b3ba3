# Roundtable: `make run` serves the demo system, `make test` runs every check and test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
TICK_SECONDS ?= 300
# Test processes: one per core (pytest-xdist), each with its own test database.
TEST_WORKERS ?= auto
PYTEST_PARALLEL = -n $(TEST_WORKERS) --dist loadgroup
# PostgreSQL for the second test run; `make test` uses it when it answers.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/roundtable
export DJANGO_SETTINGS_MODULE ?= roundtable.config.settings.local

.PHONY: run test setup lint typecheck test-sqlite test-postgres bench clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	@echo "==> Installing Python dependencies into $(VENV)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . 2>/dev/null \
		|| $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

node_modules/.installed: package.json package-lock.json
	@echo "==> Installing front-end assets (nhsuk-frontend, axe-core)"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The periodic jobs (`roundtable tick`) run beside the server, now and every TICK_SECONDS, and
# stop with it (Ctrl+C reaches both; the trap covers the server stopping on its own).
run: setup
	@$(BIN)/roundtable migrate --noinput --verbosity 0
	@$(BIN)/roundtable demo
	@echo "==> Roundtable is at http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	@echo "==> The periodic jobs (roundtable tick) run now and every $(TICK_SECONDS) seconds while it is up"
	@$(BIN)/roundtable tick --every $(TICK_SECONDS) & tick=$$!; \
		trap 'kill $$tick 2>/dev/null; wait $$tick' EXIT; \
		$(BIN)/roundtable runserver $(HOST):$(PORT)

lint: setup
	@echo "==> ruff"
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .

typecheck: setup
	@echo "==> mypy"
	@$(BIN)/mypy roundtable bench

test-sqlite: setup
	@echo "==> Tests on SQLite"
	@env -u DATABASE_URL DJANGO_SETTINGS_MODULE=roundtable.config.settings.test $(BIN)/pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-postgres: setup
	@if $(BIN)/python scripts/pg_reachable.py "$(PG_TEST_URL)"; then \
		echo "==> Tests on PostgreSQL (browser journeys and demo builds ran on SQLite)"; \
		DATABASE_URL="$(PG_TEST_URL)" DJANGO_SETTINGS_MODULE=roundtable.config.settings.test $(BIN)/pytest $(PYTEST_PARALLEL) -m "not browser and not demo" $(PYTEST_ARGS); \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL is not reachable at $(PG_TEST_URL), and REQUIRE_POSTGRES is set." >&2; exit 1; \
	else \
		echo "==> PostgreSQL not reachable at $(PG_TEST_URL): tests ran on SQLite only."; \
	fi

test: setup
	@scripts/ensure-chromium
	@start=$$(date +%s); \
		$(MAKE) --no-print-directory lint typecheck test-sqlite test-postgres; status=$$?; \
		echo "==> make test took $$(( ($$(date +%s) - start) / 60 )) min $$(( ($$(date +%s) - start) % 60 )) s"; \
		exit $$status

bench: setup
	@$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules var staticfiles .pytest_cache .mypy_cache .ruff_cache
