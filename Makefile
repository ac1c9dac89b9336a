# make run   : set up .venv, migrate, seed demo data, serve on http://127.0.0.1:5000 (SQLite)
# make test  : install dev requirements, run the suite on SQLite and, when reachable, PostgreSQL (in parallel)
# make e2e   : browser tests (Playwright driving Debian's Chromium)
# make fuzz  : schemathesis over the REST API with the long profile (FUZZ_PROFILE=long), on PostgreSQL
# make bench : benchmarks; figures go to bench/results.md
# make bench-load : the project against plain FAB under load (PostgreSQL, gunicorn); bench/results.md
# make translations : extract app/ strings, update and compile both catalogues, list the gaps
# make audit : pip-audit over requirements.txt (known vulnerabilities; soft when offline)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
FLASK  := FLASK_APP=run.py $(VENV)/bin/flask
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export TEST_DATABASE_URL

.PHONY: run install install-dev test test-sqlite test-sqlite-then-e2e test-postgres e2e fuzz bench bench-load lint audit clean translations

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: requirements.txt $(VENV)/bin/activate
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(FLASK) db upgrade
	$(FLASK) seed --demo
	$(FLASK) run --host 127.0.0.1 --port 5000

# Both databases at once (two cores; each suite's output printed whole when it ends).
# WITH_E2E=1 (CI) also runs the browser tests, right after the SQLite half: they then use the
# core the SQLite half leaves idle while the PostgreSQL half (the longer one) goes on.
SQLITE_HALF := $(if $(WITH_E2E),test-sqlite-then-e2e,test-sqlite)
test: install-dev
	@if $(PY) scripts/pg_available.py; then \
		$(MAKE) -j2 --output-sync=target $(SQLITE_HALF) test-postgres; \
	elif [ "$$REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL is required (REQUIRE_POSTGRES=1) but $$TEST_DATABASE_URL is not reachable"; exit 1; \
	else \
		$(MAKE) $(SQLITE_HALF) && \
		echo "PostgreSQL not reachable at $$TEST_DATABASE_URL: suite ran on SQLite only"; \
	fi

test-sqlite-then-e2e: test-sqlite
	$(MAKE) e2e

test-sqlite: install-dev
	TEST_DB=sqlite $(VENV)/bin/pytest

test-postgres: install-dev
	TEST_DB=postgres $(VENV)/bin/pytest

e2e: install-dev
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium) || \
		(echo "Debian's chromium is needed at /usr/bin/chromium (apt-get install chromium)"; exit 1)
	$(VENV)/bin/pytest tests/e2e -p no:cacheprovider --override-ini addopts=

# Issue 19: tests/api with more examples per operation and identity (tests/api/conftest.py PROFILES)
fuzz: install-dev
	FUZZ_PROFILE=long TEST_DB=postgres $(VENV)/bin/pytest tests/api $(FUZZ_ARGS)

bench: install-dev
	$(PY) -m bench

# Issue 13: the project against plain FAB under gunicorn + PostgreSQL (databases bench_project
# and bench_plain on BENCH_PG, default postgresql://postgres@127.0.0.1:5432); bench/results.md.
bench-load: install-dev
	$(PY) -m bench.load $(BENCH_LOAD_ARGS)

translations: install
	$(PY) scripts/translations.py
audit: install-dev
	$(PY) scripts/audit_deps.py

lint: install-dev
	$(VENV)/bin/ruff check app tests bench

clean:
	rm -rf $(VENV) instance/app.db
