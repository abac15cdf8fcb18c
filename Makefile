# coursekeeper: `make run` serves the demo school, `make test` runs everything CI runs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# The PostgreSQL the suite also runs on; the run creates (and drops) its own test databases.
POSTGRES_URL ?= postgres://postgres:postgres@127.0.0.1:5432/coursekeeper
PYTEST_ARGS ?=
# The suite runs in parallel processes (pytest-xdist), one per core by default; each has its own
# test database and media folder. The slowest tests are printed to see where time goes.
TEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS) --durations=10

.PHONY: install run test test-sqlite test-postgres lint types checks messages bench clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

run: install
	@bash scripts/run-demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy with the Django plugin; what it checks and how is in pyproject.toml's [tool.mypy].
types: install
	$(VENV)/bin/mypy coursekeeper tests conftest.py

checks: install
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	COURSEKEEPER_ENV=production DJANGO_SECRET_KEY=check-deploy-$$(printf 'x%.0s' {1..60}) \
	  COURSEKEEPER_ERASURE_LEDGER_KEY=check-ledger-$$(printf 'y%.0s' {1..60}) \
	  COURSEKEEPER_MFA_KEYS=check-mfa-$$(printf 'z%.0s' {1..60}) \
	  DJANGO_ALLOWED_HOSTS=courses.example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING

# The browser tests run once, on PostgreSQL (the production database): what they prove is in the
# pages, which are the same on both databases; everything else runs on both.
test-sqlite: install
	env -u DATABASE_URL $(PYTEST) -m "not browser" $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=$(POSTGRES_URL) $(PYTEST) $(PYTEST_ARGS)

test: lint types checks test-sqlite test-postgres

# Extract new strings into the da/de catalogues, then (after translating) compile them; the
# compiled .mo files are committed so `make run` needs no gettext tools.
MAKEMESSAGES_ARGS := -l da -l de --no-obsolete --add-location file \
	-i .venv -i var -i tests -i "*/tests/*" -i conftest.py -i bench -i scripts

messages: install
	$(PY) manage.py makemessages $(MAKEMESSAGES_ARGS)
	$(PY) manage.py compilemessages -l da -l de -i .venv -i var

# Every benchmark in bench/, each on its own scratch database: SQLite by default, PostgreSQL when
# DATABASE_URL is set (`DATABASE_URL=postgres://... make bench`).
bench: install
	@for script in bench/[!_]*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) var/test-*.sqlite3*
