import subprocess
import sys


def test_cli_help_lists_commands():
    out = subprocess.run(
        [sys.executable, "-m", "emulator", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "usage: python -m emulator" in out


def test_cli_without_command_is_a_usage_error():
    proc = subprocess.run([sys.executable, "-m", "emulator"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "COMMAND" in proc.stderr
