"""The function's third-party requirements, from uv.lock, minus what the Lambda runtime provides.

boto3, deliberately, comes from the runtime (the python3.12 managed runtime ships boto3 and
botocore in /var/runtime, after /var/task on sys.path): the backend only calls DynamoDB and
Secrets Manager operations that have been stable for years, and leaving boto3 out keeps the
zip ~3x smaller (botocore alone is ~14 MB zipped, more than the rest together), so deploys and
cold starts stay fast. The price is that AWS picks the boto3 version; ``--bundle-boto3`` (``make
package BOTO3=bundle``) pins the locked one in the zip instead, as AWS recommends for full control
(https://docs.aws.amazon.com/lambda/latest/dg/python-package.html). Only packages that nothing
but boto3 needs are left out (jmespath, also a Powertools dependency, stays in at its locked
version: /var/task wins over /var/runtime, and botocore works with it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from deploy.errors import DeployError

RUNTIME_PROVIDED_ROOT = "boto3"


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _lock_graph(lock_path: Path) -> tuple[dict[str, set[str]], set[str]]:
    """``{package: its dependencies}`` and the project's own runtime dependencies, from uv.lock."""
    try:
        lock = tomllib.loads(lock_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DeployError(f"{lock_path}: cannot read the lock file: {exc}") from None
    graph: dict[str, set[str]] = {}
    roots: set[str] = set()
    for package in lock.get("package", []):
        name = _normalise(package["name"])
        graph[name] = {_normalise(dep["name"]) for dep in package.get("dependencies", [])}
        if (
            package.get("source", {}).get("virtual") == "."
            or package.get("source", {}).get("editable") == "."
        ):
            roots = graph[name]
    if not roots:
        raise DeployError(f"{lock_path}: the project itself is not in the lock file")
    return graph, roots


def _closure(graph: dict[str, set[str]], starts: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    return seen


def runtime_provided_packages(lock_path: Path) -> set[str]:
    """boto3 and the packages only it needs (botocore, s3transfer, urllib3...), per the lock."""
    graph, roots = _lock_graph(lock_path)
    if RUNTIME_PROVIDED_ROOT not in roots:
        return set()
    boto3_closure = _closure(graph, {RUNTIME_PROVIDED_ROOT})
    needed_by_others = _closure(graph, roots - {RUNTIME_PROVIDED_ROOT})
    return boto3_closure - needed_by_others


def locked_runtime_sdk(lock_path: Path) -> list[str]:
    """``name==version`` of boto3 and everything it needs, as locked: what Lambda's runtime provides."""
    lock = tomllib.loads(lock_path.read_text(encoding="utf-8"))
    graph, _roots = _lock_graph(lock_path)
    versions = {_normalise(p["name"]): p["version"] for p in lock.get("package", []) if "version" in p}
    return sorted(f"{name}=={versions[name]}" for name in _closure(graph, {RUNTIME_PROVIDED_ROOT}))


def find_uv() -> str:
    """The uv next to this interpreter (the venv's, a dev dependency), else the one on PATH."""
    beside = Path(sys.executable).parent / "uv"
    if beside.exists():
        return str(beside)
    found = shutil.which("uv")
    if found is None:
        raise DeployError("uv not found: run `make venv` (it installs uv into .venv)")
    return found


def export_requirements(project_dir: Path, out: Path, *, bundle_boto3: bool, uv: str | None = None) -> Path:
    """Write the function's pinned, hashed requirements (``uv export --frozen``) to ``out``."""
    excluded = set() if bundle_boto3 else runtime_provided_packages(project_dir / "uv.lock")
    command = [
        uv or find_uv(),
        "export",
        "--frozen",  # exactly uv.lock; fail rather than re-resolve
        "--no-default-groups",  # the function's dependencies only, not the emulator's or dev tools
        "--no-emit-project",
        "--format",
        "requirements-txt",
        "--output-file",
        str(out),
        *(arg for name in sorted(excluded) for arg in ("--no-emit-package", name)),
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(command, cwd=project_dir, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DeployError(f"uv export failed: {done.stderr.strip().splitlines()[-1:]}")
    return out
