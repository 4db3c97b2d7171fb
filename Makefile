# ERP Portal developer commands. On a fresh machine two commands do everything:
#   make run    install, migrate, load demo data on first run, start web + Celery worker + beat
#   make test   install, run the whole test suite (SQLite; PostgreSQL when DATABASE_URL is set)
#
# Nothing here needs a server: the defaults are SQLite and Celery's filesystem broker, both under
# var/. Set DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://... to use real services.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Rebuilt when the dependency pins change (make compares modification times).
STAMP := $(VENV)/.installed
PORT ?= 8000
# Extra pytest arguments: make test ARGS="-k health -x"
ARGS ?=

.PHONY: help install run test browser lint security format bench tryton migrate seed check clean distclean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## Create .venv and install the pinned app + dev dependencies (idempotent)

$(STAMP): pyproject.toml requirements/lock.txt
	@test -x $(BIN)/python || { echo "Creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing dependencies (pinned by requirements/lock.txt) into $(VENV)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c requirements/lock.txt -e '.[dev]'
	@touch $@

run: install ## Migrate, seed demo data (first run), serve http://127.0.0.1:$PORT with worker + beat
	PORT=$(PORT) bash scripts/run.sh

test: install browser ## Run the whole test suite with pytest
	$(BIN)/pytest $(ARGS)

# The browser tests (tests/browser) drive Debian's chromium through Playwright; nothing is
# downloaded by Playwright itself. Installed once, with apt-get (as root, or with sudo -n);
# without it those tests are skipped. SKIP_BROWSER=1 skips the install.
CHROMIUM := /usr/bin/chromium
browser: ## Install Debian's chromium for the browser tests, if missing
	@if [ -x $(CHROMIUM) ] || [ "$${SKIP_BROWSER:-0}" = 1 ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else echo "NOTE: $(CHROMIUM) is missing and apt-get needs root: browser tests will be skipped" \
		"(sudo apt-get install -y chromium)."; exit 0; fi; \
	echo "Installing Debian's chromium for the browser tests"; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium

lint: install ## ruff check, ruff format --check, mypy, the layering check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python scripts/check_layers.py

# The app's code, without tests and migrations (pyproject.toml's [tool.bandit]).
BANDIT_DIRS := erp_portal connectors tenancy audit permissions erp integrations approvals syncs demo
# bandit warns "nosec encountered (BXXX), but no failed test" for every other node of a line
# (or statement) marked `# nosec BXXX`: noise, left out; its findings and exit status are kept.
security: install ## bandit, the security linter, on the app's code
	@rc=0; out=$$($(BIN)/bandit -q -r $(BANDIT_DIRS) -c pyproject.toml 2>&1) || rc=$$?; \
	printf '%s\n' "$$out" | { grep -v 'but no failed test' || true; }; \
	if [ $$rc = 0 ]; then echo "bandit: no issues"; fi; exit $$rc

format: install ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

TRYTON_PORT ?= 8010
tryton: install ## Run a local Tryton 8.2 (SQLite, books ready) on $TRYTON_PORT; Ctrl-C stops it
	$(BIN)/python -m connectors.tryton.server --port $(TRYTON_PORT) --data var/tryton

bench: install ## Run the benchmarks (python -m bench), if there are any
	@if [ -f bench/__main__.py ]; then $(BIN)/python -m bench; \
	else echo "No benchmarks yet (add bench/__main__.py; 'make bench' runs python -m bench)."; fi

# Development mode unless the caller chose otherwise: DEBUG needs no DJANGO_SECRET_KEY.
migrate: install ## Apply database migrations
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --noinput

seed: install ## Load the demo data again (seed_demo is idempotent)
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py seed_demo

check: install ## Django's deployment checks under production settings (throwaway keys)
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	FIELD_ENCRYPTION_KEYS="$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

clean: ## Remove caches, logs, pidfiles, collected static and queued messages (keeps the database)
	rm -rf .pytest_cache .mypy_cache .ruff_cache build *.egg-info
	rm -rf var/log var/run var/static var/broker
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## Also remove .venv and var/ (the SQLite database and its demo data)
	rm -rf $(VENV) var
