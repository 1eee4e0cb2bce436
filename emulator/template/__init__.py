"""SAM template -> :class:`~emulator.template.model.SamApp` (see ``model.py`` for the shapes)."""

from __future__ import annotations

from emulator.template.env_vars import apply_env_vars, apply_env_vars_files
from emulator.template.loader import load_app
from emulator.template.validate import validate_app

__all__ = ["apply_env_vars", "apply_env_vars_files", "load_app", "validate_app"]
