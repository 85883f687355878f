VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)

.PHONY: run test lint format i18n bench faults clean lock

$(VENV)/bin/python:
	python3 -m venv $(VENV)

# Every dependency, transitive ones included, comes from the hashed lock file; the project
# itself is installed editable on top, without resolving anything again.
$(STAMP): requirements-dev.txt pyproject.toml $(VENV)/bin/python
	$(PIP) install -q --require-hashes -r requirements-dev.txt
	$(PIP) install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Refresh the lock files after changing a dependency in pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
		--quiet -o requirements.txt
	uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
		--quiet --extra test -o requirements-dev.txt

run: $(STAMP)
	$(VENV)/bin/ilpbot run

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Extract msgids from the code and merge them into the Indonesian catalogue.
i18n: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg --no-default-keywords -k N_ -k say -k t -k Text -k Text.of \
		-k ParseError -k _ -k ngettext:1,2 --omit-header --no-location -o locales/messages.pot .
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales -l id --ignore-obsolete --no-fuzzy-matching \
		--init-missing --width 100
	sed -i 's/^"Plural-Forms: .*/"Plural-Forms: nplurals=1; plural=0;\\n"/' locales/id/LC_MESSAGES/messages.po

# Every bench in one run (≤ 10 min): one table, bench/results.json and docs/performance.md
# (rendered by bench/report.py; never edit it by hand). PostgreSQL rows need
# BENCH_DATABASE_URL or TEST_DATABASE_URL.
bench: $(STAMP)
	$(PY) bench/all.py

# The fault suite at full size (tests/test_faults.py runs it small in `make test`).
faults: $(STAMP)
	$(PY) bench/faults.py

clean:
	rm -rf $(VENV) *.db *.db-wal *.db-shm
