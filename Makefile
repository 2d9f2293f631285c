# Every target creates or reuses .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Compiled files are kept, in the venv rather than beside the sources: collecting the
# tests costs half as much with them (some machines set PYTHONDONTWRITEBYTECODE).
export PYTHONPYCACHEPREFIX := $(abspath $(VENV))/pycache
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-fast bench soak lint browser translations

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[local,dev]'
	touch $(STAMP)

## make run: local Stripe + demo data + sync + the console on http://127.0.0.1:8501
run: $(STAMP)
	$(BIN)/python -m console run

# On one process per core (pytest-xdist): see tests/parallel.py.
PARALLEL := -n auto --dist loadfile --no-loadscope-reorder
# Tests write about 2 GB of short-lived DuckDB files and commit thousands of times: in
# memory (tmpfs), where the machine has one, each commit's fsync costs nothing. One folder
# per checkout, so two checkouts' sessions never clear each other's.
SHM_TMP := $(shell test -d /dev/shm -a -w /dev/shm && echo /dev/shm/console-tests-$$(printf %s '$(CURDIR)' | cksum | cut -d' ' -f1))
ifneq ($(SHM_TMP),)
PARALLEL += --basetemp=$(SHM_TMP)
endif

## make test: every test, including the browser tests in headless Chromium
test: $(STAMP) browser
	$(BIN)/python -m pytest $(PARALLEL)

## make test-fast: every test but the browser tests (no Chromium needed)
test-fast: $(STAMP)
	$(BIN)/python -m pytest $(PARALLEL) -m "not browser"

## make soak: 20 browser sessions on every page during syncs and a cancellation (minutes)
soak: $(STAMP) browser
	$(BIN)/python tests/benchmarks/soak.py

## make bench: benchmarks; figures go to BENCHMARKS.md
bench: $(STAMP)
	$(BIN)/python tests/benchmarks/run.py

## make translations: the French catalog brought in step with the source; lists what to translate
translations: $(STAMP)
	$(BIN)/python -m console.devtools.translations

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Debian's Chromium for Playwright (never `playwright install`: it downloads a browser), and
# axe-core from npm, which the accessibility test injects into the public pages.
AXE := tests/browser/axe/node_modules/axe-core/axe.min.js
browser: $(AXE)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

$(AXE): tests/browser/axe/package.json tests/browser/axe/package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq npm >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq npm >/dev/null; fi; }
	cd tests/browser/axe && npm ci --no-audit --no-fund --silent
	touch $(AXE)
