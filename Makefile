# Alliances — the two commands: `make run` (install, demo data, serve) and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-sqlite test-postgres lint migrations-check messages browser pdf audit bench ci clean

$(PY):
	@py=$$(scripts/find-python) && echo "Using $$py" && "$$py" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==0.13.9"

install: $(PY)  ## Create .venv from the lock file and install Alliances into it
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(PY) requirements.lock
	$(BIN)/uv pip install --quiet --python $(PY) --no-deps -e .

run: install pdf  ## Install, load the demo on an empty database, start web + worker
	$(BIN)/alliances serve --host $(HOST) --port $(PORT)

browser:  ## Debian's Chromium for the browser tests (needs root or sudo)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

# WeasyPrint loads Pango when imported: the import is the check (after `make install`).
pdf:  ## Debian's Pango, which WeasyPrint draws the feuilles de route's PDFs with (needs root or sudo)
	@$(PY) -c "import weasyprint" 2>/dev/null || { \
	  pkgs="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs >/dev/null; fi; }

# Tests run in parallel (pytest-xdist), one process per core, four at most.
PYTEST := $(BIN)/pytest -q -n auto --maxprocesses 4

test: install browser pdf  ## The whole suite on SQLite, then on PostgreSQL when it answers
	$(PYTEST)
	@if $(PY) -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/test', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== PostgreSQL =="; DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(PYTEST); \
	else echo "PostgreSQL is not reachable on 127.0.0.1:5432: SQLite run only"; \
	  if [ -n "$$CI" ]; then exit 1; fi; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true

migrations-check: install
	$(BIN)/alliances makemigrations --check --dry-run

messages: install  ## Refresh the French catalogue after changing strings
	cd alliances && ../$(BIN)/alliances makemessages -l fr --no-location --no-obsolete \
	  --ignore "static/*" --ignore "*/tests/*" --ignore "testing/*" && ../$(BIN)/alliances compilemessages -l fr

# The lock file's packages against the OSV vulnerability database (needs api.osv.dev).
PIP_AUDIT := pip-audit==2.10.1
audit: install  ## Known vulnerabilities of the locked dependencies (pip-audit, OSV)
	$(BIN)/uv tool run --quiet $(PIP_AUDIT) --requirement requirements.lock --no-deps \
	  --disable-pip --vulnerability-service osv --progress-spinner off --strict

bench: install  ## The page benchmark at full size (wrk if installed, else a Python load generator)
	$(BIN)/alliances bench pages

clean:
	rm -rf $(VENV) var
