# docker-compose: the same handlers on DynamoDB Local + LocalStack (see the README, "With Docker").
# `make test-targets` runs the integration suite against every target it can reach and prints a
# target x result table: the embedded stack, the compose topology (its services as loopback
# processes, no Docker needed), the same with the real LocalStack as a process (its venv,
# .venv-localstack, is built on first use: `make localstack-venv`; Python 3.12 or 3.13 needed),
# and each BASE_URL given (comma-separated), e.g.
#   make test-targets BASE_URL=http://localhost:3000/prod
# SKIP_TARGETS (comma-separated: embedded, topology, localstack) leaves targets out; CI leaves out
# `embedded`, whose suite `make test` has just run against the same stack.
BASE_URL ?=
SUITE_ARGS ?=
SKIP_TARGETS ?=
_comma := ,
COMPOSE ?= docker compose
# Only a BASE_URL given on the command line or in the environment is a target (not the Makefile's
# default for `make seed`).
_GIVEN_BASE_URL := $(if $(filter command line environment environment override,$(origin BASE_URL)),$(BASE_URL))

.PHONY: test-targets localstack-venv compose-check compose-up compose-dev compose-down compose-reset compose-inspect

test-targets: $(SYNCED)
	$(BIN)/python scripts/test_targets.py $(if $(_GIVEN_BASE_URL),--base-url '$(_GIVEN_BASE_URL)') \
		$(if $(SUITE_ARGS),--suite-args '$(SUITE_ARGS)') \
		$(foreach target,$(subst $(_comma), ,$(SKIP_TARGETS)),--skip-$(target))

localstack-venv: $(SYNCED)
	$(BIN)/python scripts/localstack_venv.py

# Static checks of docker-compose.yml / Dockerfile (compose-spec validation, environment, ports,
# locked dependencies); also `docker-compose config -q` when a Compose CLI is installed.
compose-check: $(SYNCED)
	$(BIN)/python -m pytest -q tests/compose/test_compose_file.py
	@if command -v docker-compose >/dev/null 2>&1; then docker-compose config -q && echo "docker-compose config: OK"; \
	else echo "docker-compose not installed: skipped its 'config -q' (the compose-spec check above ran)"; fi

compose-up:
	$(COMPOSE) up --build

compose-dev:
	$(COMPOSE) --profile dev up --build api-dev

compose-down:
	$(COMPOSE) --profile dev down

# Wipes the compose stack's data: DynamoDB Local's volume (LocalStack keeps none).
compose-reset:
	$(COMPOSE) --profile dev down --volumes

compose-inspect: $(SYNCED)
	$(BIN)/python scripts/compose_inspect.py
