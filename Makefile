# Two commands matter: `make run` and `make test`. Everything else is for developers.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# A Python >= 3.12: $(PYTHON) if given, else the newest python3.X on PATH, else pyenv's.
define find_python
for c in $(PYTHON) python3.14 python3.13 python3.12 python3 \
         $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
  if command -v "$$c" >/dev/null 2>&1 && "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
    command -v "$$c"; exit 0; \
  fi; \
done; exit 1
endef

.PHONY: help
help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(PY):
	@py=$$( $(find_python) ) || { echo "error: no Python >= 3.12 found. Install one, or run: make PYTHON=/path/to/python3.12 ..." >&2; exit 1; }; \
	echo "Creating $(VENV) with $$py ($$($$py --version))"; \
	"$$py" -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

.PHONY: install
install: $(STAMP)  ## create .venv and install the app with its dev tools

# Development VAPID keys for web push, made once by `make run` when none are set (git ignores it).
VAPID_DEV_FILE ?= .vapid-dev.env

.PHONY: run
run: export DEBUG ?= 1
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install  ## set up everything; serve on http://$(HOST):$(PORT) with SQLite, plus worker and scheduler
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddata library protocols
	$(PY) manage.py seed_demo
	@if [ -z "$$VAPID_PRIVATE_KEY" ]; then $(PY) manage.py vapid_keys --env-file $(VAPID_DEV_FILE); fi
	@echo "Starting web (http://$(HOST):$(PORT)), worker and scheduler (Procfile). Ctrl-C stops all three."
	@if [ -z "$$VAPID_PRIVATE_KEY" ]; then set -a; . ./$(VAPID_DEV_FILE); set +a; fi; \
	  HOST=$(HOST) PATH="$(CURDIR)/$(VENV)/bin:$$PATH" \
	  exec $(VENV)/bin/honcho start --procfile Procfile --port $(PORT)

CHROMIUM ?= $(shell command -v chromium 2>/dev/null || ls /usr/bin/chromium 2>/dev/null)

.PHONY: test
test: install  ## run the whole suite, browser tests too when Chromium is installed
	@if [ -z "$(CHROMIUM)" ]; then \
	  echo "NOTE: Chromium not found: the browser tests (tests/e2e) will be SKIPPED."; \
	  echo "      Install it with: apt-get install -y chromium  (then make e2e runs them)"; \
	fi
	$(PY) -m pytest $(PYTEST_ARGS)

.PHONY: e2e
e2e: install  ## run only the real-browser tests (Playwright + Debian's Chromium)
	@test -n "$(CHROMIUM)" || { echo "error: Chromium not found; apt-get install -y chromium" >&2; exit 1; }
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

.PHONY: lint
lint: install  ## ruff, ruff format --check, mypy, import-linter, djLint, makemigrations --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/djlint templates --lint
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

.PHONY: format
format: install  ## apply ruff's fixes and formatting, and djLint's
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djlint templates --reformat --quiet || true

.PHONY: clean
clean:  ## remove the virtual environment, caches and the SQLite database
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache staticfiles htmlcov .coverage db.sqlite3 db.sqlite3-* artifacts $(VAPID_DEV_FILE)

.PHONY: bench
bench: install  ## the mixed workload (Locust, gunicorn, PostgreSQL, Redis) at 1x and 10x data; BENCH_SCALE=quick for a short run
	$(PY) -m bench.run

.PHONY: bench-pages
bench-pages: install  ## every signed-in page's in-process cost as a multiple of a trivial view, at 10x data
	$(PY) -m bench.pages $(BENCH_PAGES_ARGS)
