from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.emulator.fixtures import TEMPLATES

FIXTURES = TEMPLATES


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def write_template(tmp_path: Path) -> Callable[..., Path]:
    """Write a template (dedented) plus handler modules into tmp_path; return the template path."""

    def write(text: str, *, name: str = "template.yaml", modules: dict[str, str] | None = None) -> Path:
        for relative, code in (modules or {}).items():
            module_path = tmp_path / relative
            module_path.parent.mkdir(parents=True, exist_ok=True)
            module_path.write_text(code or "def handler(event, context):\n    return {}\n")
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return path

    return write
