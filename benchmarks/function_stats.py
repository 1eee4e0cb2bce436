"""What the functions page's counters cost an invocation: the runtime with and without them.

The dashboard's functions page shows each function's invocations, errors and p50/p99 since
start; the runtime counts them per invocation (``count_invocations``: on with the dashboard, off
with ``--no-dashboard``). Here the same warm echo invocation runs through two runtimes, one
counting and one not, in short alternating blocks; the figure is the CPU time of this process
(the caller's side: the event loop that awaits the answer, where the counting happens) per
invocation, the median of the blocks: on a shared machine far steadier than latency. The worker
process's own CPU is the same in both and is left out.

Budget: the counters cost at most 5 % of the caller's CPU per invocation (the issue's budget for
everything the dashboard records), measured in the same run.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

import uvloop

from benchmarks.runtime import HANDLERS, proxy_event
from emulator import log
from emulator.lambda_runtime import FunctionConfig, ProcessLambdaRuntime

BLOCKS = int(os.environ.get("BENCH_STATS_BLOCKS", "60"))  # per runtime, alternating
CALLS = int(os.environ.get("BENCH_STATS_CALLS", "500"))  # per block
CASES = (("off", "counters off (--no-dashboard)"), ("on", "counters on (the dashboard)"))


def run() -> dict[str, Any]:
    event = proxy_event()
    runtimes = {
        key: ProcessLambdaRuntime(
            [FunctionConfig(name="Echo", handler="echo.handler", code_dir=HANDLERS)],
            max_workers=1,
            hot_reload=False,
            count_invocations=key == "on",
        )
        for key, _ in CASES
    }
    blocks: dict[str, list[float]] = {key: [] for key, _ in CASES}
    try:
        with open(os.devnull, "w") as devnull:
            log.configure("info", stream=devnull)  # the function log is written, as serve writes it
            for runtime in runtimes.values():
                runtime.invoke("Echo", event)  # the cold start out of the way
            for _ in range(BLOCKS):  # short alternating blocks: the machine's load drifts alike for both
                for key, runtime in runtimes.items():
                    blocks[key].append(uvloop.run(_cpu_per_call(runtime, event)))
    finally:
        for runtime in runtimes.values():
            runtime.close()

    best = {key: statistics.median(values) for key, values in blocks.items()}
    print(f"  warm echo, median of {BLOCKS} alternating blocks of {CALLS:,} invocations each:")
    for key, label in CASES:
        print(f"    {label:<32} caller CPU {best[key]:6.1f} us per invocation")
    ratio = best["on"] / best["off"]
    print(f"    difference: {best['on'] - best['off']:+.2f} us ({(ratio - 1) * 100:+.1f} %)")
    return {
        "cpu_us_per_invocation": {key: round(value, 2) for key, value in best.items()},
        "budgets": [
            {
                "name": "caller CPU per invocation, counters on vs off (same run)",
                "value": f"{ratio:.3f}x",
                "limit": "<= 1.05x",
                "ok": ratio <= 1.05,
            }
        ],
    }


async def _cpu_per_call(runtime: ProcessLambdaRuntime, event: dict[str, Any]) -> float:
    started = time.process_time()
    for _ in range(CALLS):
        await runtime.call_async("Echo", event)
    return (time.process_time() - started) / CALLS * 1e6
