VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: install lint format test test-fast run migrate seed ci

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --check --quiet
	$(VENV)/bin/djlint templates --lint --quiet
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

migrate: install
	$(PY) manage.py migrate

# Migrate, collectstatic, seed the demo if empty, then web + worker + beat (Ctrl-C stops all).
run: install
	$(PY) bin/run

seed: install
	$(PY) manage.py seed_demo

ci:
	bash .ci/run
