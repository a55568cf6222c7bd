# Winnow: two commands on a fresh machine.
#   make demo   set everything up, seed fictional demo data, serve on http://127.0.0.1:8000 (PORT=...) with a task worker
#   make test   set everything up, run the whole suite (SQLite; PostgreSQL when DATABASE_URL is set)
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
UV := .tools/bin/uv
WINNOW := $(VENV)/bin/winnow
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1

.PHONY: help setup assets demo serve test lint chromium clean
help:
	@echo "make demo   - set up, migrate, seed fictional demo data, serve on http://127.0.0.1:8000 with a task worker"
	@echo "make test   - set up and run the whole suite (set DATABASE_URL for PostgreSQL)"
	@echo "make lint   - ruff, import-linter (winnow.core stays Django-free), mypy on winnow (strict on winnow/core)"

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==0.13.8

$(VENV)/.installed: requirements/lock.txt pyproject.toml | $(UV)
	test -x $(PY) || $(UV) venv --quiet --python python3.11 $(VENV)
	$(UV) pip sync --quiet --python $(PY) requirements/lock.txt
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

winnow/static/winnow/winnow.css: assets/winnow.scss package.json node_modules/.installed
	npm run --silent build

assets: winnow/static/winnow/winnow.css

setup: $(VENV)/.installed assets

# Browser tests drive Debian's chromium; install it when missing (needs root, as on CI and dev machines).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# PORT=8123 make demo serves on another port. The access log (var/access.log) and the task worker's log
# (var/worker.log) go to files so the logins, printed once the
# server answers, stay on screen. `check` (not --deploy): the production warnings do not apply to a local demo.
# --timeout 120: on a busy machine the first request, which imports the whole URLconf, took longer than the
# default 30 s and gunicorn killed the workers in a loop.
PORT ?= 8000
demo: setup
	mkdir -p var
	$(WINNOW) check --fail-level ERROR >/dev/null
	$(WINNOW) migrate --no-input -v 0
	$(WINNOW) seed-demo --quiet
	$(WINNOW) collectstatic --no-input -v 0
	@# PostgreSQL: hand the tables to winnow_owner and serve as winnow_app, which cannot truncate, alter or
	@# disable the guards (winnow db-roles; DATABASE_URL's role migrates and seeds, as a superuser would).
	@case "$$DATABASE_URL" in postgres*) $(WINNOW) db-roles --apply;; esac
	@# A task worker and gunicorn in this process group: Ctrl-C reaches both; the trap stops whichever is left
	@# when either exits, so nothing is left behind.
	@case "$$DATABASE_URL" in postgres*) export DATABASE_URL=$$($(WINNOW) db-roles --url app);; esac; \
	$(WINNOW) worker --no-startup-delay >>var/worker.log 2>&1 & worker=$$!; \
	$(VENV)/bin/gunicorn winnow.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --timeout 120 --access-logfile var/access.log & web=$$!; \
	trap 'kill -TERM $$worker $$web 2>/dev/null; wait $$worker $$web 2>/dev/null' EXIT; \
	for i in $$(seq 1 200); do $(PY) -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$(PORT)/healthz', timeout=10)" 2>/dev/null && break; \
	  kill -0 $$web 2>/dev/null || exit 1; sleep 0.3; done; \
	$(WINNOW) seed-demo --logins-only --port $(PORT); \
	wait $$web

test: setup chromium lint
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .tools node_modules var winnow/static/winnow/winnow.css
