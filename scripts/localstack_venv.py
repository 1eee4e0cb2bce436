"""LocalStack's own venv (``.venv-localstack``), built on first use by ``make test-targets``.

LocalStack 4.14.0 (docker-compose.yml's image pin) runs here as a plain process, without Docker. It
needs Python 3.12 or newer, although its package claims 3.10: several of its modules use 3.12
syntax, and on 3.11 Lambda, KMS, STS, S3 and EventBridge fail to load. Its image runs 3.13, which
its pins (``scripts/localstack_constraints.txt``) were compiled for, so 3.13 is preferred, then
3.12. The interpreter is looked for, in this order:

1. ``$LOCALSTACK_PYTHON``, when set (the user's choice; an unusable one is an error, not passed over);
2. ``python3.13``, ``python3.12`` on ``PATH``;
3. pyenv's versions (``$PYENV_ROOT``, default ``~/.pyenv``), which its shims hide unless selected;
4. a Python uv manages (``uv python install 3.13``), found by ``uv python find`` without downloads.

The venv is made with uv (from the project's venv) and gets ``localstack-core[runtime]`` with the
committed constraints; a stamp holding the constraints' digest says it is complete and current.

    python scripts/localstack_venv.py [--find]   # build (or check) the venv; --find: print the Python
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a script: the repo's packages are importable
    sys.path.insert(0, str(REPO_ROOT))

from scripts.uv_venv import create_venv  # noqa: E402

VENV = REPO_ROOT / ".venv-localstack"
CONSTRAINTS = REPO_ROOT / "scripts" / "localstack_constraints.txt"
STAMP_NAME = ".synced"
PACKAGE = "localstack-core[runtime]"
SUPPORTED = ((3, 13), (3, 12))  # preferred first
UV = REPO_ROOT / ".venv" / "bin" / "uv"
HOW_TO_GET_ONE = (
    "install Python 3.13 (macOS: `brew install python@3.13`; any system: `uv python install 3.13` "
    "or `pyenv install 3.13`), or point LOCALSTACK_PYTHON at one, then run `make test-targets` again"
)
_PROBE = "import sys, ssl; print('%d.%d' % sys.version_info[:2])"


class NoSuitablePython(RuntimeError):
    """No Python 3.12/3.13 on this machine; the message says how to get one."""


def localstack_version(constraints: Path = CONSTRAINTS) -> str:
    for line in constraints.read_text(encoding="utf-8").splitlines():
        if line.startswith("localstack-core=="):
            return line.split("==", 1)[1].strip()
    raise ValueError(f"{constraints}: no localstack-core== pin")


def _version_of(python: str) -> tuple[int, int] | None:
    """``(major, minor)`` of a working interpreter with ssl (LocalStack serves HTTPS too); else None."""
    try:
        completed = subprocess.run(
            [python, "-c", _PROBE], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if completed.returncode != 0:
        return None  # e.g. a pyenv shim of a version that is not selected
    major, _, minor = completed.stdout.strip().partition(".")
    return (int(major), int(minor)) if major.isdigit() and minor.isdigit() else None


def _pyenv_pythons(env: Mapping[str, str]) -> Iterator[str]:
    root = Path(env.get("PYENV_ROOT") or Path(env.get("HOME", "~")).expanduser() / ".pyenv")
    for major, minor in SUPPORTED:
        versions = sorted((root / "versions").glob(f"{major}.{minor}.*"), reverse=True)
        for version in versions:
            if version.name.replace(".", "").isdigit():  # 3.13.0, not 3.13.0t or 3.13-dev
                yield str(version / "bin" / f"python{major}.{minor}")


def _uv_managed_pythons(env: Mapping[str, str]) -> Iterator[str]:
    if not UV.exists():
        return
    for major, minor in SUPPORTED:
        completed = subprocess.run(
            [str(UV), "python", "find", "--no-python-downloads", f"{major}.{minor}"],
            capture_output=True,
            text=True,
            env={**env, "UV_PYTHON_DOWNLOADS": "never"},
            timeout=60,
            check=False,
        )
        if completed.returncode == 0 and completed.stdout.strip():
            yield completed.stdout.strip()


def candidates(env: Mapping[str, str]) -> Iterator[str]:
    """Interpreters to try, in order (see the module's docstring); duplicates are harmless."""
    for major, minor in SUPPORTED:
        found = shutil.which(f"python{major}.{minor}", path=env.get("PATH"))
        if found:
            yield found
    yield from _pyenv_pythons(env)
    yield from _uv_managed_pythons(env)


def find_python(env: Mapping[str, str] | None = None) -> str:
    """A Python LocalStack runs on; NoSuitablePython (saying how to get one) when there is none."""
    env = os.environ if env is None else env
    chosen = env.get("LOCALSTACK_PYTHON")
    if chosen:
        if _version_of(chosen) not in SUPPORTED:
            raise NoSuitablePython(
                f"LOCALSTACK_PYTHON={chosen} is not a working Python 3.12 or 3.13 with ssl: {HOW_TO_GET_ONE}"
            )
        return chosen
    for python in candidates(env):
        if _version_of(python) in SUPPORTED:
            return python
    raise NoSuitablePython(
        f"LocalStack {localstack_version()} needs Python 3.12 or 3.13 and none was found "
        f"(PATH, pyenv, uv's managed Pythons): {HOW_TO_GET_ONE}"
    )


def constraints_digest(constraints: Path = CONSTRAINTS) -> str:
    return hashlib.sha256(constraints.read_bytes()).hexdigest()


def venv_python(venv: Path = VENV) -> Path:
    return venv / "bin" / "python"


def python_version(venv: Path = VENV) -> str:
    """The venv's Python version, as its ``pyvenv.cfg`` records it (``?`` if it does not)."""
    try:
        lines = (venv / "pyvenv.cfg").read_text(encoding="utf-8").splitlines()
    except OSError:
        return "?"
    for line in lines:
        key, _, value = line.partition("=")
        if key.strip() in ("version_info", "version"):
            return value.strip()
    return "?"


def is_current(venv: Path = VENV, constraints: Path = CONSTRAINTS) -> bool:
    stamp = venv / STAMP_NAME
    return (
        venv_python(venv).exists()
        and stamp.exists()
        and stamp.read_text(encoding="utf-8").strip() == constraints_digest(constraints)
    )


def ensure_venv(venv: Path = VENV, constraints: Path = CONSTRAINTS, *, log: bool = True) -> Path:
    """The venv's Python, after building the venv if it is missing or its constraints changed."""
    if is_current(venv, constraints):
        return venv_python(venv)
    python = find_python()
    if log:
        print(
            f"--- building {venv.name} (LocalStack {localstack_version(constraints)}, {python}) ...",
            flush=True,
        )
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    uv = str(UV) if UV.exists() else "uv"
    create_venv(uv, python, venv, [PACKAGE], constraints=constraints, env=env)
    (venv / STAMP_NAME).write_text(constraints_digest(constraints) + "\n", encoding="utf-8")
    return venv_python(venv)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--find", action="store_true", help="only print the Python the venv would use")
    args = parser.parse_args(argv)
    try:
        print(find_python() if args.find else ensure_venv())
    except NoSuitablePython as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"error: building {VENV.name} failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
