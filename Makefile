# Two commands do everything on a fresh machine: `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
PYTHON ?= python3
JS_DIR := tests/js

.PHONY: run test lint format check-migrations install catalogs messages backup restore loadtest faulttest bench bench-growth quality

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# ical.js, the JavaScript parser the feed tests read every feed with, and Lighthouse, which scores the pages
# (tests/js), when npm is there; without it those tests skip, saying why (CI installs node: .ci/run).
$(JS_DIR)/node_modules/.installed: $(JS_DIR)/package.json $(JS_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix $(JS_DIR) --no-audit --no-fund --silent && touch $@; \
	else \
	  echo "npm not found: the feed tests that read feeds with ical.js and the Lighthouse tests will be skipped"; \
	fi

install: $(VENV)/.installed $(JS_DIR)/node_modules/.installed

## catalogs: compile the translations (locale/*.po) into .mo files, in Python (no gettext needed)
catalogs: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py compilecatalogs -v0

## messages: re-extract every translatable string into locale/*/django.po (needs GNU gettext), then compile
messages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py updatecatalogs

## run: install, migrate, load the seed meetings once, serve on 127.0.0.1:$(PORT) (SQLite by default)
run: install catalogs
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py loadseed
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

## test: the whole suite (SQLite by default, PostgreSQL when DATABASE_URL names one)
test: install catalogs check-migrations
	$(PY) -m pytest -n 2

## quality: the design's quality bars alone (part of `make test` too): Lighthouse >= 95 in every category,
## desktop and mobile, and axe-core with no violation, at 1280 and 390 px, with screenshots of each page;
## reports and screenshots in tests/browser/artifacts/ (docs/design-quality.md)
quality: install catalogs
	$(PY) -m pytest -n 2 tests/browser/test_lighthouse.py tests/browser/test_page_quality.py

check-migrations: install
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

## lint: ruff (check and format) and the import contracts of pyproject.toml (the floor plan)
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## backup: consistent dump of DATABASE_URL's database into backups/ (pg_dump, or dumpdata for SQLite);
## run with the site's environment (SECRET_KEY, DATABASE_URL), as every manage.py command
backup: install
	$(PY) manage.py backup

## restore: FILE=backups/… into the EMPTY database named by DATABASE_URL
restore: install
	@test -n "$(FILE)" || (echo "usage: make restore FILE=backups/meetings-….dump|.json" >&2; exit 2)
	$(PY) manage.py restore "$(FILE)"

## loadtest: gunicorn (production settings) on PostgreSQL `meetings_load` with 10,000 meetings, wrk at 50/200 connections
loadtest: install
	$(PY) perf/loadtest.py

## faulttest: five faults under load on a throwaway PostgreSQL and Redis (PostgreSQL stopped, Redis stopped,
## Redis hung, PostgreSQL killed mid-feed, a worker killed): statuses, recovery time, wrong answers (perf/faulttest.py)
faulttest: install
	$(PY) perf/faulttest.py

## bench: load-test gunicorn + PostgreSQL at 10,000 and 100,000 generated meetings, directly and through
## the shipped nginx beside a static copy (docs/performance.md); BENCH_ARGS=--quick for a two-minute look,
## BENCH_ARGS="--json run.json" to also write every figure as JSON; `make bench-growth` for 1,000,000
bench: install
	$(PY) perf/bench.py $(BENCH_ARGS)

## bench-growth: the cold pages and the feed 304 at 10,000, 100,000 and 1,000,000 meetings (each database
## generated once, 22 to 47 minutes for the largest on 2 busy cores, then reused), how each grows, and each database's size
## on disk (perf/growth.py); GROWTH_ARGS="--json growth.json" to also write every figure as JSON, "--cache Redis" for the shared cache
bench-growth: install
	$(PY) perf/growth.py $(GROWTH_ARGS)
