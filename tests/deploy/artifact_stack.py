"""The packaged artifact, run as Lambda would run it: unzipped alone, boto3 the only site-package.

1. ``make package ARCH=x86_64`` (this machine's architecture) for the worker interpreter's Python;
2. the zip unzipped into an empty ``backend/`` next to a copy of template.yaml (CodeUri: backend/);
3. a fresh venv with only the locked boto3 closure (what Lambda's python3.12 runtime provides);
4. ``emulator serve`` on that template with its workers on that venv's interpreter.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from deploy.package import PackageSpec, build
from deploy.requirements import find_uv, locked_runtime_sdk
from emulator.launcher import run_serve, serve_argv
from scripts.uv_venv import create_venv

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_RUNTIME = "3.12"


@dataclass(frozen=True)
class WorkerPython:
    path: str
    version: str  # "3.12"


def find_worker_python() -> WorkerPython:
    """A python3.12 (the template's runtime) if this machine has one, else this interpreter.

    Looked for: $LAMBDA_PYTHON, what ``uv python find 3.12`` finds, pyenv's installs.
    """
    candidates = [os.environ.get("LAMBDA_PYTHON", "")]
    found = subprocess.run(
        [find_uv(), "python", "find", TEMPLATE_RUNTIME], capture_output=True, text=True, check=False
    )
    if found.returncode == 0:
        candidates.append(found.stdout.strip())
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/{TEMPLATE_RUNTIME}*/bin/python{TEMPLATE_RUNTIME}"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return WorkerPython(candidate, TEMPLATE_RUNTIME)
    return WorkerPython(sys.executable, f"{sys.version_info.major}.{sys.version_info.minor}")


def build_x86_64_artifact(out_dir: Path, python_version: str) -> Path:
    spec = PackageSpec(
        project_dir=REPO_ROOT,
        code_dir=REPO_ROOT / "backend",
        out_dir=out_dir,
        architecture="x86_64",
        python_version=python_version,
    )
    return build(spec).path


def unzip_next_to_template(zip_path: Path, app_dir: Path) -> Path:
    """``app_dir/backend/`` = the zip's content only; ``app_dir/template.yaml`` = the template."""
    code_dir = app_dir / "backend"
    code_dir.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(code_dir)
    shutil.copy(REPO_ROOT / "template.yaml", app_dir / "template.yaml")
    return app_dir / "template.yaml"


def sdk_only_venv(venv_dir: Path, python: WorkerPython) -> str:
    """A venv whose only packages are boto3 and its dependencies, at the locked versions."""
    return str(create_venv(find_uv(), python.path, venv_dir, locked_runtime_sdk(REPO_ROOT / "uv.lock")))


@contextlib.contextmanager
def serve_artifact(template: Path, worker_python: str, log_path: Path) -> Iterator[str]:
    """Run serve on ``template`` with workers on ``worker_python``; yield its root URL."""
    command = serve_argv(
        "--lambda-python",
        worker_python,
        "--port",
        "0",
        "--no-reload",
        "--template",
        str(template),
        "--env-vars",
        str(REPO_ROOT / "env.local.json"),
        "--env-vars",
        str(REPO_ROOT / "tests" / "integration" / "env.json"),
        python=str(REPO_ROOT / ".venv" / "bin" / "python"),
    )
    with run_serve(command, log_path=log_path, cwd=REPO_ROOT) as running:
        yield running.root_url
