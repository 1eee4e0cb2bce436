"""The packaged zip is all a function needs: unzipped alone, with boto3 as the only site-package
(as on Lambda's python3.12 runtime), it passes the whole integration suite.

x86_64 here (this machine's architecture; the arm64 zip is checked by its wheel tags in
test_package.py). Workers run on a python3.12 when the machine has one (the template's runtime),
else on this interpreter with a zip built for it; the test prints which.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.artifact_stack import (
    REPO_ROOT,
    build_x86_64_artifact,
    find_worker_python,
    sdk_only_venv,
    serve_artifact,
    unzip_next_to_template,
)
from tests.integration.limits import suite_limit_options


@pytest.mark.artifact_check
def test_unzipped_artifact_passes_the_integration_suite(tmp_path: Path) -> None:
    worker = find_worker_python()
    print(f"workers: {worker.path} (Python {worker.version})")
    zip_path = build_x86_64_artifact(tmp_path / "build", worker.version)
    template = unzip_next_to_template(zip_path, tmp_path / "app")
    venv_python = sdk_only_venv(tmp_path / "venv", worker)

    # The workers' interpreter sees only the standard library and the SDK: none of the
    # function's own dependencies, so every import of theirs must come from the zip.
    probe = subprocess.run(
        [
            venv_python,
            "-c",
            "import importlib.util as u, boto3; "
            "print(sorted(m for m in ('jwt', 'bcrypt', 'cryptography', 'aws_lambda_powertools', "
            "'auth_service', 'flask', 'moto', 'emulator') if u.find_spec(m)))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert probe.stdout.strip() == "[]"

    with serve_artifact(template, venv_python, tmp_path / "serve-stderr.log") as root_url:
        suite = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "tests/integration",
                "-q",
                "-p",
                "no:cacheprovider",
                "--sam-base-url",
                f"{root_url}/prod",
                *suite_limit_options(),  # the artifact's stack runs with the suite's env.json
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    print(suite.stdout[-4000:])
    assert suite.returncode == 0, f"integration suite failed against the artifact:\n{suite.stdout[-6000:]}"
    # The functions really ran from the unzipped artifact, on the SDK-only interpreter.
    log = (tmp_path / "serve-stderr.log").read_text(errors="replace")
    assert "START RequestId" in log
