"""``python -m emulator export FILE`` and ``import FILE``: a data dir's state as one JSON file.

The file is the portable state document (:mod:`.portable_state`), the same one snapshots hold:
tables with their schemas and items, secrets with their versions, SSM parameters, verified SES
identities, sent emails. Like the Firebase emulator's ``--export-on-exit``/``--import``, it lets a
team share seed data and CI start from a fixture.

- ``export`` asks a running endpoint (``GET /_emulator/export``, a consistent capture under its
  lock); with none running it loads the data dir itself, read-only, holding the data dir's lock.
- ``import`` takes the data dir's lock (so it refuses while an endpoint runs on it, even a paused
  one), checks the whole file by loading it into a private endpoint the way a client would write
  it (every item through BatchWriteItem), and only then writes it as the data dir's snapshot. A
  data dir that already holds state is refused unless ``--replace`` is given.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import orjson

from emulator.aws import snapshots
from emulator.aws.layout import (
    DAMAGED_SUFFIX,
    JOURNAL_PREFIX,
    LOCK_FILE,
    SNAPSHOT_PREFIX,
    SNAPSHOT_SUFFIX,
    aws_dir,
    has_saved_state,
    state_file,
)
from emulator.aws.portable_state import StateError, check_document
from emulator.errors import UserError
from emulator.http_json import Unreachable, request_json


def export_state(data_dir: Path, endpoint: str | None) -> dict[str, Any]:
    url = endpoint or running_url(data_dir)
    if url is not None:
        try:
            status, document = request_json(url.rstrip("/") + "/_emulator/export", timeout_s=120)
        except (Unreachable, ValueError) as exc:
            raise UserError(f"cannot reach the embedded AWS endpoint at {url}: {exc}") from None
        if status != 200 or not isinstance(document, dict):
            raise UserError(f"the embedded AWS endpoint at {url} answered the export with HTTP {status}")
        return document
    if not has_saved_state(data_dir):
        raise UserError(f"{data_dir} holds no emulator data (no {aws_dir(data_dir)}/snapshot or journal)")
    return _load_offline(data_dir)


def running_url(data_dir: Path) -> str | None:
    """The URL in the data dir's state file if that endpoint answers, else None."""
    try:
        url = str(json.loads(state_file(data_dir).read_text())["url"])
        request_json(url + "/_emulator/health", timeout_s=2)
    except (OSError, ValueError, KeyError, Unreachable):
        return None  # no file, or a stale one left by a killed endpoint
    return url


def _load_offline(data_dir: Path) -> dict[str, Any]:
    from emulator.aws.endpoint import EmbeddedEndpointApp
    from emulator.aws.persistence import Persistence

    persistence = Persistence(data_dir)  # the lock: no endpoint may start meanwhile
    try:
        app = EmbeddedEndpointApp()
        snapshot, records = persistence.load()
        app.load(snapshot, records)
        with app.lock:
            return app.capture()
    finally:
        persistence.close()


def write_export(document: dict[str, Any], path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    os.replace(tmp, path)


def read_export(path: Path) -> dict[str, Any]:
    try:
        document = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise UserError(f"{path} is not JSON: {exc}") from None
    try:
        return check_document(document, str(path))
    except StateError as exc:
        raise UserError(str(exc)) from None


def import_state(path: Path, data_dir: Path, *, replace: bool) -> dict[str, int]:
    """Make ``path``'s state the data dir's; returns what it holds (tables, items, secrets...)."""
    from emulator.aws.persistence import exclusive_lock

    document = read_export(path)
    root = aws_dir(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    lock = exclusive_lock(root / LOCK_FILE, data_dir)
    try:
        if has_saved_state(data_dir) and not replace:
            raise UserError(
                f"{data_dir} already holds data; pass --replace to replace it with {path}, "
                f"or `python -m emulator reset --data-dir {data_dir}` first"
            )
        checked = _check_by_loading(document, path)
        generation = _next_generation(root)
        body = snapshots.encode_document(checked)
        snapshots.write(root / f"{SNAPSHOT_PREFIX}{generation:08d}{SNAPSHOT_SUFFIX}", generation, body)
        for old in root.iterdir():  # what the new snapshot replaces (written and fsync'd by now)
            replaced = (
                old.name.startswith((SNAPSHOT_PREFIX, JOURNAL_PREFIX)) and _generation_of(old) < generation
            )
            if replaced and not old.name.endswith(DAMAGED_SUFFIX):  # a damaged journal's copy stays
                old.unlink()
    finally:
        lock.close()
    return summary(checked)


def _check_by_loading(document: dict[str, Any], path: Path) -> dict[str, Any]:
    """The document as an endpoint holds it after loading it as a client would write it."""
    from emulator.aws.endpoint import EmbeddedEndpointApp

    app = EmbeddedEndpointApp()
    try:
        app.restore(document, validate=True)
    except (StateError, KeyError, TypeError, ValueError) as exc:
        raise UserError(f"{path} cannot be imported: {exc}") from None
    with app.lock:
        return app.capture()


def _generation_of(path: Path) -> int:
    digits = path.name.split("-", 1)[1].split(".", 1)[0]
    return int(digits) if digits.isdigit() else -1


def _next_generation(root: Path) -> int:
    found = [
        _generation_of(p) for p in root.iterdir() if p.name.startswith((SNAPSHOT_PREFIX, JOURNAL_PREFIX))
    ]
    return max(found, default=-1) + 1


def summary(document: dict[str, Any]) -> dict[str, int]:
    tables = document.get("dynamodb", {}).get("tables", [])
    return {
        "tables": len(tables),
        "items": sum(len(t.get("items") or []) for t in tables),
        "secrets": len(document.get("secretsmanager", {}).get("secrets", [])),
        "parameters": len(document.get("ssm", {}).get("parameters", [])),
        "emails": len(document.get("sentEmails") or []),
    }


def describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {what if n != 1 else what.rstrip('s')}" for what, n in counts.items())
