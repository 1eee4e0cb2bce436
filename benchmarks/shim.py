"""The shim's cost: an echo handler through ``python -m emulator serve`` vs called in-process.

Both HTTP fronts of the one gateway core are measured side by side: the asyncio server (the
default, "shim" below) and the Flask app on Werkzeug's threaded server (``serve --server flask``,
"flask"; Werkzeug closes the connection after each answer, so its clients reconnect every time).
Figures: p50/p99 latency and req/s at 1 and 8 concurrent keep-alive connections. The load
generator runs in its own process (``wrk`` when installed, else a small threaded ``http.client``
loop) so it never shares the shim's GIL, and on Linux on a CPU of its own (``taskset``: the last
CPU this process may use; ``BENCH_SHIM_PIN=0`` leaves it to the scheduler). The servers may use
every CPU, but for the dashboard's isolated pair (below). The direct figure is the same handler
called in a loop in this process: the floor any emulator adds to.

When Node and npm are present, the same handler also runs under serverless-offline 12.0.4 on
serverless 3.39.0 (installed once under ``.bench/serverless-offline``; ``BENCH_SHIM_SERVERLESS=0``
skips it), measured in the same run, interleaved with the shim (best of ``BENCH_SHIM_ROUNDS``
rounds each), and the budgets are ratios against it: req/s and p50 at
least as good at 1 and 8 connections. Without Node, the issue's figures for serverless-offline
on 2 cores stand in (0.41 ms / 2,050 req/s at 1 connection, 3,700 req/s at 8). Always: p99 at 8
connections under 20 ms, ready in under 2 s.

The dashboard's cost: the same shim with ``--no-dashboard`` ("nodash") runs in the same rounds;
recording every request (the default) must keep at least 95 % of its req/s at 1 and 8 connections,
and cost at most 5 % more CPU per request in the serve process (user + system time over a run
divided by its requests). Both are ratios of paired runs: in each round the two run back to back
twice, in the order on, off, off, on (the next round off, on, on, off), each pair gives one ratio
and the budget is the median of them all, printed with their spread. On a machine shared with other
work the load changes from one second to the next: a ratio of two runs seconds apart cancels a
slow drift, while the best run of each side taken apart compares two different moments. Under
heavy load the pairs still spread by tens of percent: read the printed spread with the median.
The pairs' servers are started anew each round (:class:`DashboardPairs`: two servers started
alike may differ by up to 10 % for as long as they run).

At 1 connection the budget is the **isolated** pair's: a second pair of servers (on and off)
started on every CPU but the load generator's, so that the client, the server and its worker
each have a place (on 2 cores: the client on one CPU, the server and its worker, which take
turns at 1 connection, on the other). The pair that may use every CPU runs too and is printed.
Why: with three processes passing one request around on two CPUs and left to the scheduler, the
server moves from CPU to CPU, and each move costs what its caches held; the dashboard's code and
data are more of that, so its cost doubles or triples. Measured side by side at 1 connection
(2026-12-04, idle 2-core machine, two servers of each kind, 8 rounds): left to the scheduler,
req/s x0.93-x0.96 and CPU x1.10-x1.12; isolated, x0.99-x1.02 and CPU x1.03-x1.05 (the two
``--no-dashboard`` servers within 2 % of each other in req/s and 3 % in CPU both times). A
simulator, a phone or a Locust run on a laptop with more cores than busy processes does not
crowd the server that way.
At 8 connections the server needs both CPUs, so that pair is judged as it runs, the load
generator pinned.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psutil

from benchmarks.npm_install import npm_install_command, run_with_progress
from emulator.launcher import run_serve, serve_argv

REPO_ROOT = Path(__file__).resolve().parent.parent
DURATION_S = float(os.environ.get("BENCH_SHIM_DURATION", "4"))
ROUNDS = int(os.environ.get("BENCH_SHIM_ROUNDS", "2"))
PIN = os.environ.get("BENCH_SHIM_PIN") != "0"  # the load generator on a CPU of its own (see above)
CONNECTIONS = (1, 8)
# The serverless-offline figures (2 cores), used only when Node is not available.
REFERENCE = {"rps_1": 2050.0, "p50_1_ms": 0.41, "rps_8": 3700.0}
SERVERLESS_DIR = REPO_ROOT / ".bench" / "serverless-offline"
SERVERLESS_PACKAGES = ("serverless@3.39.0", "serverless-offline@12.0.4")
SERVERLESS_YML = """\
service: echo-bench
frameworkVersion: "3"
provider:
  name: aws
  runtime: python3.9
  stage: prod
functions:
  echo:
    handler: src/echo.handler
    events:
      - http: {{path: echo, method: get}}
plugins:
  - serverless-offline
custom:
  serverless-offline:
    httpPort: {http_port}
    lambdaPort: {lambda_port}
"""
P99_8_LIMIT_MS = 20.0
DASHBOARD_MIN_RATIO = 0.95  # recording requests costs at most 5 % of the shim's req/s
DASHBOARD_MAX_CPU_RATIO = 1.05  # ... and at most 5 % more CPU per request in the serve process

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: echo.handler
      Runtime: python3.11
      CodeUri: src/
      Events:
        Echo:
          Type: Api
          Properties: {Path: /echo, Method: GET}
"""

ECHO = """\
import json


def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event)}
"""

# The fallback load generator: N threads, one keep-alive connection each, for D seconds.
PY_LOADGEN = textwrap.dedent(
    """
    import http.client, json, sys, threading, time
    host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    conns, duration = int(sys.argv[4]), float(sys.argv[5])
    latencies = [[] for _ in range(conns)]
    errors = [0] * conns
    deadline = time.perf_counter() + duration
    def loop(i):
        c = http.client.HTTPConnection(host, port)
        while time.perf_counter() < deadline:
            t = time.perf_counter()
            c.request("GET", path)
            r = c.getresponse(); r.read()
            latencies[i].append(time.perf_counter() - t)
            if r.status != 200: errors[i] += 1
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(conns)]
    start = time.perf_counter()
    [t.start() for t in threads]; [t.join() for t in threads]
    elapsed = time.perf_counter() - start
    all_l = sorted(x for l in latencies for x in l)
    print(json.dumps({"requests": len(all_l), "elapsed": elapsed, "errors": sum(errors),
                      "p50": all_l[len(all_l) // 2], "p99": all_l[int(len(all_l) * 0.99)]}))
    """
)


def write_echo_app(root: Path) -> Path:
    (root / "src").mkdir()
    (root / "src" / "echo.py").write_text(ECHO)
    template = root / "template.yaml"
    template.write_text(TEMPLATE)
    return template


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _wrk_ms(text: str, label: str) -> float:
    found = re.search(rf"^\s*{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    if not found:
        raise RuntimeError(f"cannot read {label} from wrk output:\n{text}")
    return float(found.group(1)) * _UNITS[found.group(2)]


def load_generator_cpu() -> int | None:
    """The CPU the load generator runs on (None: wherever the scheduler puts it): the last one
    this process may use, when there are two or more and ``taskset`` can pin it (Linux)."""
    if not PIN or not hasattr(os, "sched_getaffinity") or shutil.which("taskset") is None:
        return None
    cpus = sorted(os.sched_getaffinity(0))
    return cpus[-1] if len(cpus) > 1 else None


def server_cpus() -> str | None:
    """The CPUs of the isolated pair's servers, as ``taskset`` reads them: all but the load
    generator's (None: it is not pinned)."""
    cpu = load_generator_cpu()
    if cpu is None:
        return None
    return ",".join(str(other) for other in sorted(os.sched_getaffinity(0)) if other != cpu)


def _on_cpus(cpu_list: str, argv: list[str]) -> list[str]:
    """``argv`` run only on ``cpu_list`` ("0", "0,2"...: as ``taskset`` reads it)."""
    return ["taskset", "--cpu-list", cpu_list, *argv]


def _pinned(argv: list[str]) -> list[str]:
    cpu = load_generator_cpu()
    return argv if cpu is None else _on_cpus(str(cpu), argv)


def load(url: str, connections: int, duration_s: float) -> dict[str, float]:
    """p50/p99 (ms) and req/s against ``url`` from a separate process (pinned: see above)."""
    if shutil.which("wrk"):
        threads = min(connections, 2)
        out = subprocess.run(
            _pinned(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration_s:.0f}s", "--latency", url]),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
        non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        return {
            "p50_ms": _wrk_ms(out, "50%"),
            "p99_ms": _wrk_ms(out, "99%"),
            "rps": rps,
            "errors": int(non_2xx.group(1)) if non_2xx else 0,
            "requests": requests,
            "tool": "wrk",
        }
    host_port, _, path = url.removeprefix("http://").partition("/")
    host, _, port = host_port.partition(":")
    out = subprocess.run(
        _pinned(
            [sys.executable, "-c", PY_LOADGEN, host, port, "/" + path, str(connections), str(duration_s)]
        ),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = json.loads(out)
    return {
        "p50_ms": figures["p50"] * 1000,
        "p99_ms": figures["p99"] * 1000,
        "rps": figures["requests"] / figures["elapsed"],
        "errors": figures["errors"],
        "requests": figures["requests"],
        "tool": "python http.client",
    }


def direct(template_dir: Path, duration_s: float) -> dict[str, float]:
    """The same handler called in-process with a representative event: the floor."""
    sys.path.insert(0, str(template_dir / "src"))
    try:
        import echo  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    event = {
        "resource": "/echo",
        "path": "/echo",
        "httpMethod": "GET",
        "headers": {"Host": "x"},
        "body": None,
    }
    latencies = []
    deadline = time.perf_counter() + duration_s
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        echo.handler(event, None)
        latencies.append(time.perf_counter() - started)
    latencies.sort()
    return {
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "rps": len(latencies) / duration_s,
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerlessOffline:
    """The same echo handler under serverless-offline (``start`` returns its URL)."""

    def __init__(self, src: Path) -> None:
        self.src = src
        self.process: subprocess.Popen[str] | None = None

    @staticmethod
    def available() -> bool:
        wanted = os.environ.get("BENCH_SHIM_SERVERLESS") != "0"
        return wanted and bool(shutil.which("node") and shutil.which("npm"))

    def start(self) -> str:
        SERVERLESS_DIR.mkdir(parents=True, exist_ok=True)
        if not (SERVERLESS_DIR / "node_modules" / "serverless-offline").is_dir():
            (SERVERLESS_DIR / "package.json").write_text('{"name": "echo-bench", "private": true}\n')
            run_with_progress(
                npm_install_command(SERVERLESS_PACKAGES),
                cwd=SERVERLESS_DIR,
                what=f"the comparison's peer {' + '.join(SERVERLESS_PACKAGES)} "
                "(BENCH_SHIM_SERVERLESS=0 skips it)",
            )
        shutil.copytree(self.src, SERVERLESS_DIR / "src", dirs_exist_ok=True)
        http_port = _free_port()
        (SERVERLESS_DIR / "serverless.yml").write_text(
            SERVERLESS_YML.format(http_port=http_port, lambda_port=_free_port())
        )
        env = {
            **os.environ,
            "NODE_OPTIONS": "--no-experimental-require-module",
            "SLS_TELEMETRY_DISABLED": "1",
        }
        self.process = subprocess.Popen(
            ["node", "node_modules/serverless/bin/serverless.js", "offline", "start"],
            cwd=SERVERLESS_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: node and its python children stop together
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if "Server ready" in line:
                return f"http://127.0.0.1:{http_port}/prod/echo"
        raise RuntimeError("serverless-offline did not start")

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class DashboardPairs:
    """The dashboard's pairs of servers (on, off), started anew each round.

    Two server processes started alike differ by up to 10 % in req/s at 8 connections on a
    2-core machine (how the scheduler happens to place them and their workers, which lasts as
    long as they do): a pair kept for the whole run would carry that into every ratio. New
    processes each round average it out over the rounds.
    """

    def __init__(self, argv: list[str], root: Path) -> None:
        self.root = root
        self.commands = {"shim": argv, "nodash": [*argv, "--no-dashboard"]}
        cpus = server_cpus()
        if cpus is not None:  # the isolated pair: off the load generator's CPU
            pinned = _on_cpus(cpus, argv)
            self.commands |= {"shim_iso": pinned, "nodash_iso": [*pinned, "--no-dashboard"]}

    def start(
        self, stack: ExitStack, round_index: int
    ) -> tuple[dict[str, str], dict[str, psutil.Process], float]:
        """The servers' URLs and processes, stopped with ``stack``, and the time the first
        (``serve`` with the dashboard) took to be ready."""
        urls: dict[str, str] = {}
        processes: dict[str, psutil.Process] = {}
        ready_s = 0.0
        for name, argv in self.commands.items():
            started = time.perf_counter()
            log_path = self.root / f"{name}-{round_index}.log"
            server = stack.enter_context(run_serve(argv, log_path=log_path, cwd=REPO_ROOT))
            ready_s = ready_s or round(time.perf_counter() - started, 3)
            urls[name] = f"{server.root_url}/Prod/echo"
            processes[name] = psutil.Process(server.pid)
        return urls, processes, ready_s


def _cpu_s(process: psutil.Process | None) -> float:
    if process is None:
        return 0.0
    times = process.cpu_times()
    return times.user + times.system


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the most req/s: on a shared laptop, noise only ever makes figures worse."""
    return max(runs, key=lambda r: r["rps"])


# The dashboard's pairs (on, off); the isolated one runs at 1 connection only (see above).
PAIRS = (("shim", "nodash"), ("shim_iso", "nodash_iso"))


def _round_order(names: list[str], round_index: int) -> list[str]:
    """The targets of one round: each of the dashboard's pairs twice, mirrored (on off off on,
    then off on on off), so that a steady drift of the machine's load weighs on both sides alike."""
    order: list[str] = []
    for on, off in PAIRS:
        if on in names:
            first, second = (off, on) if round_index % 2 else (on, off)
            order += [first, second, second, first]
    return order + [name for name in names if name not in order]


def _dashboard_ratios(
    runs: dict[str, list[dict[str, Any]]], cpu_per_request: dict[str, list[float]]
) -> dict[str, dict[str, Any]]:
    """Dashboard on / off, one ratio per back-to-back pair: their median and spread, per pair of
    servers and connections (``cpu_1``, ``rps_8``...; the isolated pair's ``cpu_1_isolated``...)."""
    ratios: dict[str, dict[str, Any]] = {}
    for (on_name, off_name), suffix in zip(PAIRS, ("", "_isolated"), strict=True):
        for c in CONNECTIONS:
            if f"{on_name}_{c}" not in runs:
                continue
            on_runs, off_runs = runs[f"{on_name}_{c}"], runs[f"{off_name}_{c}"]
            on_cpu, off_cpu = cpu_per_request[f"{on_name}_{c}"], cpu_per_request[f"{off_name}_{c}"]
            # Run k of each side belongs to pair k: the runs of a round are on off off on (or mirrored).
            cpu = [on / off for on, off in zip(on_cpu, off_cpu, strict=True)]
            rps = [on["rps"] / off["rps"] for on, off in zip(on_runs, off_runs, strict=True)]
            ratios[f"cpu_{c}{suffix}"] = _spread(cpu)
            ratios[f"rps_{c}{suffix}"] = _spread(rps)
    return ratios


def _spread(values: list[float]) -> dict[str, Any]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "pairs": [round(value, 3) for value in values],
    }


def run() -> dict[str, Any]:
    figures: dict[str, Any] = {"load_generator_cpu": load_generator_cpu()}
    with tempfile.TemporaryDirectory(prefix="bench-shim-") as scratch, ExitStack() as stack:
        root = Path(scratch)
        template = write_echo_app(root)
        argv = serve_argv("--port", "0", "--template", str(template), "--no-reload")
        pairs = DashboardPairs(argv, root)
        flask_argv = [*argv, "--server", "flask"]
        flask = stack.enter_context(run_serve(flask_argv, log_path=root / "flask.log", cwd=REPO_ROOT))
        baseline = ServerlessOffline(root / "src") if ServerlessOffline.available() else None
        try:
            steady = {"flask": f"{flask.root_url}/Prod/echo"}
            if baseline is not None:
                steady["sls"] = baseline.start()
            for url in steady.values():
                load(url, 8, 1)  # warm-up: cold starts of the workers
            # Interleaved rounds, best of each: both sides see the same background noise. The
            # dashboard's pairs run back to back twice per round, in mirrored order, on servers
            # started anew each round (see above).
            runs: dict[str, list[dict[str, Any]]] = {}
            cpu_per_request: dict[str, list[float]] = {}
            for round_index in range(ROUNDS):
                with ExitStack() as round_servers:
                    urls, processes, ready_s = pairs.start(round_servers, round_index)
                    figures.setdefault("ready_s", ready_s)
                    for url in urls.values():
                        load(url, 8, 1)
                    targets = {**urls, **steady}
                    for connections in CONNECTIONS:
                        for name in _round_order(list(targets), round_index):
                            if name.endswith("_iso") and connections != 1:
                                continue
                            process = processes.get(name)
                            before = _cpu_s(process)
                            result = load(targets[name], connections, DURATION_S)
                            runs.setdefault(f"{name}_{connections}", []).append(result)
                            if process is not None:
                                used_us = (_cpu_s(process) - before) * 1e6 / max(result["requests"], 1)
                                cpu_per_request.setdefault(f"{name}_{connections}", []).append(used_us)
            figures.update({key: _best(results) for key, results in runs.items()})
            figures["cpu_us_per_request"] = {key: round(min(v), 1) for key, v in cpu_per_request.items()}
            figures["dashboard"] = _dashboard_ratios(runs, cpu_per_request)
        finally:
            if baseline is not None:
                baseline.stop()
        figures["direct_1"] = direct(root, min(DURATION_S, 2.0))
    if any(figures.get(f"sls_{c}", {}).get("rps", 1) == 0 for c in CONNECTIONS):
        print(
            "  serverless-offline answered nothing in one of its runs: its figures are left out", flush=True
        )
        for c in CONNECTIONS:
            figures[f"sls_failed_{c}"] = figures.pop(f"sls_{c}", None)

    _print_table(figures)
    figures["budgets"] = _budgets(figures)
    return figures


def _budgets(figures: dict[str, Any]) -> list[dict[str, Any]]:
    s1, s8 = figures["shim_1"], figures["shim_8"]
    budgets = [
        _budget(
            "p99 at 8 connections (ms)", s8["p99_ms"], f"< {P99_8_LIMIT_MS}", s8["p99_ms"] < P99_8_LIMIT_MS
        ),
        _budget("ready (s)", figures["ready_s"], "< 2", figures["ready_s"] < 2.0),
    ]
    # The Flask front is for embedding and comparison, not speed: only that it answers right.
    flask_errors = sum(figures[f"flask_{c}"].get("errors", 0) for c in CONNECTIONS)
    budgets.append(_budget("flask front: non-2xx answers", flask_errors, "= 0", flask_errors == 0))
    dashboard = figures["dashboard"]
    for c in CONNECTIONS:
        # At 1 connection the isolated pair's, when there is one (see the module's docstring).
        key, which = (f"{c}_isolated", ", isolated") if f"rps_{c}_isolated" in dashboard else (f"{c}", "")
        cpu_ratio = dashboard[f"cpu_{key}"]["median"]
        budgets.append(
            _budget(
                f"CPU/request dashboard on/--no-dashboard at {c}{which} (median of pairs)",
                cpu_ratio,
                f"<= {DASHBOARD_MAX_CPU_RATIO}",
                cpu_ratio <= DASHBOARD_MAX_CPU_RATIO,
            )
        )
        ratio = dashboard[f"rps_{key}"]["median"]
        budgets.append(
            _budget(
                f"req/s dashboard on/--no-dashboard at {c}{which} (median of pairs)",
                ratio,
                f">= {DASHBOARD_MIN_RATIO}",
                ratio >= DASHBOARD_MIN_RATIO,
            )
        )
    if "sls_1" in figures:
        for c in CONNECTIONS:
            shim, sls = figures[f"shim_{c}"], figures[f"sls_{c}"]
            rps_ratio = shim["rps"] / sls["rps"]
            p50_ratio = shim["p50_ms"] / sls["p50_ms"]
            budgets.append(
                _budget(f"req/s shim/serverless-offline at {c}", rps_ratio, ">= 1", rps_ratio >= 1)
            )
            budgets.append(_budget(f"p50 shim/serverless-offline at {c}", p50_ratio, "<= 1", p50_ratio <= 1))
    else:
        ref = REFERENCE
        budgets += [
            _budget(
                "req/s at 1 (issue ref.)", s1["rps"], f">= {ref['rps_1']:.0f}", s1["rps"] >= ref["rps_1"]
            ),
            _budget(
                "p50 at 1 ms (issue ref.)",
                s1["p50_ms"],
                f"<= {ref['p50_1_ms']}",
                s1["p50_ms"] <= ref["p50_1_ms"],
            ),
            _budget(
                "req/s at 8 (issue ref.)", s8["rps"], f">= {ref['rps_8']:.0f}", s8["rps"] >= ref["rps_8"]
            ),
        ]
    return budgets


def _budget(name: str, value: float, limit: str, ok: bool) -> dict[str, Any]:
    return {"name": name, "value": round(value, 3), "limit": limit, "ok": ok}


def _print_table(figures: dict[str, Any]) -> None:
    cpu = figures["load_generator_cpu"]
    where = "left to the scheduler" if cpu is None else f"pinned to CPU {cpu}"
    print(f"  shim ready in {figures['ready_s']:.2f} s; load generator: {figures['shim_1']['tool']}, {where}")
    print(f"  {'':<34}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>10}{'errors':>8}")
    rows = [
        ("shim (asyncio), 1 connection", figures.get("shim_1")),
        ("shim (asyncio), 8 connections", figures.get("shim_8")),
        ("shim --no-dashboard, 1 connection", figures.get("nodash_1")),
        ("shim --no-dashboard, 8 connections", figures.get("nodash_8")),
        ("shim, isolated, 1 connection", figures.get("shim_iso_1")),
        ("shim --no-dashboard, isolated, 1", figures.get("nodash_iso_1")),
        ("flask front, 1 connection", figures.get("flask_1")),
        ("flask front, 8 connections", figures.get("flask_8")),
        ("serverless-offline, 1 connection", figures.get("sls_1")),
        ("serverless-offline, 8 connections", figures.get("sls_8")),
        ("direct call, 1 thread", figures.get("direct_1")),
    ]
    for label, f in rows:
        if f is not None:
            print(
                f"  {label:<36}{f['p50_ms']:>9.3f}{f['p99_ms']:>9.2f}{f['rps']:>10.0f}{f.get('errors', 0):>8}"
            )
    cpu = figures["cpu_us_per_request"]
    print(
        "  serve process CPU per request (lowest of the rounds): "
        + ", ".join(f"{key} {value:.1f} us" for key, value in sorted(cpu.items()))
    )
    for key, ratios in figures["dashboard"].items():
        if key.startswith("rps_"):
            cpu, rps = figures["dashboard"]["cpu_" + key[4:]], ratios
            connections, _, isolated = key[4:].partition("_")
            where = ", isolated (the servers off the load generator's CPU)" if isolated else ""
            print(
                f"  dashboard on/--no-dashboard at {connections}{where}, {len(cpu['pairs'])} back-to-back "
                f"pairs: CPU/request x{cpu['median']:.3f} median ({cpu['min']:.3f}..{cpu['max']:.3f}), "
                f"req/s x{rps['median']:.3f} median ({rps['min']:.3f}..{rps['max']:.3f})"
            )
    if "sls_1" in figures:
        for front in ("shim", "flask"):
            for c in CONNECTIONS:
                mine, sls = figures[f"{front}_{c}"], figures[f"sls_{c}"]
                print(
                    f"  {front}/serverless-offline at {c}: req/s x{mine['rps'] / sls['rps']:.2f}, "
                    f"p50 x{mine['p50_ms'] / sls['p50_ms']:.2f}"
                )
    else:
        print(
            f"  no Node: reference (issue, serverless-offline on 2 cores): p50 {REFERENCE['p50_1_ms']} ms, "
            f"{REFERENCE['rps_1']:.0f} req/s at 1, {REFERENCE['rps_8']:.0f} req/s at 8"
        )


if __name__ == "__main__":  # pragma: no cover - `make bench` imports run()
    run()
