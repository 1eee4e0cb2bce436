"""The shim's cost: an echo handler through ``python -m emulator serve`` vs called in-process.

Figures: p50/p99 latency and req/s at 1 and 8 concurrent keep-alive connections. The load
generator runs in its own process (``wrk`` when installed, else a small threaded ``http.client``
loop) so it never shares the shim's GIL. The direct figure is the same handler called in a loop
in this process: the floor any emulator adds to.

Budgets (issue 2): p99 at 8 connections under 20 ms; p50 and req/s at least as good as
serverless-offline's, measured on 2 cores at 0.41 ms / 2,050 req/s (1 connection) and
3,700 req/s (8 connections). serverless-offline is not run here, so those are the issue's
reference figures, meaningful on a comparable 2-core machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

DURATION_S = float(os.environ.get("BENCH_SHIM_DURATION", "5"))
CONNECTIONS = (1, 8)
REFERENCE = {"rps_1": 2050.0, "p50_1_ms": 0.41, "rps_8": 3700.0}
P99_8_LIMIT_MS = 20.0

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


def _write_app(root: Path) -> Path:
    (root / "src").mkdir()
    (root / "src" / "echo.py").write_text(ECHO)
    template = root / "template.yaml"
    template.write_text(TEMPLATE)
    return template


class ShimProcess:
    """``python -m emulator serve --port 0`` as a child; ``url`` once it printed ``Ready on``."""

    def __init__(self, template: Path, log_path: Path) -> None:
        self._log = log_path.open("w")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "emulator",
                "serve",
                "--port",
                "0",
                "--template",
                str(template),
                "--no-reload",
            ],
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        self.url = ""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("Ready on "):
                self.url = line.split(" ", 2)[2].strip()
                break
        self.ready_s = time.perf_counter() - self.started
        if not self.url:
            raise RuntimeError(f"the shim did not start; see {log_path}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _wrk_ms(text: str, label: str) -> float:
    found = re.search(rf"^\s*{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    if not found:
        raise RuntimeError(f"cannot read {label} from wrk output:\n{text}")
    return float(found.group(1)) * _UNITS[found.group(2)]


def load(url: str, connections: int, duration_s: float) -> dict[str, float]:
    """p50/p99 (ms) and req/s against ``url`` from a separate process."""
    if shutil.which("wrk"):
        threads = min(connections, 2)
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration_s:.0f}s", "--latency", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        return {
            "p50_ms": _wrk_ms(out, "50%"),
            "p99_ms": _wrk_ms(out, "99%"),
            "rps": rps,
            "errors": int(non_2xx.group(1)) if non_2xx else 0,
            "tool": "wrk",
        }
    host_port, _, path = url.removeprefix("http://").partition("/")
    host, _, port = host_port.partition(":")
    out = subprocess.run(
        [sys.executable, "-c", PY_LOADGEN, host, port, "/" + path, str(connections), str(duration_s)],
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


def run() -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-shim-") as scratch:
        root = Path(scratch)
        template = _write_app(root)
        shim = ShimProcess(template, root / "shim.log")
        try:
            figures["ready_s"] = round(shim.ready_s, 3)
            url = f"{shim.url}/Prod/echo"
            load(url, 8, 1)  # warm-up: cold starts of the workers
            for connections in CONNECTIONS:
                figures[f"shim_{connections}"] = load(url, connections, DURATION_S)
        finally:
            shim.stop()
        figures["direct_1"] = direct(root, min(DURATION_S, 2.0))

    _print_table(figures)
    s1, s8 = figures["shim_1"], figures["shim_8"]
    figures["budgets"] = [
        _budget(
            "p99 at 8 connections (ms)", s8["p99_ms"], f"< {P99_8_LIMIT_MS}", s8["p99_ms"] < P99_8_LIMIT_MS
        ),
        _budget(
            "req/s at 1 connection",
            s1["rps"],
            f">= {REFERENCE['rps_1']:.0f}",
            s1["rps"] >= REFERENCE["rps_1"],
        ),
        _budget(
            "p50 at 1 connection (ms)",
            s1["p50_ms"],
            f"<= {REFERENCE['p50_1_ms']}",
            s1["p50_ms"] <= REFERENCE["p50_1_ms"],
        ),
        _budget(
            "req/s at 8 connections",
            s8["rps"],
            f">= {REFERENCE['rps_8']:.0f}",
            s8["rps"] >= REFERENCE["rps_8"],
        ),
        _budget("ready (s)", figures["ready_s"], "< 2", figures["ready_s"] < 2.0),
    ]
    return figures


def _budget(name: str, value: float, limit: str, ok: bool) -> dict[str, Any]:
    return {"name": name, "value": round(value, 3), "limit": limit, "ok": ok}


def _print_table(figures: dict[str, Any]) -> None:
    print(f"  shim ready in {figures['ready_s']:.2f} s; load generator: {figures['shim_1']['tool']}")
    print(f"  {'':<26}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>10}{'errors':>8}")
    rows = [
        ("shim, 1 connection", figures["shim_1"]),
        ("shim, 8 connections", figures["shim_8"]),
        ("direct call, 1 thread", figures["direct_1"]),
    ]
    for label, f in rows:
        print(f"  {label:<26}{f['p50_ms']:>9.3f}{f['p99_ms']:>9.2f}{f['rps']:>10.0f}{f.get('errors', 0):>8}")
    print(
        f"  reference (issue, serverless-offline on 2 cores): p50 {REFERENCE['p50_1_ms']} ms, "
        f"{REFERENCE['rps_1']:.0f} req/s at 1, {REFERENCE['rps_8']:.0f} req/s at 8"
    )


if __name__ == "__main__":  # pragma: no cover - `make bench` imports run()
    run()
