# Promotion to AWS (README, "Deploy to AWS"). Included by the Makefile (-include make/*.mk).
#   make package [ARCH=arm64|x86_64] [BOTO3=runtime|bundle]   the functions' zip, no Docker
#   make plan STAGE=prod [ARCH=...] [REGION=...] [PARAMS="K=V ..."]     package + change set printed, not executed
#   make deploy STAGE=prod [same] [YES=1] [ALLOW_REPLACEMENT=1]         package + change set, asked, + URL
#   make destroy STAGE=prod                                     delete the stage's stack
#   make revoke-key STAGE=prod KID=...                          retire a leaked signing key at once
#   make rotate-key STAGE=prod                                  a new signing key now
#   make smoke URL=https://...amazonaws.com/prod                the integration suite against it
#   make cfn-lint                                               SAM transform offline + cfn-lint
#   make check-artifact                                         the x86_64 zip alone + boto3 passes tests/integration
ARCH ?=
BOTO3 ?= runtime
STAGE ?=
REGION ?=
PARAMS ?=
URL ?=
KID ?=
YES ?=
ALLOW_REPLACEMENT ?=
DEPLOY := $(BIN)/python -m deploy
_DEPLOY_ARCH := $(if $(ARCH),--arch $(ARCH))
_DEPLOY_REGION := $(if $(REGION),--region $(REGION))
_DEPLOY_BOTO3 := $(if $(filter bundle,$(BOTO3)),--bundle-boto3)
_DEPLOY_CHANGES = --stage $(STAGE) $(_DEPLOY_ARCH) $(_DEPLOY_REGION) $(if $(ALLOW_REPLACEMENT),--allow-replacement) \
	$(if $(PARAMS),--parameter-overrides $(PARAMS))

.PHONY: package plan deploy destroy revoke-key rotate-key smoke cfn-lint check-artifact

package: $(SYNCED)
	$(DEPLOY) package $(_DEPLOY_ARCH) $(_DEPLOY_BOTO3)

plan: package
	@test -n "$(STAGE)" || { echo "usage: make plan STAGE=prod [ARCH=arm64] [REGION=eu-west-1]"; exit 2; }
	$(DEPLOY) plan $(_DEPLOY_CHANGES)

# Asks before executing the change set (YES=1 or CI=true: no question; no terminal: refused).
deploy: package
	@test -n "$(STAGE)" || { echo "usage: make deploy STAGE=prod [ARCH=arm64] [REGION=eu-west-1] [YES=1]"; exit 2; }
	$(DEPLOY) deploy $(_DEPLOY_CHANGES) $(if $(YES),--yes)

destroy: $(SYNCED)
	@test -n "$(STAGE)" || { echo "usage: make destroy STAGE=prod"; exit 2; }
	$(DEPLOY) destroy --stage $(STAGE) $(_DEPLOY_REGION)

revoke-key: $(SYNCED)
	@test -n "$(STAGE)" -a -n "$(KID)" || { echo "usage: make revoke-key STAGE=prod KID=<kid from /.well-known/jwks.json>"; exit 2; }
	$(DEPLOY) revoke-key $(KID) --stage $(STAGE) $(_DEPLOY_REGION)

rotate-key: $(SYNCED)
	@test -n "$(STAGE)" || { echo "usage: make rotate-key STAGE=prod"; exit 2; }
	$(DEPLOY) rotate-key --stage $(STAGE) $(_DEPLOY_REGION)

# A deployed stage has no local identity provider (--idp-url none) and its own per-IP limits
# (the template's defaults, unless you deployed with other ones: pass them in PYTEST_ARGS).
smoke: $(SYNCED)
	@test -n "$(URL)" || { echo "usage: make smoke URL=https://<api-id>.execute-api.<region>.amazonaws.com/prod"; exit 2; }
	$(BIN)/python -m pytest tests/integration --sam-base-url $(URL) --idp-url none \
		--login-ip-limit 60 --register-ip-limit 30 --google-ip-limit 30 --reauth-ip-limit 20 \
		--apple-ip-limit 30 --password-reset-ip-limit 10 $(PYTEST_ARGS)

cfn-lint: $(SYNCED)
	$(DEPLOY) lint

# ~1 min: builds the x86_64 zip, unzips it next to a copy of the template, runs `serve` with
# workers on a venv holding only the locked boto3, and the whole integration suite against it.
check-artifact: $(SYNCED)
	DEPLOY_ARTIFACT_CHECK=1 $(BIN)/python -m pytest tests/deploy/test_artifact_self_contained.py -s $(PYTEST_ARGS)
