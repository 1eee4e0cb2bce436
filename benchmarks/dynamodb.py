"""DynamoDB through the embedded endpoint vs moto's bare server, and restart time (``make bench``).

Every server runs in a child process of its own (as the emulator runs it), so that the client
threads here do not share a GIL with it. Measured in the same run on the same machine:

- PutItem/s and GetItem/s (median of 6 interleaved runs) with 1 and 8 client threads (each
  thread its own boto3 client) on moto's bare ``ThreadedMotoServer``, on the embedded endpoint
  in memory, and with ``--data-dir`` (journal + snapshots). Budget: the embedded endpoint's
  locking and persistence cost at most 15 % of moto's throughput.
- Restart time with 10,000 items: from process start to the first GetItem answered, after a
  clean stop (snapshot only) and after ``kill -9`` (snapshot + journal replay). Budget: < 2 s.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from emulator.aws import EmbeddedAws

MEASURE_S = 0.5
ROUNDS = 6
THREADS = (1, 8)
RESTART_ITEMS = 10_000
OVERHEAD_BUDGET = 0.15
RESTART_BUDGET_S = 2.0
_SESSION = boto3.session.Session()
_BARE_MOTO = """
import sys
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
print(f"Ready on http://{host}:{port}", flush=True)
sys.stdin.read()
"""


def _client(url: str) -> Any:
    return _SESSION.client(
        "dynamodb",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIABENCHBENCHBENCH0",
        aws_secret_access_key="bench",  # noqa: S106 - any key works locally
        config=Config(retries={"max_attempts": 1}),
    )


@contextmanager
def bare_moto() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", _BARE_MOTO],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        yield line.removeprefix("Ready on ").strip()
    finally:
        process.kill()
        process.wait()


@contextmanager
def embedded(data_dir: Path | None) -> Iterator[str]:
    with EmbeddedAws(data_dir=data_dir, ttl_sweep_interval_s=0) as aws:
        yield aws.endpoint_url


def _create_table(url: str, name: str) -> None:
    _client(url).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _item(key: str) -> dict[str, Any]:
    return {
        "pk": {"S": key},
        "email": {"S": f"{key}@example.com"},
        "displayName": {"S": "Ada Lovelace"},
        "createdAt": {"S": "2026-11-25T12:00:00Z"},
        "loginCount": {"N": "0"},
    }


def _throughput(url: str, table: str, operation: str, threads: int) -> float:
    """Operations per second over MEASURE_S with ``threads`` threads, each with its own client."""
    clients = [_client(url) for _ in range(threads)]
    start = threading.Barrier(threads + 1)
    stop = threading.Event()
    counts = [0] * threads

    def work(index: int) -> None:
        dynamodb = clients[index]
        start.wait()
        n = 0
        while not stop.is_set():
            key = f"{operation}-{index}-{n % 500}"
            if operation == "PutItem":
                dynamodb.put_item(TableName=table, Item=_item(key))
            else:
                dynamodb.get_item(TableName=table, Key={"pk": {"S": f"PutItem-{index}-{n % 50}"}})
            n += 1
        counts[index] = n

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(MEASURE_S)  # the measurement window (benchmarks measure time; tests never do)
    stop.set()
    for w in workers:
        w.join()
    return sum(counts) / (time.perf_counter() - began)


def _measure_interleaved(servers: dict[str, str]) -> dict[str, dict[str, float]]:
    """Each figure is the median of ROUNDS short runs, the servers taking turns round by round,
    so that a burst of load from something else on the machine hits them all alike."""
    results: dict[str, dict[str, float]] = {name: {} for name in servers}
    for threads in THREADS:
        table = f"bench-{threads}"
        for url in servers.values():
            _create_table(url, table)
        for operation in ("PutItem", "GetItem"):
            column = f"{operation}/s {threads} thread{'s' if threads > 1 else ''}"
            samples: dict[str, list[float]] = {name: [] for name in servers}
            for _ in range(ROUNDS):
                for name, url in servers.items():
                    samples[name].append(_throughput(url, table, operation, threads))
            for name in servers:
                results[name][column] = round(statistics.median(samples[name]), 1)
    return results


def _fill(url: str, items: int) -> None:
    dynamodb = _client(url)
    _create_table(url, "restart")
    for start in range(0, items, 25):
        batch = [{"PutRequest": {"Item": _item(f"k{i}")}} for i in range(start, min(start + 25, items))]
        dynamodb.batch_write_item(RequestItems={"restart": batch})


def _time_restart(data_dir: Path) -> float:
    began = time.perf_counter()
    with EmbeddedAws(data_dir=data_dir, ttl_sweep_interval_s=0) as aws:
        dynamodb = _client(aws.endpoint_url)
        found = dynamodb.get_item(TableName="restart", Key={"pk": {"S": f"k{RESTART_ITEMS - 1}"}})
        elapsed = time.perf_counter() - began
        assert "Item" in found, "restart lost data"
        assert dynamodb.describe_table(TableName="restart")["Table"]["ItemCount"] == RESTART_ITEMS
    return elapsed


def _restarts() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-aws-") as tmp:
        clean_dir, killed_dir = Path(tmp) / "clean", Path(tmp) / "killed"
        with embedded(clean_dir) as url:
            _fill(url, RESTART_ITEMS)
        aws = EmbeddedAws(data_dir=killed_dir, ttl_sweep_interval_s=0).start()
        _fill(aws.endpoint_url, RESTART_ITEMS)
        os.kill(aws.pid, signal.SIGKILL)
        aws.stop()
        return {
            "restart after clean stop (s)": round(_time_restart(clean_dir), 2),
            "restart after kill -9 (s)": round(_time_restart(killed_dir), 2),
        }


def _startup() -> dict[str, float]:
    """Median of 3: spawn -> "Ready on" (moto imported, port bound), and -> first DynamoDB answer
    (moto builds its DynamoDB app lazily; the endpoint warms it up in the background)."""
    ready, answered = [], []
    for _ in range(3):
        began = time.perf_counter()
        with EmbeddedAws(ttl_sweep_interval_s=0) as aws:
            ready.append(time.perf_counter() - began)
            _client(aws.endpoint_url).list_tables()
            answered.append(time.perf_counter() - began)
    return {
        "spawn to Ready (s)": round(statistics.median(ready), 2),
        "spawn to first DynamoDB answer (s)": round(statistics.median(answered), 2),
    }


def run() -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-aws-") as tmp,
        bare_moto() as bare_url,
        embedded(None) as memory_url,
        embedded(Path(tmp)) as persistent_url,
    ):
        figures: dict[str, Any] = _measure_interleaved(
            {
                "moto bare server": bare_url,
                "embedded, in memory": memory_url,
                "embedded, --data-dir": persistent_url,
            }
        )
    figures["restart, 10,000 items"] = _restarts()
    figures["startup, empty"] = _startup()
    _print_table(figures)

    budgets = []
    bare = figures["moto bare server"]
    for column, value in figures["embedded, --data-dir"].items():
        overhead = 1 - value / bare[column]
        budgets.append(
            {
                "name": f"locking+persistence cost, {column}",
                "value": f"{overhead:.1%}",
                "limit": f"<= {OVERHEAD_BUDGET:.0%} of moto's throughput",
                "ok": overhead <= OVERHEAD_BUDGET,
            }
        )
    for name, seconds in figures["restart, 10,000 items"].items():
        budgets.append(
            {
                "name": name,
                "value": seconds,
                "limit": f"< {RESTART_BUDGET_S} s",
                "ok": seconds < RESTART_BUDGET_S,
            }
        )
    figures["budgets"] = budgets
    return figures


def _print_table(figures: dict[str, Any]) -> None:
    columns = list(figures["moto bare server"])
    width = max(len(c) for c in columns)
    print(f"  {'':<22}" + "".join(f"{c:>{width + 2}}" for c in columns))
    for server in ("moto bare server", "embedded, in memory", "embedded, --data-dir"):
        print(f"  {server:<22}" + "".join(f"{figures[server][c]:>{width + 2}}" for c in columns))
    for name, seconds in (figures["restart, 10,000 items"] | figures["startup, empty"]).items():
        print(f"  {name}: {seconds}")


if __name__ == "__main__":
    run()
