"""serve's start-up check: each function's INIT runs once; one that cannot start is one line."""

from __future__ import annotations

import logging
from pathlib import Path

from emulator.lambda_runtime.api import InvocationError
from emulator.lambda_runtime.startup_check import cannot_start_line, check_functions

from .conftest import function

MODULES = {
    "ok.py": "def handler(event, context):\n    return {'ok': True}\n",
    "refuses.py": (
        "raise RuntimeError('Refusing to start: insecure configuration for STAGE=prod:\\n"
        "  GOOGLE_JWKS_URL=http://127.0.0.1:3000/jwks.json')\n"
    ),
    "exits.py": "import sys\nsys.exit(3)\n",
}


def _code(tmp_path: Path) -> Path:
    for name, source in MODULES.items():
        (tmp_path / name).write_text(source)
    return tmp_path


def test_a_function_that_cannot_start_is_one_line_with_its_error(start_runtime, tmp_path, caplog) -> None:
    code = _code(tmp_path)
    runtime = start_runtime(
        function("Ok", "ok.handler", code_dir=code),
        function("Refuses", "refuses.handler", code_dir=code),
        function("Exits", "exits.handler", code_dir=code),
    )
    functions = [("Ok", "OkFunction (Ok)"), ("Refuses", "RefusesFunction (Refuses)"), ("Exits", "Exits")]
    with caplog.at_level(logging.ERROR, logger="emulator.serve"):
        lines = check_functions(runtime, functions)
    assert lines[0] == (
        "error: function RefusesFunction (Refuses) cannot start: RuntimeError: Refusing to start: "
        "insecure configuration for STAGE=prod: GOOGLE_JWKS_URL=http://127.0.0.1:3000/jwks.json"
    )
    assert lines[1].startswith("error: function Exits cannot start: Runtime.ExitError: ")
    assert len(lines) == 2  # nothing for the function that starts
    assert [r.getMessage() for r in caplog.records] == lines
    # The checked worker stays warm: the first request runs on it.
    (checked,) = runtime.worker_pids("Ok")
    assert runtime.invoke("Ok", {}).payload == {"ok": True}
    assert runtime.worker_pids("Ok") == [checked]


def test_a_closed_runtime_is_not_reported(start_runtime, tmp_path) -> None:
    runtime = start_runtime(function("Refuses", "refuses.handler", code_dir=_code(tmp_path)))
    runtime.close()
    assert check_functions(runtime, [("Refuses", "Refuses")]) == []


def test_the_line_is_one_line_whatever_the_message() -> None:
    error = InvocationError("InitError", "ValueError", "first\n  second\tthird")
    assert cannot_start_line("F", error) == "error: function F cannot start: ValueError: first second third"
