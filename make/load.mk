# Load tests (Locust). See loadtests/README.md.
#   make load                         local stack started for the run, 10 users for 1 minute
#   make load USERS=50 SPAWN_RATE=5 RUN_TIME=5m
#   make load HOST=https://<api-id>.execute-api.<region>.amazonaws.com/prod
#   make load-ramp                    staircase of users; reports the knee
#   make load PROCESSES=2             Locust on several processes (one per core)
# HOST is taken as the target only when it is a URL (make up uses HOST as its bind address).
USERS ?= 10
SPAWN_RATE ?= 1
RUN_TIME ?= 1m
PROCESSES ?= 0
BCRYPT_ROUNDS ?= 12
LOAD_ARGS ?=
LOAD_TARGET = $(if $(filter http://% https://%,$(HOST)),--host $(HOST),)
LOAD_COMMON = $(LOAD_TARGET) --processes $(PROCESSES) --bcrypt-rounds $(BCRYPT_ROUNDS) $(LOAD_ARGS)

.PHONY: load load-ramp load-clean

load: $(SYNCED)
	$(BIN)/python -m loadtests --users $(USERS) --spawn-rate $(SPAWN_RATE) --run-time $(RUN_TIME) $(LOAD_COMMON)

load-ramp: $(SYNCED)
	$(BIN)/python -m loadtests --ramp $(LOAD_COMMON)

load-clean:
	rm -rf loadtests/reports
