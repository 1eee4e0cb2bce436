"""The CLI imports only the command modules it needs to find the command being run: ``serve``'s
start-up must not pay for Flask (the idp commands), the HTTP server or moto before it launches
the AWS endpoint."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("flask", "httptools", "uvloop", "moto", "boto3")


def _heavy_modules_imported_by(argv: list[str]) -> list[str]:
    code = (
        "import sys\n"
        "from emulator import cli\n"
        "try:\n"
        f"    cli.main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return [name for name in out.splitlines()[-1].split(",") if name]


def test_serve_help_imports_neither_flask_nor_the_http_server_nor_moto():
    assert _heavy_modules_imported_by(["serve", "--help"]) == []


def test_the_aws_commands_do_not_load_the_identity_providers_flask():
    assert _heavy_modules_imported_by(["reset", "--help"]) == []


def test_a_command_of_the_last_module_is_found_too():
    proc = subprocess.run(
        [sys.executable, "-m", "emulator", "idp-token", "--help"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "usage: python -m emulator idp-token" in proc.stdout
