"""The CLI imports only the module of the command being run (start-up time of ``serve``)."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

from emulator import cli


def _commands_of(module_name: str) -> set[str]:
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers(dest="command")
    importlib.import_module(module_name).register(subparsers)
    return set(subparsers.choices)


def test_every_registered_command_is_in_the_table_with_its_module():
    for module_name in cli.COMMAND_MODULES:
        for command in _commands_of(module_name):
            assert cli.COMMAND_NAMES.get(command) == module_name, command


def test_the_table_names_no_command_that_does_not_exist():
    registered = {c: m for m in cli.COMMAND_MODULES for c in _commands_of(m)}
    assert set(cli.COMMAND_NAMES) == set(registered)


def test_serve_help_imports_neither_flask_nor_the_http_server_nor_moto():
    code = (
        "import sys\n"
        "from emulator import cli\n"
        "try:\n"
        "    cli.main(['serve', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('flask', 'httptools', 'uvloop', 'moto', 'boto3') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
