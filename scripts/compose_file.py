"""docker-compose.yml read the way Compose reads it: variables interpolated, then YAML (merge keys
``<<`` included, which PyYAML applies as Compose does).

Only what the checks and the topology need: the services, the api service's command,
environment and published ports, and the in-network address of each backing service.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
API_SERVICE = "api"

# Compose interpolation (compose-spec "Interpolation"): $$ is a literal $, ${VAR}, $VAR,
# ${VAR:-default} (default when unset or empty), ${VAR-default} (default when unset),
# ${VAR:?err} / ${VAR?err} (error when unset[/empty]).
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\})"
)


class ComposeError(ValueError):
    pass


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        name = match.group("bare") or match.group("braced")
        op, arg = match.group("op"), match.group("arg") or ""
        value = variables.get(name)
        missing = value is None or (op is not None and op.startswith(":") and value == "")
        if op in ("-", ":-"):
            return arg if missing else str(value)
        if op in ("?", ":?"):
            if missing:
                raise ComposeError(f"docker-compose.yml: required variable {name} is missing: {arg}")
            return str(value)
        return "" if value is None else value

    return _VARIABLE.sub(substitute, text)


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of an env file (comments and blank lines ignored), as Compose reads .env."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        key, _, value = stripped.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def interpolate_values(node: Any, variables: Mapping[str, str]) -> Any:
    """Compose interpolates the parsed values (so ``KEY: ${UNSET:-}`` is "", not null)."""
    if isinstance(node, str):
        return interpolate(node, variables)
    if isinstance(node, dict):
        return {key: interpolate_values(value, variables) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_values(value, variables) for value in node]
    return node


def parse_compose(
    text: str, variables: Mapping[str, str] | None = None, *, source: str = ""
) -> dict[str, Any]:
    document = interpolate_values(yaml.safe_load(text), variables or {})
    if not isinstance(document, dict) or not isinstance(document.get("services"), dict):
        raise ComposeError(f"{source or 'compose file'}: no services mapping")
    return document


def load_compose(path: Path = COMPOSE_FILE, variables: Mapping[str, str] | None = None) -> dict[str, Any]:
    return parse_compose(path.read_text(encoding="utf-8"), variables, source=str(path))


@dataclass(frozen=True)
class PublishedPort:
    host: int
    container: int


def published_ports(service: Mapping[str, Any]) -> list[PublishedPort]:
    """Short-syntax ``"HOST:CONTAINER"`` (optionally ``IP:HOST:CONTAINER``) and long-syntax ports."""
    ports: list[PublishedPort] = []
    for entry in service.get("ports") or []:
        if isinstance(entry, Mapping):
            ports.append(PublishedPort(int(entry["published"]), int(entry["target"])))
            continue
        parts = str(entry).split("/")[0].split(":")
        ports.append(PublishedPort(int(parts[-2]) if len(parts) > 1 else int(parts[-1]), int(parts[-1])))
    return ports


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's ``environment`` (mapping or ``KEY=VALUE`` list) as a dict."""
    raw = service.get("environment") or {}
    if isinstance(raw, Mapping):
        return {str(k): "" if v is None else str(v) for k, v in raw.items()}
    pairs = (str(item).partition("=") for item in raw)
    return {key: value for key, _, value in pairs}


def command(service: Mapping[str, Any]) -> list[str]:
    raw = service.get("command")
    if isinstance(raw, str):
        return raw.split()
    return [str(part) for part in raw or []]


def option_value(argv: list[str], option: str) -> str:
    try:
        return argv[argv.index(option) + 1]
    except (ValueError, IndexError):
        raise ComposeError(f"docker-compose.yml: the api command has no {option} VALUE") from None


def with_option(argv: list[str], option: str, value: str) -> list[str]:
    """``argv`` with ``option``'s value replaced (added when absent)."""
    if option not in argv:
        return [*argv, option, value]
    index = argv.index(option)
    return [*argv[: index + 1], value, *argv[index + 2 :]]


def service_addresses(compose: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, tuple[str, int]]:
    """Every env value that is a URL on another service of the file: var -> (service, port)."""
    services = compose["services"]
    found: dict[str, tuple[str, int]] = {}
    for name, value in env.items():
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and parts.hostname in services:
            found[name] = (parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    return found
