"""Running backend code in a child process against the real local stack (embedded DynamoDB).

The child gets a function's environment as ``serve`` gives it (template + env vars + the
embedded endpoint), so the backend's own boto3 clients talk to the stack, exactly as in Lambda.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from emulator.aws import worker_environment
from emulator.template import apply_env_vars, load_app
from loadtests.stack import REPO_ROOT, LocalStack, StackOptions


def function_environment(
    stack: LocalStack, options: StackOptions, function_id: str, env_vars_file: Path
) -> dict[str, str]:
    overrides = dict(option.split("=", 1) for option in options.parameter_overrides())
    overrides = {k: v.replace("{{emulator.url}}", stack.root_url) for k, v in overrides.items()}
    env_vars_file.write_text(json.dumps(options.env_vars()))
    app = apply_env_vars(load_app(REPO_ROOT / "template.yaml", parameter_overrides=overrides), env_vars_file)
    aws = worker_environment(
        endpoint_url=stack.aws_endpoint_url, dynamodb_endpoint_url=None, region="us-east-1"
    )
    return {**app.functions[function_id].environment, **aws}


def run_child(script: Path, environment: dict[str, str], *args: str, **extra_env: str) -> Any:
    """Run ``script`` with the backend on its path; its last stdout line is JSON, returned parsed."""
    env = {**os.environ, **environment, **extra_env, "PYTHONPATH": str(REPO_ROOT / "backend")}
    proc = subprocess.run(
        [sys.executable, str(script), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def http_call(
    stack: LocalStack, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    """One request to the stack's API (``path`` after the stage): (status, parsed JSON body or None)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(stack.base_url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
