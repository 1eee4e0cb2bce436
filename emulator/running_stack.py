"""How a running ``serve`` is found by the commands that need it (``idp-token``, ``invoke``).

``serve --data-dir DIR`` (``make up``: ``.localdata``) writes ``DIR/serve.json`` --
``{"url", "awsEndpoint", "pid"}`` -- once it answers, and removes it when it stops. A command
looks in its ``--data-dir`` (default ``.localdata``, as ``make up``) and believes the file only if
that URL answers ``/_emulator/health``: a file left by a killed serve is ignored. The embedded
AWS endpoint alone has its own file (``DIR/aws/endpoint.json``, :mod:`emulator.aws.layout`).

This module imports nothing heavy: ``serve`` writes the file on its start-up path.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from emulator.aws.layout import DEFAULT_DATA_DIR

STATE_FILE = "serve.json"


@dataclass(frozen=True)
class RunningStack:
    url: str  # http://HOST:PORT, no stage
    aws_endpoint: str
    state_file: Path


def state_file(data_dir: Path) -> Path:
    return data_dir / STATE_FILE


def advertise(data_dir: Path | None, url: str, aws_endpoint: str) -> None:
    """Say where this serve answers (nothing without a data dir: then nobody can look)."""
    if data_dir is None:
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    path = state_file(data_dir)
    tmp = path.with_name(f".{STATE_FILE}.{os.getpid()}")
    tmp.write_text(json.dumps({"url": url, "awsEndpoint": aws_endpoint, "pid": os.getpid()}) + "\n")
    os.replace(tmp, path)


def withdraw(data_dir: Path | None) -> None:
    """Remove this process's file (not one a later serve on the same data dir wrote)."""
    if data_dir is None:
        return
    path = state_file(data_dir)
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass


def find_running_stack(data_dir: Path = DEFAULT_DATA_DIR) -> RunningStack | None:
    """The serve advertised in ``data_dir`` if it answers, else None."""
    from emulator.http_json import Unreachable, request_json

    path = state_file(data_dir)
    try:
        state = json.loads(path.read_text())
        url, aws_endpoint = str(state["url"]), str(state["awsEndpoint"])
        request_json(url + "/_emulator/health", timeout_s=2)
    except (OSError, ValueError, KeyError, TypeError, Unreachable):
        return None
    return RunningStack(url=url, aws_endpoint=aws_endpoint, state_file=path)


def root_url(url: str) -> str:
    """``http://HOST:PORT`` of any URL of the stack: a stage URL (``.../prod``) or a route's."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"expected an http(s) URL such as http://127.0.0.1:3000/prod, got {url!r}")
    return f"{parts.scheme}://{parts.netloc}"
