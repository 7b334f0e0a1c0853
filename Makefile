# network_center — the two commands a newcomer needs: `make run` and `make test`.
# The interpreter of .venv: the system's python3 (Debian's, libpython linked into the executable)
# when it is 3.11 or newer and can make a venv, else the first python3 on PATH. A build with
# --enable-shared (pyenv's, here) renders PDFs about a fifth slower: WeasyPrint is pure Python.
PYTHON ?= $(shell for p in /usr/bin/python3 python3; do $$p -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint format migrate demo bench load faults messages axe-asset

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

migrate: install
	DJANGO_DEBUG=$${DJANGO_DEBUG-1} $(BIN)/python manage.py migrate --noinput

# Serve on 127.0.0.1:$(PORT) with demo data loaded into an empty database, and a task worker
# beside the server (signed PDFs, mail); stopping make stops both.
run: migrate
	DJANGO_DEBUG=$${DJANGO_DEBUG-1} $(BIN)/python manage.py load_demo --if-empty
	DJANGO_DEBUG=$${DJANGO_DEBUG-1} $(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=$${DJANGO_DEBUG-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite: SQLite by default, PostgreSQL when DATABASE_URL points there.
# Two workers (pytest-xdist) by default: the suite's ~4,400 tests took 4½ minutes on PostgreSQL
# on two cores; `make test PYTEST_ARGS=` runs them in one process.
PYTEST_ARGS ?= -n 2
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks (not tests): PDF rendering and the plan page.
bench: install
	$(BIN)/python bench/pdf_bench.py
	$(BIN)/python bench/plan_page_bench.py
	$(BIN)/python bench/plan_pdf_bench.py --wording brief
	$(BIN)/python bench/plan_pdf_bench.py --wording concise
	$(BIN)/python bench/plan_pdf_bench.py --wording demo
	$(BIN)/python bench/monitoring_import_bench.py
	$(BIN)/python bench/identification_bench.py

# The load test (50 users of every role for 10 minutes, reads and writes, through gunicorn and
# nginx) and the concurrency checks (simultaneous approvals, visas, line edits), each on its own
# throw-away PostgreSQL database (README: Benchmarks). About 15 minutes; both run, either fails it.
load: install
	$(BIN)/python bench/load_run.py; load=$$?; \
	$(BIN)/python bench/concurrency.py; concurrency=$$?; \
	exit $$(( load || concurrency ))

# Faults played for real on a PostgreSQL cluster of its own (initdb in a temporary folder): the
# database restarted under load, the mail server down, the task worker stopped (README:
# Benchmarks). About three minutes; results in bench/results/faults.json.
faults: install
	$(BIN)/python bench/faults.py

# The catalogues (the source strings are Russian): extract into locale/en and locale/ru, fill the
# Russian plural forms, check that every English entry is translated with the same placeholders
# (write the new ones into locale/en/LC_MESSAGES/django.po when it stops here), compile both.
messages: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l en -l ru --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=bench --ignore=tests
	$(BIN)/python locale/fill_ru_plurals.py
	$(BIN)/python locale/check_catalogues.py --po-only
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages -l en -l ru --ignore=.venv

# axe-core for tests/test_accessibility.py, a test asset (never served): fetch the pinned version
# from the npm registry, check its integrity against the registry's, keep the script and licences.
AXE_VERSION ?= 4.14.1
AXE_DIR := tests/assets/axe-core
axe-asset:
	set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	cd "$$tmp"; npm pack --silent axe-core@$(AXE_VERSION) >/dev/null; \
	want=$$(npm view axe-core@$(AXE_VERSION) dist.integrity); \
	got=sha512-$$(openssl dgst -sha512 -binary axe-core-$(AXE_VERSION).tgz | base64 -w0); \
	if [ "$$want" != "$$got" ]; then echo "integrity mismatch: $$want != $$got"; exit 1; fi; \
	tar xzf axe-core-$(AXE_VERSION).tgz; \
	cp package/axe.min.js package/LICENSE package/LICENSE-3RD-PARTY.txt $(CURDIR)/$(AXE_DIR)/; \
	echo "axe-core $(AXE_VERSION) $$got -> $(AXE_DIR)"
