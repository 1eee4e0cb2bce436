"""Snapshot files: the portable state document (:mod:`.portable_state`) behind a checked header.

``snapshot-<G>.json`` holds one header line, then the document::

    {"format": "emulator-aws-snapshot", "generation": G, "length": N, "sha256": "..."}
    {"format": "emulator-aws-state", "version": 1, ...}      <- N bytes

A snapshot is written to a temporary file, fsync'd and renamed into place, so it is whole or
absent; the length and SHA-256 catch what happens to it afterwards (a disk error, an edit), and
such a file is refused with its name rather than loaded half-right. The document after the
header is exactly what ``python -m emulator export`` writes, so an export can become a snapshot.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from emulator.aws.portable_state import StateError, check_document
from emulator.errors import UserError

HEADER_FORMAT = "emulator-aws-snapshot"


@dataclass(frozen=True)
class Snapshot:
    generation: int
    document: dict[str, Any] | None = None  # the portable state
    legacy_payload: dict[str, Any] | None = None  # a pickled snapshot's (to migrate)


def encode_document(document: dict[str, Any]) -> bytes:
    return orjson.dumps(document)


def write(path: Path, generation: int, body: bytes) -> None:
    """Write atomically: a snapshot file is complete or absent."""
    header = {
        "format": HEADER_FORMAT,
        "generation": generation,
        "length": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    with tmp.open("wb") as f:
        f.write(orjson.dumps(header) + b"\n")
        f.write(body)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def read(path: Path) -> Snapshot:
    """The snapshot in ``path``; UserError naming the file if it is damaged."""
    data = path.read_bytes()
    newline = data.find(b"\n")
    try:
        header = orjson.loads(data[:newline]) if newline > 0 else None
    except orjson.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != HEADER_FORMAT:
        raise _damaged(path, "its header line is not a snapshot header")
    body = data[newline + 1 :]
    if len(body) != header.get("length"):
        raise _damaged(path, f"it holds {len(body)} bytes of state, its header says {header.get('length')}")
    if hashlib.sha256(body).hexdigest() != header.get("sha256"):
        raise _damaged(path, "its SHA-256 does not match (its bytes changed after it was written)")
    try:
        document = check_document(orjson.loads(body), str(path))
    except (orjson.JSONDecodeError, StateError) as exc:
        raise _damaged(path, str(exc)) from None
    return Snapshot(int(header["generation"]), document)


def _damaged(path: Path, why: str) -> UserError:
    return UserError(
        f"{path} is damaged: {why}. It is left as it is. To go on, restore it from a backup or "
        f"start from an export (`python -m emulator import FILE --data-dir {path.parent.parent}`), "
        "or wipe the data dir (`python -m emulator reset`)"
    )


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
