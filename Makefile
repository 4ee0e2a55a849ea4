# Obelisk: `make run` sets everything up and serves the app; `make test` sets up and runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 3000

export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help install install-dev run dev worker migrate stop-db prepare-models test test-unit lint typecheck \
        chromium readme-config bench bench-models bench-auth bench-ingest bench-retrieval bench-quality \
        bench-injection bench-injection-heldout2 bench-injection-heldout3 bench-injection-heldout4 \
        bench-injection-heldout5 bench-injection-heldout6 bench-injection-heldout7 bench-injection-heldout8 bench-injection-heldout9 \
        bench-injection-external \
        bench-agent-injection bench-dashboard bench-runs bench-holdback bench-slack \
        train-injection clean

help:
	@echo "make run      set up (venv, dependencies, database, migrations, models) and serve on :$(PORT)"
	@echo "make test     set up with dev dependencies and run lint, types and every test tier"
	@echo "make dev      hot-reloading dev server"
	@echo "make worker   a job worker in its own process (any machine that reaches the database)"
	@echo "make bench    every benchmark (results in bench/results/)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Installs run again only when a requirements file changed.
$(VENV)/.deps: requirements.txt requirements-nodeps.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	@touch $@

$(VENV)/.deps-dev: $(VENV)/.deps requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.deps

install-dev: $(VENV)/.deps-dev

prepare-models: install
	$(PY) -m backend prepare-models

run: install prepare-models
	PORT=$(PORT) $(PY) -m backend run

dev: install prepare-models
	PORT=$(PORT) $(PY) -m backend run --dev

worker: install
	RUN_WORKER_IN_APP=false $(PY) -m backend worker

migrate: install
	$(PY) -m backend migrate

stop-db: install
	$(PY) -m backend stop-db

# Debian's Chromium for the browser tests (never a downloaded browser build).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

lint: install-dev
	$(BIN)/ruff check backend obelisk_app tests bench alembic scripts

typecheck: install-dev
	$(BIN)/mypy backend

test: install-dev chromium lint typecheck
	$(PY) -m pytest tests

# Regenerate the README's configuration table from .env.example after adding a setting.
readme-config:
	cd scripts && ../$(PY) readme_config.py

test-unit: install-dev
	$(PY) -m pytest tests/unit -q

bench: bench-models bench-auth bench-ingest bench-retrieval bench-quality bench-injection bench-injection-heldout2 \
       bench-injection-heldout3 bench-injection-heldout4 bench-injection-heldout5 bench-injection-heldout6 \
       bench-injection-heldout7 bench-injection-heldout8 bench-injection-heldout9 bench-agent-injection bench-dashboard \
       bench-runs bench-holdback bench-slack

bench-models: install-dev
	$(PY) bench/bench_models.py

bench-auth: install-dev
	$(PY) bench/bench_auth.py

bench-ingest: install-dev
	$(PY) bench/bench_ingest.py

bench-retrieval: install-dev
	$(PY) bench/bench_retrieval.py

bench-quality: install-dev
	$(PY) bench/bench_quality.py

bench-agent-injection: install-dev prepare-models
	$(PY) bench/bench_agent_injection.py

bench-dashboard: install-dev
	$(PY) bench/bench_dashboard.py

bench-injection: install-dev
	$(PY) bench/bench_injection.py

# The second held-out set (issue 18): the first run is kept as the honest figure, later runs go to *_after.
bench-injection-heldout2: install-dev
	$(PY) bench/bench_injection_heldout.py 2

# The third held-out set, written after rules-7 (issue 18): same rule, the first run is the honest figure.
bench-injection-heldout3: install-dev
	$(PY) bench/bench_injection_heldout.py 3

# The fourth held-out set, written before the semantic-classifier work (issue 18): same rule.
bench-injection-heldout4: install-dev
	$(PY) bench/bench_injection_heldout.py 4

# The fifth held-out set, written before the chunk-level semantic score (issue 18): same rule.
bench-injection-heldout5: install-dev
	$(PY) bench/bench_injection_heldout.py 5

bench-injection-heldout6: install-dev
	$(PY) bench/bench_injection_heldout.py 6

bench-injection-heldout7: install-dev
	$(PY) bench/bench_injection_heldout.py 7

# The eighth held-out set, written by an independent helper before the detector was run on it: same rule.
bench-injection-heldout8: install-dev
	$(PY) bench/bench_injection_heldout.py 8

# The ninth held-out set, written by another independent helper before the detector was run on it: same rule.
bench-injection-heldout9: install-dev
	$(PY) bench/bench_injection_heldout.py 9

# Public datasets kept outside the repository (INJECTION_EXTERNAL_DIR, layout in the script's docstring).
bench-injection-external: install-dev
	$(PY) bench/bench_injection_external.py

bench-runs: install-dev
	$(PY) bench/bench_runs.py

bench-holdback: install-dev
	$(PY) bench/bench_holdback.py

bench-slack: install-dev
	$(PY) bench/bench_slack.py

# Rebuild the injection classifier (backend/safety/data/) from the generated corpus; commit what it writes.
train-injection: install-dev
	$(PY) -m backend.safety.training.build

clean:
	rm -rf .web .states .mypy_cache .ruff_cache .pytest_cache
