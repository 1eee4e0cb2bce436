"""A venv made by uv, with packages installed into it.

Used for LocalStack's own venv (scripts/localstack_venv.py) and for the packaged artifact's venv
holding only the locked boto3 closure (tests/deploy/artifact_stack.py).
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path


def create_venv(
    uv: str,
    python: str,
    venv: Path,
    requirements: Sequence[str],
    *,
    constraints: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Path:
    """``venv`` (made anew if it exists) on ``python`` with ``requirements``; its interpreter."""
    subprocess.run([uv, "venv", "--quiet", "--clear", "--python", python, str(venv)], check=True, env=env)
    venv_python = venv / "bin" / "python"
    constrained = ["-c", str(constraints)] if constraints is not None else []
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(venv_python), *constrained, *requirements],
        check=True,
        env=env,
    )
    return venv_python
