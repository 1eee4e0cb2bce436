"""The shim bench's load generator runs on a CPU of its own, and the dashboard's isolated pair of
servers on the others (Linux, two CPUs or more; elsewhere both are left to the scheduler)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.shim import PIN, DashboardPairs, _pinned, load_generator_cpu, server_cpus

SHOW_CPUS = "import json, os; print(json.dumps(sorted(os.sched_getaffinity(0))))"


def _cpus_of(argv: list[str]) -> list[int]:
    """The CPUs a child started with ``argv`` (then SHOW_CPUS) may run on."""
    shown = subprocess.run(
        [*argv, sys.executable, "-c", SHOW_CPUS], capture_output=True, text=True, check=True
    )
    return json.loads(shown.stdout)


def test_the_load_generator_runs_on_its_cpu_and_the_isolated_servers_on_the_others() -> None:
    if not hasattr(os, "sched_getaffinity"):  # macOS: no CPU affinity to set
        assert (load_generator_cpu(), server_cpus()) == (None, None)
        assert _pinned(["wrk"]) == ["wrk"]
        return
    cpus = sorted(os.sched_getaffinity(0))
    cpu = load_generator_cpu()
    if PIN and len(cpus) > 1:  # the machines this runs on (CI: 2 cores) have taskset: util-linux
        assert cpu == cpus[-1]
        assert _cpus_of(_pinned([])) == [cpu]
        # The isolated pair's commands, as the bench starts them (here with nothing after).
        commands = DashboardPairs([], Path(".")).commands
        assert _cpus_of(commands["shim_iso"]) == _cpus_of(commands["nodash_iso"][:-1]) == cpus[:-1]
        assert _cpus_of(commands["shim"]) == cpus
    else:  # BENCH_SHIM_PIN=0, or one CPU: left to the scheduler
        assert (cpu, server_cpus()) == (None, None)
        assert _cpus_of(_pinned([])) == cpus
        assert "shim_iso" not in DashboardPairs([], Path(".")).commands
    # Only the children are pinned: this process (and the servers it starts) keeps every CPU.
    assert sorted(os.sched_getaffinity(0)) == cpus
