# Two commands matter: `make up` (run the backend locally) and `make test`.
# Both bootstrap .venv from uv.lock on first use; only python3 (3.11+) and make are needed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
SYNCED := $(VENV)/.synced
HOST ?= 127.0.0.1
PORT ?= 3000
DATA_DIR ?= .localdata
ARGS ?=
PYTEST_ARGS ?=

.PHONY: help venv up test lint format bench clean reset seed

help:
	@echo "make up      run the API locally on http://$(HOST):$(PORT)/prod (embedded DynamoDB, no Docker)"
	@echo "make test    lint + the whole test suite"
	@echo "make bench   benchmarks (figures printed and saved under .bench/)"
	@echo "make load    Locust against the local stack (HTML report under loadtests/reports/)"
	@echo "make package / plan STAGE=prod / deploy STAGE=prod / smoke URL=... / destroy STAGE=prod   promotion to AWS (README: Deploy to AWS)"
	@echo "make test-targets   the integration suite against every reachable target (README: With Docker)"
	@echo "make seed    create demo users through the API (BASE_URL=... for another target)"
	@echo "make reset   wipe local data ($(DATA_DIR))"

$(SYNCED): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	@$(BIN)/uv sync --frozen --inexact --quiet
	@touch $@

venv: $(SYNCED)

# The API keeps the deployed stage name (/prod), while env.local.json gives the functions
# STAGE=local, which allows the local identity providers it points them at. ARGS adds to it:
# --env-vars and --parameter-overrides given again merge, later keys winning.
up: $(SYNCED)
	$(BIN)/python -m emulator serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR) \
		--env-vars env.local.json $(ARGS)

# DEPLOY_ARTIFACT_CHECK=1: also run the packaged zip alone (+ boto3) through the integration suite.
test: lint
	DEPLOY_ARTIFACT_CHECK=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(SYNCED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m deploy lint

format: $(SYNCED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(SYNCED)
	$(BIN)/python -m benchmarks

# Demo users for the simulator, created through the API (so it works against any target: BASE_URL=...).
BASE_URL ?= http://127.0.0.1:$(PORT)/prod
seed: $(SYNCED)
	$(BIN)/python scripts/seed_demo_users.py --base-url $(BASE_URL)

reset: $(SYNCED)
	$(BIN)/python -m emulator reset --data-dir $(DATA_DIR)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
-include make/*.mk
