"""The shim bench's load generator runs on a CPU of its own (Linux, two CPUs or more)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from benchmarks.shim import PIN, _pinned, load_generator_cpu

SHOW_CPUS = "import json, os; print(json.dumps(sorted(os.sched_getaffinity(0))))"


def test_the_load_generator_may_run_only_on_its_cpu_and_the_shim_on_all() -> None:
    cpus = sorted(os.sched_getaffinity(0))
    pinned = json.loads(
        subprocess.run(
            _pinned([sys.executable, "-c", SHOW_CPUS]), capture_output=True, text=True, check=True
        ).stdout
    )
    cpu = load_generator_cpu()
    if PIN and len(cpus) > 1:  # the machines this runs on (CI: 2 cores) have taskset: util-linux
        assert cpu == cpus[-1]
        assert pinned == [cpu]
    else:  # BENCH_SHIM_PIN=0, or one CPU: left to the scheduler
        assert cpu is None
        assert pinned == cpus
    # Only the load generator is pinned: this process (and the shim it starts) keeps every CPU.
    assert sorted(os.sched_getaffinity(0)) == cpus
