# Shoudi (守底). On a fresh machine the only two commands are `make run` and `make test`; README.md says more.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHOUDI := $(BIN)/shoudi
VENV_STAMP := $(VENV)/.shoudi-installed
TEST_STAMP := $(VENV)/.shoudi-test-installed
NODE_STAMP := node_modules/.shoudi-installed
ASSETS_STAMP := build/static/vendor/.built
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL pass of `make test`; pytest-django creates and drops test_<name> on that server.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/shoudi
CHROMIUM := /usr/bin/chromium
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet

.PHONY: help venv test-deps assets fonts browser run test lint lock clean

help:
	@echo "make run    install, migrate, load the demo county, serve http://$(HOST):$(PORT)/ with the job worker"
	@echo "make test   install, ruff, pytest on SQLite and on PostgreSQL side by side ($(TEST_DATABASE_URL))"
	@echo "make lock   regenerate requirements.lock (hashes) from pyproject.toml with uv"
	@echo "make assets copy Bootstrap/ECharts from node_modules into build/static (npm ci when stale)"

# --- Python: pinned, hashed requirements; redone only when the lock or pyproject.toml changes ---------------------
venv: $(VENV_STAMP)

$(VENV_STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# pip 23.2 (Python 3.11's bundled one) tries the newest release for a dependency's extra (weasyprint's
	@# fonttools[woff]) before the pinned one and stops on its missing hash; 25.3 keeps to the lock
	$(PIP) install pip==25.3
	$(PIP) install --require-hashes -r requirements.lock
	$(PIP) install --no-deps -e .
	@touch $@

# what only the checks need (pytest, Playwright, ruff, hypothesis): never in a production install
test-deps: $(TEST_STAMP)

$(TEST_STAMP): $(VENV_STAMP) requirements-test.lock
	$(PIP) install --require-hashes -r requirements-test.lock
	@touch $@

# uv runs from a throw-away venv so that nothing outside the lock ends up in .venv.
lock:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip --disable-pip-version-check --quiet install uv; \
	"$$tmp/venv/bin/uv" pip compile pyproject.toml --generate-hashes --python-version 3.11 --quiet \
		-o requirements.lock --no-header; \
	"$$tmp/venv/bin/uv" pip compile pyproject.toml --extra test --constraint requirements.lock --generate-hashes \
		--python-version 3.11 --quiet -o requirements-test.lock --no-header
	@echo "requirements.lock (production) and requirements-test.lock (the checks) regenerated; run make test, then commit"

# --- Front end: npm ci only when package.json/package-lock.json changed -------------------------------------------
assets: $(ASSETS_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

$(ASSETS_STAMP): $(NODE_STAMP) scripts/build_assets.py
	$(PYTHON) scripts/build_assets.py
	@touch $@

# --- Debian packages: Chromium for the Playwright tests (Playwright never downloads a browser here), the CJK fonts
# the PDFs embed (rare characters such as 䶮 and 𠮷 come from Noto CJK), Pango for WeasyPrint, poppler's pdftotext
# and LibreOffice (headless) with which the tests read back what Shoudi produces.
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
WQY_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
FONT_PACKAGES := fonts-noto-cjk fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0
TEST_PACKAGES := chromium chromium-driver poppler-utils libreoffice-calc-nogui
APT_INSTALL := apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

# What `make run` needs too: the fonts and Pango that work cards (PDF) are printed with.
fonts:
	@if [ ! -f $(CJK_FONT) ] || [ ! -f $(WQY_FONT) ] || ! ldconfig -p | grep -q libpangoft2; then \
		echo "Installing Debian packages: $(FONT_PACKAGES)"; \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			$(APT_INSTALL) $(FONT_PACKAGES) >/dev/null || echo "apt-get could not install them"; \
		else echo "not root: install them yourself (apt-get install $(FONT_PACKAGES))"; fi; \
	fi

browser: fonts
	@if [ ! -x $(CHROMIUM) ] || ! command -v pdftotext >/dev/null || ! command -v soffice >/dev/null; then \
		echo "Installing Debian packages: $(TEST_PACKAGES)"; \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			$(APT_INSTALL) $(TEST_PACKAGES) >/dev/null || echo "apt-get could not install them"; \
		else echo "not root: install them yourself (apt-get install $(TEST_PACKAGES))"; fi; \
	fi
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$${CI:-}" = true ]; then echo "FAIL: $(CHROMIUM) is missing and CI=true: browser tests cannot run" >&2; exit 1; fi; \
		echo "!!!!! WARNING: $(CHROMIUM) is missing: browser tests will be SKIPPED !!!!!" >&2; \
	fi

# --- Run: web server and job worker side by side; Ctrl-C (or SIGTERM) stops both ----------------------------------
run: venv assets fonts
	$(SHOUDI) migrate --noinput
	$(SHOUDI) demo --if-empty
	$(SHOUDI) collectstatic --noinput --verbosity 0
	@worker=worker; $(SHOUDI) help worker >/dev/null 2>&1 || worker=db_worker; \
	pids=(); \
	stop() { trap - INT TERM EXIT; kill "$${pids[@]}" 2>/dev/null || true; wait || true; }; \
	trap 'echo; echo "stopping"; stop; exit 0' INT TERM; trap stop EXIT; \
	$(SHOUDI) runserver $(HOST):$(PORT) --noreload & pids+=($$!); \
	$(SHOUDI) $$worker & pids+=($$!); \
	echo "================================================================"; \
	echo " 守底 is running: http://$(HOST):$(PORT)/   (worker: shoudi $$worker)"; \
	echo " Ctrl-C stops the web server and the worker"; \
	echo "================================================================"; \
	status=0; wait -n || status=$$?; \
	echo "a process stopped (exit $$status); stopping the other" >&2; exit $$status

# --- Test: lint, then the whole suite on SQLite and on PostgreSQL at the same time --------------------------------
# Every stage runs even when an earlier one failed; the exit status is non-zero if any did. With CI=true a missing
# browser or an unreachable PostgreSQL is a failure, never a skip. The two pytest passes run side by side (one a
# core: CI has two), each with its own data directory, their output kept in a file each and printed as each ends.
lint: test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: test-deps assets browser
	@if [ "$${CI:-}" = true ]; then export SHOUDI_REQUIRE_BROWSER=1; fi; \
	failed=(); summary=(); work=$$(mktemp -d); trap 'rm -rf "$$work"' EXIT; \
	record() { local name=$$1 status=$$2 seconds=$$3; \
		if [ "$$status" = 0 ]; then summary+=("$$name: ok ($$seconds s)"); \
		else summary+=("$$name: FAILED ($$seconds s)"); failed+=("$$name"); fi; }; \
	stage() { local name=$$1; shift; local t0=$$SECONDS status=0; echo; echo "===== $$name ====="; \
		"$$@" || status=$$?; record "$$name" $$status $$((SECONDS - t0)); }; \
	passes=(); \
	start_pass() { local key=$$1 name=$$2; shift 2; mkdir -p "$$work/$$key/data"; \
		echo "$$name: started, output shown when it ends"; \
		( t0=$$SECONDS; status=0; SHOUDI_DATA_DIR="$$work/$$key/data" "$$@" >"$$work/$$key/log" 2>&1 || status=$$?; \
		  echo "$$status $$((SECONDS - t0))" >"$$work/$$key/status" ) & \
		passes+=("$$!:$$key:$$name"); }; \
	end_passes() { local entry pid key name status seconds; for entry in "$${passes[@]}"; do \
		pid=$${entry%%:*}; key=$${entry#*:}; name=$${key#*:}; key=$${key%%:*}; wait "$$pid" || true; \
		echo; echo "===== $$name ====="; cat "$$work/$$key/log"; \
		read -r status seconds <"$$work/$$key/status" || { status=1; seconds=?; }; \
		record "$$name" "$$status" "$$seconds"; done; }; \
	stage "ruff check" $(BIN)/ruff check .; \
	stage "ruff format" $(BIN)/ruff format --check --quiet .; \
	stage "migrations up to date" env -u DATABASE_URL SHOUDI_DATA_DIR="$$work/migrations" \
		$(SHOUDI) makemigrations --check --dry-run --verbosity 1; \
	echo; \
	start_pass sqlite "pytest (SQLite)" env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS); \
	if $(BIN)/python -c 'import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=5).close()' \
		"$(dir $(TEST_DATABASE_URL))postgres" 2>"$$work/pg-check"; then \
		start_pass postgresql "pytest (PostgreSQL)" env DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest $(PYTEST_ARGS); \
		end_passes; \
	else \
		end_passes; \
		cat "$$work/pg-check" >&2; \
		if [ "$${CI:-}" = true ]; then \
			echo "FAIL: PostgreSQL at $(TEST_DATABASE_URL) is unreachable and CI=true" >&2; \
			summary+=("pytest (PostgreSQL): FAILED (server unreachable)"); failed+=("postgresql"); \
		else \
			echo "!!!!! WARNING: PostgreSQL at $(TEST_DATABASE_URL) is unreachable: PostgreSQL pass SKIPPED !!!!!" >&2; \
			summary+=("pytest (PostgreSQL): SKIPPED (server unreachable)"); \
		fi; \
	fi; \
	echo; echo "===== summary ====="; printf '%s\n' "$${summary[@]}"; \
	if [ $${#failed[@]} -gt 0 ]; then echo "make test: FAILED: $${failed[*]}" >&2; exit 1; fi; \
	echo "make test: all stages passed"

clean:
	rm -rf build node_modules $(VENV_STAMP)
