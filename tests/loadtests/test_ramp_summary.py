"""``python -m loadtests --ramp --processes 2`` against the embedded stack, on a tiny staircase.

Two stairs of two seconds (1 then 2 users, no warm-up), run by a Locust master and two worker
processes: the master judges the stairs on its aggregated figures and writes the summary. Asserted:
the console's last line is the summary's path, and the page has the stairs, the plot with the knee
(not reached: the test's budgets file has the fail ratio only, so no latency is judged) and every
endpoint of the run. No figure is asserted. Locust's default master port (5557) is held by the test
meanwhile: a distributed run takes a port of its own, so two runs on one machine do not collide.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from loadtests.stack import REPO_ROOT, LocalStack

TINY_RAMP = {
    "RAMP_START": "1",
    "RAMP_STEP": "1",
    "RAMP_MAX": "2",
    "RAMP_STEP_SECONDS": "2",
    "RAMP_WARMUP_SECONDS": "0",
    "RAMP_SPAWN_RATE": "5",
}

LOCUST_DEFAULT_MASTER_PORT = 5557


@contextlib.contextmanager
def _port_taken(port: int) -> Iterator[None]:
    """``port`` unavailable meanwhile: held here, or already taken by another process."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        with contextlib.suppress(OSError):  # taken already: just as unavailable to Locust
            holder.bind(("", port))
            holder.listen()
        yield


def test_a_distributed_ramp_writes_one_summary_with_the_stairs_and_the_knee(
    stack: LocalStack, tmp_path: Path
) -> None:
    budgets = tmp_path / "budgets.toml"
    budgets.write_text("max_fail_ratio = 0.0\n")
    command = [sys.executable, "-m", "loadtests", "--ramp", "--host", stack.base_url, "--processes", "2"]
    command += ["--budgets", str(budgets), "--reports-dir", str(tmp_path / "reports")]
    command += ["--think-time-scale", "0.05"]  # to Locust: requests in a two-second stair
    with _port_taken(LOCUST_DEFAULT_MASTER_PORT):
        env = {**os.environ, **TINY_RAMP}
        done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=180)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    (report_dir,) = (tmp_path / "reports").iterdir()
    page = report_dir / "summary.html"
    assert done.stdout.rstrip().splitlines()[-1] == f"Summary: {page}"
    html = page.read_text()
    assert "<h1>Ramp summary</h1>" in html
    verdict = "KNEE: not reached; 2 users (the last stair) stayed within the budgets."
    assert f'<p class="verdict pass" id="verdict">{verdict}</p>' in html
    assert '<table id="stairs">' in html
    assert html.count('<table id="stair-') == 2  # one per-endpoint table per stair
    assert '<figure id="ramp-chart"><svg' in html
    assert "knee not reached (2 users within budgets)" in html  # the plot's knee marker
    # Links to Locust's own report and CSV, relative: the folder can be moved or attached.
    assert '<a href="report.html">Locust&#x27;s report</a>' in html
    assert '<a href="locust_stats.csv">statistics CSV</a>' in html
    # Every endpoint of the master's per-endpoint table on the console is on the page.
    table = done.stdout.split("Per-endpoint summary", 1)[1].split("\n\n", 1)[0].splitlines()[3:-2]
    endpoints = [" ".join(line.split()[:2]) for line in table]
    assert endpoints, output[-4000:]
    for endpoint in endpoints:
        assert f"<td>{endpoint}</td>" in html, f"{endpoint} not in the summary"
