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
# The embedded AWS endpoint's port: empty = serve's default (8000, or a free one if it is taken).
AWS_PORT ?=
DATA_DIR ?= .localdata
ARGS ?=
PYTEST_ARGS ?=
# make test's pytest-xdist processes: one per core, at most 4 (each runs its own copy of the
# stack); TEST_WORKERS= (empty) runs the tests one after the other.
TEST_WORKERS ?= -n auto --maxprocesses 4

.PHONY: help venv up test lint format bench clean reset seed unlock

help:
	@echo "make up      run the API locally on http://$(HOST):$(PORT)/prod (embedded DynamoDB, no Docker)"
	@echo "make test    lint + the whole test suite"
	@echo "make bench   benchmarks (figures printed and saved under .bench/; installs serverless-offline from npm once)"
	@echo "make load    Locust against the local stack (HTML report under loadtests/reports/)"
	@echo "make package / plan STAGE=prod / deploy STAGE=prod / smoke URL=... / destroy STAGE=prod   promotion to AWS (README: Deploy to AWS)"
	@echo "make test-targets   the integration suite against every reachable target (README: With Docker)"
	@echo "make seed    create demo users through the API (BASE_URL=... for another target)"
	@echo "make reset   wipe local data ($(DATA_DIR))"
	@echo "make unlock EMAIL=...   clear that account's password locks and the per-IP counters (data kept)"

$(SYNCED): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	@$(BIN)/uv sync --frozen --inexact --quiet
	@touch $@

venv: $(SYNCED)

# The API keeps the deployed stage name (/prod), while env.local.json gives the functions
# STAGE=local, which allows the local identity providers it points them at. ARGS adds to it:
# --env-vars and --parameter-overrides given again merge, later keys winning.
# IP_LIMIT=N: every per-IP limit (sign-in, sign-up, Google, Apple, re-entered password, password
# reset) N requests per window; 0 turns them off (README: "Limits in a local loop").
IP_LIMIT ?=
IP_LIMIT_PARAMETERS := LoginIpLimit RegisterIpLimit GoogleIpLimit AppleIpLimit ReauthIpLimit PasswordResetIpLimit
IP_LIMIT_OVERRIDES = $(if $(IP_LIMIT),--parameter-overrides $(foreach p,$(IP_LIMIT_PARAMETERS),$(p)=$(IP_LIMIT)))
up: $(SYNCED)
	$(BIN)/python -m emulator serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR) \
		$(if $(AWS_PORT),--aws-port $(AWS_PORT)) --env-vars env.local.json $(IP_LIMIT_OVERRIDES) $(ARGS)

# DEPLOY_ARTIFACT_CHECK=1: also run the packaged zip alone (+ boto3) through the integration suite.
test: lint
	DEPLOY_ARTIFACT_CHECK=1 $(BIN)/python -m pytest $(TEST_WORKERS) $(PYTEST_ARGS)

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

# The backend's own tool (auth_service.unlock), run with a function's environment against the running
# `make up` (its AWS endpoint found in DATA_DIR): deletes rate-limit items only.
unlock: $(SYNCED)
	@test -n "$(EMAIL)" || { echo "usage: make unlock EMAIL=you@example.com" >&2; exit 2; }
	@$(BIN)/python -m emulator exec --data-dir $(DATA_DIR) --env-vars env.local.json LoginFunction -- \
		$(abspath $(BIN)/python) -m auth_service.unlock "$(EMAIL)"

reset: $(SYNCED)
	$(BIN)/python -m emulator reset --data-dir $(DATA_DIR)

clean:
	rm -rf $(VENV) .venv-localstack .pytest_cache .ruff_cache
-include make/*.mk
