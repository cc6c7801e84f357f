# Two commands set everything up: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Tests run on the real PostgreSQL and Redis every machine of this project has, unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hrprogram
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# pytest-xdist processes: each gets its own test database (pytest-django) and Redis database
# (tests/conftest.py counts down from the one in REDIS_URL).
PYTEST_WORKERS ?= 2

.PHONY: run test lint fmt seed bench install install-dev browser messages pgclient deploytools backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian's Chromium drives the browser tests; browser downloads are impossible here.
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium)

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo --year
	$(BIN)/python manage.py runserver 127.0.0.1:8000

seed: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo

# pg_dump and pg_restore of the server's major version (15) make and restore backups.
pgclient:
	@command -v pg_dump >/dev/null 2>&1 && command -v pg_restore >/dev/null 2>&1 \
		|| (apt-get update && apt-get install -y postgresql-client-15)

# The deploy check (tests/test_deploy_stack.py) validates docker-compose.yml with Debian's
# docker-compose and runs Debian's Caddy in front of gunicorn; redis-cli runs Redis's health check.
deploytools:
	@command -v caddy >/dev/null 2>&1 && command -v docker-compose >/dev/null 2>&1 \
		&& command -v redis-cli >/dev/null 2>&1 \
		|| (apt-get update && apt-get install -y caddy docker-compose redis-tools)

test: install-dev browser pgclient deploytools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
		$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

fmt: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Rebuild the translation catalogues after changing strings (django: Python and templates;
# djangojs: static/js, served by /jsi18n/); the compiled .mo files are committed.
messages: install-dev
	$(BIN)/python manage.py makemessages -l es --ignore=.venv --ignore=staticfiles
	$(BIN)/python manage.py makemessages -d djangojs -l es --ignore=.venv --ignore=staticfiles \
		--ignore=tests --ignore=static/vendor
	$(BIN)/python manage.py compilemessages --ignore=.venv

# BENCH_LOAD_SECONDS=20 shortens the load test (default 120) while developing.
bench: install-dev
	$(BIN)/python bench/encounter_pages.py
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/load.py

# Backups of the PostgreSQL database named by DATABASE_URL (see "Backups" in the README).
# make backup                      -> backups/hrprogram-<UTC timestamp>.dump
# make restore FILE=backups/x.dump -> replaces every table; asks first unless CONFIRM=yes
backup:
	@scripts/backup.sh

restore:
	@scripts/restore.sh "$(FILE)"
