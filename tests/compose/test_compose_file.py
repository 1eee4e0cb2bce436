"""Static checks of docker-compose.yml, the Dockerfile and .dockerignore (Docker cannot run here).

The compose file is validated against the Compose Specification by ``compose-spec`` (the Rust
``compose_spec`` parser: unknown keys, bad ports/durations/images are errors), after Compose's own
interpolation. The api service's variables are checked by what reads them: boto3 itself, in a
process given only that environment.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from compose_spec import PyCompose

from scripts.compose_file import (
    API_SERVICE,
    COMPOSE_FILE,
    REPO_ROOT,
    command,
    environment,
    load_compose,
    option_value,
    parse_compose,
    published_ports,
    read_dotenv,
    service_addresses,
)

DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
# The variables the AWS SDKs read by themselves (boto3 >= 1.31 for the endpoint ones): nothing else.
SDK_VARIABLES = {
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
}


def validate(text: str, variables: dict[str, str] | None = None) -> dict:
    """Interpolate as Compose does, then parse and validate against the Compose Specification."""
    parsed = PyCompose.from_json(json.dumps(parse_compose(text, variables)))
    parsed.validate()
    return parsed.to_dict()


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


@pytest.fixture(scope="module")
def api(compose: dict) -> dict:
    return compose["services"][API_SERVICE]


def test_compose_file_is_valid_compose_spec() -> None:
    services = validate(COMPOSE_FILE.read_text())["services"]
    assert set(services) == {"dynamodb-local", "localstack", "api", "api-dev"}


def test_the_validator_catches_a_misspelt_key() -> None:
    broken = COMPOSE_FILE.read_text().replace("    healthcheck:", "    healthchek:", 1)
    with pytest.raises(ValueError, match="healthchek"):
        validate(broken)


def test_compose_file_is_valid_with_the_env_example_settings_too(tmp_path: Path) -> None:
    # .env.example's settings, uncommented, as a user with a LocalStack token would have them.
    env_file = tmp_path / ".env"
    env_file.write_text(ENV_EXAMPLE.read_text().replace("# LOCALSTACK_", "LOCALSTACK_"))
    variables = read_dotenv(env_file)
    assert set(variables) == {"LOCALSTACK_IMAGE", "LOCALSTACK_AUTH_TOKEN"}
    localstack = validate(COMPOSE_FILE.read_text(), variables)["services"]["localstack"]
    assert localstack["image"] == variables["LOCALSTACK_IMAGE"]
    assert localstack["environment"]["LOCALSTACK_AUTH_TOKEN"] == variables["LOCALSTACK_AUTH_TOKEN"]


def test_localstack_defaults_to_the_last_token_free_release(compose: dict) -> None:
    localstack = compose["services"]["localstack"]
    assert re.fullmatch(r"localstack/localstack:4\.14\.\d+", localstack["image"])
    assert environment(localstack)["LOCALSTACK_AUTH_TOKEN"] == ""
    assert set(localstack["environment"]["SERVICES"].split(",")) == {"secretsmanager", "ssm", "ses"}
    assert "/_localstack/health" in " ".join(localstack["healthcheck"]["test"])


def test_the_token_file_is_never_committed_nor_sent_to_the_build() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=REPO_ROOT, check=False)
    assert ignored.returncode == 0, ".env must be git-ignored"
    lines = (line.strip() for line in DOCKERIGNORE.read_text().splitlines())
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules[0] == "*" or ".env" in rules  # the build context is an allow-list
    assert "!.env" not in rules


def test_api_environment_is_only_the_sdk_variables(api: dict) -> None:
    env = environment(api)
    assert set(env) == SDK_VARIABLES
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"]
    assert not any("COMPOSE" in name or "DOCKER" in name for name in env)


def test_boto3_reads_the_api_environment(api: dict) -> None:
    # A process with nothing but the api service's environment: where does boto3 send each call?
    probe = (
        "import boto3, json\n"
        "session = boto3.Session()\n"
        "services = ('dynamodb', 'secretsmanager', 'ssm', 'ses')\n"
        "out = {s: session.client(s).meta.endpoint_url for s in services}\n"
        "out['region'] = session.region_name\n"
        "out['signs'] = session.get_credentials() is not None\n"
        "print(json.dumps(out))\n"
    )
    env = {**environment(api), "HOME": "/nonexistent", "AWS_CONFIG_FILE": "/dev/null"}
    env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    seen = json.loads(result.stdout)
    assert seen == {
        "dynamodb": "http://dynamodb-local:8000",
        "secretsmanager": "http://localstack:4566",
        "ssm": "http://localstack:4566",
        "ses": "http://localstack:4566",
        "region": "us-east-1",
        "signs": True,
    }


def test_endpoint_ports_are_the_ones_the_services_listen_on(compose: dict, api: dict) -> None:
    addresses = service_addresses(compose, environment(api))
    assert set(addresses.values()) == {("dynamodb-local", 8000), ("localstack", 4566)}
    for service, port in addresses.values():
        definition = compose["services"][service]
        assert port in {p.container for p in published_ports(definition)}
        assert str(port) in " ".join(definition["healthcheck"]["test"])  # health probed on that port
    dynamodb = command(compose["services"]["dynamodb-local"])
    assert "-sharedDb" in dynamodb  # one database whatever the (dummy) access key and region
    volume = option_value(dynamodb, "-dbPath")
    assert any(str(v).endswith(f":{volume}") for v in compose["services"]["dynamodb-local"]["volumes"])
    assert str(compose["services"]["dynamodb-local"]["volumes"][0]).split(":")[0] in compose["volumes"]


def test_api_listens_where_it_is_published(api: dict) -> None:
    argv = command(api)
    assert argv[:4] == ["python", "-m", "emulator", "serve"]
    assert option_value(argv, "--host") == "0.0.0.0"
    port = int(option_value(argv, "--port"))
    assert [(p.host, p.container) for p in published_ports(api)] == [(3000, port)]
    assert f"EXPOSE {port}" in DOCKERFILE.read_text()
    assert f":{port}/_emulator/health" in " ".join(api["healthcheck"]["test"])


def test_compose_stop_leaves_serve_its_graceful_shutdown(api: dict) -> None:
    from emulator.apigateway.server import GRACEFUL_TIMEOUT_S

    grace = api["stop_grace_period"]
    assert grace.endswith("s")
    assert float(grace[:-1]) > GRACEFUL_TIMEOUT_S


def test_api_waits_for_healthy_backing_services(compose: dict, api: dict) -> None:
    needed = {service for service, _ in service_addresses(compose, environment(api)).values()}
    assert api["depends_on"] == {service: {"condition": "service_healthy"} for service in needed}
    for service in needed:
        assert compose["services"][service]["healthcheck"]["test"]


def test_dev_profile_mounts_the_source_over_the_image(compose: dict, api: dict) -> None:
    dev = compose["services"]["api-dev"]
    assert dev["profiles"] == ["dev"]
    assert "profiles" not in api  # plain `docker compose up` runs the api
    workdir = re.search(r"^WORKDIR\s+(\S+)", DOCKERFILE.read_text(), re.MULTILINE).group(1)
    mounts = {str(v).split(":")[0]: str(v).split(":")[1] for v in dev["volumes"]}
    assert mounts["./backend"] == f"{workdir}/backend"
    assert mounts["./template.yaml"] == f"{workdir}/template.yaml"
    assert "--no-reload" not in command(dev)
    assert {k: v for k, v in dev.items() if k not in ("profiles", "volumes")} == api


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_dockerfile_is_slim_python_312_and_not_root() -> None:
    instructions = _dockerfile_instructions()
    assert re.fullmatch(r"python:3\.12[.\d]*-slim(-\w+)?", dict(instructions)["FROM"])
    users = [arg for op, arg in instructions if op == "USER"]
    assert users
    assert users[-1] not in ("root", "0")
    assert [op for op, _ in instructions].index("USER") > max(
        i for i, (op, _) in enumerate(instructions) if op == "RUN"
    )


def test_dockerfile_installs_exactly_the_locked_runtime_dependencies() -> None:
    instructions = _dockerfile_instructions()
    copies = [arg.split() for op, arg in instructions if op == "COPY"]
    assert ["pyproject.toml", "uv.lock", "./"] in copies
    sync = next(arg for op, arg in instructions if op == "RUN" and "uv sync" in arg)
    flags = sync.split("uv sync", 1)[1].split("&&")[0].split()
    assert "--frozen" in flags or "--locked" in flags  # the lock as is, never re-resolved
    # The same uv as everywhere else in the repo.
    uv_pin = re.search(r"uv==(\S+)", next(arg for op, arg in instructions if op == "RUN" and "uv==" in arg))
    makefile_uv = re.search(r"^UV_VERSION := (\S+)", (REPO_ROOT / "Makefile").read_text(), re.MULTILINE)
    assert uv_pin.group(1) == makefile_uv.group(1)
    # What those flags install, read from the lock by uv itself (offline: `export` never resolves).
    # (minus the ones about how to install, not what: cache, interpreter)
    export_flags = list(flags)
    if "--python" in export_flags:
        del export_flags[export_flags.index("--python") : export_flags.index("--python") + 2]
    export_flags = [f for f in export_flags if f != "--no-cache"]
    exported = subprocess.run(
        [str(REPO_ROOT / ".venv/bin/uv"), "export", *export_flags, "--no-hashes", "--no-annotate"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    installed = dict(
        line.split(";")[0].strip().split("==", 1) for line in exported.splitlines() if "==" in line
    )
    project = _pyproject()
    wanted = list(project["project"]["dependencies"]) + list(project["dependency-groups"]["emulator"])
    for requirement in wanted:
        name, version = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==([^\s;]+)", requirement).groups()
        assert installed.get(name.lower()) == version, f"{requirement} not installed as locked"
    assert not {"pytest", "ruff", "locust"} & set(installed)  # no dev tools in the image


def test_image_carries_the_code_serve_needs() -> None:
    copied = " ".join(arg for op, arg in _dockerfile_instructions() if op == "COPY")
    for path in ("template.yaml", "env.local.json", "emulator", "backend"):
        assert path in copied
        assert f"!{path}" in DOCKERIGNORE.read_text()  # and allowed into the build context
    assert Path(REPO_ROOT / "env.local.json").exists()


def _pyproject() -> dict:
    import tomllib

    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
