# One command surface for the platform. Every target sets up what it needs on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' -o -name '*.py' \) -print 2>/dev/null)

# The venv's tools (dbt, dagster) come first, activated or not.
export PATH := $(CURDIR)/$(BIN):$(PATH)

# Runtime state stays under data/ (ignored by git).
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
export WAREHOUSE_PATH ?= $(CURDIR)/data/warehouse.duckdb
# A privacy project does not phone home: dbt, Soda and Dagster telemetry off in every path.
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export SODA_CORE_TELEMETRY_ENABLED := false

.PHONY: help setup run dev serve postgres-server lineage-ui reapply-rules import-corrections test test-fast bench bench-span lint lint-sql format clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(DAGSTER_HOME)/dagster.yaml: deploy/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp deploy/dagster.yaml $@

$(MANIFEST): $(INSTALLED) $(DBT_SOURCES)
	$(BIN)/python -m orchestration.transform.parse_project
	touch $@

setup: $(INSTALLED) $(DAGSTER_HOME)/dagster.yaml $(MANIFEST) ## Create .venv, install, parse the dbt project

run: setup ## Generate sample data, run the daily job on the embedded default, publish locally
	$(BIN)/civic-embedded run

dev: setup ## Serve the Dagster UI on 127.0.0.1:3000 with the local portals
	$(BIN)/civic-embedded dev

serve: setup postgres-server ## The production profile: PostgreSQL, dagster-daemon, dagster-webserver, portals
	$(BIN)/civic-embedded serve

# A PostgreSQL server for `make serve` and its tests: Debian's, installed as root when missing.
postgres-server:
	@command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >/dev/null; } || \
	  echo "no PostgreSQL server here and none can be installed (needs root and apt-get)" >&2

lineage-ui: setup ## Serve the Dagster UI read-only on 127.0.0.1:3001 for stakeholders (LINEAGE_UI_PORT=N)
	$(BIN)/civic-embedded lineage-ui --port $(or $(LINEAGE_UI_PORT),3001)

# After a privacy-rule change (a seed, macro or model): rebuild the history from the raw rows
# already loaded, run the blocking checks, publish the difference (docs/operating.md).
# Setup re-parses the dbt project first, since the rule's files changed.
reapply-rules: setup ## After a rule change: rebuild, check, publish the difference (FROM=, TO=)
	$(BIN)/python -m orchestration.publishing.reapply $(if $(FROM),--from $(FROM)) $(if $(TO),--to $(TO))

# A batch of data stewards' decisions from a CSV file, validated line by line and recorded
# whole or not at all; the apply_corrections sensor then rebuilds and republishes the history
# (docs/operating.md#corrections).
import-corrections: setup ## Record a CSV batch of stewards' decisions (CSV=file)
	$(BIN)/python -m orchestration.corrections.cli $(CSV)

# Tests run in parallel, one worker more than there are cores (TEST_WORKERS=1 runs them in one
# process): much of a test's time is spent waiting on dbt, Chromium or a portal in another
# process, and with a worker a core the cores stood idle a quarter of the time (2 cores:
# 21m27s with 2 workers, 16m02s with 3). A test module stays on one worker, so the fixtures
# it shares are built once; modules go out in collection order, the longest first
# (tests/conftest.py, WAITING_MODULES), not in xdist's order by number of tests. The 30
# slowest tests are listed at the end, so a run that grew names what grew.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) + 1 )))
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder --durations=30

test: setup postgres-server ## Run the whole test suite (browser, faults, kills and property tests included)
	$(PYTEST)

test-fast: setup ## The inner loop, under 3 minutes: everything but slow, integration and browser tests
	$(PYTEST) -m "not slow and not integration and not browser"

SCALE ?= 1
bench: setup postgres-server ## Speed and memory at full-history scale (SCALE=0.05: minutes), the backfill on PostgreSQL too -> data/bench/results.json
	$(BIN)/civic-bench --scale $(SCALE) $(BENCH_ARGS)

bench-span: setup ## The quality-gate, delta-publish and sensor figures on a 500k-row span (~10 min)
	$(BIN)/civic-bench --only contracts_vs_dbt --only delta_publish --only sensor_cost $(BENCH_ARGS)

# sqlfluff renders the models with dbt against an in-memory DuckDB (dbt_project/.sqlfluff
# says why): linting needs no warehouse, and never waits for the one a running Dagster holds.
# Its dbt writes to a target folder of its own, so it never replaces the parse `make setup`
# saved with the build's vars (orchestration/transform/parse_project.py).
SQLFLUFF_LINT := cd dbt_project && WAREHOUSE_PATH=:memory: DBT_TARGET_PATH=target/sqlfluff ../$(BIN)/sqlfluff lint .

lint: $(INSTALLED) ## ruff check and format check, sqlfluff lint of the dbt SQL
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(SQLFLUFF_LINT)

lint-sql: $(INSTALLED) ## sqlfluff lint of the dbt SQL alone
	$(SQLFLUFF_LINT)

format: $(INSTALLED) ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove generated data and dbt output (keeps .venv)
	rm -rf data dbt_project/target dbt_project/logs
