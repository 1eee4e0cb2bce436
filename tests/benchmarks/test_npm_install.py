"""make bench's npm install says what it installs, then how far it got, then that it is done."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.npm_install import npm_install_command, run_with_progress

# What `npm install --loglevel=http` prints: one line per registry fetch.
FAKE_NPM = """
import sys
for i in range(3):
    print(f"npm http fetch GET 200 https://registry.npmjs.org/pkg{i} 12ms (cache miss)", flush=True)
if len(sys.argv) > 1:
    print("npm ERR! code E404", flush=True)
    sys.exit(int(sys.argv[1]))
"""


def test_the_install_is_announced_counted_and_closed(tmp_path: Path) -> None:
    said: list[str] = []
    run_with_progress(
        [sys.executable, "-c", FAKE_NPM], cwd=tmp_path, what="serverless-offline@12.0.4", say=said.append
    )
    assert (
        said[0] == f"  installing serverless-offline@12.0.4 from npm into {tmp_path} (once; about 40 s) ..."
    )
    assert said[-1].startswith("  installed serverless-offline@12.0.4: 3 packages fetched in ")


def test_progress_lines_come_while_it_runs(tmp_path: Path) -> None:
    # The fake install runs until the test has seen a progress line (no fixed duration).
    seen = tmp_path / "seen"
    waits = (
        "import os, time\n"
        "print('npm http fetch GET 200 x', flush=True)\n"
        f"while not os.path.exists({str(seen)!r}):\n"
        "    time.sleep(0.01)\n"
    )
    said: list[str] = []

    def say(line: str) -> None:
        said.append(line)
        if line.startswith("  ... "):
            seen.touch()

    run_with_progress([sys.executable, "-c", waits], cwd=tmp_path, what="x", every_s=0.05, say=say)
    progress = [line for line in said if line.startswith("  ... ")]
    assert progress, said
    assert all(line.endswith(" s") and "packages fetched" in line for line in progress)


def test_npms_errors_are_shown_and_a_failure_raises(tmp_path: Path) -> None:
    said: list[str] = []
    with pytest.raises(subprocess.CalledProcessError):
        run_with_progress([sys.executable, "-c", FAKE_NPM, "1"], cwd=tmp_path, what="x", say=said.append)
    assert "  npm: npm ERR! code E404" in said


def test_npm_runs_at_the_level_that_shows_each_fetch() -> None:
    assert npm_install_command(["a@1"]) == [
        "npm", "install", "--no-audit", "--no-fund", "--loglevel=http", "a@1",
    ]  # fmt: skip
